// What health takes from an analysed project: kinds, the models and resources each model reads, and each
// column's source fields; and which model a target names. On the demo project's models and schemas.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { ModelProject } from '../../core/dag/project';
import { healthModels } from '../../core/health/project';
import { targetModel } from '../../core/health/target';
import { closeSqlParser } from '../../core/sql/duckdbParser';
import { repoRoot } from '../helpers/project';

describe('health lineage of a project', function () {
  this.timeout(60_000);
  let project: ModelProject;
  before(async () => (project = await ModelProject.load(path.join(repoRoot, 'examples', 'demo'))));
  after(() => closeSqlParser());

  it('gives every model its kind, what it reads, and each column its source fields', () => {
    const models = healthModels(project);
    const byKey = new Map(models.map((m) => [m.key, m]));
    const order = models.map((m) => m.key);
    assert.ok(order.indexOf('staging.orders') < order.indexOf('intermediate.orders_enriched'), 'upstream first');
    assert.ok(order.indexOf('intermediate.orders_enriched') < order.indexOf('analytics.daily_revenue'));

    const staging = byKey.get('staging.orders')!;
    assert.deepEqual([staging.kind, staging.materialized, staging.expectsBuild, staging.parents, staging.reads], ['VIEW', false, true, [], ['shop.orders']]);
    const enriched = byKey.get('intermediate.orders_enriched')!;
    assert.deepEqual([enriched.materialized, enriched.parents.sort()], [true, ['seeds.order_statuses', 'staging.customers', 'staging.order_items', 'staging.orders']]);
    assert.deepEqual(byKey.get('seeds.order_statuses')!.columns.map((c) => c.origins.length), [0, 0, 0], 'a seed is where its data starts');

    const revenue = byKey.get('analytics.daily_revenue')!.columns.find((c) => c.name === 'revenue')!;
    const values = revenue.origins.filter((o) => o.role === 'value');
    assert.deepEqual(values, [{ column: 'shop.orders.total', source: 'shop', resource: 'orders', resourceKey: 'shop.orders', table: 'orders', field: 'total', role: 'value' }]);
    const filters = revenue.origins.filter((o) => o.role === 'filter').map((o) => o.column);
    assert.ok(filters.includes('shop.orders.status'), filters.join(', '));
    assert.equal(new Set(revenue.origins.map((o) => o.column)).size, revenue.origins.length, 'each field once');
  });

  it('traces only the model a target names when asked to', () => {
    const models = healthModels(project, new Set(['staging.orders']));
    const traced = models.filter((m) => m.columns.some((c) => c.origins.length > 0)).map((m) => m.key);
    assert.deepEqual(traced, ['staging.orders']);
    assert.ok(models.find((m) => m.key === 'analytics.daily_revenue')!.columns.length > 0, 'other models keep their columns');
    const isModel = (key: string) => project.model(key) !== undefined;
    assert.equal(targetModel('analytics.daily_revenue', isModel), 'analytics.daily_revenue');
    assert.equal(targetModel('Analytics.Daily_Revenue.revenue', isModel), 'analytics.daily_revenue');
    assert.equal(targetModel('shop.orders', isModel), undefined);
    assert.equal(targetModel('shop', isModel), undefined);
  });

  it('answers again, without recomputing, until the project changes, and then follows every change', async () => {
    const dir = path.join(repoRoot, 'no-such-project');
    const model = (name: string, sql: string) => `MODEL (name ${name}, kind FULL);\n${sql}\n`;
    const small = await ModelProject.fromTexts(dir, [
      { file: 'models/a.sql', text: model('m.a', 'SELECT 1 AS x') },
      { file: 'models/b.sql', text: model('m.b', 'SELECT 2 AS y') },
    ]);
    const first = healthModels(small);
    assert.equal(healthModels(small), first, 'the same answer while nothing changed');
    await small.update(path.join(dir, 'models/a.sql'), model('m.a', 'SELECT 1 AS x, 3 AS z'));
    const changed = healthModels(small);
    assert.notEqual(changed, first);
    assert.deepEqual(changed.find((m) => m.key === 'm.a')!.columns.map((c) => c.name), ['x', 'z']);
    // A model nothing reads, removed: no other model is analysed again, and it still leaves the answer.
    await small.remove(path.join(dir, 'models/b.sql'));
    assert.deepEqual(healthModels(small).map((m) => m.key), ['m.a']);
  });
});

