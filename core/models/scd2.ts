// SCD type 2 kinds: the validity columns Sluice adds to the query's columns, and the columns the kind's
// options must name, so analysis, lineage and the build agree on the table's shape.

import type { ModelKind } from './types';

export type Scd2Kind = Extract<ModelKind, { name: 'SCD_TYPE_2_BY_TIME' | 'SCD_TYPE_2_BY_COLUMN' }>;

export function isScd2(kind: ModelKind): kind is Scd2Kind {
  return kind.name === 'SCD_TYPE_2_BY_TIME' || kind.name === 'SCD_TYPE_2_BY_COLUMN';
}

/** valid_from and valid_to (or their configured names), in the kind's time type: added after the query's columns. */
export function validityColumns(kind: Scd2Kind): { name: string; type: string }[] {
  return [
    { name: kind.validFromName, type: kind.timeDataType },
    { name: kind.validToName, type: kind.timeDataType },
  ];
}

/** Key columns as plain names: unique_key entries written as "quoted" names lose their quotes. */
export function keyColumnNames(uniqueKey: readonly string[]): string[] {
  return uniqueKey.map((k) => k.trim().replace(/^"(.*)"$/, '$1'));
}

/**
 * What the query must output for the kind to work, each with the option naming it: the unique key, the
 * updated_at column and the columns to compare. A key written as an expression is reported on its own.
 */
export function requiredColumns(kind: Scd2Kind): { column: string; option: string }[] {
  const out = keyColumnNames(kind.uniqueKey).map((column) => ({ column, option: 'unique_key' }));
  if (kind.updatedAtName !== undefined) out.push({ column: kind.updatedAtName, option: 'updated_at_name' });
  if (kind.name === 'SCD_TYPE_2_BY_COLUMN' && kind.columns !== '*') out.push(...kind.columns.map((column) => ({ column, option: 'columns' })));
  return out;
}
