// Every demo model rendered for PostgreSQL runs on a real PostgreSQL server: the demo's source tables are
// created from its schema files (a few rows each, NULLs and unmatched keys included) in a schema of this
// run's own, the models are built in DAG order as tables and views, and for several models the rows equal
// what DuckDB computes from the same rows. The server is shared: everything lives in one uniquely named
// schema that is dropped at the end.

import { strict as assert } from 'node:assert';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { Client, types } from 'pg';
import { orderGraph } from '../../core/dag/graph';
import { tableKey } from '../../core/dag/names';
import { modelOptionsOf, ModelProject } from '../../core/dag/project';
import { transpile } from '../../core/dialect';
import { typeName, type TypeNode } from '../../core/dialect/typeNames';
import { parseModelFile } from '../../core/models/parse';
import { renderQuery } from '../../core/models/render';
import { rewriteTableNames } from '../../core/plan/rewrite';
import { loadProject } from '../../core/project/config';
import { parseSchemaYaml } from '../../core/schema/read';
import type { DataType, TableSchema } from '../../core/schema/types';
import { closeSqlParser, parseSql } from '../../core/sql/duckdbParser';
import { quoteIdent, quoteLiteral } from '../../core/warehouse/quote';
import { repoRoot } from '../helpers/project';

const demoDir = path.join(repoRoot, 'examples', 'demo');
const ROWS_PER_TABLE = 7;

const TYPE_NODES: Record<DataType, TypeNode> = {
  text: { id: 'VARCHAR' }, bigint: { id: 'BIGINT' }, double: { id: 'DOUBLE' }, bool: { id: 'BOOLEAN' },
  timestamp: { id: 'TIMESTAMP WITH TIME ZONE' }, date: { id: 'DATE' }, decimal: { id: 'DECIMAL', type_info: { width: 38, scale: 9 } },
  json: { id: 'JSON' }, binary: { id: 'BLOB' },
};

const STATUSES = ['placed', 'shipped', 'cancelled', 'Shipped', null, 'placed', 'returned'];

/** A value for row i of a column: keys that join (and some that do not), NULLs, mixed case, odd text. */
function sampleValue(table: string, column: string, type: DataType, i: number): string | number | boolean | null {
  if (column === '_sluice_id' || column === 'id' || column === 'number' || column === 'contact_id') return i + 1;
  if (column === '_sluice_parent_id' || column === '_sluice_root_id') return (i % 4) + 1;
  if (column === '_sluice_list_idx') return Math.floor(i / 4);
  if (column === '_sluice_load_id') return 'load-1';
  if (column === 'customer_id' || column === 'issue_number' || column === 'assignee_id') return i === 5 ? null : (i % 3) + 1 + (i === 6 ? 40 : 0);
  if (column === 'status') return STATUSES[i];
  if (i === 4 && column !== 'name' && column !== 'sku') return null;
  switch (type) {
    case 'text': return column === 'state' ? ['open', 'closed'][i % 2] : `${column} ${['a', 'ß ü', "o'k", 'b-2', 'c'][i % 5]}-${i % 3}`;
    case 'bigint': return (i * 7) % 10;
    case 'double': return 12.5 * (i + 1) + 0.25;
    case 'decimal': return 999.5 + i;
    case 'bool': return i % 2 === 0;
    case 'timestamp': {
      // Comments come a few hours (and for one, days) after the issues they belong to.
      const hour = 8 + i + (table === 'github.comments' ? 3 : 0);
      const day = 10 + i + (table === 'github.comments' && i === 3 ? 2 : 0);
      return `2024-01-${String(day).padStart(2, '0')} ${String(hour).padStart(2, '0')}:${String(5 * i).padStart(2, '0')}:00+00`;
    }
    case 'date': return `2024-01-${String(10 + i).padStart(2, '0')}`;
    default: return null;
  }
}

interface SourceTable {
  key: string;
  schema: TableSchema;
}

function demoSourceTables(): SourceTable[] {
  const dir = path.join(demoDir, 'schemas');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.schema.yaml')).sort().flatMap((file) => {
    const source = parseSchemaYaml(fs.readFileSync(path.join(dir, file), 'utf8'), file);
    return source.tables.map((t) => ({ key: `${source.name}.${t.name}`, schema: t }));
  });
}

/** Results compared across engines: numbers rounded, instants as ISO text, rows sorted. */
function normalize(rows: Record<string, unknown>[], ordered = false): string[] {
  const value = (v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    if (Array.isArray(v)) return v.map(value);
    if (v instanceof Date) return v.toISOString();
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'number') return Math.round(v * 1e6) / 1e6;
    if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1e6) / 1e6;
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return `${v}T00:00:00.000Z`;
    if (typeof v === 'object' && v !== null && 'toString' in v) return value(String(v));
    return v;
  };
  const out = rows.map((r) => JSON.stringify(Object.entries(r).map(([k, v]) => [k, value(v)])));
  return ordered ? out : out.sort();
}

/** A client of the test server in UTC; timestamps without zone read as UTC, dates as text (compared after normalizing). */
async function connectPostgres(): Promise<Client> {
  const client = new Client({
    host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test',
    types: { getTypeParser: (oid: number, format?: string) => (oid === 1114 ? (s: string) => new Date(`${s}Z`) : oid === 1082 ? (s: string) => s : types.getTypeParser(oid, format as 'text')) },
  });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`PostgreSQL at 127.0.0.1:5432 (database test) is needed for this test: ${(err as Error).message}`);
  }
  await client.query(`SET TIME ZONE 'UTC'`);
  return client;
}

/** A schema name no other run on the shared server uses. */
function runSchema(): string {
  return `sluice_dialect_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
}

/** Drops the run's schema (with everything in it) and closes both engines. */
async function cleanUp(pg: Client | undefined, schema: string, duck: DuckDBConnection | undefined, instance: DuckDBInstance | undefined): Promise<void> {
  await pg?.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).catch(() => undefined);
  await pg?.end().catch(() => undefined);
  duck?.closeSync();
  instance?.closeSync();
  await closeSqlParser();
}

describe('dialect printer on a real PostgreSQL server: the demo project', function () {
  this.timeout(120_000);
  const schema = runSchema();
  let pg: Client;
  let duck: DuckDBConnection;
  let instance: DuckDBInstance;
  let project: ModelProject;
  /** Model or source key → the table holding it in this run (one schema, `source__table` names). */
  const physical = (key: string) => key.replace('.', '__');
  const pgName = (key: string) => `${quoteIdent(schema)}.${quoteIdent(physical(key))}`;
  const duckName = (key: string) => `${quoteIdent('run')}.${quoteIdent(physical(key))}`;
  const built: string[] = [];

  before(async function () {
    pg = await connectPostgres();
    await pg.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    instance = await DuckDBInstance.create(':memory:');
    duck = await instance.connect();
    await duck.run(`SET TimeZone = 'UTC'`);
    await duck.run('CREATE SCHEMA run');
    project = await ModelProject.load(demoDir, await modelOptionsOf(loadProject(demoDir)));

    for (const table of demoSourceTables()) {
      const cols = table.schema.columns;
      const pgTypes = cols.map((c) => {
        const t = typeName(TYPE_NODES[c.dataType], 'postgres', quoteIdent);
        assert.ok('sql' in t, `${table.key}.${c.name}`);
        return t.sql;
      });
      const duckTypes = cols.map((c) => typeName(TYPE_NODES[c.dataType], 'duckdb', quoteIdent) as { sql: string });
      await pg.query(`CREATE TABLE ${pgName(table.key)} (${cols.map((c, i) => `${quoteIdent(c.name)} ${pgTypes[i]}`).join(', ')})`);
      await duck.run(`CREATE TABLE ${duckName(table.key)} (${cols.map((c, i) => `${quoteIdent(c.name)} ${duckTypes[i].sql}`).join(', ')})`);
      for (let i = 0; i < ROWS_PER_TABLE; i++) {
        const values = cols.map((c) => sampleValue(table.key, c.name, c.dataType, i));
        await pg.query(`INSERT INTO ${pgName(table.key)} VALUES (${values.map((_, j) => `$${j + 1}`).join(', ')})`, values);
        await duck.run(`INSERT INTO ${duckName(table.key)} VALUES (${values.map((_, j) => `CAST($${j + 1} AS ${duckTypes[j].sql})`).join(', ')})`, values.map((v) => (v === null ? null : String(v))));
      }
    }
  });

  after(() => cleanUp(pg, schema, duck, instance));

  it('renders every demo model for PostgreSQL and builds them in DAG order on the server', async () => {
    const models = project.models();
    const { order } = orderGraph(models.map((m) => m.key), (key) => project.model(key)?.upstream ?? []);
    const byPhysical = new Map<string, string>();
    for (const t of demoSourceTables()) byPhysical.set(physical(t.key), t.key);
    for (const m of models) byPhysical.set(physical(m.key), m.key);
    const columnsOf = (parts: readonly string[]) => {
      const original = byPhysical.get(parts[parts.length - 1]) ?? tableKey(parts);
      return project.table(original)?.columns?.map((c) => c.name);
    };

    for (const key of order) {
      const model = project.model(key)!;
      const parsed = parseModelFile(fs.readFileSync(model.file, 'utf8'), model.file);
      if (model.kind === 'SEED') {
        const [header, ...lines] = fs.readFileSync(path.join(path.dirname(model.file), 'order_statuses.csv'), 'utf8').trim().split('\n');
        const columns = header.split(',');
        const rows = lines.map((l) => l.split(','));
        const select = rows.map((r) => `SELECT ${quoteLiteral(r[0])} AS status, ${r[1] === 'true' ? 'TRUE' : 'FALSE'} AS counts_as_revenue, ${quoteLiteral(r[2])} AS label`).join(' UNION ALL ');
        assert.deepEqual(columns, ['status', 'counts_as_revenue', 'label']);
        await pg.query(`CREATE TABLE ${pgName(key)} AS ${select}`);
        await duck.run(`CREATE TABLE ${duckName(key)} AS ${select}`);
        built.push(key);
        continue;
      }
      // Rendered as apply renders it: the interval covers the sample rows.
      const rendered = renderQuery(parsed, { start: '2024-01-01', end: '2024-01-31', executionTime: '2024-02-01', thisModel: parsed.definition!.nameParts });
      assert.deepEqual(rendered.diagnostics, [], key);
      const duckdbSql = await parseSql(rendered.sql);
      const forPg = rewriteTableNames(duckdbSql, (k) => (byPhysical.has(physical(k)) ? pgName(k) : undefined));
      const forDuck = rewriteTableNames(duckdbSql, (k) => (byPhysical.has(physical(k)) ? duckName(k) : undefined));
      const result = await transpile(forPg, 'postgres', { columnsOf });
      assert.deepEqual(result.problems, [], key);
      const kind = model.kind === 'VIEW' ? 'VIEW' : 'TABLE';
      try {
        await pg.query(`CREATE ${kind} ${pgName(key)} AS ${result.sql}`);
      } catch (err) {
        assert.fail(`${key} failed on PostgreSQL: ${(err as Error).message}\n${result.sql}`);
      }
      await duck.run(`CREATE ${kind} ${duckName(key)} AS ${forDuck}`);
      built.push(key);
    }
    assert.deepEqual([...built].sort(), models.map((m) => m.key).sort(), 'every model was built');
    const { rows } = await pg.query('SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1', [schema]);
    assert.equal(Number(rows[0].n), demoSourceTables().length + models.length);
  });

  for (const key of ['staging.orders', 'staging.customers', 'intermediate.orders_enriched', 'analytics.customer_summary', 'analytics.issue_activity', 'analytics.daily_revenue']) {
    it(`${key} has the same rows on PostgreSQL as on DuckDB`, async function () {
      if (!built.includes(key)) this.skip();
      const fromPg = (await pg.query(`SELECT * FROM ${pgName(key)}`)).rows as Record<string, unknown>[];
      const reader = await duck.runAndReadAll(`SELECT * FROM ${duckName(key)}`);
      const fromDuck = reader.getRowObjectsJS() as Record<string, unknown>[];
      assert.ok(fromDuck.length > 0, `${key} has rows`);
      assert.deepEqual(normalize(fromPg), normalize(fromDuck));
    });
  }
});

// Constructs one by one on the server: each DuckDB query is rendered for PostgreSQL, run there and in DuckDB
// on the same rows, and the results compared (in order where the query orders them).
const EVENTS_COLUMNS = 'id BIGINT, user_id BIGINT, status VARCHAR, amount DOUBLE, qty BIGINT, happened_at TIMESTAMPTZ, local_at TIMESTAMP, day DATE, tags VARCHAR[], note VARCHAR';
const EVENTS_ROWS = [
  [1, 1, 'open', 10.5, 2, '2024-01-31 23:30:00+00', '2024-01-31 23:30:00', '2024-01-31', ['a', 'b'], "it's 42"],
  [2, 1, 'closed', 7.25, 0, '2024-02-01 08:00:00+00', '2024-02-01 08:00:00', '2024-02-29', ['c'], 'abc 7'],
  [3, 2, 'Open', null, 3, '2024-03-10 12:15:30+00', '2024-03-10 12:15:30', '2023-12-31', [], null],
  [4, 2, null, 99, null, null, null, null, null, 'b-side'],
  [5, null, 'open', -3.5, 5, '2024-12-31 00:00:01+00', '2024-12-31 00:00:01', '2024-06-15', ['b', null, 'a'], 'ü ß 1'],
  [6, 3, 'closed', 0, 1, '2024-07-04 18:45:00+00', '2024-07-04 18:45:00', '2024-07-04', ['x'], 'a\\b'],
];

const CONSTRUCTS: { name: string; sql: string; ordered?: boolean }[] = [
  { name: 'QUALIFY', sql: 'SELECT id, user_id FROM ev QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY happened_at DESC) = 1' },
  { name: 'QUALIFY over a star, filter on an alias', sql: 'SELECT * EXCLUDE (tags), amount * 2 AS doubled FROM ev QUALIFY rank() OVER (ORDER BY amount DESC) <= 3 AND doubled > 0 ORDER BY id' , ordered: true },
  { name: '* EXCLUDE and * REPLACE', sql: 'SELECT * EXCLUDE (tags, note) REPLACE (upper(status) AS status) FROM ev' },
  { name: 'GROUP BY ALL', sql: 'SELECT status, user_id IS NULL AS anonymous, count(*) AS n, sum(amount) AS total FROM ev GROUP BY ALL' },
  { name: 'division, integer division and modulo by zero', sql: 'SELECT id, amount / qty AS per, qty // 2 AS half, id % qty AS m, 7 / 2 AS f FROM ev' },
  { name: 'date_diff and date_trunc', sql: "SELECT id, date_diff('day', day, CAST(local_at AS DATE)) AS d, date_diff('month', day, DATE '2024-06-15') AS m, date_diff('hour', local_at, local_at + INTERVAL 30 HOUR) AS h, date_diff('year', day, DATE '2025-01-01') AS y, date_trunc('month', local_at) AS month, date_trunc('week', day) AS week FROM ev" },
  { name: 'strftime', sql: "SELECT id, strftime(local_at, '%Y-%m-%d %H:%M:%S') AS f, strftime(day, 'day %d of %m, %Y') AS g FROM ev" },
  { name: 'epoch_ms', sql: 'SELECT id, epoch_ms(CAST(local_at AS TIMESTAMP)) AS ms, epoch_ms(CAST(1700000000123 AS BIGINT)) AS ts FROM ev' },
  { name: 'extract and date parts', sql: 'SELECT id, extract(year FROM day) AS y, month(day) AS m, dayofweek(day) AS dow, hour(local_at) AS h, second(local_at) AS s, extract(epoch FROM local_at) AS e FROM ev' },
  { name: 'intervals', sql: "SELECT id, local_at + INTERVAL 1 DAY AS a, day + INTERVAL 2 MONTH AS b, local_at - INTERVAL '90 minutes' AS c, local_at + qty * INTERVAL 1 HOUR AS d FROM ev" },
  { name: 'aggregates', sql: "SELECT user_id, string_agg(status, '|' ORDER BY id DESC) AS s, count_if(amount > 5) AS big, any_value(note) IS NOT NULL AS has_note, arg_max(status, amount) AS top, arg_min(id, happened_at) AS first_id, sum(amount) FILTER (WHERE qty > 0) AS with_qty, count(DISTINCT status) AS kinds FROM ev GROUP BY user_id" },
  { name: 'lists', sql: "SELECT id, len(tags) AS n, list_contains(tags, 'b') AS has_b, tags[1] AS first, list_transform(tags, x -> upper(x)) AS upper_tags, list_filter(tags, x -> x <> 'a') AS not_a, [id, qty] AS pair FROM ev" },
  { name: 'regular expressions', sql: "SELECT id, regexp_matches(note, '^[a-c]') AS starts, regexp_extract(note, '[0-9]+') AS digits, regexp_extract(note, '([a-z]+) ([0-9]+)', 2) AS second_group, regexp_replace(note, 'a', 'A') AS once FROM ev" },
  { name: 'strings and literals', sql: "SELECT id, 'it''s \\ x' AS s, true AS t, split_part(note, ' ', 2) AS word, length(note) AS len, concat(status, '-', note) AS c, ifnull(status, 'none') AS st, note ILIKE 'A%' AS a, note LIKE '%\\%' AS backslash, lower(status) IN ('open', 'closed') AS known FROM ev" },
  { name: 'ORDER BY with NULLs, LIMIT and OFFSET', sql: 'SELECT id, amount FROM ev ORDER BY amount DESC, id LIMIT 4 OFFSET 1', ordered: true },
  { name: 'DISTINCT ON', sql: 'SELECT DISTINCT ON (user_id) user_id, id FROM ev ORDER BY user_id, id DESC', ordered: true },
  { name: 'windows with frames', sql: 'SELECT id, sum(amount) OVER (PARTITION BY user_id ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS running, lag(id, 1, 0) OVER (ORDER BY id) AS prev, count(*) OVER () AS total FROM ev' },
  { name: 'set operations and CASE', sql: "SELECT id, CASE WHEN amount BETWEEN 0 AND 10 THEN 'small' WHEN amount > 10 THEN 'large' END AS size FROM ev WHERE id < 4 UNION SELECT id, 'again' FROM ev WHERE id > 4 EXCEPT SELECT 6, 'again'" },
];

describe('dialect printer on a real PostgreSQL server: construct by construct', function () {
  this.timeout(60_000);
  const schema = runSchema();
  let pg: Client;
  let instance: DuckDBInstance;
  let duck: DuckDBConnection;

  before(async () => {
    pg = await connectPostgres();
    await pg.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    await pg.query(`SET search_path TO ${quoteIdent(schema)}`);
    instance = await DuckDBInstance.create(':memory:');
    duck = await instance.connect();
    await duck.run(`SET TimeZone = 'UTC'`);
    const pgColumns = EVENTS_COLUMNS.replace(/DOUBLE/, 'DOUBLE PRECISION').replace(/VARCHAR\[\]/, 'TEXT[]').replace(/VARCHAR/g, 'TEXT');
    await pg.query(`CREATE TABLE ev (${pgColumns})`);
    await duck.run(`CREATE TABLE ev (${EVENTS_COLUMNS})`);
    for (const row of EVENTS_ROWS) {
      await pg.query(`INSERT INTO ev VALUES (${row.map((_, i) => `$${i + 1}`).join(', ')})`, row);
      const literal = (v: unknown): string => (v === null ? 'NULL' : Array.isArray(v) ? `[${v.map(literal).join(', ')}]` : typeof v === 'string' ? quoteLiteral(v) : String(v));
      await duck.run(`INSERT INTO ev VALUES (${row.map(literal).join(', ')})`);
    }
  });

  after(() => cleanUp(pg, schema, duck, instance));

  const columnsOf = (parts: readonly string[]) => (parts.join('.') === 'ev' ? EVENTS_COLUMNS.split(', ').map((c) => c.split(' ')[0]) : undefined);

  for (const construct of CONSTRUCTS) {
    it(`${construct.name}: same rows on PostgreSQL as on DuckDB`, async () => {
      const result = await transpile(construct.sql, 'postgres', { columnsOf });
      assert.deepEqual(result.problems, []);
      let fromPg: Record<string, unknown>[];
      try {
        fromPg = (await pg.query(result.sql!)).rows;
      } catch (err) {
        assert.fail(`PostgreSQL rejected the rendered query: ${(err as Error).message}\n${result.sql}`);
      }
      const fromDuck = (await duck.runAndReadAll(construct.sql)).getRowObjectsJS() as Record<string, unknown>[];
      assert.ok(fromDuck.length > 0);
      assert.deepEqual(normalize(fromPg, construct.ordered), normalize(fromDuck, construct.ordered), result.sql);
    });
  }
});
