// One interface over the drivers: reflect a schema's tables, stream a table's rows in pages.

import { SluiceError, describeError } from '../../errors';
import type { Item } from '../../ingest/types';
import type { ColumnInfo, TableInfo } from './catalog';
import type { Credentials } from './credentials';

export interface ReadOptions {
  /** At most this many rows per yielded page. */
  chunkSize: number;
  /** Incremental: only rows whose cursor column is at or past start (and not past end). */
  cursor?: { column: string; start?: unknown; end?: unknown };
}

export interface Database {
  /** Tables of the schema (only those named, when tables is given); throws naming any that is missing. */
  reflect(schema: string, tables: string[] | undefined): Promise<TableInfo[]>;
  /** Pages of rows, read with bounded memory; the connection is released however the reading ends. */
  read(schema: string, table: TableInfo, options: ReadOptions): AsyncGenerator<Item[]>;
  close(): Promise<void>;
}

/** The error text of a driver failure, one line: Node's connect errors to several addresses carry theirs in errors[]. */
export function driverMessage(err: unknown): string {
  const inner = (err as { errors?: unknown[] })?.errors;
  if (err instanceof AggregateError && Array.isArray(inner) && inner.length > 0) return driverMessage(inner[0]);
  const message = describeError(err);
  const code = (err as { code?: unknown })?.code;
  return message === 'Error' && typeof code === 'string' ? code : message;
}

/** A driver failure while reading `where` (a table, a schema), as one line naming the source. */
export function queryError(source: string, where: string, err: unknown): SluiceError {
  if (err instanceof SluiceError) return err;
  const error = new SluiceError(`source "${source}": ${where}: ${driverMessage(err)}`);
  error.cause = err;
  return error;
}

/** Runs fn, turning a driver failure into queryError's line. */
export async function describeFailure<T>(source: string, where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw queryError(source, where, err);
  }
}

export function connectError(source: string, credentials: Credentials, err: unknown): SluiceError {
  const error = new SluiceError(`source "${source}": cannot connect to ${credentials.shown}: ${driverMessage(err)}`);
  error.cause = err;
  return error;
}

/** The tables asked for, in the order asked; a missing one is named with what the schema has. */
export function pickTables<T extends TableInfo>(source: string, where: string, found: T[], wanted: string[] | undefined): T[] {
  if (!wanted) {
    if (found.length === 0) throw new SluiceError(`source "${source}": ${where} has no tables`);
    return found;
  }
  const byName = new Map(found.map((t) => [t.name, t]));
  return wanted.map((name) => {
    const table = byName.get(name);
    if (!table) {
      const known = found.map((t) => t.name);
      const list = known.length > 0 ? `it has: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}` : 'it has no tables';
      throw new SluiceError(`source "${source}": table "${name}" not found in ${where} (${list})`);
    }
    return table;
  });
}

/** Converts a driver row in place with the columns' converters (those of table.columns that have one). */
export function convertRow(row: Item, converters: readonly ColumnInfo[]): Item {
  for (const column of converters) {
    const value = row[column.name];
    if (value !== null && value !== undefined) row[column.name] = column.convert!(value);
  }
  return row;
}

/** Bound parameters as text for BigInts and Dates (drivers differ in what they accept). */
export function parameter(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * Rows per page handed to Sluice: chunk_size, but no more than this. Rows in flight die young when pages
 * are small; large pages get copied to the old generation by every minor GC (see INGEST_BATCH_SIZE).
 */
export function pageSize(options: ReadOptions): number {
  return Math.min(options.chunkSize, 1000);
}

/** How a dialect quotes names and numbers its bound parameters. */
export interface Dialect {
  quote(identifier: string): string;
  /** The placeholder of the n-th parameter (1-based), compared with `column`. */
  placeholder(n: number, column: ColumnInfo): string;
}

/** SELECT of the table's columns; the incremental bounds are bound parameters, never pasted text. */
export function selectSql(dialect: Dialect, schema: string, table: TableInfo, options: ReadOptions): { sql: string; params: unknown[] } {
  const { quote } = dialect;
  const list = table.columns.map((c) => {
    const q = quote(c.name);
    return c.select ? `${c.select(q)} AS ${q}` : q;
  });
  let sql = `SELECT ${list.join(', ')} FROM ${quote(schema)}.${quote(table.name)}`;
  const params: unknown[] = [];
  const cursor = options.cursor;
  if (cursor) {
    const column = table.columns.find((c) => c.name === cursor.column)!;
    const q = quote(cursor.column);
    // Rows without a cursor value cannot be placed before or after the last run's value.
    const conditions = [`${q} IS NOT NULL`];
    if (cursor.start !== undefined && cursor.start !== null) {
      params.push(parameter(cursor.start));
      conditions.push(`${q} >= ${dialect.placeholder(params.length, column)}`);
    }
    if (cursor.end !== undefined && cursor.end !== null) {
      params.push(parameter(cursor.end));
      conditions.push(`${q} <= ${dialect.placeholder(params.length, column)}`);
    }
    // In cursor order, so that a run cut short (--limit) never skips rows before its last value. Qualified:
    // the bare name would be the select item, which may be the value reformatted as text.
    sql += ` WHERE ${conditions.join(' AND ')} ORDER BY ${quote(schema)}.${quote(table.name)}.${q}`;
  }
  return { sql, params };
}
