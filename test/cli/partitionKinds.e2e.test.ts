// INCREMENTAL_BY_PARTITION and INCREMENTAL_UNMANAGED models of a SQLMesh-style project
// (test/fixtures/sqlmesh-partition-kinds), through the built CLI over several days: the till's feed holds
// only recent days, and the DuckDB file the CLI leaves shows which partitions each run replaced, which rows
// the append-only log gained and what the overwritten snapshot holds. Then the error cases.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeProject, query, repoRoot, runCli, runCliJson, writeDb } from '../helpers/project';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'sqlmesh-partition-kinds');
const at = (iso: string) => ({ SLUICE_NOW: new Date(iso).toISOString() });

type Sale = [number, string | null, string, number];

/** The till's feed as raw.sales: what each run reads. */
async function writeFeed(dbFile: string, sales: Sale[]): Promise<void> {
  await writeDb(dbFile, 'CREATE SCHEMA IF NOT EXISTS raw; CREATE OR REPLACE TABLE raw.sales (sale_id INT, shop VARCHAR, sold_on DATE, amount DECIMAL(10, 2))');
  for (const [id, shop, day, amount] of sales) {
    await writeDb(dbFile, `INSERT INTO raw.sales VALUES ($1, ${shop === null ? 'NULL' : '$4'}, CAST($2 AS DATE), $3)`, shop === null ? [id, day, amount] : [id, day, amount, shop]);
  }
}

async function takings(dbFile: string): Promise<[string | null, string, number, number][]> {
  const rows = await query<Record<string, unknown>>(dbFile, 'SELECT shop, CAST(sold_on AS VARCHAR) AS day, CAST(takings AS DOUBLE) AS t, CAST(sales AS INT) AS n FROM bakery.daily_takings ORDER BY day, shop NULLS FIRST');
  return rows.map((r) => [r.shop as string | null, r.day as string, r.t as number, r.n as number]);
}

async function log(dbFile: string): Promise<[number, string][]> {
  const rows = await query<Record<string, unknown>>(dbFile, 'SELECT sale_id, CAST(seen_on AS VARCHAR) AS seen FROM bakery.sales_log ORDER BY seen, sale_id');
  return rows.map((r) => [r.sale_id as number, r.seen as string]);
}

describe('INCREMENTAL_BY_PARTITION and INCREMENTAL_UNMANAGED through the CLI', function () {
  this.timeout(180_000);
  let dir: string;
  let warehouse: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-partition-kinds-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    warehouse = path.join(dir, 'data', 'till.duckdb');
    await writeFeed(warehouse, [
      [1, 'Mill Lane', '2024-03-01', 4.5],
      [2, 'Mill Lane', '2024-03-01', 3],
      [3, 'Harbour', '2024-03-01', 12],
      [4, null, '2024-03-01', 2.5],
    ]);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('first apply: the partitions of the feed, the log and the snapshot; the query runs once though two days are due', async () => {
    const plan = runCliJson(['plan'], dir, at('2024-03-03T01:00:00Z'));
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(plan.json.held_back, []);
    const apply = runCliJson(['apply'], dir, at('2024-03-03T01:00:00Z'));
    assert.equal(apply.code, 0, apply.stderr);
    const processed = Object.fromEntries(apply.json.result.processed.map((p: any) => [p.model, [p.intervals, p.rows]]));
    assert.deepEqual(processed['bakery.sales_log'], [[['2024-03-01', '2024-03-02']], 4]);
    assert.deepEqual(processed['bakery.daily_takings'], [[['2024-03-01', '2024-03-02']], 3]);
    assert.deepEqual(await takings(warehouse), [[null, '2024-03-01', 2.5, 1], ['Harbour', '2024-03-01', 12, 1], ['Mill Lane', '2024-03-01', 7.5, 2]]);
    assert.deepEqual(await log(warehouse), [[1, '2024-03-03'], [2, '2024-03-03'], [3, '2024-03-03'], [4, '2024-03-03']]);
  });

  it('next days: only the partitions in the feed are replaced, the log appends, the snapshot is overwritten', async () => {
    // A late sale for 1 March at Mill Lane and the stall; Harbour's 1 March is no longer in the feed.
    await writeFeed(warehouse, [
      [2, 'Mill Lane', '2024-03-01', 3],
      [5, 'Mill Lane', '2024-03-01', 6],
      [6, null, '2024-03-01', 1],
      [7, 'Harbour', '2024-03-03', 20],
    ]);
    const run = runCliJson(['run'], dir, at('2024-03-04T01:00:00Z'));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await takings(warehouse), [
      [null, '2024-03-01', 1, 1],
      ['Harbour', '2024-03-01', 12, 1],
      ['Mill Lane', '2024-03-01', 9, 2],
      ['Harbour', '2024-03-03', 20, 1],
    ]);
    assert.deepEqual((await log(warehouse)).filter(([, seen]) => seen === '2024-03-04'), [[2, '2024-03-04'], [5, '2024-03-04'], [6, '2024-03-04'], [7, '2024-03-04']]);
    assert.equal((await log(warehouse)).length, 8);
    const snapshot = await query<{ sale_id: number }>(warehouse, 'SELECT sale_id FROM bakery.feed_snapshot ORDER BY sale_id');
    assert.deepEqual(snapshot.map((r) => r.sale_id), [2, 5, 6, 7]);

    // The same day again: nothing is due, nothing is appended twice.
    const again = runCliJson(['run'], dir, at('2024-03-04T05:00:00Z'));
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await log(warehouse)).length, 8);

    // The month partition: April's sales replace April only, March keeps what it had.
    await writeFeed(warehouse, [[8, 'Harbour', '2024-04-01', 5]]);
    const april = runCliJson(['run'], dir, at('2024-04-02T01:00:00Z'));
    assert.equal(april.code, 0, april.stderr);
    const months = await query<{ m: string; n: number }>(warehouse, "SELECT strftime(sold_on, '%Y-%m') AS m, CAST(count(*) AS INT) AS n FROM bakery.month_sales GROUP BY 1 ORDER BY 1");
    assert.deepEqual(months, [{ m: '2024-03', n: 4 }, { m: '2024-04', n: 1 }]);
    assert.equal((await log(warehouse)).length, 9);
  });

  it('a change to the query keeps the log (forward-only by default): earlier rows are not lost', async () => {
    const file = path.join(dir, 'models', 'sales_log.sql');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('amount, @execution_ds', 'amount, sold_on, @execution_ds'));
    const apply = runCliJson(['apply'], dir, at('2024-04-02T03:00:00Z'));
    assert.equal(apply.code, 0, apply.stderr);
    const rows = await query<{ n: number; dated: number }>(warehouse, 'SELECT CAST(count(*) AS INT) AS n, CAST(count(sold_on) AS INT) AS dated FROM bakery.sales_log');
    assert.deepEqual(rows, [{ n: 9, dated: 0 }]);
  });

  it('restating: by partition reruns the query once and replaces its partitions; unmanaged is refused', async () => {
    const refused = runCliJson(['apply', '--restate', 'bakery.sales_log', '--start', '2024-03-01', '--end', '2024-03-02'], dir, at('2024-04-02T04:00:00Z'));
    assert.notEqual(refused.code, 0);
    assert.match(refused.json.error, /cannot restate bakery\.sales_log: it is an INCREMENTAL_UNMANAGED model/);
    const before = await log(warehouse);
    await writeFeed(warehouse, [[9, 'Harbour', '2024-03-01', 100]]);
    const restate = runCliJson(['apply', '--restate', 'bakery.daily_takings', '--start', '2024-03-01', '--end', '2024-03-02'], dir, at('2024-04-02T04:00:00Z'));
    assert.equal(restate.code, 0, restate.stderr);
    const harbour = (await takings(warehouse)).filter(([shop, day]) => shop === 'Harbour' && day === '2024-03-01');
    assert.deepEqual(harbour, [['Harbour', '2024-03-01', 100, 1]]);
    assert.equal((await takings(warehouse)).length, 5);
    assert.deepEqual(await log(warehouse), before);
  });

  it('errors: BY_PARTITION without partitioned_by, MANAGED, an unknown option, each at its place', () => {
    const project = makeProject({
      'models/no_partition.sql': 'MODEL (\n  name bad.no_partition,\n  kind INCREMENTAL_BY_PARTITION\n);\nSELECT 1 AS a\n',
      'models/managed.sql': 'MODEL (\n  name bad.managed,\n  kind MANAGED\n);\nSELECT 1 AS a\n',
      'models/option.sql': 'MODEL (\n  name bad.option,\n  kind INCREMENTAL_UNMANAGED (batch_size 2)\n);\nSELECT 1 AS a\n',
      'models/overwrite.sql': "MODEL (\n  name bad.overwrite,\n  kind INCREMENTAL_UNMANAGED (insert_overwrite 'yes')\n);\nSELECT 1 AS a\n",
    });
    try {
      const plan = runCliJson(['plan'], project.dir);
      const reasons = Object.fromEntries(plan.json.held_back.map((h: any) => [h.model, h.reason]));
      assert.match(reasons['bad.no_partition'], /^models\/no_partition\.sql:3:8: kind INCREMENTAL_BY_PARTITION needs the model property partitioned_by/);
      assert.match(reasons['bad.managed'], /^models\/managed\.sql:3:8: model kind MANAGED cannot run in Sluice: .*DuckDB and PostgreSQL do not have/);
      assert.match(reasons['bad.option'], /^models\/option\.sql:3:31: kind INCREMENTAL_UNMANAGED has no option 'batch_size'/);
      assert.match(reasons['bad.overwrite'], /^models\/overwrite\.sql:3:48: insert_overwrite must be true or false/);
      const strict = runCli(['plan', '--strict'], project.dir);
      assert.notEqual(strict.code, 0);
    } finally {
      project.cleanup();
    }
  });
});
