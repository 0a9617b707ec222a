// Brings the warehouse's tables in line with the package's schema before any data moves: creates the
// source schema, missing tables and missing columns, and widens bigint columns that became double. The comparison is with what the warehouse really
// has (information_schema), so a warehouse that is behind or ahead of the stored schema converges.

import { SluiceError } from '../../errors';
import { columnDuckdbType, type ColumnSchema, type TableSchema } from '../../schema/types';
import type { Warehouse } from '../../warehouse/connection';
import { qualified, quoteIdent } from '../../warehouse/quote';
import { VALID_FROM, VALID_TO } from './columns';
import { doing, exec } from './sql';
import type { TableFamily } from './tableFamilies';

/** Physical column names per table name, as they exist after convergence. */
export type PhysicalColumns = Map<string, string[]>;

export async function convergeTables(wh: Warehouse, source: string, families: TableFamily[]): Promise<PhysicalColumns> {
  await doing(`cannot create schema "${source}"`, () => exec(wh, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(source)}`));
  const existing = await existingColumns(wh, source);
  const physical: PhysicalColumns = new Map();
  for (const family of families) {
    for (const table of [family.root, ...family.children]) {
      const wanted = requiredColumns(table, family);
      // DuckDB identifiers are case-insensitive, so that is how names are compared.
      const have = existing.get(table.name.toLowerCase());
      if (!have) {
        await createTable(wh, source, table, wanted);
        physical.set(table.name, wanted.map((c) => c.name));
        continue;
      }
      const known = new Map(have.map((c) => [c.name.toLowerCase(), c.type]));
      const columns = have.map((c) => c.name);
      for (const column of wanted) {
        const type = known.get(column.name.toLowerCase());
        if (type === undefined) {
          await doing(`cannot add column "${column.name}" to table "${source}"."${table.name}"`, () =>
            exec(wh, `ALTER TABLE ${qualified(source, table.name)} ADD COLUMN ${quoteIdent(column.name)} ${columnDuckdbType(column)}`),
          );
          known.set(column.name.toLowerCase(), columnDuckdbType(column));
          columns.push(column.name);
        } else if (column.dataType === 'double' && INTEGER_TYPES.has(type)) {
          await widenToDouble(wh, source, table.name, column.name);
        }
      }
      physical.set(table.name, columns);
    }
  }
  return physical;
}

/** The schema's columns, plus the validity columns an scd2 root needs even if the schema omits them. */
export function requiredColumns(table: TableSchema, family: TableFamily): ColumnSchema[] {
  const columns = [...table.columns];
  if (table === family.root && table.writeDisposition === 'merge' && table.mergeStrategy === 'scd2') {
    const names = new Set(columns.map((c) => c.name.toLowerCase()));
    for (const name of [VALID_FROM, VALID_TO]) {
      if (!names.has(name)) columns.push({ name, dataType: 'timestamp', nullable: true });
    }
  }
  return columns;
}

async function createTable(wh: Warehouse, source: string, table: TableSchema, columns: ColumnSchema[]): Promise<void> {
  // No NOT NULL or key constraints: columns are added to tables that already hold rows, and keys are
  // enforced by the merge itself.
  const definitions = columns.map((c) => `${quoteIdent(c.name)} ${columnDuckdbType(c)}`);
  await doing(`cannot create table "${source}"."${table.name}"`, () =>
    exec(wh, `CREATE TABLE ${qualified(source, table.name)} (${definitions.join(', ')})`),
  );
}

/** Integer types a column widened to double may have in the warehouse. */
const INTEGER_TYPES: ReadonlySet<string> = new Set(['BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT']);
const DOUBLE_EXACT_LIMIT = 2 ** 53;

/**
 * A bigint column whose source now sends fractional numbers becomes DOUBLE in place, in the load's
 * transaction. Integers beyond 2^53 would be rounded by that, so a column holding any is an error instead.
 */
async function widenToDouble(wh: Warehouse, source: string, table: string, column: string): Promise<void> {
  const target = qualified(source, table);
  const [{ n }] = await wh.all<{ n: bigint }>(
    `SELECT count(*) AS n FROM ${target} WHERE abs(CAST(${quoteIdent(column)} AS HUGEINT)) > ${DOUBLE_EXACT_LIMIT}`,
  );
  if (Number(n) > 0) {
    throw new SluiceError(
      `column "${column}" of table "${source}"."${table}" would widen from BIGINT to DOUBLE for fractional numbers, ` +
        `but it holds ${n} integers beyond 2^53 that a DOUBLE would round; give the field a column hint (dataType: 'bigint') to keep it BIGINT`,
    );
  }
  await doing(`cannot change column "${column}" of table "${source}"."${table}" to DOUBLE`, () =>
    exec(wh, `ALTER TABLE ${target} ALTER COLUMN ${quoteIdent(column)} SET DATA TYPE DOUBLE`),
  );
}

interface ExistingColumn {
  name: string;
  /** DuckDB's name of its type, e.g. BIGINT. */
  type: string;
}

/** lower-cased table name → columns in table order, for the source's schema. */
async function existingColumns(wh: Warehouse, source: string): Promise<Map<string, ExistingColumn[]>> {
  const rows = await wh.all<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_catalog = current_database() AND lower(table_schema) = lower($1)
     ORDER BY table_name, ordinal_position`,
    [source],
  );
  const tables = new Map<string, ExistingColumn[]>();
  for (const row of rows) {
    const key = row.table_name.toLowerCase();
    let columns = tables.get(key);
    if (!columns) tables.set(key, (columns = []));
    columns.push({ name: row.column_name, type: row.data_type.toUpperCase() });
  }
  return tables;
}
