// A SQLMesh-shaped project (test/fixtures/sqlmesh-shop: config.yaml with model_defaults and no sluice.yaml, a
// Python model, a self-referencing incremental model, a seed under $root, a model in Hive's dialect, an SCD
// type 2 model, a model calling a Python macro) planned and applied through the built CLI, the DuckDB file
// checked after each step.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { query, repoRoot, runCli, runCliJson } from '../helpers/project';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'sqlmesh-shop');

/** Writes into a DuckDB file: what another tool (the Python model's runner) would have built. */
async function write(dbFile: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(dbFile);
  try {
    const connection = await instance.connect();
    try {
      await connection.run(sql);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

describe('a SQLMesh project, unchanged, through the CLI', function () {
  this.timeout(120_000);
  let dir: string;
  let warehouse: string;
  const edit = (file: string, from: string, to: string) => {
    const full = path.join(dir, file);
    const text = fs.readFileSync(full, 'utf8');
    assert.ok(text.includes(from), `${file} has no ${from}`);
    fs.writeFileSync(full, text.replace(from, to));
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-sqlmesh-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    warehouse = path.join(dir, 'data', 'local.duckdb');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('plans the default target environment from config.yaml, leaving out the models that cannot run, with the reason', () => {
    assert.equal(fs.existsSync(path.join(dir, 'sluice.yaml')), false);
    const plan = runCliJson(['plan'], dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(plan.json.environment, 'dev');
    assert.deepEqual(plan.json.build, ['shop.items', 'shop.item_labels', 'shop.item_names', 'shop.item_price_history']);
    const held = Object.fromEntries(plan.json.held_back.map((h: any) => [h.model, h]));
    assert.deepEqual(Object.keys(held).sort(), ['marts.top_items', 'marts.top_items_report', 'shop.item_revenue_lifetime', 'shop.orders']);
    assert.match(held['marts.top_items'].reason, /^models\/marts\/top_items\.sql:5:17: @ADD_ONE is a Python macro \(defined in macros\/utils\.py\)/);
    assert.match(held['shop.orders'].reason, /^models\/orders\.py:\d+:\d+: the warehouse has no table shop\.orders, and Sluice cannot run the Python model/);
    assert.equal(held['shop.item_revenue_lifetime'].reason, 'reads shop.orders, which is left out');
    assert.equal(held['marts.top_items_report'].reason, 'reads marts.top_items, which is left out');
    // The Python model is named once, with its file; its readers get no "unknown table" error.
    assert.equal(plan.stderr.match(/models\/orders\.py:\d+:\d+: warning: Python model shop\.orders: Sluice cannot run Python models/g)?.length, 1);
    assert.doesNotMatch(plan.stderr, /unknown table/);
    // The gateway's DuckDB file is the warehouse; planning wrote nothing.
    assert.equal(fs.existsSync(warehouse), false);
  });

  it('--strict keeps all-or-nothing for CI', () => {
    const strict = runCliJson(['plan', '--strict'], dir);
    assert.equal(strict.code, 1);
    assert.match(strict.json.error, /errors? in the project's models/);
    const text = runCli(['plan'], dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Left out of the plan because of errors/);
    assert.match(text.stdout, /! marts\.top_items_report {2}reads marts\.top_items, which is left out \(not in dev\)/);
  });

  it('applies the rest: model defaults, variables, a $root seed, a self-referencing incremental model over a table built elsewhere, before_all and after_all', async () => {
    fs.mkdirSync(path.dirname(warehouse), { recursive: true });
    await write(warehouse, `CREATE SCHEMA shop;
      CREATE TABLE shop.orders AS SELECT * FROM (VALUES
        (1, 1, 2, DATE '2024-01-01'), (2, 2, 1, DATE '2024-01-02'), (3, 1, 1, DATE '2024-01-02'), (4, 3, 0, DATE '2024-01-03')
      ) AS t(id, item_id, quantity, order_date)`);
    const apply = runCliJson(['apply', '--execution-time', '2024-01-04'], dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.equal(apply.json.environment, 'dev');
    assert.deepEqual(apply.json.result.built, ['shop.items', 'shop.item_labels', 'shop.item_names', 'shop.item_price_history', 'shop.item_revenue_lifetime']);
    // model_defaults.start: from 2024-01-01, one batch a day up to the execution time.
    assert.deepEqual(apply.json.result.processed.map((p: any) => [p.model, p.intervals]), [
      ['shop.item_price_history', [['2024-01-01', '2024-01-03']]],
      ['shop.item_revenue_lifetime', [['2024-01-01', '2024-01-03']]],
    ]);
    assert.deepEqual(apply.json.held_back.map((h: any) => h.model).sort(), ['marts.top_items', 'marts.top_items_report']);

    const lifetime = await query(warehouse, 'SELECT item_id, revenue, CAST(order_date AS VARCHAR) AS day FROM shop__dev.item_revenue_lifetime ORDER BY day, item_id');
    assert.deepEqual(lifetime, [
      { item_id: 1, revenue: 5, day: '2024-01-01' },
      { item_id: 1, revenue: 7.5, day: '2024-01-02' },
      { item_id: 2, revenue: 4, day: '2024-01-02' },
      // quantity 0 is below the min_quantity variable: nothing new on the 3rd, what was there carries over.
      { item_id: 1, revenue: 7.5, day: '2024-01-03' },
      { item_id: 2, revenue: 4, day: '2024-01-03' },
    ]);
    assert.deepEqual(await query(warehouse, 'SELECT item_id::INT AS item_id, name, currency FROM shop__dev.item_names ORDER BY item_id'), [
      { item_id: 1, name: 'SENCHA', currency: 'EUR' },
      { item_id: 2, name: 'MATCHA', currency: 'EUR' },
      { item_id: 3, name: 'HOJICHA', currency: 'EUR' },
    ]);
    // The Hive model's backticks, `::` and nvl, read as DuckDB SQL.
    assert.deepEqual(await query(warehouse, 'SELECT * FROM shop__dev.item_labels ORDER BY item_id'), [
      { item_id: 1, label: 'SENCHA / 2.5', premium: false },
      { item_id: 2, label: 'MATCHA / 4.0', premium: true },
      { item_id: 3, label: 'HOJICHA / 3.0', premium: true },
    ]);
    // model_defaults.kind FULL: a model without a kind is a table, not a view.
    const kinds = await query<{ name: string; kind: string }>(warehouse, `SELECT "name", json_extract_string("record", '$.kind.name') AS kind FROM _sluice.snapshots ORDER BY 1`);
    assert.deepEqual(kinds, [
      { name: 'shop.item_labels', kind: 'FULL' },
      { name: 'shop.item_names', kind: 'FULL' },
      { name: 'shop.item_price_history', kind: 'SCD_TYPE_2_BY_COLUMN' },
      { name: 'shop.item_revenue_lifetime', kind: 'INCREMENTAL_BY_TIME_RANGE' },
      { name: 'shop.items', kind: 'SEED' },
    ]);
    assert.deepEqual(await query(warehouse, 'SELECT * FROM raw.promotions'), [{ item_id: 1, discount: '0.5' }]);
    assert.deepEqual(await query(warehouse, 'SELECT * FROM raw.last_apply'), [{ environment: 'dev', currency: 'EUR' }]);
    // Nothing went to prod, and no sluice.yaml appeared.
    assert.deepEqual(await query(warehouse, "SELECT view_name FROM duckdb_views() WHERE schema_name = 'shop' ORDER BY 1"), []);
    assert.equal(fs.existsSync(path.join(dir, 'sluice.yaml')), false);
  });

  it('a fixed model joins the next apply; one broken later keeps the version the environment shows', async () => {
    edit('models/marts/top_items.sql', '@ADD_ONE(revenue)', 'revenue + 1');
    const fixed = runCliJson(['apply', 'dev', '--execution-time', '2024-01-04'], dir);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.deepEqual(fixed.json.held_back, []);
    assert.deepEqual(fixed.json.result.built, ['marts.top_items', 'marts.top_items_report']);
    const report = await query(warehouse, 'SELECT name, score FROM marts__dev.top_items_report ORDER BY name, score');
    assert.deepEqual(report, [
      { name: 'MATCHA', score: 5 }, { name: 'MATCHA', score: 5 },
      { name: 'SENCHA', score: 6 }, { name: 'SENCHA', score: 8.5 }, { name: 'SENCHA', score: 8.5 },
    ]);

    edit('models/marts/top_items.sql', 'revenue + 1', 'revenue + ');
    const broken = runCliJson(['apply', 'dev', '--execution-time', '2024-01-04'], dir);
    assert.equal(broken.code, 0, broken.stderr);
    assert.deepEqual(broken.json.held_back.map((h: any) => [h.model, h.kept]), [['marts.top_items', true], ['marts.top_items_report', true]]);
    assert.deepEqual(broken.json.removed, []);
    assert.deepEqual(broken.json.result.built, []);
    assert.deepEqual(await query(warehouse, 'SELECT count(*)::INT AS n FROM marts__dev.top_items_report'), [{ n: 5 }]);
  });

  it('a failing before_all stops the apply before anything changes; a failing after_all is reported after it', async () => {
    edit('config.yaml', '  - CREATE SCHEMA IF NOT EXISTS raw', '  - SELECT * FROM no_such_table');
    const before = runCli(['apply', 'dev', '--execution-time', '2024-01-05'], dir);
    assert.equal(before.code, 1);
    assert.match(before.stderr, /apply of dev failed: before_all\[0\] \(SELECT \* FROM no_such_table\) failed: .*no_such_table.*; environment dev is unchanged/);
    assert.deepEqual(await query(warehouse, "SELECT count(*)::INT AS n FROM _sluice.intervals WHERE end_ms > epoch_ms(TIMESTAMP '2024-01-04')"), [{ n: 0 }]);

    edit('config.yaml', '  - SELECT * FROM no_such_table', '  - CREATE SCHEMA IF NOT EXISTS raw');
    edit('config.yaml', 'SELECT @this_env AS environment', 'SELECT @this_env AS environment FROM no_such_table');
    const after = runCli(['apply', 'dev', '--execution-time', '2024-01-05'], dir);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /environment dev was applied, but after_all\[0\] \(.*\) failed: /);
    assert.match(after.stdout, /Processed shop\.item_revenue_lifetime: 2024-01-04/);
  });

  it('unit tests give a self-referencing model an empty table of its own on the first day', () => {
    const run = runCli(['test'], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /PASS test_first_day/);
  });

  it('prod keeps the SCD type 2 history when the seed under it changes: a new version, the old one closed', async () => {
    edit('config.yaml', 'SELECT @this_env AS environment FROM no_such_table', 'SELECT @this_env AS environment');
    const first = runCliJson(['apply', 'prod', '--execution-time', '2024-01-05'], dir);
    assert.equal(first.code, 0, first.stderr);
    edit('seeds/items.csv', '2,matcha,4.0', '2,matcha,4.5');
    const second = runCliJson(['apply', 'prod', '--execution-time', '2024-01-06'], dir);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(second.json.result.built.includes('shop.items'), 'the changed seed is a new version');
    assert.equal(second.json.result.built.includes('shop.item_price_history'), false, 'the history table is kept');
    const history = await query(warehouse, `SELECT id::INT AS id, price, strftime(valid_from, '%Y-%m-%d') AS valid_from, strftime(valid_to, '%Y-%m-%d') AS valid_to
      FROM shop.item_price_history ORDER BY id, valid_from`);
    assert.deepEqual(history, [
      { id: 1, price: 2.5, valid_from: '1970-01-01', valid_to: null },
      { id: 2, price: 4, valid_from: '1970-01-01', valid_to: '2024-01-06' },
      { id: 2, price: 4.5, valid_from: '2024-01-06', valid_to: null },
      { id: 3, price: 3, valid_from: '1970-01-01', valid_to: null },
    ]);
    assert.deepEqual(await query(warehouse, 'SELECT label FROM shop.item_labels WHERE item_id = 2'), [{ label: 'MATCHA / 4.5' }]);
  });
});
