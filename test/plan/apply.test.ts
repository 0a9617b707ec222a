// Applying plans to a real warehouse file and reading the DuckDB catalog after each step: which views each
// environment has, which physical table each view reads, which physical tables exist.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { applyPlan, rollbackEnvironment } from '../../core/plan/apply';
import { runJanitor } from '../../core/plan/janitor';
import { acquireLock } from '../../core/plan/lock';
import { openWarehouse } from '../../core/plan/session';
import { readEnvironments } from '../../core/plan/state';
import type { Warehouse } from '../../core/warehouse/connection';
import {
  applyEnv, baseModels, environmentViews, makeProject, physicalObjects, planFor, rows, viewTargets, type TempProject,
} from './helpers';

async function withWh<T>(project: TempProject, fn: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await openWarehouse(project.warehouse);
  try {
    return await fn(wh);
  } finally {
    wh.close();
  }
}

const envViews = async (project: TempProject, env: string) => {
  const suffix = env === 'prod' ? '' : `__${env}`;
  const views = await environmentViews(project.warehouse);
  return Object.fromEntries(
    Object.entries(views)
      .filter(([name]) => (suffix ? name.split('.')[0].endsWith(suffix) : !name.split('.')[0].includes('__')))
      .map(([name, target]) => [name.replace(suffix + '.', '.'), target]),
  );
};
const revenue = (project: TempProject, schema: string) => rows<{ region: string; revenue: number }>(project.warehouse, `SELECT region, revenue::DOUBLE AS revenue FROM ${schema}.revenue ORDER BY region`);

describe('apply: environments in the warehouse', function () {
  this.timeout(60_000);

  describe('promotion, reuse, rollback and janitor', () => {
    let project: TempProject;
    let prodViews: Record<string, string>;
    let breakingDev: Record<string, string>;
    before(() => (project = makeProject(baseModels)));
    after(() => project.cleanup());

    it('applying prod builds every table and points prod views at them', async () => {
      const { result } = await applyEnv(project, 'prod');
      assert.deepEqual(result.built, ['raw.customers', 'staging.orders', 'staging.enriched', 'analytics.revenue']);
      prodViews = await envViews(project, 'prod');
      assert.deepEqual(Object.keys(prodViews), ['analytics.revenue', 'raw.customers', 'staging.enriched', 'staging.orders']);
      for (const [view, target] of Object.entries(prodViews)) assert.match(target, new RegExp(`^sluice__${view.replace('.', '\\.')}__[0-9a-f]{10}$`));
      // Tables for FULL and SEED models; the VIEW model is a view in its physical schema, reading the orders table.
      assert.deepEqual(await physicalObjects(project.warehouse), Object.values(prodViews).sort());
      assert.equal((await viewTargets(project.warehouse))[prodViews['staging.enriched']], prodViews['staging.orders']);
      assert.deepEqual(await revenue(project, 'analytics'), [{ region: 'north', revenue: 1400 }, { region: 'south', revenue: 700 }]);
    });

    it('a new dev environment over unchanged models builds nothing and reads prod\'s tables', async () => {
      const before = await physicalObjects(project.warehouse);
      const { result } = await applyEnv(project, 'dev');
      assert.deepEqual(result.built, []);
      assert.deepEqual(await envViews(project, 'dev'), prodViews);
      assert.deepEqual(await physicalObjects(project.warehouse), before);
    });

    it("a breaking change in dev rebuilds it and its children, which read dev's new parent; prod is untouched", async () => {
      project.write('models/orders.sql', baseModels['models/orders.sql'].replace('i * 10.0 AS amount', 'i * 20.0 AS amount'));
      const { result } = await applyEnv(project, 'dev');
      assert.deepEqual(result.built, ['staging.orders', 'staging.enriched', 'analytics.revenue']);
      const dev = await envViews(project, 'dev');
      assert.equal(dev['raw.customers'], prodViews['raw.customers']);
      for (const model of ['staging.orders', 'staging.enriched', 'analytics.revenue']) assert.notEqual(dev[model], prodViews[model]);
      assert.equal((await viewTargets(project.warehouse))[dev['staging.enriched']], dev['staging.orders']);
      assert.deepEqual(await revenue(project, 'analytics__dev'), [{ region: 'north', revenue: 2800 }, { region: 'south', revenue: 1400 }]);
      assert.deepEqual(await envViews(project, 'prod'), prodViews);
      breakingDev = dev;
      assert.deepEqual(await revenue(project, 'analytics'), [{ region: 'north', revenue: 1400 }, { region: 'south', revenue: 700 }]);
    });

    it('a non-breaking change keeps the FULL child on its table (no rebuild, no copy)', async () => {
      const devBefore = await envViews(project, 'dev');
      project.write('models/orders.sql', baseModels['models/orders.sql'].replace('i * 10.0 AS amount', 'i * 20.0 AS amount, i % 2 = 0 AS even'));
      const { plan, result } = await applyEnv(project, 'dev');
      assert.deepEqual(plan.changes.map((c) => [c.model, c.category, c.rebuild]), [
        ['staging.orders', 'non_breaking', true],
        ['staging.enriched', 'non_breaking', true],
        ['analytics.revenue', 'non_breaking', false],
      ]);
      assert.deepEqual(result.built, ['staging.orders', 'staging.enriched']);
      const dev = await envViews(project, 'dev');
      assert.equal(dev['analytics.revenue'], devBefore['analytics.revenue']);
      assert.deepEqual((await rows(project.warehouse, 'SELECT count(*) FILTER (WHERE even)::INT AS n FROM staging__dev.orders'))[0], { n: 10 });
    });

    it('promotion is a view swap: prod reads the dev tables and nothing is computed', async () => {
      const dev = await envViews(project, 'dev');
      const objects = await physicalObjects(project.warehouse);
      const { plan, result } = await applyEnv(project, 'prod');
      assert.equal(plan.changes.length, 3);
      assert.deepEqual(result.built, []);
      assert.equal(result.swapped, true);
      assert.deepEqual(await envViews(project, 'prod'), dev);
      assert.deepEqual(await physicalObjects(project.warehouse), objects);
      assert.deepEqual(await revenue(project, 'analytics'), [{ region: 'north', revenue: 2800 }, { region: 'south', revenue: 1400 }]);
    });

    it('rollback swaps prod back to its previous tables, again without computing', async () => {
      const objects = await physicalObjects(project.warehouse);
      await withWh(project, (wh) => rollbackEnvironment(wh, 'prod'));
      assert.deepEqual(await envViews(project, 'prod'), prodViews);
      assert.deepEqual(await physicalObjects(project.warehouse), objects);
      assert.deepEqual(await revenue(project, 'analytics'), [{ region: 'north', revenue: 1400 }, { region: 'south', revenue: 700 }]);
    });

    it('the janitor drops exactly the tables no environment references, now or as rollback target', async () => {
      // dev moves on once more: its first breaking versions of orders and enriched are now referenced by nothing
      // (dev's rollback target is the non-breaking version, prod's is the promoted one).
      project.write('models/orders.sql', baseModels['models/orders.sql'].replace('i * 10.0 AS amount', 'i * 50.0 AS amount, i % 2 = 0 AS even'));
      await applyEnv(project, 'dev');
      const before = await physicalObjects(project.warehouse);
      const dry = await withWh(project, (wh) => runJanitor(wh, { dryRun: true }));
      assert.deepEqual(await physicalObjects(project.warehouse), before);
      const result = await withWh(project, (wh) => runJanitor(wh));
      assert.deepEqual(result.dropped, [breakingDev['staging.enriched'], breakingDev['staging.orders']]);
      assert.deepEqual(dry.dropped, result.dropped);
      assert.deepEqual(await physicalObjects(project.warehouse), before.filter((t) => !result.dropped.includes(t)));
      const snapshots = await rows<{ n: number }>(project.warehouse, `SELECT count(*)::INT AS n FROM _sluice.snapshots WHERE version LIKE '${breakingDev['staging.orders'].slice(-10)}%'`);
      assert.deepEqual(snapshots, [{ n: 0 }]);
      // Rolling dev back still works: its previous tables were kept.
      await withWh(project, (wh) => rollbackEnvironment(wh, 'dev'));
      assert.equal((await withWh(project, (wh) => runJanitor(wh))).dropped.length, 0);
    });

    it('removing a model drops its view in that environment only', async () => {
      fs.rmSync(path.join(project.dir, 'models/revenue.sql'));
      const { plan } = await applyEnv(project, 'dev');
      assert.deepEqual(plan.changes.filter((c) => c.change === 'removed').map((c) => c.model), ['analytics.revenue']);
      assert.equal((await envViews(project, 'dev'))['analytics.revenue'], undefined);
      assert.ok((await envViews(project, 'prod'))['analytics.revenue']);
    });
  });

  describe('failures leave the environment as it was', () => {
    let project: TempProject;
    beforeEach(async () => {
      project = makeProject(baseModels);
      await applyEnv(project, 'prod');
    });
    afterEach(() => project.cleanup());

    const snapshot = async () => ({ views: await environmentViews(project.warehouse), envs: await rows(project.warehouse, 'SELECT name, CAST(snapshots AS VARCHAR) AS s FROM _sluice.environments ORDER BY name') });

    it('a failing build mid-apply changes no view; what was built is reused by the next attempt', async () => {
      const before = await snapshot();
      project.write('models/orders.sql', baseModels['models/orders.sql'].replace('i * 10.0', 'i * 30.0'));
      project.write('models/revenue.sql', baseModels['models/revenue.sql'].replace('count(*) AS orders', "count(*) AS orders, max(error('boom')) AS broken"));
      await assert.rejects(applyEnv(project, 'prod'), /building analytics\.revenue failed: .*boom/);
      assert.deepEqual(await snapshot(), before);
      project.write('models/revenue.sql', baseModels['models/revenue.sql']);
      const { result } = await applyEnv(project, 'prod');
      assert.deepEqual(result.built, ['analytics.revenue']);
      assert.deepEqual(result.reused.sort(), ['raw.customers', 'staging.enriched', 'staging.orders']);
    });

    it('a failing blocking audit changes no view and keeps no table; results are recorded', async () => {
      const before = await snapshot();
      const objects = await physicalObjects(project.warehouse);
      // A data change (a new table) together with an audit its data fails.
      project.write('models/orders.sql', baseModels['models/orders.sql'].replace('i * 10.0', 'i * 12.0')
        .replace('kind FULL', 'kind FULL, audits (accepted_values(column := customer_id, is_in := (1, 2)))'));
      await assert.rejects(applyEnv(project, 'prod'), /blocking audit failed on staging\.orders: accepted_values\(column := customer_id, is_in := \(1, 2\)\): 7 rows/);
      assert.deepEqual(await snapshot(), before);
      assert.deepEqual(await physicalObjects(project.warehouse), objects);
      const recorded = await rows(project.warehouse, 'SELECT model, passed, violations::INT AS violations FROM _sluice.audit_results');
      assert.deepEqual(recorded, [{ model: 'staging.orders', passed: false, violations: 7 }]);
    });

    it('non-blocking audits and SQL audits from audits/ warn or block as declared', async () => {
      project.write('audits/positive.sql', 'AUDIT (name big_amounts, blocking false);\nSELECT * FROM @this_model WHERE amount > @limit;\n');
      project.write('models/orders.sql', baseModels['models/orders.sql']
        .replace('kind FULL', 'kind FULL, audits (not_null_non_blocking(columns := [id]), big_amounts(limit := 150), number_of_rows(threshold := 5))'));
      const warnings: string[] = [];
      // Audits are metadata: the existing table is kept and audited as it is; the views do not move.
      const viewsBefore = await environmentViews(project.warehouse);
      const { plan, result } = await applyEnv(project, 'prod', { warn: (m) => warnings.push(m) });
      assert.deepEqual(await environmentViews(project.warehouse), viewsBefore);
      assert.deepEqual(plan.changes.map((c) => [c.model, c.change]), [['staging.orders', 'metadata']]);
      assert.deepEqual(result.built, []);
      assert.deepEqual(warnings, ['audit big_amounts(limit := 150) on staging.orders: 5 rows failed (non-blocking)']);
      assert.deepEqual(result.audits, { run: 3, passed: 2, failed: 1 });
      project.write('models/orders.sql', baseModels['models/orders.sql'].replace('kind FULL', 'kind FULL, audits (big_amounts(limit := 150, blocking := true))'));
      const before = await snapshot();
      await assert.rejects(applyEnv(project, 'prod'), /blocking audit failed on staging\.orders: big_amounts\(limit := 150, blocking := true\): 5 rows/);
      assert.deepEqual(await snapshot(), before);
    });

    it('a plan made before the environment changed is refused', async () => {
      project.write('models/orders.sql', baseModels['models/orders.sql'].replace('i * 10.0', 'i * 40.0'));
      const stale = await planFor(project, 'prod');
      await applyEnv(project, 'prod');
      project.write('models/orders.sql', baseModels['models/orders.sql']);
      await assert.rejects(withWh(project, (wh) => applyPlan(wh, stale)), /environment prod changed since this plan was made/);
    });
  });

  describe('locks', () => {
    let project: TempProject;
    before(() => (project = makeProject(baseModels)));
    after(() => project.cleanup());

    it('a second apply in the same process fails fast', async () => {
      await withWh(project, async (wh) => {
        const lock = await acquireLock(wh, 'apply', 'prod');
        try {
          await assert.rejects(acquireLock(wh, 'apply', 'dev'), /another apply is already running on .* in this process/);
        } finally {
          await lock.release();
        }
      });
    });

    it("a live process's lock refuses; a dead process's lock is taken over", async () => {
      await withWh(project, async (wh) => {
        await wh.run(`INSERT INTO _sluice.apply_lock VALUES ('x', $1, 'apply', 'dev', now())`, [process.ppid]);
        await assert.rejects(acquireLock(wh, 'apply', 'prod'), new RegExp(`another apply of dev \\(pid ${process.ppid}, started .*\\) holds the warehouse`));
        await wh.run(`UPDATE _sluice.apply_lock SET pid = 2147483000`);
        const lock = await acquireLock(wh, 'apply', 'prod');
        assert.equal(lock.recoveredFrom?.pid, 2147483000);
        await lock.release();
        assert.deepEqual(await wh.json('SELECT * FROM _sluice.apply_lock'), []);
      });
    });

    it('refuses state written by a newer format', async () => {
      await withWh(project, (wh) => wh.run(`UPDATE _sluice.plan_meta SET value = '99' WHERE key = 'format_version'`));
      await assert.rejects(planFor(project, 'prod'), /plan state has format 99, newer than this Sluice understands/);
    });
  });
});
