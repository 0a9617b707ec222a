// The SQL database source against a real PostgreSQL server, through the real CLI and the DuckDB file it leaves.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { makeProject, query, runCli, runCliJson, type TempProject } from '../helpers/project';
import { ingestBigTableWithSmallHeap, PG_URL, pgSchema } from './sqlServers';

type Schema = Awaited<ReturnType<typeof pgSchema>>;

function project(schema: string, options: string, env = `PG_URL=${PG_URL}\n`): TempProject {
  return makeProject({
    '.env': env,
    'sources/shop.ts': `import { sqlDatabase } from 'sluice';
export default sqlDatabase({ name: 'shop', credentials: '\${secrets.PG_URL}', schema: ${JSON.stringify(schema)}, ${options} });
`,
  });
}

async function columnTypes(warehouse: string, table: string): Promise<Record<string, string>> {
  const rows = await query<{ column_name: string; data_type: string }>(
    warehouse,
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = $1`,
    [table],
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
}

describe('sqlDatabase source on PostgreSQL (end to end)', function () {
  this.timeout(180_000);
  let db: Schema;
  let proj: TempProject | undefined;
  beforeEach(async () => {
    db = await pgSchema();
  });
  afterEach(async () => {
    proj?.cleanup();
    proj = undefined;
    await db.drop();
  });

  it('reflects exact types, keeps NULLs and awkward values, and hints the primary key', async () => {
    await db.sql(`
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'very happy');
      CREATE DOMAIN price AS numeric(10,3);
      CREATE TABLE "Order Items" (
        id bigint PRIMARY KEY, small smallint, amount numeric(12,2), wide numeric(40,10), plain numeric, cost price,
        ratio double precision, flag boolean, created timestamptz, local_at timestamp, day date, at_time time, uid uuid,
        doc json, docb jsonb, tags text[], nums int[], raw bytea, feeling mood, feelings mood[], note text, "Mixed Case" varchar(20)
      );
      INSERT INTO "Order Items" VALUES
        (1, -32768, 12.50, 123456789012345678901234567890.0123456789, 0.000000001, 1.5, 0.1, true,
         '2024-03-01 12:00:00.123456+02', '2024-03-01 08:30:00', '2024-02-29', '23:59:59.999999', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
         '{"k": [1, 2]}', '{"nested": {"deep": true}, "list": [1, "two", null]}', ARRAY['a', 'b,c', NULL, 'quote"d'], ARRAY[1, NULL, 3],
         '\\x00ff10', 'very happy', ARRAY['sad', 'ok']::mood[], E'tab\\there\\nnewline \\\\ backslash, comma "quote" é ✓', 'x'),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (9007199254740993, 32767, -0.01, -1, 12345678901234567890.5, -0.001, 'NaN', false,
         '1999-12-31 23:59:59+00', '1970-01-01 00:00:00', '0001-01-01', '00:00:00', '00000000-0000-0000-0000-000000000000',
         'null', '"just a string"', '{}', '{}', '', 'sad', '{}', '', '');
    `);
    proj = project(db.name, "tables: ['Order Items']");
    const run = runCliJson(['ingest', 'shop'], proj.dir, { SLUICE_DEBUG: '1' });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    // The debug log names the database, but the URL is the secret's value: it is masked.
    assert.match(run.stderr, /shop: 1 table\(s\) in sluice_t_\w+ of \*\*\*/);
    assert.ok(!run.stderr.includes(PG_URL), run.stderr);
    assert.deepEqual(run.json.tables, { order_items: { rows: 3, parts: 1 } });

    const types = await columnTypes(proj.warehouse, 'order_items');
    assert.deepEqual(
      { ...types, _sluice_load_id: undefined, _sluice_id: undefined },
      {
        _sluice_load_id: undefined, _sluice_id: undefined,
        id: 'BIGINT', small: 'BIGINT', amount: 'DECIMAL(12,2)', wide: 'VARCHAR', plain: 'DECIMAL(38,9)', cost: 'DECIMAL(10,3)',
        ratio: 'DOUBLE', flag: 'BOOLEAN', created: 'TIMESTAMP WITH TIME ZONE', local_at: 'TIMESTAMP WITH TIME ZONE', day: 'DATE',
        at_time: 'VARCHAR', uid: 'VARCHAR', doc: 'JSON', docb: 'JSON', tags: 'JSON', nums: 'JSON', raw: 'BLOB', feeling: 'VARCHAR',
        feelings: 'JSON', note: 'VARCHAR', mixed_case: 'VARCHAR',
      },
    );
    const rows = await query<Record<string, unknown>>(
      proj.warehouse,
      `SELECT id::VARCHAR AS id, small::INT AS small, amount::VARCHAR AS amount, wide, plain::VARCHAR AS plain, cost::VARCHAR AS cost, ratio, flag,
              strftime(created AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS created, strftime(local_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') AS local_at,
              day::VARCHAR AS day, at_time, uid, doc::VARCHAR AS doc, docb::VARCHAR AS docb, tags::VARCHAR AS tags, nums::VARCHAR AS nums,
              hex(raw) AS raw, feeling, feelings::VARCHAR AS feelings, note, mixed_case
       FROM shop.order_items ORDER BY id`,
    );
    assert.deepEqual(rows[0], {
      id: '1', small: -32768, amount: '12.50', wide: '123456789012345678901234567890.0123456789', plain: '0.000000001',
      cost: '1.500', ratio: 0.1, flag: true, created: '2024-03-01 10:00:00.123456', local_at: '2024-03-01 08:30:00',
      day: '2024-02-29', at_time: '23:59:59.999999', uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', doc: '{"k":[1,2]}',
      docb: '{"list":[1,"two",null],"nested":{"deep":true}}', tags: '["a","b,c",null,"quote\\"d"]', nums: '[1,null,3]',
      raw: '00FF10', feeling: 'very happy', feelings: '["sad","ok"]', note: 'tab\there\nnewline \\ backslash, comma "quote" é ✓', mixed_case: 'x',
    });
    assert.deepEqual(
      Object.entries(rows[1]).filter(([k, v]) => k !== 'id' && v !== null),
      [],
      'every column of row 2 is NULL',
    );
    assert.equal(rows[2].id, '9007199254740993', 'int8 beyond 2^53 is exact');
    assert.equal(rows[2].plain, '12345678901234567890.500000000');
    assert.equal(rows[2].docb, '"just a string"');
    assert.equal(rows[2].doc, null, 'JSON null is NULL');
    assert.equal(rows[2].raw, '');
    assert.equal(rows[2].note, '');
    assert.equal(rows[2].day, '0001-01-01');
    // NaN is a number DuckDB's DOUBLE holds.
    assert.ok(Number.isNaN(Number(rows[2].ratio)) || rows[2].ratio === 'NaN', `ratio ${rows[2].ratio}`);

    const schemaYaml = await query<{ n: number }>(
      proj.warehouse,
      `SELECT count(*)::INT AS n FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = 'order_items' AND column_name LIKE '%__v_%'`,
    );
    assert.equal(schemaYaml[0].n, 0, 'no value fell into a variant column');
  });

  it('keeps timestamps at the ends of the range exact, and infinity as text beside them', async () => {
    await db.sql(`CREATE TABLE stamps (id int PRIMARY KEY, seen timestamptz, local_seen timestamp);
      INSERT INTO stamps VALUES (1, '0001-01-01 00:00:00+00', '0001-01-01 00:00:00'), (2, '9999-12-31 23:59:59.999999+00', '9999-12-31 23:59:59.999999'),
        (3, 'infinity', '-infinity'), (4, '2024-07-01 12:30:00.5-04', '2024-07-01 12:30:00.5');`);
    proj = project(db.name, "tables: ['stamps'], incremental: { stamps: { cursor: 'seen' } }");
    const run = runCliJson(['ingest', 'shop'], proj.dir);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const rows = await query<Record<string, unknown>>(
      proj.warehouse,
      `SELECT id::INT AS id, strftime(seen AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS seen, strftime(local_seen AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS local_seen,
              seen__v_text, local_seen__v_text
       FROM shop.stamps ORDER BY id`,
    );
    assert.deepEqual(rows, [
      { id: 1, seen: '0001-01-01 00:00:00.000000', local_seen: '0001-01-01 00:00:00.000000', seen__v_text: null, local_seen__v_text: null },
      { id: 2, seen: '9999-12-31 23:59:59.999999', local_seen: '9999-12-31 23:59:59.999999', seen__v_text: null, local_seen__v_text: null },
      { id: 3, seen: null, local_seen: null, seen__v_text: 'infinity', local_seen__v_text: '-infinity' },
      { id: 4, seen: '2024-07-01 16:30:00.500000', local_seen: '2024-07-01 12:30:00.500000', seen__v_text: null, local_seen__v_text: null },
    ]);
  });

  it('merges by primary key across runs and reads only rows at or past the incremental cursor', async () => {
    await db.sql(`
      CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL, total numeric(8,2), updated_at timestamptz NOT NULL);
      INSERT INTO orders SELECT g, 'placed', g * 1.25, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour' FROM generate_series(1, 50) g;
      CREATE TABLE customers (id int PRIMARY KEY, name text);
      INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace');
    `);
    proj = project(db.name, "incremental: { orders: { cursor: 'updated_at' } }, chunk_size: 7");
    const first = runCliJson(['ingest', 'shop'], proj.dir);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.deepEqual(first.json.tables, { customers: { rows: 2, parts: 1 }, orders: { rows: 50, parts: 1 } });

    // Two rows change (one keeps the last run's cursor value: it was loaded at the boundary), one is new.
    await db.sql(`
      UPDATE orders SET status = 'shipped', updated_at = timestamptz '2024-06-01 00:00:00+00' WHERE id IN (3, 4);
      INSERT INTO orders VALUES (51, 'placed', 1.00, timestamptz '2024-06-01 00:00:00+00');
      UPDATE customers SET name = 'Grace Hopper' WHERE id = 2;
    `);
    const second = runCliJson(['ingest', 'shop'], proj.dir);
    assert.equal(second.code, 0, second.stderr + second.stdout);
    // Only the changed orders were read; orders 50 (at the boundary, unchanged) was not loaded again.
    assert.equal(second.json.tables.orders.rows, 3);
    const orders = await query<{ id: number; status: string; total: string; n: number }>(
      proj.warehouse,
      'SELECT id::INT AS id, status, total::VARCHAR AS total, count(*) OVER (PARTITION BY id)::INT AS n FROM shop.orders ORDER BY id',
    );
    assert.equal(orders.length, 51);
    assert.ok(orders.every((o) => o.n === 1), 'no duplicates');
    assert.deepEqual(orders.filter((o) => o.status === 'shipped').map((o) => o.id), [3, 4]);
    assert.equal(orders[50].total, '1.00');
    const customers = await query<{ name: string }>(proj.warehouse, 'SELECT name FROM shop.customers ORDER BY id');
    assert.deepEqual(customers.map((c) => c.name), ['Ada', 'Grace Hopper']);
    // The primary key reached Sluice's schema: merge on it, the key column not nullable.
    const yaml = fs.readFileSync(path.join(proj.dir, 'schemas', 'shop.schema.yaml'), 'utf8');
    assert.match(yaml, /orders:\n {4}resource: orders\n {4}write_disposition: merge\n/);
    assert.match(yaml, /\n {6}id:\n {8}data_type: bigint\n {8}nullable: false\n {8}primary_key: true\n/);

    // A third run with nothing new loads no order again.
    const third = runCliJson(['ingest', 'shop'], proj.dir);
    assert.equal(third.code, 0, third.stderr);
    assert.equal(third.json.tables.orders?.rows ?? 0, 0);
  });

  it('appends tables without a primary key, or replaces them when configured', async () => {
    await db.sql(`CREATE TABLE events (name text, at timestamptz); INSERT INTO events VALUES ('a', now()), ('a', now()), (NULL, NULL);`);
    proj = project(db.name, "tables: ['events']");
    assert.equal(runCli(['ingest', 'shop'], proj.dir).code, 0);
    assert.equal(runCli(['ingest', 'shop'], proj.dir).code, 0);
    let [count] = await query<{ n: number }>(proj.warehouse, 'SELECT count(*)::INT AS n FROM shop.events');
    assert.equal(count.n, 6, 'appended twice');
    proj.write('sources/shop.ts', `import { sqlDatabase } from 'sluice';
export default sqlDatabase({ name: 'shop', credentials: '\${secrets.PG_URL}', schema: ${JSON.stringify(db.name)}, write_disposition: 'replace' });
`);
    assert.equal(runCli(['ingest', 'shop'], proj.dir).code, 0);
    [count] = await query<{ n: number }>(proj.warehouse, 'SELECT count(*)::INT AS n FROM shop.events');
    assert.equal(count.n, 3, 'replaced');
  });

  it('streams a 100k-row table with bounded memory', async () => {
    await db.sql(`CREATE TABLE big (id int PRIMARY KEY, payload text, at timestamptz);
      INSERT INTO big SELECT g, repeat(md5(g::text), 64), timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, 100000) g;`);
    proj = project(db.name, "tables: ['big'], chunk_size: 2000");
    await ingestBigTableWithSmallHeap(proj);

    // --limit stops the COPY early and closes the connection: the run ends at once with those rows.
    const limited = runCliJson(['ingest', 'shop', '--limit', '500', '--full-refresh'], proj.dir);
    assert.equal(limited.code, 0, limited.stderr);
    assert.equal(limited.json.tables.big.rows, 500);
  });

  it('fails with one line naming the source and table, the password masked', async () => {
    await db.sql('CREATE TABLE orders (id int PRIMARY KEY)');
    proj = project(db.name, "tables: ['orders', 'nope']");
    let run = runCli(['ingest', 'shop'], proj.dir);
    assert.notEqual(run.code, 0);
    // The URL is the secret itself here (no password in it), so it is masked whole.
    assert.match(run.stderr, new RegExp(`source "shop": table "nope" not found in schema "${db.name}" of \\*\\*\\* \\(it has: orders\\)`));
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);

    proj.write('.env', 'PG_URL=postgres://postgres:hunter2-secret@127.0.0.1:1/test\n');
    run = runCli(['ingest', 'shop'], proj.dir);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /source "shop": cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test: connect ECONNREFUSED/);
    assert.doesNotMatch(run.stderr + run.stdout, /hunter2/);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);

    proj.write('.env', 'PG_URL=postgres://no_such_role:pw-hunter2@127.0.0.1:5432/test\n');
    run = runCli(['ingest', 'shop'], proj.dir);
    assert.match(run.stderr, /source "shop": cannot connect to postgres:\/\/no_such_role:\*\*\*@127\.0\.0\.1:5432\/test: .*no_such_role/);
    assert.doesNotMatch(run.stderr + run.stdout, /hunter2/);

    proj.write('.env', 'OTHER=1\n');
    run = runCli(['ingest', 'shop'], proj.dir);
    assert.match(run.stderr, /source "shop": credentials read secret PG_URL, which is not set/);

    proj.write('.env', `PG_URL=${PG_URL}\n`);
    proj.write('sources/shop.ts', `import { sqlDatabase } from 'sluice';
export default sqlDatabase({ name: 'shop', credentials: '\${secrets.PG_URL}', schema: ${JSON.stringify(db.name)}, incremental: { orders: { cursor: 'updated' } } });
`);
    run = runCli(['ingest', 'shop'], proj.dir);
    assert.match(run.stderr, /source "shop": incremental\.orders\.cursor "updated" is not a column of table ".*\.orders" \(columns: id\)/);

    proj.write('sources/shop.ts', `import { sqlDatabase } from 'sluice';
export default sqlDatabase({ name: 'shop', credentials: '\${secrets.PG_URL}', chunkSize: 10 });
`);
    run = runCli(['ingest', 'shop'], proj.dir);
    assert.match(run.stderr, /source "shop": unknown key "chunkSize" in the config \(did you mean "chunk_size"\?\)/);
  });
});
