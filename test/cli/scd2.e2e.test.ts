// SCD type 2 models of a SQLMesh-style project (test/fixtures/sqlmesh-scd2), through the built CLI: the menu
// of SQLMesh's documentation loaded three times (first load, then changes, a delete and a come-back), each
// kind's exact valid_from / valid_to rows read from the DuckDB file the CLI leaves; dev apply then
// promotion to prod; a failed batch that leaves the history as it was; inline audits run only when named.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { query, repoRoot, runCli, runCliJson, writeDb } from '../helpers/project';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'sqlmesh-scd2');

/** The till's current menu, as raw.menu_items: what each run reads. */
async function writeMenu(dbFile: string, rows: [number, string, number, string][]): Promise<void> {
  const values = rows.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, CAST($${i * 4 + 4} AS TIMESTAMP))`).join(', ');
  await writeDb(dbFile, `CREATE SCHEMA IF NOT EXISTS raw; CREATE OR REPLACE TABLE raw.menu_items (id INT, name VARCHAR, price DOUBLE, updated_at TIMESTAMP)`);
  await writeDb(dbFile, `INSERT INTO raw.menu_items VALUES ${values}`, rows.flat());
}

type Version = [number, string, number, string | null, string | null];

/** Every version of a model's rows in an environment's schema: id, name, price, valid from, valid to. */
async function versions(dbFile: string, view: string, from = 'valid_from', to = 'valid_to'): Promise<Version[]> {
  const rows = await query<Record<string, string | number | null>>(
    dbFile,
    `SELECT id, name, price, CAST("${from}" AS VARCHAR) AS f, CAST("${to}" AS VARCHAR) AS t FROM ${view} ORDER BY id, "${from}"`,
  );
  return rows.map((r) => [r.id as number, r.name as string, r.price as number, r.f as string | null, r.t as string | null]);
}

const FIRST_MENU: [number, string, number, string][] = [
  [1, 'Chicken Sandwich', 10.99, '2020-01-01'],
  [2, 'Cheeseburger', 8.99, '2020-01-01'],
  [3, 'French Fries', 4.99, '2020-01-01'],
];
// The sandwich's price goes up, the cheeseburger is taken off, a milkshake is added.
const SECOND_MENU: [number, string, number, string][] = [
  [1, 'Chicken Sandwich', 12.99, '2020-01-02'],
  [3, 'French Fries', 4.99, '2020-01-01'],
  [4, 'Milkshake', 3.99, '2020-01-02'],
];
// The sandwich goes up again, the cheeseburger comes back unchanged, the milkshake is renamed.
const THIRD_MENU: [number, string, number, string][] = [
  [1, 'Chicken Sandwich', 14.99, '2020-01-03'],
  [2, 'Cheeseburger', 8.99, '2020-01-03'],
  [3, 'French Fries', 4.99, '2020-01-01'],
  [4, 'Chocolate Milkshake', 3.99, '2020-01-03'],
];
const EPOCH = '1970-01-01 00:00:00';
const FIRST_LOAD: Version[] = [
  [1, 'Chicken Sandwich', 10.99, EPOCH, null],
  [2, 'Cheeseburger', 8.99, EPOCH, null],
  [3, 'French Fries', 4.99, EPOCH, null],
];

describe('SCD type 2 models through the CLI', function () {
  this.timeout(180_000);
  let dir: string;
  let warehouse: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-scd2-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    warehouse = path.join(dir, 'data', 'restaurant.duckdb');
    await writeMenu(warehouse, FIRST_MENU);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('unit-tests an SCD type 2 model: its query, without the validity columns', () => {
    const test = runCli(['test'], dir);
    assert.equal(test.code, 0, test.stdout + test.stderr);
    assert.match(test.stdout, /PASS test_menu_items_query/);
    assert.match(test.stdout, /1 passed, 0 failed, 0 errors/);
  });

  it('plans every SCD type 2 kind with valid_from / valid_to among the columns; CUSTOM is left out with the reason; an unnamed inline audit blocks nothing', async () => {
    const plan = runCliJson(['plan', 'dev', '--execution-time', '2020-01-02 01:00'], dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(plan.json.build, ['menu.menu_all', 'menu.menu_items', 'menu.menu_items_kept', 'menu.menu_prices', 'menu.current_menu']);
    assert.deepEqual(plan.json.held_back.map((h: any) => [h.model, h.reason]), [
      ['menu.specials', 'models/specials.sql:4:8: model kind CUSTOM cannot run in Sluice: a custom materialization is a Python class, and Sluice does not run Python; use one of FULL, VIEW, INCREMENTAL_BY_TIME_RANGE, INCREMENTAL_BY_UNIQUE_KEY, INCREMENTAL_BY_PARTITION, INCREMENTAL_UNMANAGED, SCD_TYPE_2_BY_TIME, SCD_TYPE_2_BY_COLUMN, SEED, EMBEDDED, EXTERNAL'],
    ]);
    const added = Object.fromEntries(plan.json.changes.map((c: any) => [c.model, c.columns.added]));
    assert.deepEqual(added['menu.menu_items'], ['id', 'name', 'price', 'updated_at', 'valid_from', 'valid_to']);
    assert.deepEqual(added['menu.menu_items_kept'], ['id', 'name', 'price', 'changed_at', 'since', 'until']);
    assert.deepEqual(added['menu.menu_all'], ['id', 'name', 'price', 'first_seen', 'last_seen']);
    // The inline audit current_menu does not name is reported once, as a warning, and neither runs nor blocks.
    assert.match(plan.stderr, /models\/current_menu\.sql:19:1: warning: inline audit every_row_fails is not in the audits property of menu\.current_menu, so it does not run/);
    assert.doesNotMatch(plan.stderr, /@threshold|kept but not run/);

    // `models` lists every model, and exits 1 for the CUSTOM one's error.
    const models = runCliJson(['models'], dir);
    assert.equal(models.code, 1, models.stderr);
    const items = models.json.models.find((m: any) => m.name === 'menu.menu_items');
    assert.equal(items.kind, 'SCD_TYPE_2_BY_TIME');
    assert.deepEqual(items.columns.slice(-3), [{ name: 'updated_at', type: 'TIMESTAMP' }, { name: 'valid_from', type: 'TIMESTAMP' }, { name: 'valid_to', type: 'TIMESTAMP' }]);
    // valid_from takes its values from updated_at; a reader of it traces back to the raw column.
    const lineage = runCliJson(['lineage', 'menu.current_menu'], dir);
    assert.equal(lineage.code, 1, lineage.stderr);
    assert.deepEqual(lineage.json.models['menu.current_menu'].columns.price_since, { sources: ['menu.menu_items.valid_from'], filters: ['menu.menu_items.valid_to'] });
    const upstream = runCliJson(['lineage', 'menu.menu_items'], dir);
    assert.deepEqual(upstream.json.models['menu.menu_items'].columns.valid_from.sources, ['raw.menu_items.updated_at']);
  });

  it('first load in dev: every row valid from 1970-01-01; promoting to prod computes nothing', async () => {
    const dev = runCliJson(['apply', 'dev', '--execution-time', '2020-01-02 01:00'], dir);
    assert.equal(dev.code, 0, dev.stderr);
    assert.deepEqual(dev.json.result.processed.map((p: any) => [p.model, p.intervals]), [
      ['menu.menu_all', [['2020-01-01', '2020-01-01']]],
      ['menu.menu_items', [['2020-01-01', '2020-01-01']]],
      ['menu.menu_items_kept', [['2020-01-01', '2020-01-01']]],
      ['menu.menu_prices', [['2020-01-01', '2020-01-01']]],
    ]);
    for (const model of ['menu_items', 'menu_prices']) assert.deepEqual(await versions(warehouse, `menu__dev.${model}`), FIRST_LOAD, model);
    assert.deepEqual(await versions(warehouse, 'menu__dev.menu_items_kept', 'since', 'until'), FIRST_LOAD);
    assert.deepEqual(await versions(warehouse, 'menu__dev.menu_all', 'first_seen', 'last_seen'), FIRST_LOAD);
    // The table has the kind's columns and types: updated_at and the validity columns are timestamps.
    const columns = await query(warehouse, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'menu__dev' AND table_name = 'menu_items' ORDER BY ordinal_position");
    assert.deepEqual(columns.map((c) => `${c.column_name} ${c.data_type}`), ['id INTEGER', 'name VARCHAR', 'price DOUBLE', 'updated_at TIMESTAMP', 'valid_from TIMESTAMP', 'valid_to TIMESTAMP']);
    assert.deepEqual(await query(warehouse, "SELECT view_name FROM duckdb_views() WHERE schema_name = 'menu'"), []);

    const prod = runCliJson(['apply', 'prod', '--execution-time', '2020-01-02 01:00'], dir);
    assert.equal(prod.code, 0, prod.stderr);
    assert.deepEqual(prod.json.result.built, []);
    assert.deepEqual(prod.json.result.processed, []);
    assert.deepEqual(await versions(warehouse, 'menu.menu_items'), FIRST_LOAD);
    // The inline audits current_menu names ran; the one it does not name never did.
    const audits = await query(warehouse, 'SELECT DISTINCT model, audit, passed FROM _sluice.audit_results ORDER BY ALL');
    assert.deepEqual(audits, [
      { model: 'menu.current_menu', audit: 'no_free_items(limit_price := 0)', passed: true },
      { model: 'menu.current_menu', audit: 'price_is_positive', passed: true },
      { model: 'menu.menu_items', audit: 'price_not_negative', passed: true },
    ]);
  });

  it('second run: changed rows closed and reopened, a deleted row closed only where deletes count', async () => {
    await writeMenu(warehouse, SECOND_MENU);
    const run = runCliJson(['run', 'prod', '--execution-time', '2020-01-03 11:00'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.processed.length, 4);
    // By time: closed at the new updated_at; the deleted cheeseburger at the execution time; a new key from 1970.
    assert.deepEqual(await versions(warehouse, 'menu.menu_items'), [
      [1, 'Chicken Sandwich', 10.99, EPOCH, '2020-01-02 00:00:00'],
      [1, 'Chicken Sandwich', 12.99, '2020-01-02 00:00:00', null],
      [2, 'Cheeseburger', 8.99, EPOCH, '2020-01-03 11:00:00'],
      [3, 'French Fries', 4.99, EPOCH, null],
      [4, 'Milkshake', 3.99, EPOCH, null],
    ]);
    // invalidate_hard_deletes off: the cheeseburger stays valid.
    assert.deepEqual(await versions(warehouse, 'menu.menu_items_kept', 'since', 'until'), [
      [1, 'Chicken Sandwich', 10.99, EPOCH, '2020-01-02 00:00:00'],
      [1, 'Chicken Sandwich', 12.99, '2020-01-02 00:00:00', null],
      [2, 'Cheeseburger', 8.99, EPOCH, null],
      [3, 'French Fries', 4.99, EPOCH, null],
      [4, 'Milkshake', 3.99, EPOCH, null],
    ]);
    // By column: every change at the execution time, a key new after the first load from then too.
    assert.deepEqual(await versions(warehouse, 'menu.menu_prices'), [
      [1, 'Chicken Sandwich', 10.99, EPOCH, '2020-01-03 11:00:00'],
      [1, 'Chicken Sandwich', 12.99, '2020-01-03 11:00:00', null],
      [2, 'Cheeseburger', 8.99, EPOCH, '2020-01-03 11:00:00'],
      [3, 'French Fries', 4.99, EPOCH, null],
      [4, 'Milkshake', 3.99, '2020-01-03 11:00:00', null],
    ]);
    assert.deepEqual(await versions(warehouse, 'menu.menu_all', 'first_seen', 'last_seen'), [
      [1, 'Chicken Sandwich', 10.99, EPOCH, '2020-01-03 11:00:00'],
      [1, 'Chicken Sandwich', 12.99, '2020-01-03 11:00:00', null],
      [2, 'Cheeseburger', 8.99, EPOCH, null],
      [3, 'French Fries', 4.99, EPOCH, null],
      [4, 'Milkshake', 3.99, '2020-01-03 11:00:00', null],
    ]);
    // dev shows the same tables: it reads what prod's run wrote.
    assert.deepEqual(await versions(warehouse, 'menu__dev.menu_items'), await versions(warehouse, 'menu.menu_items'));
  });

  it('third run: a deleted row comes back, with columns [price] a rename opens nothing, with * it does', async () => {
    await writeMenu(warehouse, THIRD_MENU);
    const run = runCliJson(['run', 'prod', '--execution-time', '2020-01-04 11:00'], dir);
    assert.equal(run.code, 0, run.stderr);
    // Back after its delete: valid from the later of its delete and its updated_at.
    assert.deepEqual(await versions(warehouse, 'menu.menu_items'), [
      [1, 'Chicken Sandwich', 10.99, EPOCH, '2020-01-02 00:00:00'],
      [1, 'Chicken Sandwich', 12.99, '2020-01-02 00:00:00', '2020-01-03 00:00:00'],
      [1, 'Chicken Sandwich', 14.99, '2020-01-03 00:00:00', null],
      [2, 'Cheeseburger', 8.99, EPOCH, '2020-01-03 11:00:00'],
      [2, 'Cheeseburger', 8.99, '2020-01-03 11:00:00', null],
      [3, 'French Fries', 4.99, EPOCH, null],
      [4, 'Milkshake', 3.99, EPOCH, '2020-01-03 00:00:00'],
      [4, 'Chocolate Milkshake', 3.99, '2020-01-03 00:00:00', null],
    ]);
    // Never closed: its newer updated_at closes the old version there, without a gap.
    assert.deepEqual(await versions(warehouse, 'menu.menu_items_kept', 'since', 'until'), [
      [1, 'Chicken Sandwich', 10.99, EPOCH, '2020-01-02 00:00:00'],
      [1, 'Chicken Sandwich', 12.99, '2020-01-02 00:00:00', '2020-01-03 00:00:00'],
      [1, 'Chicken Sandwich', 14.99, '2020-01-03 00:00:00', null],
      [2, 'Cheeseburger', 8.99, EPOCH, '2020-01-03 00:00:00'],
      [2, 'Cheeseburger', 8.99, '2020-01-03 00:00:00', null],
      [3, 'French Fries', 4.99, EPOCH, null],
      [4, 'Milkshake', 3.99, EPOCH, '2020-01-03 00:00:00'],
      [4, 'Chocolate Milkshake', 3.99, '2020-01-03 00:00:00', null],
    ]);
    assert.deepEqual(await versions(warehouse, 'menu.menu_prices'), [
      [1, 'Chicken Sandwich', 10.99, EPOCH, '2020-01-03 11:00:00'],
      [1, 'Chicken Sandwich', 12.99, '2020-01-03 11:00:00', '2020-01-04 11:00:00'],
      [1, 'Chicken Sandwich', 14.99, '2020-01-04 11:00:00', null],
      [2, 'Cheeseburger', 8.99, EPOCH, '2020-01-03 11:00:00'],
      [2, 'Cheeseburger', 8.99, '2020-01-04 11:00:00', null],
      [3, 'French Fries', 4.99, EPOCH, null],
      [4, 'Milkshake', 3.99, '2020-01-03 11:00:00', null],
    ]);
    // Deletes do not count here: the cheeseburger was never closed, and came back unchanged.
    assert.deepEqual(await versions(warehouse, 'menu.menu_all', 'first_seen', 'last_seen'), [
      [1, 'Chicken Sandwich', 10.99, EPOCH, '2020-01-03 11:00:00'],
      [1, 'Chicken Sandwich', 12.99, '2020-01-03 11:00:00', '2020-01-04 11:00:00'],
      [1, 'Chicken Sandwich', 14.99, '2020-01-04 11:00:00', null],
      [2, 'Cheeseburger', 8.99, EPOCH, null],
      [3, 'French Fries', 4.99, EPOCH, null],
      [4, 'Milkshake', 3.99, '2020-01-03 11:00:00', '2020-01-04 11:00:00'],
      [4, 'Chocolate Milkshake', 3.99, '2020-01-04 11:00:00', null],
    ]);
    assert.deepEqual(await query(warehouse, 'SELECT id, price, CAST(price_since AS VARCHAR) AS since FROM menu.current_menu ORDER BY id'), [
      { id: 1, price: 14.99, since: '2020-01-03 00:00:00' },
      { id: 2, price: 8.99, since: '2020-01-03 11:00:00' },
      { id: 3, price: 4.99, since: EPOCH },
      { id: 4, price: 3.99, since: '2020-01-03 00:00:00' },
    ]);
  });

  it('a batch whose audit fails leaves the history as it was, and runs again once the data is fixed', async () => {
    const before = await versions(warehouse, 'menu.menu_items');
    await writeMenu(warehouse, [...THIRD_MENU.slice(1), [1, 'Chicken Sandwich', -1, '2020-01-04']]);
    const failed = runCliJson(['run', 'prod', '--execution-time', '2020-01-05 11:00'], dir);
    assert.equal(failed.code, 1);
    assert.match(failed.json.error, /blocking audit failed on menu\.menu_items: price_not_negative: 1 row/);
    assert.deepEqual(await versions(warehouse, 'menu.menu_items'), before);
    const intervals = await query(warehouse, "SELECT max(end_ms) AS end_ms FROM _sluice.intervals WHERE name = 'menu.menu_items'");
    assert.equal(Number(intervals[0].end_ms), Date.parse('2020-01-04T00:00:00Z'));

    await writeMenu(warehouse, [...THIRD_MENU.slice(1), [1, 'Chicken Sandwich', 15.99, '2020-01-04']]);
    const fixed = runCliJson(['run', 'prod', '--execution-time', '2020-01-05 11:00'], dir);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.deepEqual((await versions(warehouse, 'menu.menu_items')).filter((v) => v[0] === 1).slice(-2), [
      [1, 'Chicken Sandwich', 14.99, '2020-01-03 00:00:00', '2020-01-04 00:00:00'],
      [1, 'Chicken Sandwich', 15.99, '2020-01-04 00:00:00', null],
    ]);
  });

  it('refuses to restate an SCD type 2 model: its history cannot be computed again', async () => {
    const before = await versions(warehouse, 'menu.menu_items');
    const restate = runCliJson(['apply', 'prod', '--restate', 'menu.menu_items', '--start', '2020-01-01', '--end', '2020-01-03', '--execution-time', '2020-01-05 11:00'], dir);
    assert.notEqual(restate.code, 0);
    assert.match(restate.json.error, /cannot restate menu\.menu_items: it is an SCD type 2 model, whose history its query cannot give back/);
    assert.deepEqual(await versions(warehouse, 'menu.menu_items'), before);
  });

  it('a changed SCD type 2 model keeps its history (forward-only): dev previews it on a table of its own, promotion keeps prod\'s table', async () => {
    const prodBefore = await versions(warehouse, 'menu.menu_prices');
    const prodTable = (await query<{ sql: string }>(warehouse, "SELECT sql FROM duckdb_views() WHERE schema_name = 'menu' AND view_name = 'menu_prices'"))[0].sql;
    const file = path.join(dir, 'models', 'menu_prices.sql');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('columns [price]', 'columns [name, price]'));
    const dev = runCliJson(['apply', 'dev', '--execution-time', '2020-01-05 11:00'], dir);
    assert.equal(dev.code, 0, dev.stderr);
    assert.deepEqual(dev.json.result.built, ['menu.menu_prices']);
    const change = dev.json.changes.find((c: any) => c.model === 'menu.menu_prices');
    assert.equal(change.forward_only, 'preview');
    assert.match(change.reason, /^forward-only: previewed in dev on a table of its own over its last interval; prod's table is changed in place only when this is applied to prod; the SCD_TYPE_2_BY_COLUMN options changed$/);
    // The preview's first load is the menu as it is now.
    assert.deepEqual(await versions(warehouse, 'menu__dev.menu_prices'), [
      [1, 'Chicken Sandwich', 15.99, EPOCH, null],
      [2, 'Cheeseburger', 8.99, EPOCH, null],
      [3, 'French Fries', 4.99, EPOCH, null],
      [4, 'Chocolate Milkshake', 3.99, EPOCH, null],
    ]);
    assert.deepEqual(await versions(warehouse, 'menu.menu_prices'), prodBefore);

    // Promotion computes nothing and keeps prod's table with its whole history.
    const prod = runCliJson(['apply', 'prod', '--execution-time', '2020-01-05 11:00'], dir);
    assert.equal(prod.code, 0, prod.stderr);
    assert.deepEqual(prod.json.result.built, []);
    assert.equal(prod.json.changes.find((c: any) => c.model === 'menu.menu_prices').forward_only, 'in_place');
    assert.deepEqual(await versions(warehouse, 'menu.menu_prices'), prodBefore);
    const view = (await query<{ sql: string }>(warehouse, "SELECT sql FROM duckdb_views() WHERE schema_name = 'menu' AND view_name = 'menu_prices'"))[0].sql;
    assert.equal(view, prodTable);

    // From now on a rename opens a version too: the new query, on the kept history.
    await writeDb(warehouse, "UPDATE raw.menu_items SET name = 'Vanilla Milkshake' WHERE id = 4");
    const run = runCliJson(['run', '--execution-time', '2020-01-06 11:00'], dir);
    assert.equal(run.code, 0, run.stderr);
    const after = await versions(warehouse, 'menu.menu_prices');
    assert.deepEqual(after.slice(0, prodBefore.length).filter((v) => v[0] !== 4), prodBefore.filter((v) => v[0] !== 4));
    const milkshake = after.filter((v) => v[0] === 4);
    assert.deepEqual(milkshake.slice(0, -1).map((v) => v.slice(0, 3)), prodBefore.filter((v) => v[0] === 4).map((v) => v.slice(0, 3)));
    assert.deepEqual(milkshake[milkshake.length - 1].slice(1, 3), ['Vanilla Milkshake', 3.99]);
    assert.equal(milkshake[milkshake.length - 1][4], null);
    assert.notEqual(milkshake[milkshake.length - 2][4], null);
  });

  it('an SCD type 2 model whose key changes is rebuilt: its new history starts over', async () => {
    const file = path.join(dir, 'models', 'menu_prices.sql');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('unique_key id', 'unique_key (id, name)'));
    const plan = runCliJson(['plan', 'prod', '--execution-time', '2020-01-06 12:00'], dir);
    assert.equal(plan.code, 0, plan.stderr);
    const change = plan.json.changes.find((c: any) => c.model === 'menu.menu_prices');
    assert.equal(change.forward_only, undefined);
    assert.equal(change.rebuild, true);
    assert.match(change.reason, /the SCD_TYPE_2_BY_COLUMN options changed; the new table's history starts over from the query's rows as they are now/);
  });
});
