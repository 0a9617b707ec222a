// Small pieces shared by the statements that write incremental tables (merge by key, SCD type 2).

import { SluiceError } from '../errors';
import { keyColumnNames } from '../models/scd2';

/** The row count DuckDB answers an INSERT, UPDATE or MERGE with (one row, column Count). */
export function changedRows(result: Record<string, unknown>[]): number {
  const count = Number(result[0]?.Count ?? 0);
  return Number.isFinite(count) ? count : 0;
}

/** The unique key as column names; a key written as an expression cannot be matched on. */
export function keyColumns(model: string, uniqueKey: readonly string[], what: string): string[] {
  const keys = keyColumnNames(uniqueKey);
  const bad = keys.find((k) => !/^[\p{L}_][\p{L}\p{N}_$]*$/u.test(k));
  if (bad !== undefined) throw new SluiceError(`model ${model}: unique_key ${bad} is an expression; Sluice ${what} on key columns only`);
  return keys;
}
