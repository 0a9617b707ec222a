// SCD type 2 models in the model graph: the validity columns after the query's, their lineage from
// updated_at, and what the kind's options name checked against the query's columns at the kind.

import { strict as assert } from 'node:assert';
import { ModelProject } from '../../core/dag/project';
import { errorsOf, modelProject } from './helpers';

const customers = (kind: string, select = 'id, name, region, now() AS updated_at') =>
  `MODEL (\n  name dim.customers,\n  kind ${kind}\n);\nSELECT ${select} FROM shop.customers\n`;

async function load(files: Record<string, string>) {
  const project = modelProject(files);
  const models = await ModelProject.load(project.dir);
  return { project, models, errors: errorsOf(models.diagnostics(), project.dir) };
}

describe('SCD type 2 models in the project', function () {
  this.timeout(20_000);

  it('adds valid_from and valid_to (or their names) in the time type, traced to updated_at', async () => {
    const { project, models, errors } = await load({
      'models/customers.sql': customers('SCD_TYPE_2_BY_TIME (unique_key id, valid_to_name until, time_data_type TIMESTAMPTZ)'),
      'models/current.sql': 'MODEL (name dim.current_customers);\nSELECT id, valid_from AS since FROM dim.customers WHERE until IS NULL\n',
    });
    try {
      assert.deepEqual(errors, []);
      const model = models.model('dim.customers')!;
      assert.deepEqual(model.columns.map((c) => `${c.name} ${c.type}`), ['id BIGINT', 'name VARCHAR', 'region VARCHAR', 'updated_at TIMESTAMPTZ', 'valid_from TIMESTAMPTZ', 'until TIMESTAMPTZ']);
      const lineage = Object.fromEntries(model.lineage.map((l) => [l.column, l.sources.map((s) => `${s.table}.${s.column}`)]));
      assert.deepEqual(lineage.valid_from, lineage.updated_at);
      assert.deepEqual(models.downstream('dim.customers', 'valid_from').map((d) => d.column), ['dim.current_customers.since']);
    } finally {
      project.cleanup();
    }
  });

  it('by column without updated_at: the validity columns have no source', async () => {
    const { project, models, errors } = await load({ 'models/customers.sql': customers("SCD_TYPE_2_BY_COLUMN (unique_key id, columns '*')", 'id, name') });
    try {
      assert.deepEqual(errors, []);
      const model = models.model('dim.customers')!;
      assert.deepEqual(model.columns.map((c) => c.name), ['id', 'name', 'valid_from', 'valid_to']);
      assert.deepEqual(model.lineage.find((l) => l.column === 'valid_to')?.sources, []);
    } finally {
      project.cleanup();
    }
  });

  it('reports, at the kind, a validity column the query outputs already and columns the options name that it does not output', async () => {
    const { project, errors } = await load({
      'models/a.sql': customers('SCD_TYPE_2_BY_TIME (unique_key id)', 'id, name, now() AS valid_to, now() AS updated_at'),
      'models/b.sql': customers('SCD_TYPE_2 (unique_key customer_id)', 'id, name').replace('dim.customers', 'dim.b'),
      'models/c.sql': customers('SCD_TYPE_2_BY_COLUMN (unique_key id, columns [name, segment])', 'id, name').replace('dim.customers', 'dim.c'),
    });
    try {
      assert.deepEqual(errors, [
        'models/a.sql:3:8: error: the query outputs a column valid_to, which SCD_TYPE_2_BY_TIME adds itself; rename it, or name the validity columns with valid_from_name / valid_to_name',
        'models/b.sql:3:8: error: unique_key names customer_id, which the query does not output (its columns: id, name)',
        'models/b.sql:3:8: error: updated_at_name names updated_at, which the query does not output (its columns: id, name)',
        'models/c.sql:3:8: error: columns names segment, which the query does not output (its columns: id, name)',
      ]);
    } finally {
      project.cleanup();
    }
  });
});
