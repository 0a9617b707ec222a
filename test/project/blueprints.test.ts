// A file with blueprints in the model graph as the editor keeps it: one model per blueprint, and an edit
// that adds or removes a blueprint adds or removes its model (and what reads it learns so at once).

import { strict as assert } from 'node:assert';
import { ModelProject } from '../../core/dag/project';

const template = (regions: string[]) => `MODEL (
  name @{region}_sales.orders,
  blueprints (${regions.map((r) => `(region := ${r})`).join(', ')})
);
SELECT 1 AS id, @'@{region}' AS region
`;

describe('blueprints in the model graph', () => {
  it('adds and removes the models of blueprints as the file is edited', async () => {
    const project = await ModelProject.fromTexts('/p', [
      { file: 'models/orders.sql', text: template(['eu', 'us']) },
      { file: 'models/report.sql', text: 'MODEL (name marts.report);\nSELECT id, region FROM us_sales.orders\n' },
    ]);
    assert.deepEqual(project.models().map((m) => m.key), ['eu_sales.orders', 'marts.report', 'us_sales.orders']);
    assert.deepEqual(project.model('us_sales.orders')!.downstream, ['marts.report']);
    assert.equal(project.model('eu_sales.orders')!.file, '/p/models/orders.sql');
    assert.deepEqual(project.modelFiles(), ['/p/models/orders.sql', '/p/models/report.sql']);
    assert.deepEqual(project.diagnostics(), []);

    // The us blueprint goes: its model with it, and the report now reads an unknown table.
    await project.update('models/orders.sql', template(['eu', 'apac']));
    await project.settled();
    assert.deepEqual(project.models().map((m) => m.key), ['apac_sales.orders', 'eu_sales.orders', 'marts.report']);
    assert.deepEqual(project.diagnostics().map((d) => [d.model, d.start.line, d.message.split(':')[0]]), [
      ['marts.report', 2, 'unknown table us_sales.orders'],
    ]);

    // It comes back, and the file goes away entirely.
    await project.update('models/orders.sql', template(['eu', 'us', 'apac']));
    await project.settled();
    assert.deepEqual(project.diagnostics(), []);
    assert.deepEqual(project.model('marts.report')!.upstream, ['us_sales.orders']);
    await project.remove('models/orders.sql');
    await project.settled();
    assert.deepEqual(project.models().map((m) => m.key), ['marts.report']);
    assert.deepEqual(project.modelFiles(), ['/p/models/report.sql']);
  });
});
