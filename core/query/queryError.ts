// DuckDB errors of a query, turned into one readable line with a position. The connection runs with
// `errors_as_json`, so DuckDB names the error's type and its position (in code points of the query text)
// instead of drawing a caret under a possibly shortened line.

import { SluiceError } from '../errors';
import type { QuerySourcePosition } from './types';

export class QueryError extends SluiceError {
  constructor(
    /** The error without its place. */
    readonly detail: string,
    /** Where in the query text (UTF-16 offset), when DuckDB said. */
    readonly offset?: number,
    /** Where in the model file, for a model's query. */
    readonly position?: QuerySourcePosition,
    /** The place in words, for the message: `file:line:col` or `line 2, column 3`. */
    where?: string,
  ) {
    super(where ? `${where}: ${detail}` : detail);
    this.name = 'QueryError';
  }
}

/** The query was interrupted (cancelled by the user). */
export class QueryCancelled extends SluiceError {
  constructor() {
    super('the query was cancelled');
    this.name = 'QueryCancelled';
  }
}

interface DuckDbJsonError {
  exception_type?: string;
  exception_message?: string;
  position?: string | number;
}

/** Parses a DuckDB error thrown for `sql`; `locate` maps an offset of sql to a model file position. */
export function toQueryError(err: unknown, sql: string, locate?: (offset: number) => QuerySourcePosition | undefined): SluiceError {
  const raw = err instanceof Error ? err.message : String(err);
  const parsed = parseJsonError(raw);
  if (!parsed) return new QueryError(raw.split('\n')[0]);
  const type = parsed.exception_type ?? 'Error';
  if (/^interrupt/i.test(type)) return new QueryCancelled();
  const message = (parsed.exception_message ?? raw).split('\n')[0];
  const offset = codePointsToIndex(sql, Number(parsed.position));
  const position = offset === undefined ? undefined : locate?.(offset);
  const where = position ? `${position.file}:${position.line}:${position.column}` : offset !== undefined ? lineColumn(sql, offset) : undefined;
  return new QueryError(`${type} Error: ${message}`, offset, position, where);
}

function parseJsonError(raw: string): DuckDbJsonError | undefined {
  // Parser errors come as "Parser Error: {...}", the others as the bare object.
  const brace = raw.indexOf('{');
  if (brace < 0) return undefined;
  try {
    const value = JSON.parse(raw.slice(brace)) as unknown;
    return typeof value === 'object' && value !== null && 'exception_type' in value ? (value as DuckDbJsonError) : undefined;
  } catch {
    return undefined;
  }
}

function codePointsToIndex(text: string, codePoints: number): number | undefined {
  if (!Number.isInteger(codePoints) || codePoints < 0) return undefined;
  let index = 0;
  for (let seen = 0; seen < codePoints; seen++) {
    if (index >= text.length) return undefined;
    const c = text.charCodeAt(index);
    index += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return index;
}

/** "line 3, column 7" of an offset in a query given on the command line. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split(/\r\n|\r|\n/).length;
  const column = offset - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
  return `line ${line}, column ${column}`;
}
