// `sluice plan`, `apply`, `run`, `janitor`, `test` and `diff` on temporary projects, through the built CLI.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { cliPath, makeProject, query, runCli, runCliJson, type TempProject } from '../helpers/project';

const ORDERS = `MODEL (name analytics.orders, kind FULL, grain id);
SELECT i AS id, i * 10 AS amount, DATE '2024-01-01' + (i % 31)::INT AS order_date FROM range(1, 101) AS t(i)
`;
const DAILY = `MODEL (name analytics.daily_revenue, kind FULL);
SELECT order_date, sum(amount) AS revenue FROM analytics.orders GROUP BY order_date
`;
const TEST_OK = `test_orders:
  model: analytics.daily_revenue
  inputs:
    analytics.orders:
      rows:
        - { id: 1, amount: 10, order_date: 2024-01-01 }
        - { id: 2, amount: 5, order_date: 2024-01-01 }
  outputs:
    query:
      rows:
        - { order_date: 2024-01-01, revenue: 15 }
`;

describe('sluice plan / apply / run / janitor / test / diff (end to end)', function () {
  this.timeout(120_000);
  let project: TempProject;
  before(() => (project = makeProject({ 'models/orders.sql': ORDERS, 'models/daily.sql': DAILY, 'tests/test_orders.yaml': TEST_OK })));
  after(() => project.cleanup());

  it('plan --json answers with one object in the documented shape, and writes nothing', () => {
    const run = runCliJson(['plan'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.environment, 'prod');
    assert.deepEqual(run.json.changes.map((c: any) => [c.model, c.change, c.category]), [
      ['analytics.orders', 'added', 'breaking'],
      ['analytics.daily_revenue', 'added', 'breaking'],
    ]);
    assert.deepEqual(Object.keys(run.json.changes[0]).slice(0, 6), ['model', 'change', 'category', 'diff', 'columns', 'impacted']);
    assert.deepEqual(run.json.backfill, []);
    assert.deepEqual(run.json.build, ['analytics.orders', 'analytics.daily_revenue']);
    assert.equal(require('node:fs').existsSync(project.warehouse), false);
  });

  it('apply builds prod; a non-breaking change planned for dev shows category, diff, columns and impact', async () => {
    const apply = runCliJson(['apply'], project.dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.deepEqual(apply.json.result.built, ['analytics.orders', 'analytics.daily_revenue']);
    project.write('models/orders.sql', ORDERS.replace('i * 10 AS amount', 'i * 10 AS amount, i % 7 AS discount'));
    const plan = runCliJson(['plan', 'dev'], project.dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(plan.json.environment, 'dev');
    const [orders, daily] = plan.json.changes;
    assert.deepEqual(
      { model: orders.model, change: orders.change, category: orders.category, columns: orders.columns, impacted: orders.impacted },
      { model: 'analytics.orders', change: 'directly_modified', category: 'non_breaking', columns: { added: ['discount'], removed: [], retyped: [] }, impacted: ['analytics.daily_revenue'] },
    );
    assert.match(orders.diff, /^\+SELECT i AS id, i \* 10 AS amount, i % 7 AS discount,/m);
    assert.deepEqual([daily.change, daily.category, daily.rebuild], ['indirectly_modified', 'non_breaking', false]);
    const text = runCli(['plan', 'dev'], project.dir);
    assert.match(text.stdout, /~ analytics\.orders {2}directly modified · non-breaking/);
    assert.match(text.stdout, /columns: \+discount/);
    assert.match(text.stdout, /Tables to build: analytics\.orders \(1 reused as they are\)/);
  });

  it('apply dev swaps dev views only; diff compares the environments', async () => {
    const apply = runCliJson(['apply', 'dev'], project.dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.deepEqual(apply.json.result.built, ['analytics.orders']);
    const views = await query<{ name: string }>(project.warehouse, "SELECT schema_name || '.' || view_name AS name FROM duckdb_views() WHERE NOT internal AND NOT starts_with(schema_name, 'sluice__') ORDER BY 1");
    assert.deepEqual(views.map((v) => v.name), ['analytics.daily_revenue', 'analytics.orders', 'analytics__dev.daily_revenue', 'analytics__dev.orders']);
    const diff = runCliJson(['diff', 'prod:dev', 'analytics.orders'], project.dir);
    assert.equal(diff.code, 0, diff.stderr);
    assert.deepEqual(diff.json.schema.added, [{ column: 'discount', type: 'BIGINT' }]);
    assert.deepEqual([diff.json.left.rows, diff.json.right.rows, diff.json.onlyLeft.count, diff.json.onlyRight.count], [100, 100, 0, 0]);
    assert.deepEqual(diff.json.grain.columns, ['id']);
    assert.deepEqual(diff.json.grain.columnsCompared.map((c: any) => [c.column, c.matchRate]), [['amount', 1], ['order_date', 1]]);
    const text = runCli(['diff', 'prod:dev', 'analytics.orders'], project.dir);
    assert.match(text.stdout, /\+ discount BIGINT/);
    assert.equal(runCli(['diff', 'prod', 'analytics.orders'], project.dir).code, 2);
  });

  it('a second apply while one runs fails fast with a clear message', async () => {
    project.write('models/slow.sql', `MODEL (name analytics.slow, kind FULL);\nSELECT sum(hash(i)) AS h FROM range(0, 300000000) AS t(i)\n`);
    const first = spawn(process.execPath, [cliPath, 'apply', 'dev'], { cwd: project.dir, env: { ...process.env, SLUICE_DEBUG: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => first.stderr!.on('data', (d) => { if (String(d).includes('build analytics.slow')) resolve(); }));
    // No waiting for the lock: the first apply must still be building when the second gives up.
    const second = runCli(['apply', 'dev'], project.dir, { SLUICE_LOCK_WAIT_MS: '0' });
    // It failed while the first was still building: it did not wait for it to finish.
    assert.equal(first.exitCode, null, 'the first apply had already finished');
    assert.equal(second.code, 1);
    assert.match(second.stderr, /another apply, run or ingest holds the warehouse .*warehouse\.duckdb( \(pid \d+\))?; waited 0 s: wait for it to finish, then retry/);
    assert.equal(await exited, 0);
    require('node:fs').rmSync(require('node:path').join(project.dir, 'models/slow.sql'));
  });

  it('apply --rollback, run and janitor answer in JSON; usage errors exit 2', async () => {
    const rollback = runCliJson(['apply', 'dev', '--rollback'], project.dir);
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.equal(rollback.json.rolled_back, true);
    const views = await query<{ name: string }>(project.warehouse, "SELECT view_name AS name FROM duckdb_views() WHERE schema_name = 'analytics__dev' ORDER BY 1");
    assert.deepEqual(views.map((v) => v.name), ['daily_revenue', 'orders']);
    const run = runCliJson(['run', 'dev'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.json.processed, []);
    const janitor = runCliJson(['janitor', '--dry-run'], project.dir);
    assert.equal(janitor.code, 0, janitor.stderr);
    assert.equal(janitor.json.dry_run, true);
    assert.equal(runCli(['apply', 'Not An Env'], project.dir).code, 2);
    assert.equal(runCli(['plan', '--restate', 'analytics.orders'], project.dir).code, 2);
    const missing = runCli(['run', 'nowhere'], project.dir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /environment nowhere does not exist/);
  });

  it('plan --strict refuses a project with errors, still with one JSON object; without it the model is left out', () => {
    project.write('models/bad.sql', 'MODEL (name analytics.bad, kind FULL);\nSELECT FROM WHERE\n');
    try {
      const run = runCliJson(['plan', 'dev', '--strict'], project.dir);
      assert.equal(run.code, 1);
      assert.match(run.json.error, /1 error in the project's models/);
      assert.match(run.stderr, /models\/bad\.sql:2:\d+: /);
      const lenient = runCliJson(['plan', 'dev'], project.dir);
      assert.equal(lenient.code, 0, lenient.stderr);
      assert.deepEqual(lenient.json.held_back.map((h: any) => [h.model, h.file, h.line, h.kept]), [['analytics.bad', 'models/bad.sql', 2, false]]);
      assert.ok(!lenient.json.changes.some((c: any) => c.model === 'analytics.bad'));
    } finally {
      require('node:fs').rmSync(require('node:path').join(project.dir, 'models/bad.sql'));
    }
  });

  it('sluice test passes, and fails with exit 1 and a row diff', () => {
    const ok = runCli(['test'], project.dir);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /PASS test_orders/);
    assert.match(ok.stdout, /1 passed, 0 failed, 0 errors/);
    project.write('tests/test_orders.yaml', TEST_OK.replace('revenue: 15', 'revenue: 16'));
    const failed = runCli(['test'], project.dir);
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /FAIL test_orders/);
    assert.match(failed.stdout, /16/);
    assert.match(failed.stdout, /15/);
    assert.match(failed.stderr, /1 of 1 tests did not pass/);
    const json = runCliJson(['test'], project.dir);
    assert.equal(json.json.failed, 1);
    assert.equal(json.json.tests[0].status, 'failed');
  });
});
