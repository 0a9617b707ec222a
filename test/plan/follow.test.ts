// The plan panel following changes (client/plan/follow.ts): which file changes bear on the plan, and when
// the panel plans again — once after a burst of changes, never twice at once, the warehouse only once it is
// quiet and different from what the shown plan read, nothing of its own apply.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { planInputOf, PlanFollower, type FollowOptions } from '../../client/plan/follow';

const project = { dir: path.resolve('/projects/demo'), warehouse: path.resolve('/projects/demo/warehouse.duckdb') };
const at = (relative: string) => path.join(project.dir, ...relative.split('/'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('plan panel: following changes', () => {
  describe('which changes bear on the plan', () => {
    it('an editor\'s unsaved text counts for model files only', () => {
      assert.equal(planInputOf(project, at('models/marts/daily_revenue.sql'), 'text'), 'files');
      assert.equal(planInputOf(project, at('models/MARTS/Daily.SQL'), 'text'), 'files');
      // The language server reads audits, seeds and YAML from disk: their unsaved text changes nothing yet.
      assert.equal(planInputOf(project, at('audits/positive.sql'), 'text'), undefined);
      assert.equal(planInputOf(project, at('seeds/customers.csv'), 'text'), undefined);
      assert.equal(planInputOf(project, at('sluice.yaml'), 'text'), undefined);
    });

    it('on disk: models, audits, seeds, project and schema files; not code, tests, load packages or other files', () => {
      for (const file of ['models/a.sql', 'audits/positive.sql', 'seeds/customers.csv', 'data/rates.csv', 'sluice.yaml', 'external_models.yaml', 'schemas/shop.schema.yaml']) {
        assert.equal(planInputOf(project, at(file), 'disk'), 'files', file);
      }
      for (const file of ['sources/shop.ts', 'tests/test_orders.yaml', '.sluice/loads/1/orders.parquet', 'README.md', 'models/notes.md', 'node_modules/x/models/a.sql', '.git/index']) {
        assert.equal(planInputOf(project, at(file), 'disk'), undefined, file);
      }
      assert.equal(planInputOf(project, path.resolve('/elsewhere/models/a.sql'), 'disk'), undefined);
      assert.equal(planInputOf(project, path.resolve('/projects/demo-other/models/a.sql'), 'disk'), undefined);
    });

    it('a model open in an editor changing on disk does not count: its editor\'s text is planned', () => {
      assert.equal(planInputOf(project, at('models/a.sql'), 'disk', true), undefined);
      assert.equal(planInputOf(project, at('audits/a.sql'), 'disk', true), 'files');
    });

    it('the warehouse file changing on disk is the plan state changing, wherever it is', () => {
      assert.equal(planInputOf(project, project.warehouse, 'disk'), 'warehouse');
      assert.equal(planInputOf(project, project.warehouse, 'text'), undefined);
      assert.equal(planInputOf(project, project.warehouse + '.wal', 'disk'), undefined);
      const outside = { ...project, warehouse: path.resolve('/data/wh.duckdb') };
      assert.equal(planInputOf(outside, path.resolve('/data/wh.duckdb'), 'disk'), 'warehouse');
    });
  });

  describe('when it plans again', () => {
    let events: string[];
    let follower: PlanFollower | undefined;

    function follow(overrides: Partial<FollowOptions> & { planMs?: number; differs?: boolean } = {}): PlanFollower {
      events = [];
      const options: FollowOptions = {
        debounceMs: 120,
        warehouseQuietMs: 300,
        stale: () => events.push('stale'),
        recompute: async () => {
          events.push('plan');
          await sleep(overrides.planMs ?? 0);
          events.push('planned');
        },
        warehouseDiffers: async () => overrides.differs ?? true,
        ...overrides,
      };
      follower = new PlanFollower(options);
      return follower;
    }

    afterEach(() => follower?.dispose());

    it('a burst of edits is shown stale at once and planned once, a pause after the last edit', async () => {
      const f = follow();
      const started = Date.now();
      for (let i = 0; i < 5; i++) {
        assert.equal(f.changed('files'), true);
        await sleep(20);
      }
      const lastEdit = Date.now();
      assert.deepEqual(events, ['stale']);
      await sleep(400);
      assert.deepEqual(events, ['stale', 'plan', 'planned']);
      assert.ok(lastEdit - started >= 80, 'the edits were spread out');
    });

    it('plans no sooner than the pause after the last edit', async () => {
      let planAt = 0;
      const f = follow({
        recompute: async () => {
          planAt = Date.now();
        },
      });
      f.changed('files');
      await sleep(80);
      const lastEdit = Date.now();
      f.changed('files');
      await sleep(400);
      assert.ok(planAt - lastEdit >= 115, `planned ${planAt - lastEdit} ms after the last edit`);
    });

    it('ignores what does not bear on the plan', async () => {
      const f = follow();
      assert.equal(f.changed(undefined), false);
      await sleep(250);
      assert.deepEqual(events, []);
    });

    it('never plans twice at once: an edit during a plan gives one more plan after it, shown stale meanwhile', async () => {
      const f = follow({ planMs: 500 });
      f.changed('files');
      await sleep(200);
      assert.deepEqual(events, ['stale', 'plan']);
      f.changed('files');
      await sleep(200);
      // The running plan goes on; the next waits for it.
      assert.deepEqual(events, ['stale', 'plan']);
      await sleep(250);
      assert.deepEqual(events.slice(0, 4), ['stale', 'plan', 'planned', 'stale']);
      await sleep(800);
      assert.deepEqual(events, ['stale', 'plan', 'planned', 'stale', 'plan', 'planned']);
    });

    it('reads a changed warehouse once it is quiet, and only when it is not the one the plan read', async () => {
      const same = follow({ differs: false });
      same.changed('warehouse');
      await sleep(500);
      assert.deepEqual(events, [], 'the same warehouse as the plan read: nothing to do');
      same.dispose();

      let planAt = 0;
      const f = follow({
        recompute: async () => {
          planAt = Date.now();
          events.push('plan');
        },
      });
      const started = Date.now();
      f.changed('warehouse');
      await sleep(50);
      assert.deepEqual(events, [], 'not shown stale before the warehouse is known to differ');
      await sleep(400);
      assert.deepEqual(events, ['stale', 'plan']);
      assert.ok(planAt - started >= 290, `planned ${planAt - started} ms after the warehouse changed`);
    });

    it('an edit while the warehouse is being written waits until it is quiet', async () => {
      let planAt = 0;
      const f = follow({
        recompute: async () => {
          planAt = Date.now();
          events.push('plan');
        },
      });
      const started = Date.now();
      f.changed('warehouse');
      await sleep(20);
      f.changed('files');
      assert.deepEqual(events, ['stale']);
      await sleep(450);
      assert.deepEqual(events, ['stale', 'plan']);
      assert.ok(planAt - started >= 290, `planned ${planAt - started} ms after the warehouse changed`);
    });

    it('leaves the panel\'s own apply alone, and plans edits made during it afterwards', async () => {
      const f = follow();
      f.pause();
      f.changed('warehouse');
      await sleep(400);
      assert.deepEqual(events, []);
      f.resume();
      await sleep(400);
      assert.deepEqual(events, [], 'the apply\'s own writes are not planned again');
      f.pause();
      f.changed('files');
      await sleep(200);
      assert.deepEqual(events, []);
      f.resume();
      await sleep(300);
      assert.deepEqual(events, ['stale', 'plan', 'planned']);
    });

    it('a plan made by other means covers what was pending', async () => {
      const f = follow();
      f.changed('files');
      f.planned();
      await sleep(250);
      assert.deepEqual(events, ['stale']);
    });
  });
});
