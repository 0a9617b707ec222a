// A model's query in another dialect: its rendered SQL (macros expanded as apply expands them) printed by the
// dialect printer, with every construct that cannot be rendered reported at its position in the model file
// through the render's source map, the way DuckDB's own errors are.

import type { ProjectDiagnostic } from '../dag/types';
import type { RenderedQuery } from '../models/render';
import { translateRendered } from '../models/translate';
import type { ParsedModel } from '../models/types';
import { transpile } from './transpile';
import { dialectTitle } from './typeNames';
import type { TargetDialect, TranspileOptions } from './types';

export interface ModelInDialect {
  /** The query in the dialect; undefined when something could not be rendered. */
  sql?: string;
  diagnostics: ProjectDiagnostic[];
}

export async function renderModelInDialect(model: ParsedModel, rendered: RenderedQuery, dialect: TargetDialect, options: TranspileOptions = {}): Promise<ModelInDialect> {
  // A model written in another dialect is read through its DuckDB translation, which maps back to the file.
  const translated = translateRendered(rendered, model.definition?.dialect, model.file);
  const errors = translated.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return { diagnostics: errors };
  const sourceMap = translated.rendered.sourceMap;
  const at = (offset: number) => sourceMap.toFilePosition(offset);
  const diagnostic = (message: string, offset: number): ProjectDiagnostic => ({ file: model.file, message, start: at(offset), end: at(offset), severity: 'error' });
  const result = await transpile(translated.rendered.sql, dialect, options);
  const title = dialectTitle(dialect);
  return {
    sql: result.sql,
    diagnostics: result.problems.map((p) => diagnostic(p.message.includes(title) || /DuckDB/.test(p.message) ? p.message : `${p.message} (rendering for ${title})`, p.offset)),
  };
}
