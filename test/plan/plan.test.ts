// Pure plans: which models a change adds, removes, modifies directly or indirectly, their categories, which
// tables are rebuilt or reused, and what incremental models must backfill. No warehouse involved.
import { strict as assert } from 'node:assert';
import { computePlan } from '../../core/plan/plan';
import type { ModelProject } from '../../core/dag/project';
import type { Plan, PlanOptions, PlanState } from '../../core/plan/types';
import { afterApply, emptyState, memoryProject } from './helpers';

const ORDERS = `MODEL (name staging.orders, kind FULL);
SELECT i AS id, i % 3 AS customer_id, CAST(i * 10 AS INTEGER) AS amount FROM range(1, 10) AS t(i) WHERE i > 0
`;
const ENRICHED = `MODEL (name staging.enriched, kind VIEW);
SELECT id, amount, amount > 20 AS big FROM staging.orders
`;
const REVENUE = `MODEL (name analytics.revenue, kind FULL);
SELECT big, sum(amount) AS revenue FROM staging.enriched GROUP BY big
`;
const STAR = `MODEL (name analytics.copy, kind FULL);
SELECT * FROM staging.orders
`;
const base = { 'models/orders.sql': ORDERS, 'models/enriched.sql': ENRICHED, 'models/revenue.sql': REVENUE };

async function plan(files: Record<string, string>, state: PlanState, env: string, now = Date.parse('2024-01-10T00:00:00Z'), restate?: PlanOptions['restate']): Promise<Plan> {
  return computePlan(state, await memoryProject(files), env, { now, restate });
}

const byModel = (p: Plan) => new Map(p.changes.map((c) => [c.model, c]));
const versions = (p: Plan) => Object.fromEntries(p.models.map((m) => [m.record.name, m.record.version]));
const builds = (p: Plan) => p.models.filter((m) => m.action === 'build').map((m) => m.record.name);

describe('plan: computing plans', () => {
  let prod: PlanState;
  let prodPlan: Plan;
  before(async () => {
    prodPlan = await plan(base, emptyState(), 'prod');
    prod = afterApply(emptyState(), prodPlan);
  });

  it('adds every model to an empty warehouse and builds them all', () => {
    assert.equal(prodPlan.base, null);
    assert.deepEqual(prodPlan.changes.map((c) => [c.model, c.change, c.category]), [
      ['staging.orders', 'added', 'breaking'],
      ['staging.enriched', 'added', 'breaking'],
      ['analytics.revenue', 'added', 'breaking'],
    ]);
    assert.deepEqual(builds(prodPlan), ['staging.orders', 'staging.enriched', 'analytics.revenue']);
    assert.deepEqual(prodPlan.changes[0].columns.added, ['id', 'customer_id', 'amount']);
    assert.match(prodPlan.changes[0].diff, /^--- a\/models\/orders\.sql\n\+\+\+ b\/models\/orders\.sql\n@@ -0,0 \+1,2 @@\n\+MODEL/);
  });

  it('is empty when nothing changed, and a new environment over unchanged models builds nothing', async () => {
    const again = await plan(base, prod, 'prod');
    assert.equal(again.empty, true);
    assert.deepEqual(again.changes, []);
    const dev = await plan(base, prod, 'dev');
    assert.equal(dev.base, 'prod');
    assert.equal(dev.empty, false);
    assert.deepEqual(dev.changes, []);
    assert.deepEqual(builds(dev), []);
    assert.deepEqual(versions(dev), versions(prodPlan));
  });

  it('formatting and comments are no change at all', async () => {
    const reformatted = { ...base, 'models/orders.sql': ORDERS.replace('SELECT i AS id,', '-- ids\nselect\n  I as id, /* the key */') };
    assert.equal((await plan(reformatted, prod, 'prod')).empty, true);
  });

  it('adding a column is non-breaking: its table is rebuilt, a FULL child reuses its table, a VIEW child is recreated', async () => {
    const files = { ...base, 'models/orders.sql': ORDERS.replace('AS amount', 'AS amount, i % 2 = 0 AS even') };
    const dev = await plan(files, prod, 'dev');
    const changes = byModel(dev);
    const orders = changes.get('staging.orders')!;
    assert.deepEqual([orders.change, orders.category, orders.rebuild], ['directly_modified', 'non_breaking', true]);
    assert.deepEqual(orders.columns, { added: ['even'], removed: [], retyped: [] });
    assert.deepEqual(orders.impacted, ['analytics.revenue', 'staging.enriched']);
    assert.match(orders.diff, /^-SELECT i AS id, i % 3 AS customer_id, CAST\(i \* 10 AS INTEGER\) AS amount FROM/m);
    assert.match(orders.diff, /^\+SELECT .* AS amount, i % 2 = 0 AS even FROM/m);
    assert.deepEqual([changes.get('staging.enriched')!.change, changes.get('staging.enriched')!.category, changes.get('staging.enriched')!.rebuild], ['indirectly_modified', 'non_breaking', true]);
    const revenue = changes.get('analytics.revenue')!;
    assert.deepEqual([revenue.change, revenue.category, revenue.rebuild, revenue.diff], ['indirectly_modified', 'non_breaking', false, '']);
    assert.equal(versions(dev)['analytics.revenue'], versions(prodPlan)['analytics.revenue']);
    assert.notEqual(versions(dev)['staging.orders'], versions(prodPlan)['staging.orders']);
    assert.deepEqual(builds(dev), ['staging.orders', 'staging.enriched']);
  });

  it('a VIEW below a reused table is reused too: its parent did not move', async () => {
    const report = `MODEL (name analytics.report, kind VIEW);\nSELECT big, revenue FROM analytics.revenue\n`;
    const withView = afterApply(prod, await plan({ ...base, 'models/report.sql': report }, prod, 'prod'));
    const dev = await plan({ ...base, 'models/report.sql': report, 'models/orders.sql': ORDERS.replace('AS amount', 'AS amount, 0 AS zero') }, withView, 'dev');
    assert.deepEqual(dev.changes.map((c) => [c.model, c.category, c.rebuild]), [
      ['staging.orders', 'non_breaking', true],
      ['staging.enriched', 'non_breaking', true],
      ['analytics.revenue', 'non_breaking', false],
      ['analytics.report', 'non_breaking', false],
    ]);
  });

  it('changing a filter is breaking: everything downstream gets a new table', async () => {
    const dev = await plan({ ...base, 'models/orders.sql': ORDERS.replace('i > 0', 'i > 1') }, prod, 'dev');
    assert.deepEqual(dev.changes.map((c) => [c.model, c.change, c.category]), [
      ['staging.orders', 'directly_modified', 'breaking'],
      ['staging.enriched', 'indirectly_modified', 'breaking'],
      ['analytics.revenue', 'indirectly_modified', 'breaking'],
    ]);
    assert.deepEqual(builds(dev), ['staging.orders', 'staging.enriched', 'analytics.revenue']);
  });

  it('removing a column is breaking and reports the downstream columns it fed', async () => {
    const dev = await plan({ ...base, 'models/enriched.sql': ENRICHED.replace(', amount > 20 AS big', '') }, prod, 'dev');
    const enriched = byModel(dev).get('staging.enriched')!;
    assert.deepEqual([enriched.category, enriched.columns.removed], ['breaking', ['big']]);
    assert.deepEqual(enriched.column_impact, [{ column: 'big', change: 'removed', downstream: ['analytics.revenue.big', 'analytics.revenue.revenue'] }]);
  });

  it('reports retyped columns with their types and what they reach', async () => {
    const dev = await plan({ ...base, 'models/orders.sql': ORDERS.replace('AS INTEGER)', 'AS DOUBLE)') }, prod, 'dev');
    const orders = byModel(dev).get('staging.orders')!;
    assert.deepEqual(orders.columns.retyped, ['amount']);
    const impact = orders.column_impact.find((i) => i.column === 'amount')!;
    assert.deepEqual([impact.from, impact.to], ['INTEGER', 'DOUBLE']);
    assert.deepEqual(impact.downstream, ['analytics.revenue.big', 'analytics.revenue.revenue', 'staging.enriched.amount', 'staging.enriched.big']);
  });

  it('names the columns a breaking select-list change is about, with their types', async () => {
    const reason = async (files: Record<string, string>, model: string) => byModel(await plan({ ...base, ...files }, prod, 'dev')).get(model)!.reason;
    assert.equal(await reason({ 'models/orders.sql': ORDERS.replace('AS INTEGER)', 'AS DOUBLE)') }, 'staging.orders'), 'column amount changed: INTEGER → DOUBLE');
    // Same type, other values: the column is named without types.
    assert.equal(await reason({ 'models/orders.sql': ORDERS.replace('i % 3 AS customer_id', 'i % 4 AS customer_id') }, 'staging.orders'), 'column customer_id changed');
    assert.equal(
      await reason({ 'models/orders.sql': ORDERS.replace('i AS id, i % 3', 'i + 1 AS id, i % 4').replace('AS INTEGER)', 'AS BIGINT)') }, 'staging.orders'),
      'columns id, customer_id, amount (INTEGER → BIGINT) changed',
    );
    assert.equal(await reason({ 'models/enriched.sql': ENRICHED.replace(', amount > 20 AS big', '') }, 'staging.enriched'), 'column big was removed');
    assert.equal(await reason({ 'models/enriched.sql': ENRICHED.replace('id, amount, ', '') }, 'staging.enriched'), 'columns id, amount were removed');
    assert.equal(await reason({ 'models/enriched.sql': ENRICHED.replace('AS big', 'AS large') }, 'staging.enriched'), 'column big was replaced by large');
    assert.equal(await reason({ 'models/enriched.sql': ENRICHED.replace('id, amount,', 'amount, id,') }, 'staging.enriched'), 'column id moved');
    assert.equal(
      await reason({ 'models/enriched.sql': ENRICHED.replace('id, amount, amount > 20 AS big', 'id, amount * 2 AS amount') }, 'staging.enriched'),
      'column big was removed; column amount changed',
    );
  });

  it('names the declared columns a change of the columns property removes or retypes', async () => {
    const declared = ORDERS.replace('kind FULL', 'kind FULL, columns (id INT, customer_id INT, amount INT)');
    const prodDeclared = afterApply(emptyState(), await plan({ ...base, 'models/orders.sql': declared }, emptyState(), 'prod'));
    const reasonOf = async (text: string) => byModel(await plan({ ...base, 'models/orders.sql': text }, prodDeclared, 'dev')).get('staging.orders')!.reason;
    assert.equal(await reasonOf(declared.replace('amount INT', 'amount BIGINT')), 'declared column amount retyped: INT → BIGINT');
    assert.equal(await reasonOf(declared.replace(', amount INT', '')), 'declared column amount was removed');
  });

  it('a metadata-only change keeps the table and touches nothing downstream', async () => {
    const dev = await plan({ ...base, 'models/orders.sql': ORDERS.replace('kind FULL', "kind FULL, owner ann, description 'orders'") }, prod, 'dev');
    assert.deepEqual(dev.changes.map((c) => [c.model, c.change, c.category, c.rebuild]), [['staging.orders', 'metadata', 'metadata', false]]);
    assert.deepEqual(builds(dev), []);
    assert.deepEqual(versions(dev), versions(prodPlan));
  });

  it('a removed model is listed with the models that read it', async () => {
    const files = { 'models/orders.sql': ORDERS, 'models/enriched.sql': ENRICHED };
    const dev = await plan(files, prod, 'dev');
    assert.deepEqual(dev.changes.map((c) => [c.model, c.change]), [['analytics.revenue', 'removed']]);
    assert.deepEqual(dev.removed, ['analytics.revenue']);
    const dropsEnriched = await plan({ 'models/orders.sql': ORDERS, 'models/revenue.sql': REVENUE }, prod, 'dev');
    assert.deepEqual(byModel(dropsEnriched).get('staging.enriched')!.impacted, ['analytics.revenue']);
  });

  it('a model with an error and its downstream are left out, keeping the versions prod shows; the rest plans', async () => {
    const errorsOf = (p: ModelProject) => p.diagnostics().filter((d) => d.severity === 'error');
    const broken = { ...base, 'models/enriched.sql': ENRICHED.replace('amount > 20', 'amount >'), 'models/orders.sql': ORDERS.replace('i > 0', 'i > 2') };
    const project = await memoryProject(broken);
    const dev = computePlan(prod, project, 'dev', { now: Date.parse('2024-01-10T00:00:00Z'), errors: errorsOf(project) });
    assert.deepEqual(dev.heldBack.map((h) => [h.model, h.upstream ?? h.file, h.kept]), [
      ['staging.enriched', 'models/enriched.sql', true],
      ['analytics.revenue', 'staging.enriched', true],
    ]);
    assert.match(dev.heldBack[0].reason, /^models\/enriched\.sql:2:\d+: /);
    assert.deepEqual(dev.changes.map((c) => [c.model, c.change]), [['staging.orders', 'directly_modified']]);
    assert.deepEqual(dev.removed, []);
    assert.deepEqual(builds(dev), ['staging.orders']);
    // The environment keeps the versions prod shows of the models left out.
    assert.deepEqual(versions(dev)['staging.enriched'], versions(prodPlan)['staging.enriched']);
    assert.deepEqual(versions(dev)['analytics.revenue'], versions(prodPlan)['analytics.revenue']);
    assert.deepEqual(dev.models.map((m) => m.record.name), ['staging.orders', 'staging.enriched', 'analytics.revenue']);

    // A MODEL block too broken to name its model still belongs to the model the environment has from that file.
    const nameless = { ...base, 'models/revenue.sql': REVENUE.replace('MODEL (name analytics.revenue,', 'MODEL (nam analytics.revenue') };
    const namelessProject = await memoryProject(nameless);
    const again = computePlan(prod, namelessProject, 'dev', { errors: errorsOf(namelessProject) });
    assert.deepEqual(again.heldBack.map((h) => [h.model, h.kept]), [['analytics.revenue', true]]);
    assert.deepEqual([again.removed, again.changes], [[], []]);
  });

  it('a SELECT * child picks up an added column: rebuilt, still non-breaking', async () => {
    const withStar = afterApply(prod, await plan({ ...base, 'models/copy.sql': STAR }, prod, 'prod'));
    const dev = await plan({ ...base, 'models/copy.sql': STAR, 'models/orders.sql': ORDERS.replace('AS amount', 'AS amount, 1 AS one') }, withStar, 'dev');
    const copy = byModel(dev).get('analytics.copy')!;
    assert.deepEqual([copy.change, copy.category, copy.rebuild, copy.columns.added], ['indirectly_modified', 'non_breaking', true, ['one']]);
    assert.equal(byModel(dev).get('analytics.revenue')!.rebuild, false);
  });

  it('promoting dev to prod and reverting a change reuse the tables already built', async () => {
    const files = { ...base, 'models/orders.sql': ORDERS.replace('i > 0', 'i > 2') };
    const devPlan = await plan(files, prod, 'dev');
    const withDev = afterApply(prod, devPlan);
    const promote = await plan(files, withDev, 'prod');
    assert.equal(promote.changes.length, 3);
    assert.deepEqual(builds(promote), []);
    assert.deepEqual(versions(promote), versions(devPlan));
    const promoted = afterApply(withDev, promote);
    const revert = await plan(base, promoted, 'prod');
    assert.deepEqual(builds(revert), []);
    assert.deepEqual(versions(revert), versions(prodPlan));
  });

  describe('incremental models', () => {
    const INC = `MODEL (name analytics.daily, kind INCREMENTAL_BY_TIME_RANGE (time_column d), start '2024-01-01');
SELECT CAST(@start_ds AS DATE) AS d, count(*) AS n FROM staging.orders
`;
    const files = { 'models/orders.sql': ORDERS, 'models/daily.sql': INC };

    it('backfills from start to now, then only what became due', async () => {
      const first = await plan(files, emptyState(), 'prod', Date.parse('2024-01-10T05:00:00Z'));
      assert.deepEqual(first.backfill, [{ model: 'analytics.daily', intervals: [['2024-01-01', '2024-01-09']] }]);
      const later = await plan(files, afterApply(emptyState(), first), 'prod', Date.parse('2024-01-12T05:00:00Z'));
      assert.deepEqual(later.backfill, [{ model: 'analytics.daily', intervals: [['2024-01-10', '2024-01-11']] }]);
      assert.deepEqual(builds(later), []);
    });

    it('a breaking change backfills everything into a new table; a restatement only the range, downstream too', async () => {
      const now = Date.parse('2024-01-10T05:00:00Z');
      const state = afterApply(emptyState(), await plan(files, emptyState(), 'prod', now));
      const changed = await plan({ ...files, 'models/daily.sql': INC.replace('count(*)', 'count(*) + 1') }, state, 'dev', now);
      assert.deepEqual(changed.backfill, [{ model: 'analytics.daily', intervals: [['2024-01-01', '2024-01-09']] }]);
      const restated = await plan(files, state, 'prod', now, { model: 'staging.orders', start: '2024-01-03', end: '2024-01-04' });
      assert.deepEqual(restated.backfill, [
        { model: 'staging.orders', intervals: [['2024-01-03', '2024-01-04']] },
        { model: 'analytics.daily', intervals: [['2024-01-03', '2024-01-04']] },
      ]);
      assert.equal(restated.models.find((m) => m.record.name === 'staging.orders')!.restate, true);
      await assert.rejects(plan(files, state, 'prod', now, { model: 'nope.nope', start: '2024-01-03', end: '2024-01-04' }), /cannot restate nope\.nope: there is no such model/);
    });
  });

  it('refuses bad environment names', async () => {
    await assert.rejects(plan(base, prod, 'Dev Env'), /environment name 'Dev Env' is not valid/);
    await assert.rejects(plan(base, prod, 'a__b'), /not valid/);
  });
});
