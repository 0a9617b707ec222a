// A model's query in another dialect: its rendered SQL (macros expanded as apply expands them) printed by the
// dialect printer, with every construct that cannot be rendered reported at its position in the model file
// through the render's source map, the way DuckDB's own errors are.

import type { ProjectDiagnostic } from '../dag/types';
import type { RenderedQuery } from '../models/render';
import { SourceMap } from '../models/sourceMap';
import type { ParsedModel } from '../models/types';
import { isDuckDbDialect, transpileToDuckDb } from '../sql/dialect';
import { transpile } from './transpile';
import { dialectTitle } from './typeNames';
import type { TargetDialect, TranspileOptions } from './types';

export interface ModelInDialect {
  /** The query in the dialect; undefined when something could not be rendered. */
  sql?: string;
  diagnostics: ProjectDiagnostic[];
}

export async function renderModelInDialect(model: ParsedModel, rendered: RenderedQuery, dialect: TargetDialect, options: TranspileOptions = {}): Promise<ModelInDialect> {
  let duckdbSql = rendered.sql;
  let sourceMap = rendered.sourceMap;
  const declared = model.definition?.dialect;
  const at = (offset: number) => sourceMap.toFilePosition(offset);
  const diagnostic = (message: string, offset: number): ProjectDiagnostic => ({ file: model.file, message, start: at(offset), end: at(offset), severity: 'error' });
  // A model written in another dialect is read through its DuckDB translation; positions then point at the query's start.
  if (declared && !isDuckDbDialect(declared)) {
    const translated = transpileToDuckDb(rendered.sql, declared);
    const errors = translated.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) return { diagnostics: errors.map((d) => diagnostic(d.message, d.offset)) };
    const start = rendered.sourceMap.toFilePosition(0);
    duckdbSql = translated.sql;
    sourceMap = new SourceMap([], translated.sql, () => start);
  }
  const result = await transpile(duckdbSql, dialect, options);
  const title = dialectTitle(dialect);
  return {
    sql: result.sql,
    diagnostics: result.problems.map((p) => diagnostic(p.message.includes(title) || /DuckDB/.test(p.message) ? p.message : `${p.message} (rendering for ${title})`, p.offset)),
  };
}
