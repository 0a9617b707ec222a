// Column lineage across models: `*` expanded from upstream models, deep lineage down to source tables
// and the fields of source items, impact analysis downstream, and problems reported with positions.

import { strict as assert } from 'node:assert';
import { ModelProject } from '../../core/dag/project';
import type { TempProject } from '../helpers/project';
import { chainModels, describe as describeDiagnostics, errorsOf, modelProject } from './helpers';

describe('cross-model lineage', function () {
  this.timeout(20_000);
  let project: TempProject;
  let models: ModelProject;

  before(async () => {
    project = modelProject({
      ...chainModels,
      'external_models.yaml': '- name: raw.fx_rates\n  columns:\n    currency: VARCHAR\n    rate: DOUBLE\n',
      'models/marts/customer_value.sql': `MODEL (name analytics.customer_value);

SELECT
  w.customer_name,
  sum(w.amount * fx.rate) AS value_eur,
  upper(w.customer_name) AS shout
FROM intermediate.orders_wide AS w
CROSS JOIN raw.fx_rates AS fx
WHERE fx.currency = 'EUR'
GROUP BY ALL
`,
      'models/seeds/regions.sql': "MODEL (name seeds.regions, kind SEED (path 'regions.csv'));\n",
      'models/seeds/regions.csv': 'region,manager\nnorth,Ann\nsouth,Bo\n',
      'models/marts/by_manager.sql': `MODEL (name analytics.by_manager);
SELECT r.manager, count(*) AS orders
FROM intermediate.orders_wide AS w
JOIN seeds.regions AS r USING (region)
GROUP BY r.manager
`,
    });
    models = await ModelProject.load(project.dir);
    assert.deepEqual(errorsOf(models.diagnostics(), project.dir), []);
  });
  after(() => project.cleanup());

  it('expands * over an upstream model from that model\'s output columns, with types where known', () => {
    const wide = models.model('intermediate.orders_wide')!;
    assert.deepEqual(wide.columns, [
      { name: 'order_id', type: 'BIGINT' },
      { name: 'customer_id', type: 'BIGINT' },
      { name: 'status', type: 'VARCHAR' },
      { name: 'amount', type: 'DOUBLE' },
      { name: 'customer_name', type: 'VARCHAR' },
      { name: 'order_date', type: 'DATE' },
      { name: 'region', type: 'VARCHAR' },
    ]);
    assert.deepEqual(models.columnLineage('intermediate.orders_wide', 'customer_name'), {
      model: 'intermediate.orders_wide',
      column: 'customer_name',
      sources: ['staging.orders.customer_name'],
      filters: ['shop.customers.id', 'staging.orders.customer_id'],
    });
  });

  it('gives one-hop lineage by default: columns of the tables the model reads', () => {
    assert.deepEqual(models.columnLineage('analytics.daily_revenue', 'revenue'), {
      model: 'analytics.daily_revenue',
      column: 'revenue',
      sources: ['intermediate.orders_wide.amount'],
      filters: ['intermediate.orders_wide.order_date', 'intermediate.orders_wide.status'],
    });
    assert.deepEqual(models.columnLineage('analytics.daily_revenue', 'orders')?.sources, []);
  });

  it('follows three models down to the source table, and to the resource and field the column holds', () => {
    const deep = models.columnLineage('analytics.daily_revenue', 'revenue', { deep: true });
    assert.deepEqual(deep, {
      model: 'analytics.daily_revenue',
      column: 'revenue',
      sources: ['shop.orders.amount'],
      filters: ['shop.customers.id', 'shop.orders.created_at', 'shop.orders.customer_id', 'shop.orders.status'],
      origins: [{ column: 'shop.orders.amount', source: 'shop', resource: 'orders', table: 'orders', field: 'amount' }],
    });
    const name = models.columnLineage('analytics.customer_value', 'shout', { deep: true });
    assert.deepEqual(name?.sources, ['shop.orders.customer__name']);
    assert.deepEqual(name?.origins, [{ column: 'shop.orders.customer__name', source: 'shop', resource: 'orders', table: 'orders', field: 'customer.name' }]);
  });

  it('ends deep lineage at external models and seeds, which have no origin in a source', () => {
    const value = models.columnLineage('analytics.customer_value', 'value_eur', { deep: true })!;
    assert.deepEqual(value.sources, ['raw.fx_rates.rate', 'shop.orders.amount']);
    assert.ok(value.filters.includes('raw.fx_rates.currency'));
    assert.deepEqual(value.origins?.map((o) => o.column), ['shop.orders.amount']);
    const manager = models.columnLineage('analytics.by_manager', 'manager', { deep: true })!;
    assert.deepEqual(manager.sources, ['seeds.regions.manager']);
    assert.deepEqual(manager.filters, ['seeds.regions.region', 'shop.customers.id', 'shop.customers.region', 'shop.orders.customer_id']);
    assert.deepEqual(models.model('seeds.regions')?.columns, [{ name: 'region' }, { name: 'manager' }]);
  });

  it('builds the upstream tree with roles, kinds and origins', () => {
    const tree = models.lineage.tree('analytics.daily_revenue', 'revenue');
    const text = (n: typeof tree, depth = 0): string[] => [
      `${'  '.repeat(depth)}${n.role} ${n.column} ${n.kind}${n.origin ? ` ${n.origin.resource}:${n.origin.field}` : ''}`,
      ...n.children.filter((c) => c.role === 'source').flatMap((c) => text(c, depth + 1)),
    ];
    assert.deepEqual(text(tree), [
      'source analytics.daily_revenue.revenue model',
      '  source intermediate.orders_wide.amount model',
      '    source staging.orders.amount model',
      '      source shop.orders.amount source orders:amount',
    ]);
    assert.deepEqual(tree.children.filter((c) => c.role === 'filter').map((c) => c.column), [
      'intermediate.orders_wide.order_date',
      'intermediate.orders_wide.status',
    ]);
  });

  it('finds every model column depending on a source column, recursively, and how', () => {
    assert.deepEqual(models.downstream('shop.orders', 'customer__name'), [
      { column: 'analytics.customer_value.customer_name', via: 'source' },
      { column: 'analytics.customer_value.shout', via: 'source' },
      { column: 'analytics.customer_value.value_eur', via: 'filter' },
      { column: 'intermediate.orders_wide.customer_name', via: 'source' },
      { column: 'staging.orders.customer_name', via: 'source' },
    ]);
    const status = models.downstream('SHOP.Orders', 'STATUS');
    assert.ok(status.some((d) => d.column === 'analytics.daily_revenue.revenue' && d.via === 'filter'));
    assert.ok(status.some((d) => d.column === 'staging.orders.status' && d.via === 'source'));
    assert.deepEqual(models.downstream('analytics.daily_revenue', 'revenue'), []);
  });

  it('reports an unresolvable column at its position and still traces the other columns', async () => {
    const broken = await ModelProject.fromTexts(project.dir, [
      ...Object.entries(chainModels).map(([file, text]) => ({ file, text })),
      {
        file: 'models/bad.sql',
        text: 'MODEL (name a.bad);\nSELECT\n  nope,\n  w.amount,\n  region\nFROM intermediate.orders_wide AS w\nJOIN shop.customers AS c ON c.id = w.customer_id\n',
      },
    ], undefined);
    // Without inputs the source tables are unknown; with the real ones only the column problems remain.
    assert.ok(broken.diagnostics().some((d) => d.message.startsWith('unknown table shop.orders')));
    const withInputs = await ModelProject.load(project.dir);
    await withInputs.update('models/bad.sql', 'MODEL (name a.bad);\nSELECT\n  nope,\n  w.amount,\n  region\nFROM intermediate.orders_wide AS w\nJOIN shop.customers AS c ON c.id = w.customer_id\n');
    assert.deepEqual(describeDiagnostics(withInputs.diagnostics().filter((d) => d.file.endsWith('bad.sql')), project.dir), [
      'models/bad.sql:3:3: error: column "nope" not found in w, c',
      'models/bad.sql:5:3: error: column "region" is ambiguous: it is in w, c',
    ]);
    assert.deepEqual(withInputs.columnLineage('a.bad', 'amount')?.sources, ['intermediate.orders_wide.amount']);
    assert.deepEqual(withInputs.columnLineage('a.bad', 'nope')?.sources, []);
    assert.deepEqual(withInputs.columnLineage('a.bad', 'region')?.sources, ['intermediate.orders_wide.region', 'shop.customers.region']);
  });
});
