// Re-analysis after an edit: only the changed model and the models downstream of it (under its old and
// new name) are analysed again, and lineage reflects the change at once.

import { strict as assert } from 'node:assert';
import { ModelProject } from '../../core/dag/project';
import type { TempProject } from '../helpers/project';
import { chainModels, errorsOf, modelProject } from './helpers';

const others: Record<string, string> = {
  'models/other/a.sql': 'MODEL (name other.a);\nSELECT id, region FROM shop.customers\n',
  'models/other/b.sql': 'MODEL (name other.b);\nSELECT region, count(*) AS n FROM other.a GROUP BY region\n',
};

describe('incremental re-analysis', function () {
  this.timeout(20_000);
  let project: TempProject;
  let models: ModelProject;

  beforeEach(async () => {
    project = modelProject({ ...chainModels, ...others });
    models = await ModelProject.load(project.dir);
  });
  afterEach(() => project.cleanup());

  it('analyses every model once on load', () => {
    assert.equal(models.analysisCount, 5);
  });

  it('re-analyses only the edited model when nothing reads it', async () => {
    const result = await models.update('models/marts/daily_revenue.sql', chainModels['models/marts/daily_revenue.sql'].replace('count(*) AS orders', 'count(*) AS order_count'));
    assert.deepEqual(result.analysed, ['analytics.daily_revenue']);
    assert.equal(models.analysisCount, 6);
    assert.deepEqual(models.model('analytics.daily_revenue')?.columns.map((c) => c.name), ['order_date', 'revenue', 'order_count']);
  });

  it('re-analyses the edited model and its downstream in order, and * picks up the new column', async () => {
    const text = chainModels['models/staging/orders.sql'].replace('  status,\n', '  status,\n  upper(status) AS status_code,\n');
    const result = await models.update(`${project.dir}/models/staging/orders.sql`, text);
    assert.deepEqual(result.analysed, ['staging.orders', 'intermediate.orders_wide', 'analytics.daily_revenue']);
    assert.equal(models.analysisCount, 5 + 3);
    assert.ok(models.model('intermediate.orders_wide')!.columns.some((c) => c.name === 'status_code'));
    assert.deepEqual(models.columnLineage('intermediate.orders_wide', 'status_code', { deep: true })?.sources, ['shop.orders.status']);
    // The other branch was left alone.
    assert.ok(!result.analysed.some((k) => k.startsWith('other.')));
  });

  it('does nothing when the text is unchanged', async () => {
    const result = await models.update('models/other/a.sql', others['models/other/a.sql']);
    assert.deepEqual(result.analysed, []);
    assert.equal(models.analysisCount, 5);
  });

  it('renaming a model re-analyses what read the old name, which now reads an unknown table', async () => {
    const result = await models.update('models/other/a.sql', others['models/other/a.sql'].replace('other.a', 'other.a2'));
    assert.deepEqual(result.analysed, ['other.a2', 'other.b']);
    assert.deepEqual(errorsOf(models.diagnostics(), project.dir), [
      'models/other/b.sql:2:35: error: unknown table other.a: no model builds it and no external model or loaded source declares it (did you mean other.a2?); declare it in external_models.yaml if it exists in the warehouse',
    ]);
    // Naming it back fixes b again.
    const back = await models.update('models/other/a.sql', others['models/other/a.sql']);
    assert.deepEqual(back.analysed, ['other.a', 'other.b']);
    assert.deepEqual(errorsOf(models.diagnostics(), project.dir), []);
  });

  it('an edit that closes a cycle reports it, and undoing it clears it', async () => {
    await models.update('models/other/a.sql', 'MODEL (name other.a);\nSELECT id, region FROM shop.customers WHERE region IN (SELECT region FROM other.b)\n');
    assert.equal(errorsOf(models.diagnostics(), project.dir).filter((e) => /cycle: other\.(a|b) → other\.(a|b) → other\.(a|b)/.test(e)).length, 2);
    await models.update('models/other/a.sql', others['models/other/a.sql']);
    assert.deepEqual(errorsOf(models.diagnostics(), project.dir), []);
  });

  it('removing a file and adding a new one re-analyse their downstream', async () => {
    const removed = await models.remove('models/intermediate/orders_wide.sql');
    assert.deepEqual(removed.analysed, ['analytics.daily_revenue']);
    assert.equal(models.model('intermediate.orders_wide'), undefined);
    assert.equal(errorsOf(models.diagnostics(), project.dir).length, 1);
    const added = await models.update('models/wide_again.sql', 'MODEL (name intermediate.orders_wide);\nSELECT order_date, amount * 2 AS amount, status FROM staging.orders\n');
    assert.deepEqual(added.analysed, ['intermediate.orders_wide', 'analytics.daily_revenue']);
    assert.deepEqual(errorsOf(models.diagnostics(), project.dir), []);
    assert.deepEqual(models.columnLineage('analytics.daily_revenue', 'revenue', { deep: true })?.filters, ['shop.orders.created_at', 'shop.orders.status']);
  });

  it('serialises concurrent updates so the last text wins', async () => {
    const file = 'models/marts/daily_revenue.sql';
    const base = chainModels[file];
    await Promise.all([
      models.update(file, base.replace('AS revenue', 'AS r1')),
      models.update(file, base.replace('AS revenue', 'AS r2')),
      models.update(file, base.replace('AS revenue', 'AS r3')),
    ]);
    assert.deepEqual(models.model('analytics.daily_revenue')?.columns.map((c) => c.name), ['order_date', 'r3', 'orders']);
  });
});
