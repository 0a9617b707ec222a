// SQLMesh blueprints through the built CLI, on a SQLMesh-shaped project (test/fixtures/sqlmesh-blueprints):
// a model file with `blueprints (...)` (or blueprints a macro returns) becomes one model per blueprint,
// named from its variables; each is planned, applied, tested, rendered and traced like any model, and a
// change to one blueprint rebuilds that model alone. A blueprint missing a variable, or two blueprints making the same name, are errors at their
// file:line:col.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { query, repoRoot, runCli, runCliJson } from '../helpers/project';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'sqlmesh-blueprints');

describe('SQLMesh blueprints, through the CLI', function () {
  this.timeout(120_000);
  let dir: string;
  let warehouse: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-blueprints-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    warehouse = path.join(dir, 'warehouse.duckdb');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('plans one model per blueprint, in the graph with the models reading them', () => {
    const plan = runCliJson(['plan', '--strict'], dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(plan.json.held_back ?? [], []);
    assert.deepEqual([...plan.json.build].sort(), [
      'apac_sales.orders', 'eu_sales.coupons', 'eu_sales.daily_totals', 'eu_sales.orders', 'marts.all_regions', 'raw.orders',
      'us_sales.coupons', 'us_sales.daily_totals', 'us_sales.orders',
    ]);
    // The project's unit test of a blueprint model ran before the plan.
    assert.deepEqual(plan.json.tests, { passed: 1, failed: 0, errors: 0 });
    const models = runCliJson(['models'], dir);
    assert.equal(models.code, 0, models.stderr);
    const byName = Object.fromEntries(models.json.models.map((m: any) => [m.name, m]));
    assert.equal(byName['us_sales.orders'].file, 'models/regions/orders.sql');
    assert.deepEqual(byName['us_sales.orders'].downstream, ['marts.all_regions', 'us_sales.coupons', 'us_sales.daily_totals']);
    assert.deepEqual(byName['apac_sales.orders'].downstream, ['marts.all_regions']);
    // A templated table name in the query reads the blueprint's own upstream model.
    assert.deepEqual(byName['eu_sales.daily_totals'].upstream, ['eu_sales.orders', 'raw.orders']);
  });

  it('applies them, each table built from its own blueprint variables', async () => {
    const apply = runCliJson(['apply'], dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.deepEqual(
      await query(warehouse, 'SELECT order_id, CAST(amount AS DOUBLE) AS amount, coupon, region_label, min_amount, currency FROM eu_sales.orders ORDER BY order_id'),
      [
        { order_id: 1, amount: 12.5, coupon: 'WINTER', region_label: 'Europe', min_amount: 10, currency: 'EUR' },
        { order_id: 6, amount: 48.2, coupon: null, region_label: 'Europe', min_amount: 10, currency: 'EUR' },
      ],
    );
    assert.deepEqual(await query(warehouse, 'SELECT order_id, region_label FROM us_sales.orders ORDER BY order_id'), [
      { order_id: 3, region_label: 'United States' },
      { order_id: 4, region_label: 'United States' },
    ]);
    assert.deepEqual(await query(warehouse, 'SELECT order_id FROM apac_sales.orders'), [{ order_id: 5 }]);
    assert.deepEqual(
      await query(warehouse, 'SELECT CAST(day AS VARCHAR) AS day, orders::INT AS orders, CAST(revenue AS DOUBLE) AS revenue FROM eu_sales.daily_totals ORDER BY day'),
      [
        { day: '2024-01-01', orders: 1, revenue: 12.5 },
        { day: '2024-01-03', orders: 1, revenue: 48.2 },
      ],
    );
    // Blueprints a macro of macros/*.ts returned.
    assert.deepEqual(await query(warehouse, 'SELECT coupon, uses::INT AS uses FROM eu_sales.coupons'), [{ coupon: 'WINTER', uses: 1 }]);
    assert.deepEqual(await query(warehouse, 'SELECT coupon, uses::INT AS uses FROM us_sales.coupons'), [{ coupon: 'FIRST', uses: 1 }]);
    // No blueprint for latam: its order is in no regional table.
    assert.deepEqual(await query(warehouse, 'SELECT count(*)::INT AS n FROM marts.all_regions'), [{ n: 5 }]);
  });

  it('renders a blueprint model with its variables, and traces lineage through it', () => {
    const render = runCli(['render', 'us_sales.orders'], dir);
    assert.equal(render.code, 0, render.stderr);
    assert.match(render.stdout, /'United States' AS region_label/);
    assert.match(render.stdout, /WHERE region = 'us' AND amount >= 5/);
    const lineage = runCliJson(['lineage', 'us_sales.daily_totals.revenue', '--deep'], dir);
    assert.equal(lineage.code, 0, lineage.stderr);
    assert.deepEqual(lineage.json.models['us_sales.daily_totals'].columns.revenue.sources, ['raw.orders.amount']);
  });

  it('rebuilds only the model whose blueprint changed', async () => {
    const file = path.join(dir, 'models', 'regions', 'orders.sql');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('(region := us, min_amount := 5,', '(region := us, min_amount := 10,'));
    const plan = runCliJson(['plan'], dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual([...plan.json.build].sort(), ['marts.all_regions', 'us_sales.coupons', 'us_sales.daily_totals', 'us_sales.orders']);
    const apply = runCliJson(['apply'], dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.deepEqual(await query(warehouse, 'SELECT order_id, min_amount FROM us_sales.orders'), [{ order_id: 3, min_amount: 10 }]);
  });

  it('reports a blueprint without the name variable, and two blueprints making one name, at file:line:col', () => {
    fs.writeFileSync(
      path.join(dir, 'models', 'regions', 'refunds.sql'),
      [
        'MODEL (',
        '  name @{region}_sales.refunds,',
        '  blueprints (',
        '    (region := eu, reason := coupon),',
        '    (area := us, reason := coupon),',
        '    (region := eu, reason := coupon),',
        '    (region := apac)',
        '  )',
        ');',
        '',
        'SELECT order_id, @reason AS reason FROM raw.orders',
        '',
      ].join('\n'),
    );
    const plan = runCliJson(['plan'], dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stderr, /models\/regions\/refunds\.sql:2:8: the model name uses @region, which blueprint 2 \(line 5\) does not set/);
    assert.match(plan.stderr, /models\/regions\/refunds\.sql:4:5: model eu_sales\.refunds, made by blueprint 1 \(line 4\), is also defined in blueprint 3 \(line 6:5\)/);
    assert.match(plan.stderr, /models\/regions\/refunds\.sql:6:5: model eu_sales\.refunds, made by blueprint 3 \(line 6\), is also defined in blueprint 1 \(line 4:5\)/);
    assert.match(plan.stderr, /models\/regions\/refunds\.sql:11:18: macro variable @reason is not defined: blueprint 4 \(line 7\) does not set it/);
    const held = Object.fromEntries(plan.json.held_back.map((h: any) => [h.model, h]));
    assert.deepEqual(Object.keys(held).sort(), ['apac_sales.refunds', 'eu_sales.refunds']);
    assert.deepEqual([held['apac_sales.refunds'].line, held['apac_sales.refunds'].column], [11, 18]);
    // The rest of the project is unaffected.
    assert.deepEqual(plan.json.build, []);

    const strict = runCli(['plan', '--strict'], dir);
    assert.equal(strict.code, 1);
  });

  it('an error in the template holds back every model it makes, each keeping what prod shows', () => {
    const file = path.join(dir, 'models', 'regions', 'orders.sql');
    const original = fs.readFileSync(file, 'utf8');
    const held = (): Record<string, any> => {
      const plan = runCliJson(['plan', '--skip-tests'], dir);
      assert.equal(plan.code, 0, plan.stderr);
      assert.deepEqual([plan.json.removed, plan.json.build], [[], []]);
      return Object.fromEntries(plan.json.held_back.map((h: any) => [h.model, h]));
    };
    try {
      fs.writeFileSync(file, original.replace('FROM raw.orders', 'FROM raw.orders WHERE WHERE'));
      let found = held();
      for (const model of ['eu_sales.orders', 'us_sales.orders', 'apac_sales.orders']) {
        assert.match(found[model].reason, /^models\/regions\/orders\.sql:19:23: syntax error/, model);
        assert.equal(found[model].kept, true);
      }
      assert.equal(found['marts.all_regions'].kept, true);
      // A name the MODEL block no longer gives: the models prod has from the file are kept, none removed.
      fs.writeFileSync(file, original.replace('name @{region}_sales.orders,', 'name,'));
      found = held();
      for (const model of ['eu_sales.orders', 'us_sales.orders', 'apac_sales.orders']) assert.equal(found[model].kept, true, model);
    } finally {
      fs.writeFileSync(file, original);
    }
  });
});
