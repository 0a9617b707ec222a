// Incremental models in the warehouse: processed intervals are recorded, only missing ones are processed,
// `run` processes what became due, restatement reprocesses a range, unique keys merge.
import { strict as assert } from 'node:assert';
import { openWarehouse } from '../../core/plan/session';
import { runEnvironment } from '../../core/plan/run';
import { applyEnv, makeProject, physicalObjects, rows, type TempProject } from './helpers';

const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
const EVENTS = `MODEL (name raw.events, kind FULL);
SELECT i AS id, TIMESTAMP '2024-01-01' + INTERVAL (i) HOUR AS ts, 1 AS value FROM range(0, 24 * 30) AS t(i)
`;
const DAILY = `MODEL (
  name analytics.daily,
  kind INCREMENTAL_BY_TIME_RANGE (time_column d, batch_size 3),
  start '2024-01-01',
  audits (number_of_rows(threshold := 0), forall(criteria := (n = 24)))
);
SELECT CAST(ts AS DATE) AS d, sum(value) AS n FROM raw.events WHERE ts BETWEEN @start_dt AND @end_dt GROUP BY 1
`;
const LATEST = `MODEL (name analytics.latest, kind INCREMENTAL_BY_UNIQUE_KEY (unique_key k), start '2024-01-01');
SELECT 'all' AS k, max(d) AS last_day, sum(n) AS n FROM analytics.daily WHERE d <= @end_ds
`;

async function run(project: TempProject, env: string, now: string) {
  const wh = await openWarehouse(project.warehouse);
  try {
    return await runEnvironment(wh, env, { now: Date.parse(now) });
  } finally {
    wh.close();
  }
}

const intervals = (project: TempProject, name: string) =>
  rows<{ s: string; e: string }>(project.warehouse, `SELECT strftime(make_timestamp(start_ms * 1000), '%Y-%m-%d') AS s, strftime(make_timestamp(end_ms * 1000), '%Y-%m-%d') AS e FROM _sluice.intervals WHERE name = '${name}' ORDER BY 1`);
const days = (project: TempProject, schema = 'analytics') =>
  rows<{ d: string; n: number }>(project.warehouse, `SELECT strftime(d, '%Y-%m-%d') AS d, n::INT AS n FROM ${schema}.daily ORDER BY d`);

describe('apply: incremental models', function () {
  this.timeout(60_000);
  let project: TempProject;
  before(() => (project = makeProject({ 'models/events.sql': EVENTS, 'models/daily.sql': DAILY, 'models/latest.sql': LATEST })));
  after(() => project.cleanup());

  it('backfills from start to the last complete interval and records it', async () => {
    const { plan, result } = await applyEnv(project, 'prod', { now: day('2024-01-08') + 3_600_000 });
    assert.deepEqual(plan.backfill, [
      { model: 'analytics.daily', intervals: [['2024-01-01', '2024-01-07']] },
      { model: 'analytics.latest', intervals: [['2024-01-01', '2024-01-07']] },
    ]);
    assert.deepEqual(result.processed.map((p) => p.model), ['analytics.daily', 'analytics.latest']);
    // Seven days of one row each; analytics.latest (no batch_size) merges its one row in a single batch.
    assert.deepEqual(result.processed.map((p) => p.rows), [7, 1]);
    // Both audits of analytics.daily ran on each of its three batches.
    assert.deepEqual(result.audits, { run: 6, passed: 6, failed: 0 });
    assert.deepEqual((await days(project)).map((r) => r.d), ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06', '2024-01-07']);
    assert.ok((await days(project)).every((r) => r.n === 24));
    assert.deepEqual(await intervals(project, 'analytics.daily'), [{ s: '2024-01-01', e: '2024-01-08' }]);
    // Three batches of batch_size 3 days, each audited with its own interval.
    const audits = await rows<{ n: number }>(project.warehouse, "SELECT count(DISTINCT interval_start_ms)::INT AS n FROM _sluice.audit_results WHERE model = 'analytics.daily'");
    assert.deepEqual(audits, [{ n: 3 }]);
    assert.deepEqual(await rows(project.warehouse, 'SELECT k, strftime(last_day, \'%Y-%m-%d\') AS last_day, n::INT AS n FROM analytics.latest'), [{ k: 'all', last_day: '2024-01-07', n: 168 }]);
  });

  it('run processes only the intervals that became due, and nothing when none did', async () => {
    const result = await run(project, 'prod', '2024-01-10T06:00:00Z');
    assert.deepEqual(result.processed, [
      { model: 'analytics.daily', intervals: [['2024-01-08', '2024-01-09']] },
      { model: 'analytics.latest', intervals: [['2024-01-08', '2024-01-09']] },
    ]);
    assert.equal((await days(project)).length, 9);
    assert.deepEqual(await intervals(project, 'analytics.daily'), [{ s: '2024-01-01', e: '2024-01-10' }]);
    assert.deepEqual(await rows(project.warehouse, 'SELECT count(*)::INT AS n, max(n)::INT AS total FROM analytics.latest'), [{ n: 1, total: 216 }]);
    assert.deepEqual((await run(project, 'prod', '2024-01-10T23:00:00Z')).processed, []);
  });

  it('a plan later backfills only the missing intervals; a restatement reprocesses its range only', async () => {
    const physical = (await physicalObjects(project.warehouse)).find((t) => t.startsWith('sluice__analytics.daily__'))!;
    const wh = await openWarehouse(project.warehouse);
    try {
      // Damage two days by hand: only the restated one comes back.
      await wh.run(`DELETE FROM ${physical.split('.').map((p) => `"${p}"`).join('.')} WHERE d IN (DATE '2024-01-03', DATE '2024-01-06')`);
    } finally {
      wh.close();
    }
    const { plan, result } = await applyEnv(project, 'prod', { now: day('2024-01-11') + 60_000, restate: { model: 'analytics.daily', start: '2024-01-02', end: '2024-01-04' } });
    assert.deepEqual(plan.backfill, [
      { model: 'analytics.daily', intervals: [['2024-01-02', '2024-01-04'], ['2024-01-10', '2024-01-10']] },
      { model: 'analytics.latest', intervals: [['2024-01-02', '2024-01-04'], ['2024-01-10', '2024-01-10']] },
    ]);
    assert.deepEqual(result.built, []);
    const present = (await days(project)).map((r) => r.d);
    assert.ok(present.includes('2024-01-03'));
    assert.ok(!present.includes('2024-01-06'));
    assert.equal(present.length, 9);
    assert.deepEqual(await intervals(project, 'analytics.daily'), [{ s: '2024-01-01', e: '2024-01-11' }]);
    assert.deepEqual(await rows(project.warehouse, 'SELECT count(*)::INT AS n FROM analytics.latest'), [{ n: 1 }]);
  });

  it('a changed incremental model backfills a new table for dev while prod keeps its own', async () => {
    project.write('models/daily.sql', DAILY.replace('sum(value) AS n', 'sum(value) AS n, max(id) AS last_id'));
    const { plan } = await applyEnv(project, 'dev', { now: day('2024-01-11') + 60_000 });
    const daily = plan.changes.find((c) => c.model === 'analytics.daily')!;
    assert.deepEqual([daily.category, daily.columns.added], ['non_breaking', ['last_id']]);
    assert.deepEqual(plan.backfill[0], { model: 'analytics.daily', intervals: [['2024-01-01', '2024-01-10']] });
    assert.equal((await days(project, 'analytics__dev')).length, 10);
    assert.equal((await days(project)).length, 9);
  });
});

describe('apply: an incremental model reading its own table', function () {
  this.timeout(60_000);
  // A running total: each day adds to what the model wrote the day before. No columns declared: the table
  // is created from the types the query's casts give.
  const TOTAL = `MODEL (name analytics.running_total, kind INCREMENTAL_BY_TIME_RANGE (time_column d, batch_size 1), start '2024-01-01');
WITH today AS (SELECT count(*) AS n FROM raw.events WHERE ts BETWEEN @start_dt AND @end_dt),
before AS (SELECT total FROM analytics.running_total WHERE d = @start_date - INTERVAL 1 DAY)
SELECT @start_date::DATE AS d, (today.n + COALESCE((SELECT total FROM before), 0))::BIGINT AS total FROM today
`;
  let project: TempProject;
  afterEach(() => project.cleanup());

  it('is created empty before its first batch, then builds on itself batch after batch', async () => {
    project = makeProject({ 'models/events.sql': EVENTS, 'models/total.sql': TOTAL });
    const { result } = await applyEnv(project, 'prod', { now: day('2024-01-04') });
    assert.deepEqual(result.processed.map((p) => [p.model, p.intervals]), [['analytics.running_total', [['2024-01-01', '2024-01-03']]]]);
    assert.deepEqual(await rows(project.warehouse, "SELECT strftime(d, '%Y-%m-%d') AS d, total::INT AS total FROM analytics.running_total ORDER BY d"), [
      { d: '2024-01-01', total: 24 },
      { d: '2024-01-02', total: 48 },
      { d: '2024-01-03', total: 72 },
    ]);
  });

  it('without declared columns or known types, says to declare them', async () => {
    project = makeProject({ 'models/events.sql': EVENTS, 'models/total.sql': TOTAL.replace('::BIGINT AS total', ' AS total').replace('@start_date::DATE AS d', '@start_date AS d') });
    await assert.rejects(applyEnv(project, 'prod', { now: day('2024-01-04') }), /model analytics\.running_total \(models\/total\.sql\) reads its own table, which must exist before its first batch: declare its columns in the MODEL block, e\.g\. columns \(d /);
  });
});
