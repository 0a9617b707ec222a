// What reflecting a database's catalog yields, whichever the driver: tables, their columns with the
// Sluice type each maps to, and primary keys.

import { decimalFits, type DataType } from '../../schema/types';

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

/** Whether a NUMERIC column's values fit DECIMAL(38,9) (one without precision is taken as fitting); wider numbers are kept as exact text. */
export function numericFits(precision: number | undefined, scale: number | undefined): boolean {
  return precision === undefined || decimalFits(precision, scale ?? 0);
}
