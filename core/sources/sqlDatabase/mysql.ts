// MySQL and MariaDB through mysql2: the catalog from information_schema, rows through a streaming query
// whose socket pauses while Sluice works through a page, so memory stays bounded whatever the table size.

import mysql from 'mysql2';
import { SluiceError } from '../../errors';
import type { Item } from '../../ingest/types';
import { numericFits, integerValue, type ColumnInfo, type TableInfo } from './catalog';
import type { Credentials } from './credentials';
import { connectError, convertRow, describeFailure, pageSize, queryError, pickTables, selectSql, type Database, type Dialect, type ReadOptions } from './database';

export function quoteMysql(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}

const MYSQL_DIALECT: Dialect = { quote: quoteMysql, placeholder: () => '?' };

const COLUMNS_SQL = `
SELECT c.TABLE_NAME AS table_name, t.TABLE_TYPE AS table_type, c.COLUMN_NAME AS column_name,
       LOWER(c.DATA_TYPE) AS data_type, LOWER(c.COLUMN_TYPE) AS column_type,
       c.NUMERIC_PRECISION AS num_precision, c.NUMERIC_SCALE AS num_scale, c.IS_NULLABLE AS is_nullable
FROM information_schema.COLUMNS c
JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA = ?
ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`;

const PRIMARY_KEYS_SQL = `
SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = ? AND CONSTRAINT_NAME = 'PRIMARY'
ORDER BY TABLE_NAME, ORDINAL_POSITION`;

// MariaDB's JSON is LONGTEXT with a json_valid() check; the check is how the catalog tells it apart.
const JSON_CHECKS_SQL = `
SELECT TABLE_NAME AS table_name, CHECK_CLAUSE AS check_clause
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ? AND CHECK_CLAUSE LIKE 'json_valid(%'`;

const ZERO_DATE = /^0000-00-00/;
/** MySQL's zero dates ('0000-00-00') stand for "no date": NULL. */
const dateValue = (value: unknown) => (typeof value === 'string' && ZERO_DATE.test(value) ? null : value);
const jsonValue = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
/** TINYINT(1) is MySQL's BOOLEAN; other values it may hold stay numbers (and land beside the column). */
const boolValue = (value: unknown) => (value === 0 ? false : value === 1 ? true : value);
const bitValue = (value: unknown) => {
  if (!Buffer.isBuffer(value)) return value;
  let n = 0n;
  for (const byte of value) n = (n << 8n) | BigInt(byte);
  return integerValue(n.toString());
};

/** The Sluice type of a MySQL/MariaDB column, and how its value is converted. */
export function mysqlColumn(
  name: string, dataType: string, columnType: string, precision: number | undefined, scale: number | undefined,
  nullable: boolean, json: boolean,
): ColumnInfo {
  const column = (type: ColumnInfo['dataType'], convert?: ColumnInfo['convert']): ColumnInfo => ({
    name, dbType: columnType, dataType: type, nullable, ...(convert ? { convert } : {}),
  });
  if (json || dataType === 'json') return column('json', jsonValue);
  switch (dataType) {
    case 'tinyint':
      return columnType.startsWith('tinyint(1)') ? column('bool', boolValue) : column('bigint');
    case 'smallint': case 'mediumint': case 'int': case 'integer': case 'year':
      return column('bigint');
    case 'bigint':
      // Unsigned BIGINT goes beyond int64: DECIMAL holds it exactly.
      return columnType.includes('unsigned') ? { ...column('decimal'), precision: 20, scale: 0 } : column('bigint', integerValue);
    case 'decimal': case 'numeric':
      return numericFits(precision, scale) ? { ...column('decimal'), precision: precision ?? 38, scale: scale ?? 0 } : column('text');
    case 'float': case 'double': case 'real':
      return column('double');
    case 'date':
      return column('date', dateValue);
    case 'datetime': case 'timestamp':
      return column('timestamp', dateValue);
    case 'bit':
      return columnType === 'bit(1)' ? column('bool', (v) => (Buffer.isBuffer(v) ? v[0] === 1 : v)) : column('bigint', bitValue);
    case 'binary': case 'varbinary': case 'tinyblob': case 'blob': case 'mediumblob': case 'longblob':
    case 'geometry': case 'point': case 'linestring': case 'polygon':
      return column('binary');
  }
  // char, varchar, text, enum, set, time, uuid, inet6, ...: their text.
  return column('text');
}

const toNumber = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));

export class MysqlDatabase implements Database {
  private constructor(private readonly source: string, private readonly credentials: Credentials, private readonly connection: mysql.Connection) {}

  static async connect(source: string, credentials: Credentials): Promise<MysqlDatabase> {
    const connection = mysql.createConnection({
      uri: credentials.url,
      // Exact values: big integers and decimals as text, dates as the server writes them (in UTC, see below).
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      // JSON as text, parsed here: a JSON string scalar is otherwise indistinguishable from JSON text.
      jsonStrings: true,
      timezone: 'Z',
      connectTimeout: 15_000,
    });
    connection.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve())));
      await query(connection, "SET time_zone = '+00:00'");
    } catch (err) {
      connection.destroy();
      throw connectError(source, credentials, err);
    }
    return new MysqlDatabase(source, credentials, connection);
  }

  async reflect(schema: string, tables: string[] | undefined): Promise<TableInfo[]> {
    const where = `database "${schema}" of ${this.credentials.shown}`;
    const [columns, keys, checks] = await this.run(where, async () => [
      await query(this.connection, COLUMNS_SQL, [schema]),
      await query(this.connection, PRIMARY_KEYS_SQL, [schema]),
      // MySQL has no such view (its JSON is a type of its own): nothing to find there.
      await query(this.connection, JSON_CHECKS_SQL, [schema]).catch(() => []),
    ]);
    const jsonColumns = new Set<string>();
    for (const row of checks) {
      const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(row.check_clause).trim());
      if (m) jsonColumns.add(`${row.table_name}\u0000${m[1].replace(/``/g, '`')}`);
    }
    const byTable = new Map<string, TableInfo & { kind: string }>();
    for (const row of columns) {
      let table = byTable.get(row.table_name);
      if (!table) {
        table = { name: row.table_name, kind: row.table_type, columns: [], primaryKey: [] };
        byTable.set(row.table_name, table);
      }
      table.columns.push(mysqlColumn(
        row.column_name, row.data_type, row.column_type, toNumber(row.num_precision), toNumber(row.num_scale),
        row.is_nullable === 'YES', jsonColumns.has(`${row.table_name}\u0000${row.column_name}`),
      ));
    }
    for (const row of keys) byTable.get(row.table_name)?.primaryKey.push(row.column_name);
    const found = [...byTable.values()].filter((t) => tables !== undefined || t.kind === 'BASE TABLE');
    return pickTables(this.source, where, found, tables).map(({ kind: _kind, ...table }) => table);
  }

  async *read(schema: string, table: TableInfo, options: ReadOptions): AsyncGenerator<Item[]> {
    const { sql, params } = selectSql(MYSQL_DIALECT, schema, table, options);
    const where = `table "${schema}.${table.name}"`;
    const converters = table.columns.filter((c) => c.convert);
    const stream = this.connection.query({ sql, values: params }).stream({ highWaterMark: 1000 });
    const size = pageSize(options);
    let finished = false;
    try {
      let page: Item[] = [];
      try {
        for await (const row of stream as AsyncIterable<Item>) {
          page.push(convertRow(row, converters));
          if (page.length >= size) {
            yield page;
            page = [];
          }
        }
      } catch (err) {
        throw this.failure(where, err);
      }
      if (page.length > 0) yield page;
      finished = true;
    } finally {
      // Stopped early (--limit, an error): the rest of the result is not read, so the connection goes.
      if (finished) await this.close();
      else this.connection.destroy();
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.connection.end(() => resolve()));
  }

  private run<T>(where: string, fn: () => Promise<T>): Promise<T> {
    return describeFailure(this.source, where, fn);
  }

  private failure(where: string, err: unknown): SluiceError {
    return queryError(this.source, where, err);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function query(connection: mysql.Connection, sql: string, values: unknown[] = []): Promise<any[]> {
  return new Promise((resolve, reject) => {
    connection.query(sql, values, (err, rows) => (err ? reject(err) : resolve(rows as unknown[])));
  });
}
