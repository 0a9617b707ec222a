// What reflecting a database's catalog yields, whichever the driver: tables, their columns with the
// Sluice type each maps to, and primary keys.

import type { DataType } from '../../schema/types';

export interface ColumnInfo {
  name: string;
  /** The type as the database names it (numeric(12,2), timestamp with time zone), for messages and docs. */
  dbType: string;
  /** The warehouse type the column is hinted as, so typed columns stay typed even when all values are NULL. */
  dataType: DataType;
  /** For decimal columns of known precision: DECIMAL(precision, scale) in the warehouse. */
  precision?: number;
  scale?: number;
  nullable: boolean;
  /** SQL that reads the column when its value needs the database's help (arrays as JSON); else the quoted name. */
  select?: (quoted: string) => string;
  /** Turns the driver's value into what the normalizer stores exactly (int8 text into a number or BigInt). */
  convert?: (value: unknown) => unknown;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  /** Primary key columns in key order; empty when the table has none. */
  primaryKey: string[];
}

/** Integer text as a number when exact, else a BigInt. */
export function integerValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

/** A DECIMAL(38,9) column holds 29 integer digits and 9 decimals; wider numbers are kept as exact text. */
export function decimalFits(precision: number | undefined, scale: number | undefined): boolean {
  if (precision === undefined) return true;
  const s = scale ?? 0;
  return s <= 9 && s <= precision && precision - s <= 29;
}
