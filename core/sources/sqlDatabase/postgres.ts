// PostgreSQL through pg: the catalog from pg_catalog, rows through a server-side cursor fetched in
// chunks inside a read-only snapshot, so memory stays bounded whatever the table size.

import pg from 'pg';
import { SluiceError } from '../../errors';
import type { Item } from '../../ingest/types';
import { decimalFits, integerValue, type ColumnInfo, type TableInfo } from './catalog';
import type { Credentials } from './credentials';
import { connectError, convertRow, driverMessage, pickTables, selectSql, type Database, type Dialect, type ReadOptions } from './database';

/** Type oids pg parses well (booleans, integers, floats, JSON, bytea); every other type is read as its exact text. */
const PARSED_OIDS = new Set([16, 17, 21, 23, 26, 114, 700, 701, 3802]);
const INT8_OID = 20;

const typeParsers = {
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    if (oid === INT8_OID) return integerValue as (value: string) => unknown;
    if (PARSED_OIDS.has(oid)) return pg.types.getTypeParser(oid, (format ?? 'text') as 'text');
    return (value: string) => value;
  },
} as pg.CustomTypesConfig;

export function quotePg(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

const PG_DIALECT: Dialect = { quote: quotePg, placeholder: (n) => `$${n}` };

const COLUMNS_SQL = `
SELECT c.relname AS table_name, c.relkind::text AS kind, a.attname AS column_name, a.attnotnull AS not_null,
       format_type(bt.oid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END) AS base_type,
       bt.typtype::text AS base_kind, bt.typcategory::text AS base_category
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
ORDER BY c.relname, a.attnum`;

const PRIMARY_KEYS_SQL = `
SELECT c.relname AS table_name, a.attname AS column_name
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE i.indisprimary AND n.nspname = $1
ORDER BY c.relname, k.ord`;

/** The Sluice type of a PostgreSQL column, and how it is read. */
export function pgColumn(name: string, baseType: string, kind: string, category: string, notNull: boolean): ColumnInfo {
  const column = (dataType: ColumnInfo['dataType'], extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
    name, dbType: baseType, dataType, nullable: !notNull, ...extra,
  });
  // Arrays (of any element type, enums and dates included) are read as JSON by the server itself.
  if (category === 'A') return column('json', { select: (q) => `to_jsonb(${q})` });
  if (kind === 'e') return column('text');
  const numeric = /^numeric(?:\((\d+),(\d+)\))?$/.exec(baseType);
  if (numeric) {
    const precision = numeric[1] === undefined ? undefined : Number(numeric[1]);
    return column(decimalFits(precision, Number(numeric[2] ?? 0)) ? 'decimal' : 'text');
  }
  switch (baseType) {
    case 'smallint': case 'integer': case 'bigint': case 'oid': return column('bigint');
    case 'real': case 'double precision': return column('double');
    case 'boolean': return column('bool');
    case 'date': return column('date');
    case 'json': case 'jsonb': return column('json');
    case 'bytea': return column('binary');
  }
  if (baseType.startsWith('timestamp')) return column('timestamp');
  // uuid, time, interval, text, inet, money, xml, ...: their exact text.
  return column('text');
}

export class PostgresDatabase implements Database {
  private constructor(private readonly source: string, private readonly credentials: Credentials, private readonly client: pg.Client) {}

  static async connect(source: string, credentials: Credentials): Promise<PostgresDatabase> {
    const client = new pg.Client({
      connectionString: credentials.url,
      connectionTimeoutMillis: 15_000,
      application_name: 'sluice',
      types: typeParsers,
    });
    // A dropped connection also fails the running query; without a listener it would end the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      // Timestamps with time zone come as UTC text; floats with all their digits.
      await client.query("SET TIME ZONE 'UTC'; SET extra_float_digits = 3; SET DateStyle = 'ISO'; SET IntervalStyle = 'iso_8601'");
    } catch (err) {
      await client.end().catch(() => undefined);
      throw connectError(source, credentials, err);
    }
    return new PostgresDatabase(source, credentials, client);
  }

  async reflect(schema: string, tables: string[] | undefined): Promise<TableInfo[]> {
    const where = `schema "${schema}" of ${this.credentials.shown}`;
    const [columns, keys] = await this.run(where, async () => [
      (await this.client.query(COLUMNS_SQL, [schema])).rows,
      (await this.client.query(PRIMARY_KEYS_SQL, [schema])).rows,
    ]);
    const byTable = new Map<string, TableInfo & { kind: string }>();
    for (const row of columns) {
      let table = byTable.get(row.table_name);
      if (!table) {
        table = { name: row.table_name, kind: row.kind, columns: [], primaryKey: [] };
        byTable.set(row.table_name, table);
      }
      table.columns.push(pgColumn(row.column_name, row.base_type, row.base_kind, row.base_category, row.not_null));
    }
    for (const row of keys) byTable.get(row.table_name)?.primaryKey.push(row.column_name);
    // All tables means tables proper; views are read when named.
    const found = [...byTable.values()].filter((t) => tables !== undefined || t.kind === 'r' || t.kind === 'p');
    return pickTables(this.source, where, found, tables).map(({ kind: _kind, ...table }) => table);
  }

  async *read(schema: string, table: TableInfo, options: ReadOptions): AsyncGenerator<Item[]> {
    const { sql, params } = selectSql(PG_DIALECT, schema, table, options);
    const cursor = quotePg('sluice_rows');
    const where = `table "${schema}.${table.name}"`;
    const converters = table.columns.filter((c) => c.convert);
    try {
      await this.run(where, async () => {
        await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await this.client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`, params);
      });
      for (;;) {
        const page = await this.run(where, () => this.client.query(`FETCH FORWARD ${options.chunkSize} FROM ${cursor}`));
        if (page.rows.length > 0) yield converters.length > 0 ? page.rows.map((row) => convertRow(row, converters)) : page.rows;
        if (page.rows.length < options.chunkSize) break;
      }
      await this.client.query('COMMIT');
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private async run<T>(where: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const error = new SluiceError(`source "${this.source}": ${where}: ${driverMessage(err)}`);
      error.cause = err;
      throw error;
    }
  }
}
