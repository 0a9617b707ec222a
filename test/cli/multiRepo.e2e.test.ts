// SQLMesh multi-repo projects through the built CLI (test/fixtures/sqlmesh-multi): `--paths repo_1 repo_2`
// reads two project folders as one, each folder's models with its own model_defaults, variables and
// macros, the second reading the first's models; one warehouse (the first folder's gateway) and one state;
// plan, apply, test, render, lineage, health, diff and ci all take --paths.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { query, repoRoot, runCli, runCliJson } from '../helpers/project';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'sqlmesh-multi');
const PATHS = ['--paths', 'repo_1', 'repo_2'];

describe('multi-repo projects (--paths), through the CLI', function () {
  this.timeout(120_000);
  let dir: string;
  let warehouse: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-multi-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    warehouse = path.join(dir, 'repo_1', 'warehouse.duckdb');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("plans both folders' models as one project, each with its folder's model_defaults", () => {
    const plan = runCliJson(['plan', '--strict', ...PATHS], dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(plan.json.held_back ?? [], []);
    assert.deepEqual([...plan.json.build].sort(), ['bronze.orders', 'bronze.paid_orders', 'gold.top_customers', 'silver.customer_totals']);
    const models = runCliJson(['models', ...PATHS], dir);
    assert.equal(models.code, 0, models.stderr);
    const byName = Object.fromEntries(models.json.models.map((m: any) => [m.name, m]));
    // repo_1 builds FULL by default, repo_2 VIEW; a kind written in the model wins.
    assert.equal(byName['bronze.paid_orders'].kind, 'FULL');
    assert.equal(byName['gold.top_customers'].kind, 'VIEW');
    assert.equal(byName['silver.customer_totals'].kind, 'FULL');
    assert.deepEqual(byName['silver.customer_totals'].upstream, ['bronze.paid_orders']);
    assert.equal(byName['silver.customer_totals'].file, '../repo_2/models/customer_totals.sql');
  });

  it("applies into the first folder's warehouse, each model with its folder's variables and the macros of both", async () => {
    const apply = runCliJson(['apply', ...PATHS], dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.equal(fs.existsSync(path.join(dir, 'repo_2', 'reports.duckdb')), false, "the second folder's gateway is not used");
    assert.deepEqual(await query(warehouse, 'SELECT DISTINCT currency FROM bronze.paid_orders'), [{ currency: 'EUR' }]);
    assert.deepEqual(
      await query(warehouse, 'SELECT customer_id, orders::INT AS orders, total_cents::INT AS total_cents, report_currency FROM silver.customer_totals ORDER BY customer_id'),
      [
        { customer_id: 10, orders: 2, total_cents: 1975, report_currency: 'USD' },
        { customer_id: 12, orders: 1, total_cents: null, report_currency: 'USD' },
      ],
    );
    assert.deepEqual(await query(warehouse, 'SELECT customer_id, total_cents::INT AS total_cents FROM gold.top_customers'), [{ customer_id: 10, total_cents: 1975 }]);
    // One state: planning again finds everything in place.
    const again = runCliJson(['plan', ...PATHS], dir);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.json.build, []);
  });

  it("runs the second folder's unit tests, renders and traces lineage across the folders", () => {
    const test = runCliJson(['test', ...PATHS], dir);
    assert.equal(test.code, 0, test.stderr);
    assert.deepEqual(test.json.tests.map((t: any) => [t.name, t.status]), [['test_customer_totals', 'passed']]);
    const render = runCli(['render', 'silver.customer_totals', ...PATHS], dir);
    assert.equal(render.code, 0, render.stderr);
    assert.match(render.stdout, /CAST\(round\(\(sum\(amount\)\) \* 100\) AS BIGINT\) AS total_cents/);
    assert.match(render.stdout, /'USD' AS report_currency/);
    const lineage = runCliJson(['lineage', 'gold.top_customers.total_cents', '--deep', ...PATHS], dir);
    assert.equal(lineage.code, 0, lineage.stderr);
    assert.deepEqual(lineage.json.models['gold.top_customers'].columns.total_cents.sources, ['bronze.orders.amount']);
  });

  it('health, diff and ci read both folders too', () => {
    const health = runCliJson(['health', '--env', 'prod', ...PATHS], dir);
    assert.equal(health.code, 0, health.stderr);
    const models = new Set(Object.keys(health.json.columns).map((column) => column.split('.').slice(0, 2).join('.')));
    assert.deepEqual([...models].sort(), ['bronze.orders', 'bronze.paid_orders', 'gold.top_customers', 'silver.customer_totals']);
    const dev = runCliJson(['apply', 'dev', ...PATHS], dir);
    assert.equal(dev.code, 0, dev.stderr);
    const diff = runCliJson(['diff', 'prod:dev', 'silver.customer_totals', ...PATHS], dir);
    assert.equal(diff.code, 0, diff.stderr);
    assert.equal(diff.json.right.relation, 'silver__dev.customer_totals');
    assert.equal(diff.json.left.rows, 2);
    // The second folder's unit test runs in the CI check.
    const ci = runCliJson(['ci', '--base', 'prod', ...PATHS], dir);
    assert.equal(ci.code, 0, ci.stderr);
    assert.deepEqual([ci.json.tests.passed, ci.json.tests.failed], [1, 0]);
  });

  it('reads one folder alone as before, and refuses a folder that is not a project', () => {
    // Alone, repo_2 does not know bronze.paid_orders: its models are left out, nothing else breaks.
    const alone = runCliJson(['plan'], path.join(dir, 'repo_2'));
    assert.equal(alone.code, 0, alone.stderr);
    assert.deepEqual(alone.json.held_back.map((h: any) => h.model).sort(), ['gold.top_customers', 'silver.customer_totals']);
    const bad = runCli(['plan', '--paths', 'repo_1', 'nowhere'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /nowhere is not a project folder/);
    const both = runCli(['plan', '--project', 'repo_1', '--paths', 'repo_1', 'repo_2'], dir);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--project and --paths cannot be used together/);
  });
});
