// PostgreSQL through pg: the catalog from pg_catalog, rows through COPY (SELECT ...) TO STDOUT in text
// format inside a read-only snapshot. The copy stream pauses the socket while Sluice works through what
// arrived, so memory stays bounded whatever the table size.

import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { SluiceError } from '../../errors';
import type { Item } from '../../ingest/types';
import { numericFits, integerValue, type ColumnInfo, type TableInfo } from './catalog';
import { CopyTextDecoder } from './copyText';
import type { Credentials } from './credentials';
import { quoteIdent } from '../../warehouse/quote';
import { connectError, describeFailure, pageSize, queryError, pickTables, selectSql, type Database, type Dialect, type ReadOptions } from './database';

/** Bound values reach COPY, which takes no parameters, as settings of the transaction: see read(). */
const settingName = (n: number) => `sluice.param_${n}`;
const PG_DIALECT: Dialect = {
  // PostgreSQL quotes identifiers as DuckDB does.
  quote: quoteIdent,
  placeholder: (n, column) => `current_setting('${settingName(n)}')::${column.dbType}`,
};

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

// Values arrive as PostgreSQL's text output; these turn it into what the normalizer stores exactly.
const toNumber = (text: unknown) => Number(text);
const toBool = (text: unknown) => text === 't';
const toJson = (text: unknown) => JSON.parse(text as string);
/** bytea's hex output, \x00ff. */
const toBytes = (text: unknown) => Buffer.from((text as string).slice(2), 'hex');

/**
 * A timestamp as ISO 8601 UTC text (2024-01-01T10:00:00.000000Z), formatted by the server in the session's
 * UTC: Sluice takes that form as it is, where PostgreSQL's own output (2024-01-01 10:00:00+00) would be
 * rewritten value by value. Infinity and years outside 1..9999 keep PostgreSQL's text (a variant column).
 */
const isoTimestamp = (q: string) =>
  `CASE WHEN ${q} >= '0001-01-01' AND ${q} < '10000-01-01' THEN to_char(${q}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE ${q}::text END`;

/** The Sluice type of a PostgreSQL column, and how its text is read. */
export function pgColumn(name: string, baseType: string, kind: string, category: string, notNull: boolean): ColumnInfo {
  const column = (dataType: ColumnInfo['dataType'], extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
    name, dbType: baseType, dataType, nullable: !notNull, ...extra,
  });
  // Arrays (of any element type, enums and dates included) are turned into JSON by the server itself.
  if (category === 'A') return column('json', { select: (q) => `to_jsonb(${q})`, convert: toJson });
  if (kind === 'e') return column('text');
  const numeric = /^numeric(?:\((\d+),(\d+)\))?$/.exec(baseType);
  if (numeric) {
    const precision = numeric[1] === undefined ? undefined : Number(numeric[1]);
    const scale = Number(numeric[2] ?? 0);
    if (!numericFits(precision, scale)) return column('text');
    return column('decimal', precision === undefined ? {} : { precision, scale });
  }
  switch (baseType) {
    case 'smallint': case 'integer': case 'oid': return column('bigint', { convert: toNumber });
    case 'bigint': return column('bigint', { convert: integerValue });
    case 'real': case 'double precision': return column('double', { convert: toNumber });
    case 'boolean': return column('bool', { convert: toBool });
    case 'date': return column('date');
    case 'json': case 'jsonb': return column('json', { convert: toJson });
    case 'bytea': return column('binary', { convert: toBytes });
  }
  if (baseType.startsWith('timestamp')) return column('timestamp', { select: isoTimestamp });
  // uuid, time, interval, text, inet, money, xml, ...: their exact text.
  return column('text');
}

export class PostgresDatabase implements Database {
  private constructor(private readonly source: string, private readonly credentials: Credentials, private readonly client: pg.Client) {}

  static async connect(source: string, credentials: Credentials): Promise<PostgresDatabase> {
    const client = new pg.Client({ connectionString: credentials.url, connectionTimeoutMillis: 15_000, application_name: 'sluice' });
    // A dropped connection also fails the running query; without a listener it would end the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      // Timestamps with time zone as UTC text, floats with all their digits, intervals in ISO 8601.
      await client.query("SET TIME ZONE 'UTC'; SET extra_float_digits = 3; SET DateStyle = 'ISO'; SET IntervalStyle = 'iso_8601'; SET bytea_output = 'hex'");
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
    const where = `table "${schema}.${table.name}"`;
    const decoder = new CopyTextDecoder(table.columns.map((c) => c.name), table.columns.map((c) => c.convert));
    const size = pageSize(options);
    try {
      await this.run(where, async () => {
        await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        // COPY takes no bound parameters: they are bound to transaction-local settings the query reads.
        for (const [i, value] of params.entries()) {
          await this.client.query('SELECT set_config($1, $2, true)', [settingName(i + 1), String(value)]);
        }
      });
      const stream = this.client.query(copyTo(`COPY (${sql}) TO STDOUT`));
      try {
        let page: Item[] = [];
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          for (const row of decoder.rows(chunk)) page.push(row);
          if (page.length >= size) {
            yield page;
            page = [];
          }
        }
        if (decoder.pending) throw new Error('the COPY output ended in the middle of a row');
        if (page.length > 0) yield page;
      } catch (err) {
        throw this.failure(where, err);
      }
      await this.client.query('COMMIT');
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private run<T>(where: string, fn: () => Promise<T>): Promise<T> {
    return describeFailure(this.source, where, fn);
  }

  private failure(where: string, err: unknown): SluiceError {
    return queryError(this.source, where, err);
  }
}
