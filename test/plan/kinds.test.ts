// How each model kind lands in the warehouse: SEED loads its CSV, VIEW is a view in the physical schema
// (materialized: a table), EMBEDDED is inlined into its readers and has neither table nor view.
import { strict as assert } from 'node:assert';
import { applyEnv, environmentViews, makeProject, physicalObjects, rows, type TempProject } from './helpers';
import { query } from '../helpers/project';

describe('apply: model kinds', function () {
  this.timeout(60_000);
  let project: TempProject;
  before(() => {
    project = makeProject({
      'seeds/prices.csv': 'sku;price\nA;1.5\nB;"2;5"\n',
      'models/prices.sql': `MODEL (name raw.prices, kind SEED (path '../seeds/prices.csv', csv_settings (delimiter = ';')), columns (sku VARCHAR, price VARCHAR));\n`,
      'models/cheap.sql': `MODEL (name staging.cheap, kind EMBEDDED);\nSELECT sku FROM raw.prices WHERE sku = 'A'\n`,
      'models/view.sql': `MODEL (name staging.skus, kind VIEW);\nSELECT sku FROM raw.prices\n`,
      'models/mat.sql': `MODEL (name staging.mat, kind VIEW (materialized true));\nSELECT count(*) AS n FROM staging.cheap\n`,
    });
  });
  after(() => project.cleanup());

  it('loads seeds, inlines EMBEDDED models, keeps VIEW models as views and materialized ones as tables', async () => {
    const { result } = await applyEnv(project, 'prod');
    assert.deepEqual(result.built, ['raw.prices', 'staging.skus', 'staging.mat']);
    assert.deepEqual(await rows(project.warehouse, 'SELECT sku, price FROM raw.prices ORDER BY sku'), [{ sku: 'A', price: '1.5' }, { sku: 'B', price: '2;5' }]);
    assert.deepEqual(Object.keys(await environmentViews(project.warehouse)).sort(), ['raw.prices', 'staging.mat', 'staging.skus']);
    const kinds = await query<{ name: string; kind: string }>(
      project.warehouse,
      `SELECT schema_name || '.' || table_name AS name, 'table' AS kind FROM duckdb_tables() WHERE starts_with(schema_name, 'sluice__')
       UNION ALL SELECT schema_name || '.' || view_name, 'view' FROM duckdb_views() WHERE starts_with(schema_name, 'sluice__') ORDER BY 1`,
    );
    assert.deepEqual(kinds.map((k) => [k.name.replace(/__[0-9a-f]{10}$/, ''), k.kind]), [
      ['sluice__raw.prices', 'table'],
      ['sluice__staging.mat', 'table'],
      ['sluice__staging.skus', 'view'],
    ]);
    assert.deepEqual(await rows(project.warehouse, 'SELECT n::INT AS n FROM staging.mat'), [{ n: 1 }]);
    assert.equal((await physicalObjects(project.warehouse)).length, 3);
  });

  it('a change to the seed file is a breaking change of the seed model', async () => {
    project.write('seeds/prices.csv', 'sku;price\nA;1.5\nB;2.5\nC;3\n');
    const { plan } = await applyEnv(project, 'prod');
    assert.deepEqual(plan.changes.map((c) => [c.model, c.change, c.category]), [
      ['raw.prices', 'directly_modified', 'breaking'],
      ['staging.cheap', 'indirectly_modified', 'breaking'],
      ['staging.skus', 'indirectly_modified', 'breaking'],
      ['staging.mat', 'indirectly_modified', 'breaking'],
    ]);
    assert.deepEqual(await rows(project.warehouse, 'SELECT count(*)::INT AS n FROM staging.skus'), [{ n: 3 }]);
  });
});

describe('apply: models in another dialect', function () {
  this.timeout(60_000);
  it('builds a MySQL model through its DuckDB translation', async () => {
    const project = makeProject({
      'models/base.sql': `MODEL (name raw.base, kind FULL);\nSELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) t(id, name)\n`,
      'models/top.sql': "MODEL (name mart.top_two, kind FULL, dialect mysql);\nSELECT `id`, `name` FROM raw.base ORDER BY `id` LIMIT 1, 2\n",
    });
    try {
      await applyEnv(project, 'prod');
      assert.deepEqual(await rows(project.warehouse, 'SELECT id::INT AS id, name FROM mart.top_two ORDER BY id'), [
        { id: 2, name: 'b' },
        { id: 3, name: 'c' },
      ]);
    } finally {
      project.cleanup();
    }
  });
});
