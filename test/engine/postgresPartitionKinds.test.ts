// INCREMENTAL_BY_PARTITION and INCREMENTAL_UNMANAGED on a real PostgreSQL server (127.0.0.1:5432): two runs
// a day apart over a source that changes between them, the rows read back from the server. A database of
// the test's own, dropped afterwards.

import { strict as assert } from 'node:assert';
import { Client } from 'pg';
import { PostgresAdapter } from '../../core/engine/postgres';
import { applyPlan } from '../../core/plan/apply';
import { computePlan } from '../../core/plan/plan';
import { loadModels } from '../../core/plan/session';
import { readPlanState } from '../../core/plan/state';
import { makeProject, type TempProject } from '../helpers/project';
import { scratchDatabase } from './pgHelpers';

const MODELS: Record<string, string> = {
  'external_models.yaml': '- name: src.readings\n  columns: { meter: INT, region: TEXT, kwh: INT }\n',
  'models/by_region.sql': `MODEL (
  name analytics.by_region,
  kind INCREMENTAL_BY_PARTITION,
  partitioned_by region,
  start '2024-01-01',
  cron '@daily'
);

SELECT region, sum(kwh) AS kwh FROM src.readings GROUP BY region
`,
  'models/log.sql': `MODEL (name analytics.readings_log, kind INCREMENTAL_UNMANAGED, start '2024-01-01', cron '@daily');

SELECT meter, kwh FROM src.readings
`,
  'models/last.sql': `MODEL (name analytics.last_readings, kind INCREMENTAL_UNMANAGED (insert_overwrite true), start '2024-01-01', cron '@daily');

SELECT meter, kwh FROM src.readings
`,
};

describe('engine: partition and unmanaged kinds on PostgreSQL', function () {
  this.timeout(120_000);
  let db: { url: string; drop: () => Promise<void> };
  let project: TempProject;
  let server: Client;

  before(async () => {
    db = await scratchDatabase('sluice_partition_kinds');
    server = new Client({ connectionString: db.url });
    await server.connect();
    await server.query(`CREATE SCHEMA src; CREATE TABLE src.readings (meter INTEGER, region TEXT, kwh INTEGER);
      INSERT INTO src.readings VALUES (1, 'north', 5), (2, 'south', 7), (3, NULL, 2)`);
    project = makeProject(MODELS);
  });
  after(async () => {
    await server?.end();
    await db?.drop();
    project?.cleanup();
  });

  const applyAt = async (now: string) => {
    const engine = await PostgresAdapter.open(db.url);
    try {
      const models = await loadModels(project.dir);
      assert.deepEqual(models.diagnostics.filter((d) => d.severity === 'error').map((e) => e.message), []);
      const plan = computePlan(await readPlanState(engine), models.project, 'prod', { drafts: models.drafts, now: new Date(now) });
      await applyPlan(engine, plan);
    } finally {
      engine.close();
    }
  };
  const rows = async (sql: string) => (await server.query(sql)).rows;

  it('replaces the partitions the query returns, appends to the log, overwrites the snapshot', async () => {
    await applyAt('2024-01-03T01:00:00Z');
    assert.deepEqual(await rows('SELECT region, kwh::int FROM analytics.by_region ORDER BY region NULLS FIRST'), [
      { region: null, kwh: 2 }, { region: 'north', kwh: 5 }, { region: 'south', kwh: 7 },
    ]);
    assert.deepEqual(await rows('SELECT count(*)::int AS n FROM analytics.readings_log'), [{ n: 3 }]);

    // South stops reporting; north and the unassigned meter report new readings.
    await server.query(`DELETE FROM src.readings; INSERT INTO src.readings VALUES (1, 'north', 9), (3, NULL, 4)`);
    await applyAt('2024-01-04T01:00:00Z');
    assert.deepEqual(await rows('SELECT region, kwh::int FROM analytics.by_region ORDER BY region NULLS FIRST'), [
      { region: null, kwh: 4 }, { region: 'north', kwh: 9 }, { region: 'south', kwh: 7 },
    ]);
    assert.deepEqual(await rows('SELECT meter, kwh FROM analytics.readings_log ORDER BY meter, kwh'), [
      { meter: 1, kwh: 5 }, { meter: 1, kwh: 9 }, { meter: 2, kwh: 7 }, { meter: 3, kwh: 2 }, { meter: 3, kwh: 4 },
    ]);
    assert.deepEqual(await rows('SELECT meter, kwh FROM analytics.last_readings ORDER BY meter'), [{ meter: 1, kwh: 9 }, { meter: 3, kwh: 4 }]);
  });
});
