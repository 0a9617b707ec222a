// The editor's view of a plan: one short label per changed model, computed from a loaded project.
import { strict as assert } from 'node:assert';
import { ModelProject } from '../../core/dag/project';
import { planForEditor } from '../../core/plan/editor';
import { applyEnv, baseModels, makeProject, type TempProject } from './helpers';

describe('plan: for the editor', function () {
  this.timeout(60_000);
  let project: TempProject;
  before(() => (project = makeProject(baseModels)));
  after(() => project.cleanup());

  it('labels every model as new before anything was applied (no warehouse yet)', async () => {
    const plan = await planForEditor(await ModelProject.load(project.dir), { warehouse: project.warehouse });
    assert.equal(plan.environment, 'dev');
    assert.equal(plan.builds, 4);
    assert.deepEqual(plan.models['analytics.revenue'], { change: 'added', category: 'breaking', label: 'new', rebuild: true });
    assert.equal(plan.models['staging.orders'].label, 'new · 2 downstream');
  });

  it('summarizes a change as category, column changes and downstream count', async () => {
    await applyEnv(project, 'dev');
    project.write('models/orders.sql', baseModels['models/orders.sql'].replace('AS order_date', 'AS order_date, 1 AS one, 2 AS two'));
    const plan = await planForEditor(await ModelProject.load(project.dir), { warehouse: project.warehouse, environment: 'dev' });
    assert.equal(plan.stateError, undefined);
    assert.deepEqual(Object.fromEntries(Object.entries(plan.models).map(([k, v]) => [k, v.label])), {
      'staging.orders': 'non-breaking · +2 columns · 2 downstream',
      'staging.enriched': 'indirect non-breaking · 1 downstream',
      'analytics.revenue': 'indirect non-breaking',
    });
    assert.equal(plan.builds, 2);
  });
});
