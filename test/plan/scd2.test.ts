// SCD type 2 options applied in-process: a daily snapshot source read day by day (by column with
// updated_at_name and batch_size 1, SQLMesh's documented example), a composite key with a DATE time type and
// updated_at_as_valid_from, and execution_time_as_valid_from on a first load.
import { strict as assert } from 'node:assert';
import { writeDb as feed } from '../helpers/project';
import { applyEnv, makeProject, rows, type TempProject } from './helpers';

const EXTERNAL = `- name: raw.snapshots
  columns: { id: INT, some_value: INT, ds: DATE }
- name: raw.stock
  columns: { shop: VARCHAR, sku: VARCHAR, qty: INT, changed_on: DATE }
`;

describe('apply: SCD type 2 options', function () {
  this.timeout(60_000);
  let project: TempProject;
  before(async () => {
    project = makeProject({
      'external_models.yaml': EXTERNAL,
      'models/history.sql': `MODEL (
  name hist.values,
  kind SCD_TYPE_2_BY_COLUMN (unique_key id, columns [some_value], updated_at_name ds, batch_size 1),
  start '2025-01-01',
  cron '@daily'
);
SELECT id, some_value, ds FROM raw.snapshots WHERE ds BETWEEN @start_ds AND @end_ds
`,
      'models/stock.sql': `MODEL (
  name hist.stock,
  kind SCD_TYPE_2_BY_TIME (unique_key (shop, sku), updated_at_name changed_on, updated_at_as_valid_from true, time_data_type DATE),
  start '2025-01-01',
  cron '@daily'
);
SELECT shop, sku, qty, changed_on FROM raw.stock
`,
      'models/seen.sql': `MODEL (
  name hist.seen,
  kind SCD_TYPE_2_BY_COLUMN (unique_key sku, columns *, execution_time_as_valid_from true),
  start '2025-01-01',
  cron '@daily'
);
SELECT DISTINCT sku, qty FROM raw.stock WHERE shop = 'north'
`,
    });
    await feed(project.warehouse, `CREATE SCHEMA raw;
      CREATE TABLE raw.snapshots AS SELECT * FROM (VALUES (1, 1, DATE '2025-01-01'), (1, 2, DATE '2025-01-02'), (1, 3, DATE '2025-01-03'), (1, 3, DATE '2025-01-04')) t(id, some_value, ds);
      CREATE TABLE raw.stock (shop VARCHAR, sku VARCHAR, qty INT, changed_on DATE);
      INSERT INTO raw.stock VALUES ('north', 'A', 5, DATE '2024-12-20'), ('south', 'A', 7, DATE '2024-12-28'), ('north', 'B', NULL, DATE '2024-12-30')`);
  });
  after(() => project.cleanup());

  it('reads a daily snapshot day by day: each change opens a version at its ds', async () => {
    const { result } = await applyEnv(project, 'prod', { now: Date.parse('2025-01-05T06:00:00Z') });
    assert.deepEqual(result.processed.find((p) => p.model === 'hist.values')?.intervals, [['2025-01-01', '2025-01-04']]);
    assert.deepEqual(await rows(project.warehouse, 'SELECT id, some_value, CAST(ds AS VARCHAR) AS ds, CAST(valid_from AS VARCHAR) AS valid_from, CAST(valid_to AS VARCHAR) AS valid_to FROM hist.values ORDER BY valid_from'), [
      { id: 1, some_value: 1, ds: '2025-01-01', valid_from: '1970-01-01 00:00:00', valid_to: '2025-01-02 00:00:00' },
      { id: 1, some_value: 2, ds: '2025-01-02', valid_from: '2025-01-02 00:00:00', valid_to: '2025-01-03 00:00:00' },
      { id: 1, some_value: 3, ds: '2025-01-03', valid_from: '2025-01-03 00:00:00', valid_to: null },
    ]);
  });

  it('a composite key, DATE validity and updated_at_as_valid_from; execution_time_as_valid_from from the first load', async () => {
    assert.deepEqual(await rows(project.warehouse, 'SELECT shop, sku, qty, CAST(valid_from AS VARCHAR) AS f, CAST(valid_to AS VARCHAR) AS t FROM hist.stock ORDER BY shop, sku'), [
      { shop: 'north', sku: 'A', qty: 5, f: '2024-12-20', t: null },
      { shop: 'north', sku: 'B', qty: null, f: '2024-12-30', t: null },
      { shop: 'south', sku: 'A', qty: 7, f: '2024-12-28', t: null },
    ]);
    assert.deepEqual(await rows(project.warehouse, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'hist' AND table_name = 'stock' AND column_name IN ('changed_on', 'valid_from', 'valid_to') ORDER BY ordinal_position"), [
      { column_name: 'changed_on', data_type: 'DATE' },
      { column_name: 'valid_from', data_type: 'DATE' },
      { column_name: 'valid_to', data_type: 'DATE' },
    ]);
    assert.deepEqual(await rows(project.warehouse, 'SELECT sku, qty, CAST(valid_from AS VARCHAR) AS f FROM hist.seen ORDER BY sku'), [
      { sku: 'A', qty: 5, f: '2025-01-05 06:00:00' },
      { sku: 'B', qty: null, f: '2025-01-05 06:00:00' },
    ]);

    // North's A changes, and B's NULL quantity becomes 0: a NULL counts as a value, so both open versions.
    await feed(project.warehouse, "UPDATE raw.stock SET qty = 4, changed_on = DATE '2025-01-05' WHERE shop = 'north' AND sku = 'A'; UPDATE raw.stock SET qty = 0 WHERE sku = 'B'");
    await applyEnv(project, 'prod', { now: Date.parse('2025-01-06T06:00:00Z') });
    assert.deepEqual(await rows(project.warehouse, 'SELECT shop, sku, qty, CAST(valid_from AS VARCHAR) AS f, CAST(valid_to AS VARCHAR) AS t FROM hist.stock ORDER BY shop, sku, valid_from'), [
      { shop: 'north', sku: 'A', qty: 5, f: '2024-12-20', t: '2025-01-05' },
      { shop: 'north', sku: 'A', qty: 4, f: '2025-01-05', t: null },
      // By time only a later changed_on counts: B's new quantity came with the same date.
      { shop: 'north', sku: 'B', qty: null, f: '2024-12-30', t: null },
      { shop: 'south', sku: 'A', qty: 7, f: '2024-12-28', t: null },
    ]);
    assert.deepEqual(await rows(project.warehouse, 'SELECT sku, qty, CAST(valid_from AS VARCHAR) AS f, CAST(valid_to AS VARCHAR) AS t FROM hist.seen ORDER BY sku, valid_from'), [
      { sku: 'A', qty: 5, f: '2025-01-05 06:00:00', t: '2025-01-06 06:00:00' },
      { sku: 'A', qty: 4, f: '2025-01-06 06:00:00', t: null },
      { sku: 'B', qty: null, f: '2025-01-05 06:00:00', t: '2025-01-06 06:00:00' },
      { sku: 'B', qty: 0, f: '2025-01-06 06:00:00', t: null },
    ]);
  });
});
