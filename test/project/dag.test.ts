// The model graph: dependencies found in the SQL, build order, and the errors that make a graph
// unusable (cycles, unknown tables, duplicate names), each at its exact file:line:column.

import { strict as assert } from 'node:assert';
import { ModelProject } from '../../core/dag/project';
import type { TempProject } from '../helpers/project';
import { chainModels, errorsOf, modelProject } from './helpers';

describe('model graph', function () {
  this.timeout(20_000);
  let project: TempProject | undefined;
  afterEach(() => {
    project?.cleanup();
    project = undefined;
  });

  it('finds dependencies in the SQL alone and orders models upstream first', async () => {
    project = modelProject(chainModels);
    const models = await ModelProject.load(project.dir);
    assert.deepEqual(errorsOf(models.diagnostics(), project.dir), []);
    const byKey = Object.fromEntries(models.models().map((m) => [m.key, m]));
    assert.deepEqual(Object.keys(byKey), ['analytics.daily_revenue', 'intermediate.orders_wide', 'staging.orders']);
    assert.deepEqual(byKey['staging.orders'].upstream, ['shop.orders']);
    assert.deepEqual(byKey['intermediate.orders_wide'].upstream, ['shop.customers', 'staging.orders']);
    assert.deepEqual(byKey['staging.orders'].downstream, ['intermediate.orders_wide']);
    assert.deepEqual(byKey['analytics.daily_revenue'].downstream, []);
    assert.equal(byKey['analytics.daily_revenue'].kind, 'FULL');
    assert.deepEqual(models.buildOrder(), ['staging.orders', 'intermediate.orders_wide', 'analytics.daily_revenue']);
  });

  it('does not count CTE names, self-references or table functions as dependencies', async () => {
    project = modelProject({
      'models/a.sql': `MODEL (name a.events, kind INCREMENTAL_BY_TIME_RANGE (time_column day));
WITH orders AS (SELECT id, CAST(created_at AS DATE) AS day FROM shop.orders)
SELECT o.id, o.day FROM orders AS o
WHERE o.id NOT IN (SELECT id FROM a.events) AND o.id IN (SELECT range FROM range(10))
`,
    });
    const models = await ModelProject.load(project.dir);
    assert.deepEqual(errorsOf(models.diagnostics(), project.dir), []);
    assert.deepEqual(models.model('A.Events')?.upstream, ['shop.orders']);
  });

  it('reports a cycle on every model in it, at the reference that closes it', async () => {
    project = modelProject({
      'models/x.sql': 'MODEL (name loop.x);\nSELECT id FROM loop.y\n',
      'models/y.sql': 'MODEL (name loop.y);\n-- reads z\nSELECT id\nFROM   loop.z\n',
      'models/z.sql': 'MODEL (name loop.z);\nSELECT o.id FROM loop.x AS o JOIN shop.orders USING (id)\n',
      'models/after.sql': 'MODEL (name loop.after);\nSELECT id FROM loop.z\n',
    });
    const models = await ModelProject.load(project.dir);
    assert.deepEqual(errorsOf(models.diagnostics(), project.dir), [
      'models/x.sql:2:16: error: model loop.x is part of a cycle: loop.x → loop.y → loop.z → loop.x (each model reads the next)',
      'models/y.sql:4:8: error: model loop.y is part of a cycle: loop.y → loop.z → loop.x → loop.y (each model reads the next)',
      'models/z.sql:2:18: error: model loop.z is part of a cycle: loop.z → loop.x → loop.y → loop.z (each model reads the next)',
    ]);
    // The model reading the cycle is not in it, and still gets its lineage.
    assert.deepEqual(models.columnLineage('loop.after', 'id')?.sources, ['loop.z.id']);
    assert.equal(models.buildOrder().at(-1), 'loop.after');
  });

  it('reports unknown tables as errors at their place in the file, after macros and @DEF lines', async () => {
    project = modelProject({
      'external_models.yaml': '- name: raw.fx_rates\n  columns:\n    currency: VARCHAR\n    rate: DOUBLE\n',
      'sources/billing.ts': 'export default {};\n',
      'models/m.sql': `MODEL (name a.m);
@DEF(threshold, 100);

SELECT @threshold AS t, o.id, r.rate, i.total
FROM shop.order AS o
JOIN raw.fx_rates AS r ON r.currency = 'EUR'
JOIN billing.invoices AS i ON i.order_id = o.id
JOIN "Nowhere".things ON true
`,
    });
    const models = await ModelProject.load(project.dir);
    assert.deepEqual(errorsOf(models.diagnostics(), project.dir), [
      'models/m.sql:5:6: error: unknown table shop.order: source shop has no table order (did you mean shop.orders?); it has customers, orders',
      'models/m.sql:7:6: error: unknown table billing.invoices: source billing has not been loaded yet; run `sluice ingest billing`',
      'models/m.sql:8:6: error: unknown table nowhere.things: no model builds it and no external model or loaded source declares it; declare it in external_models.yaml if it exists in the warehouse',
    ]);
    const m = models.model('a.m')!;
    assert.deepEqual(m.upstream, ['raw.fx_rates']);
    // The rest of the model still has lineage.
    assert.deepEqual(models.columnLineage('a.m', 'rate')?.sources, ['raw.fx_rates.rate']);
    assert.deepEqual(models.columnLineage('a.m', 'total')?.sources, ['billing.invoices.total']);
  });

  it('reports a model name defined twice on both files, and keeps using the first', async () => {
    project = modelProject({
      'models/one.sql': 'MODEL (name sales.orders);\nSELECT id FROM shop.orders\n',
      'models/two.sql': 'MODEL (\n  name Sales.Orders\n);\nSELECT status FROM shop.orders\n',
    });
    const models = await ModelProject.load(project.dir);
    const file = (f: string) => `${project!.dir}/models/${f}`;
    assert.deepEqual(errorsOf(models.diagnostics(), project.dir), [
      `models/one.sql:1:13: error: model sales.orders is also defined in ${file('two.sql')}:2:8`,
      `models/two.sql:2:8: error: model Sales.Orders is also defined in ${file('one.sql')}:1:13`,
    ]);
    assert.deepEqual(models.model('sales.orders')?.columns.map((c) => c.name), ['id']);
  });

  it('adds depends_on to the dependencies found in SQL, and reports a seed whose file is missing', async () => {
    project = modelProject({
      'models/base.sql': 'MODEL (name a.base);\nSELECT id FROM shop.orders\n',
      'models/after.sql': 'MODEL (name a.after, depends_on [a.base]);\nSELECT 1 AS one\n',
      'models/seed.sql': "MODEL (\n  name a.seed,\n  kind SEED (path 'missing.csv')\n);\n",
    });
    const models = await ModelProject.load(project.dir);
    assert.deepEqual(models.model('a.after')?.upstream, ['a.base']);
    assert.deepEqual(models.buildOrder().indexOf('a.base') < models.buildOrder().indexOf('a.after'), true);
    const errors = errorsOf(models.diagnostics(), project.dir);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^models\/seed\.sql:3:19: error: cannot read seed file .*missing\.csv$/);
  });

  it('survives SQL it cannot trace: syntax errors, file readers, PIVOT, and keeps the rest of the project', async () => {
    project = modelProject({
      'models/broken.sql': 'MODEL (name odd.broken);\nSELECT id FROM FROM shop.orders\n',
      'models/reader.sql': "MODEL (name odd.reader);\nSELECT * FROM read_csv('nowhere.csv')\n",
      'models/pivot.sql': "MODEL (name odd.pivoted);\nSELECT * FROM (PIVOT shop.orders ON status IN ('paid', 'open') USING sum(amount) GROUP BY customer_id)\n",
      'models/after_broken.sql': 'MODEL (name odd.after);\nSELECT b.id, o.status FROM odd.broken AS b JOIN shop.orders AS o USING (id)\n',
      'models/fine.sql': 'MODEL (name odd.fine);\nSELECT status, count(*) AS n FROM shop.orders GROUP BY ALL\n',
    });
    const models = await ModelProject.load(project.dir);
    const errors = errorsOf(models.diagnostics(), project.dir);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /^models\/broken\.sql:2:16: error: syntax error/);
    assert.deepEqual(models.columnLineage('odd.fine', 'n'), { model: 'odd.fine', column: 'n', sources: [], filters: ['shop.orders.status'] });
    assert.deepEqual(models.columnLineage('odd.after', 'status')?.sources, ['shop.orders.status']);
    assert.deepEqual(models.model('odd.broken')?.columns, []);
    assert.deepEqual(models.model('odd.pivoted')?.columns.map((c) => c.name), ['customer_id', 'paid', 'open']);
    assert.deepEqual(models.columnLineage('odd.pivoted', 'paid')?.sources, ['shop.orders.amount', 'shop.orders.status']);
  });
});
