// Small SQL helpers shared by the load steps.

import { SluiceError } from '../../errors';
import type { Params, Warehouse } from '../../warehouse/connection';
import { qualified, quoteIdent } from '../../warehouse/quote';
import { SYSTEM_SCHEMA } from '../../warehouse/system';

/** Runs a statement and returns how many rows it inserted, updated or deleted. */
export async function exec(wh: Warehouse, sql: string, params?: Params): Promise<number> {
  const result = await wh.connection.run(sql, params);
  return result.rowsChanged;
}

/**
 * A scratch table for staging merge rows. It lives in the warehouse itself rather than in temp storage:
 * large appends to a persistent table are spilled to disk while the transaction runs, so staging millions
 * of rows stays within bounded memory. It is created and dropped inside the load's transaction, so other
 * connections never see it, and a rollback removes it.
 */
export function scratchTable(name: string): string {
  return qualified(SYSTEM_SCHEMA, name);
}

/** `a.k1 IS NOT DISTINCT FROM b.k1 AND ...`: NULL-safe equality over a (possibly multi-column) key. */
export function keyMatch(keys: readonly string[], left: string, right: string): string {
  return keys.map((k) => `${left}.${quoteIdent(k)} IS NOT DISTINCT FROM ${right}.${quoteIdent(k)}`).join(' AND ');
}

/**
 * Runs fn with DuckDB's preserve_insertion_order set as asked, then puts back the connection's previous
 * setting. If fn fails inside a transaction, the setting cannot change until the transaction ends; the
 * caller that opened the transaction restores it after the rollback.
 */
export async function withInsertionOrder<T>(wh: Warehouse, preserve: boolean, fn: () => Promise<T>): Promise<T> {
  const [{ previous }] = await wh.all<{ previous: boolean }>(`SELECT current_setting('preserve_insertion_order') AS previous`);
  await wh.run(`SET preserve_insertion_order = ${preserve}`);
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    // The failure is what the caller must see, not a failed restore in an aborted transaction.
    await wh.run(`SET preserve_insertion_order = ${previous}`).catch(() => undefined);
    throw err;
  }
  await wh.run(`SET preserve_insertion_order = ${previous}`);
  return result;
}

export function columnList(columns: readonly string[]): string {
  return columns.map(quoteIdent).join(', ');
}

/** DuckDB messages can span lines (hints, context); users get the first one. */
export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0];
}

/** Runs fn and turns a database error into a SluiceError that says what was being done. */
export async function doing<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    throw new SluiceError(`${what}: ${firstLine(err)}`);
  }
}
