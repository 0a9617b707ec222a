// The SQL database source against a real MariaDB (or MySQL) server, through the real CLI and the DuckDB file it leaves.
import { strict as assert } from 'node:assert';
import { makeProject, query, runCli, runCliJson, type TempProject } from '../helpers/project';
import { ingestBigTableWithSmallHeap, mysqlDatabase } from './sqlServers';

type Db = Awaited<ReturnType<typeof mysqlDatabase>>;

function project(url: string, options: string): TempProject {
  return makeProject({
    '.env': `SHOP_DB=${url}\n`,
    'sources/shop.ts': `import { sqlDatabase } from 'sluice';
export default sqlDatabase({ name: 'shop', credentials: '\${secrets.SHOP_DB}', ${options} });
`,
  });
}

describe('sqlDatabase source on MariaDB (end to end)', function () {
  this.timeout(180_000);
  let db: Db;
  let proj: TempProject | undefined;
  beforeEach(async () => {
    db = await mysqlDatabase();
  });
  afterEach(async () => {
    proj?.cleanup();
    proj = undefined;
    await db.drop();
  });

  it('reflects exact types, keeps NULLs and awkward values', async () => {
    await db.sql(`
      CREATE TABLE \`Odd Table\` (
        id BIGINT PRIMARY KEY, flag TINYINT(1), tiny TINYINT, n INT, huge BIGINT UNSIGNED, amount DECIMAL(12,2), wide DECIMAL(40,12),
        ratio DOUBLE, day DATE, at DATETIME(6), stamp TIMESTAMP NULL DEFAULT NULL, clock TIME, doc JSON, mood ENUM('sad','very happy'),
        raw VARBINARY(16), bits BIT(1), note TEXT, \`Mixed Case\` VARCHAR(10)
      );
      INSERT INTO \`Odd Table\` VALUES
        (1, 1, -128, -5, 18446744073709551615, 12.50, 1234567890123456789012345678.123456789012, 0.1, '2024-02-29',
         '2024-03-01 10:00:00.123456', '2024-03-01 10:00:00', '-838:59:59', '{"nested": {"deep": true}, "list": [1, "two", null]}',
         'very happy', 0x00ff10, b'1', 'tab\\there\\nnewline \\\\ backslash, comma "quote" é ✓', 'x'),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (9007199254740993, 0, 127, 0, 0, -0.01, 0, -0.5, '1000-01-01', '1970-01-01 00:00:00', NULL, '00:00:00', '"just a string"',
         'sad', '', b'0', '', '');
    `);
    proj = project(db.url, '');
    const run = runCliJson(['ingest', 'shop'], proj.dir);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.deepEqual(run.json.tables, { odd_table: { rows: 3, parts: 1 } });
    const typeRows = await query<{ column_name: string; data_type: string }>(
      proj.warehouse,
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = 'odd_table' AND column_name NOT LIKE '\\_sluice%' ESCAPE '\\'`,
    );
    assert.deepEqual(Object.fromEntries(typeRows.map((r) => [r.column_name, r.data_type])), {
      id: 'BIGINT', flag: 'BOOLEAN', tiny: 'BIGINT', n: 'BIGINT', huge: 'DECIMAL(20,0)', amount: 'DECIMAL(12,2)', wide: 'VARCHAR',
      ratio: 'DOUBLE', day: 'DATE', at: 'TIMESTAMP WITH TIME ZONE', stamp: 'TIMESTAMP WITH TIME ZONE', clock: 'VARCHAR', doc: 'JSON',
      mood: 'VARCHAR', raw: 'BLOB', bits: 'BOOLEAN', note: 'VARCHAR', mixed_case: 'VARCHAR',
    });
    const rows = await query<Record<string, unknown>>(
      proj.warehouse,
      `SELECT id::VARCHAR AS id, flag, tiny::INT AS tiny, n::INT AS n, huge::VARCHAR AS huge, amount::VARCHAR AS amount, wide, ratio,
              day::VARCHAR AS day, strftime("at" AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS "at",
              strftime(stamp AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') AS stamp, clock, doc::VARCHAR AS doc, mood, hex(raw) AS raw, bits, note, mixed_case
       FROM shop.odd_table ORDER BY id`,
    );
    assert.deepEqual(rows[0], {
      id: '1', flag: true, tiny: -128, n: -5, huge: '18446744073709551615', amount: '12.50',
      wide: '1234567890123456789012345678.123456789012', ratio: 0.1, day: '2024-02-29', at: '2024-03-01 10:00:00.123456',
      stamp: '2024-03-01 10:00:00', clock: '-838:59:59', doc: '{"nested":{"deep":true},"list":[1,"two",null]}', mood: 'very happy',
      raw: '00FF10', bits: true, note: 'tab\there\nnewline \\ backslash, comma "quote" é ✓', mixed_case: 'x',
    });
    assert.deepEqual(Object.entries(rows[1]).filter(([k, v]) => k !== 'id' && v !== null), [], 'every column of row 2 is NULL');
    assert.deepEqual(
      { id: rows[2].id, flag: rows[2].flag, doc: rows[2].doc, raw: rows[2].raw, bits: rows[2].bits, day: rows[2].day },
      { id: '9007199254740993', flag: false, doc: '"just a string"', raw: '', bits: false, day: '1000-01-01' },
    );
    const [variants] = await query<{ n: number }>(
      proj.warehouse,
      `SELECT count(*)::INT AS n FROM information_schema.columns WHERE table_schema = 'shop' AND column_name LIKE '%\\_\\_v\\_%' ESCAPE '\\'`,
    );
    assert.equal(variants.n, 0, 'no value fell into a variant column');
  });

  it('merges by primary key, reads incrementally, and appends tables without a key', async () => {
    await db.sql(`
      CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL, updated_at DATETIME(3) NOT NULL);
      INSERT INTO orders VALUES (1, 'placed', '2024-01-01 00:00:00'), (2, 'placed', '2024-01-02 00:00:00'), (3, 'placed', '2024-01-03 00:00:00');
      CREATE TABLE events (name VARCHAR(10), at DATETIME);
      INSERT INTO events VALUES ('a', '2024-01-01 00:00:00'), (NULL, NULL);
    `);
    proj = project(db.url, "tables: ['orders', 'events'], incremental: { orders: { cursor: 'updated_at' } }, chunk_size: 2");
    const first = runCliJson(['ingest', 'shop'], proj.dir);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.deepEqual(first.json.tables, { events: { rows: 2, parts: 1 }, orders: { rows: 3, parts: 1 } });

    await db.sql(`
      UPDATE orders SET status = 'shipped', updated_at = '2024-02-01 00:00:00.5' WHERE id = 1;
      INSERT INTO orders VALUES (4, 'placed', '2024-01-03 00:00:00');
    `);
    const second = runCliJson(['ingest', 'shop'], proj.dir);
    assert.equal(second.code, 0, second.stderr + second.stdout);
    // Order 1 changed; order 4 sits at the last run's cursor value and was not loaded then; order 3 was.
    assert.equal(second.json.tables.orders.rows, 2);
    const orders = await query<{ id: number; status: string }>(proj.warehouse, 'SELECT id::INT AS id, status FROM shop.orders ORDER BY id');
    assert.deepEqual(orders, [
      { id: 1, status: 'shipped' }, { id: 2, status: 'placed' }, { id: 3, status: 'placed' }, { id: 4, status: 'placed' },
    ]);
    const [events] = await query<{ n: number }>(proj.warehouse, 'SELECT count(*)::INT AS n FROM shop.events');
    assert.equal(events.n, 4, 'events (no primary key) appended on each run');
  });

  it('streams a 100k-row table with bounded memory', async () => {
    await db.sql(`CREATE TABLE big (id INT PRIMARY KEY, payload TEXT, at DATETIME(6));
      INSERT INTO big SELECT seq, REPEAT(MD5(seq), 64), TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq SECOND FROM seq_1_to_100000;`);
    proj = project(db.url, "tables: ['big'], chunk_size: 2000");
    await ingestBigTableWithSmallHeap(proj);
  });

  it('names the source and the table when one is missing, the password masked', async () => {
    await db.sql('CREATE TABLE orders (id INT PRIMARY KEY)');
    proj = project(db.url, "tables: ['nope']");
    let run = runCli(['ingest', 'shop'], proj.dir);
    assert.match(run.stderr, /source "shop": table "nope" not found in database "sluice_t_\w+" of \*\*\* \(it has: orders\)/);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);

    const wrong = new URL(db.url);
    wrong.username = 'root';
    wrong.password = 'hunter2-wrong';
    proj.write('.env', `SHOP_DB=${wrong.href}\n`);
    run = runCli(['ingest', 'shop'], proj.dir);
    assert.match(run.stderr, /source "shop": cannot connect to mysql:\/\/root:\*\*\*@127\.0\.0\.1:3306\/sluice_t_\w+: Access denied for user 'root'/);
    assert.doesNotMatch(run.stderr + run.stdout, /hunter2/);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  });
});
