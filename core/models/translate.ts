// A rendered model query in another dialect, as the DuckDB SQL Sluice parses, analyses and runs, with a
// source map that still points into the model file: lineage, editor features and DuckDB's own errors on
// the translation land on the line and column the user wrote.

import { transpileToDuckDb } from '../sql/dialect';
import type { RenderedQuery } from './render';
import { composeSourceMap } from './sourceMap';
import type { ModelDiagnostic } from './types';

export interface TranslatedQuery {
  /** The DuckDB SQL and its map to the file; the rendered query itself when it needed no translation. */
  rendered: RenderedQuery;
  /** What could not be translated (errors), or an unknown dialect (a warning), at file positions. */
  diagnostics: ModelDiagnostic[];
  /** The dialect the query was translated from, when it was. */
  from?: string;
}

export function translateRendered(rendered: RenderedQuery, dialect: string | undefined, file: string): TranslatedQuery {
  const result = transpileToDuckDb(rendered.sql, dialect);
  const diagnostics = result.diagnostics.map((d): ModelDiagnostic => {
    const at = rendered.sourceMap.toFilePosition(d.offset);
    return { file, message: d.message, start: at, end: at, severity: d.severity === 'error' ? 'error' : 'warning' };
  });
  if (!result.translated) return { rendered, diagnostics };
  const sourceMap = composeSourceMap(rendered.sourceMap, result.segments, result.sql);
  return { rendered: { ...rendered, sql: result.sql, sourceMap }, diagnostics, from: dialect!.trim().toLowerCase() };
}
