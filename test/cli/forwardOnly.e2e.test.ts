// Forward-only changes through the built CLI, on a temporary project: a forward_only incremental model keeps
// its table when a column is added (old rows NULL, new intervals filled), a dropped column leaves the model
// out (or refuses the plan with --strict) or is done in place as on_destructive_change says, `--forward-only` keeps a FULL model's table, and a dev
// preview is built on a table of its own over the last interval while prod's table (read from the DuckDB
// file) stays the same table with its rows until the change is promoted.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { makeProject, query, runCli, runCliJson, tableNames, writeDb, type TempProject } from '../helpers/project';

const EXTERNAL = `- name: raw.events
  columns:
    id: INT
    day: DATE
    amount: INT
    channel: VARCHAR
`;
const EVENTS = (extra = '', options = '') => `MODEL (
  name analytics.events,
  kind INCREMENTAL_BY_TIME_RANGE (time_column day, forward_only true${options}),
  start '2024-01-01',
  cron '@daily'
);
SELECT id, day, amount${extra} FROM raw.events WHERE day BETWEEN @start_ds AND @end_ds
`;
const TOTALS = `MODEL (name analytics.totals, kind FULL);
SELECT count(*) AS n, sum(amount) AS amount FROM raw.events
`;

/** Two events a day from 2024-01-01 to 2024-01-09, on the web or in the shop. */
async function writeEvents(dbFile: string): Promise<void> {
  await writeDb(dbFile, `CREATE SCHEMA IF NOT EXISTS raw; CREATE OR REPLACE TABLE raw.events AS
    SELECT i AS id, DATE '2024-01-01' + ((i - 1) // 2)::INT AS day, i * 10 AS amount, CASE WHEN i % 2 = 0 THEN 'web' ELSE 'shop' END AS channel
    FROM range(1, 19) AS t(i)`);
}

type Row = [number, string, string | null];

async function channels(dbFile: string, relation: string): Promise<Row[]> {
  const rows = await query<{ id: number; day: string; channel: string | null }>(dbFile, `SELECT id, CAST(day AS VARCHAR) AS day, channel FROM ${relation} ORDER BY id`);
  return rows.map((r) => [Number(r.id), r.day, r.channel]);
}

describe('forward-only changes (end to end)', function () {
  this.timeout(180_000);
  let project: TempProject;
  beforeEach(async () => {
    project = makeProject({ 'external_models.yaml': EXTERNAL, 'models/events.sql': EVENTS(), 'models/totals.sql': TOTALS });
    await writeEvents(project.warehouse);
    const first = runCliJson(['apply', '--execution-time', '2024-01-04 01:00'], project.dir);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.json.result.processed.map((p: any) => [p.model, p.intervals]), [['analytics.events', [['2024-01-01', '2024-01-03']]]]);
  });
  afterEach(() => project.cleanup());

  it('a column added to a forward_only model keeps its table: old rows NULL, later intervals filled', async () => {
    const tablesBefore = await tableNames(project.warehouse, 'sluice__analytics');
    project.write('models/events.sql', EVENTS(', channel'));
    const text = runCli(['plan', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /analytics\.events {2}directly modified · non-breaking · no rebuild/);
    assert.match(text.stdout, /forward-only, no rebuild: the table is kept with column channel added \(NULL in existing rows\); only intervals processed from now on use the new query/);

    const apply = runCliJson(['apply', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.deepEqual(apply.json.result.built, []);
    assert.deepEqual(apply.json.result.changed_in_place, [{ model: 'analytics.events', changes: ['added column channel VARCHAR'] }]);
    assert.equal(apply.json.changes[0].forward_only, 'in_place');
    assert.deepEqual(await tableNames(project.warehouse, 'sluice__analytics'), tablesBefore);
    const kept: Row[] = [1, 2, 3, 4, 5, 6].map((i) => [i, `2024-01-0${Math.ceil(i / 2)}`, null]);
    assert.deepEqual(await channels(project.warehouse, 'analytics.events'), kept);

    // The next run processes the new days with the new query; the old ones stay as they were computed.
    const run = runCliJson(['run', '--execution-time', '2024-01-06 01:00'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await channels(project.warehouse, 'analytics.events'), [
      ...kept, [7, '2024-01-04', 'shop'], [8, '2024-01-04', 'web'], [9, '2024-01-05', 'shop'], [10, '2024-01-05', 'web'],
    ]);
  });

  it('forward_only and on_destructive_change are metadata: switching them rebuilds nothing', () => {
    project.write('models/events.sql', EVENTS('', ', on_destructive_change allow').replace('forward_only true', 'forward_only false'));
    const plan = runCliJson(['plan', '--execution-time', '2024-01-04 01:00'], project.dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(plan.json.changes.map((c: any) => [c.model, c.change, c.rebuild]), [['analytics.events', 'metadata', false]]);
    assert.deepEqual(plan.json.build, []);
  });

  it('a dropped column leaves the model out with on_destructive_change error (the default), --strict refuses the plan; with warn it is dropped in place with a warning', async () => {
    project.write('models/events.sql', EVENTS().replace('day, amount', 'day'));
    project.write('models/daily.sql', 'MODEL (name analytics.daily, kind FULL);\nSELECT day, count(*) AS n FROM analytics.events GROUP BY day\n');
    project.write('models/totals.sql', TOTALS.replace('sum(amount) AS amount', 'sum(amount) AS amount, max(id) AS last_id'));
    const destructive = /model analytics\.events \(models\/events\.sql\): this forward-only change drops column amount in its existing table, and on_destructive_change is error; set on_destructive_change warn or allow/;
    const refused = runCliJson(['plan', '--strict', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.notEqual(refused.code, 0);
    assert.match(refused.json.error, destructive);
    // Without --strict the model and what reads it are left out with the reason; the rest plans and applies.
    const leftOut = runCliJson(['plan', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.equal(leftOut.code, 0, leftOut.stderr);
    assert.deepEqual(leftOut.json.held_back.map((h: any) => [h.model, h.kept]), [['analytics.events', true], ['analytics.daily', false]]);
    assert.match(leftOut.json.held_back[0].reason, destructive);
    assert.equal(leftOut.json.held_back[1].reason, 'reads analytics.events, which is left out');
    assert.deepEqual(leftOut.json.build, ['analytics.totals']);
    const applied = runCliJson(['apply', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(applied.json.result.built, ['analytics.totals']);
    // The environment keeps the version of events it showed, with its column.
    assert.deepEqual((await query<{ column_name: string }>(project.warehouse, 'DESCRIBE analytics.events')).map((c) => c.column_name), ['id', 'day', 'amount']);
    fs.rmSync(path.join(project.dir, 'models', 'daily.sql'));

    project.write('models/events.sql', EVENTS('', ', on_destructive_change warn').replace('day, amount', 'day'));
    const plan = runCliJson(['plan', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.json.changes[0].reason, /drops column amount \(on_destructive_change warn\)/);
    const apply = runCli(['apply', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.match(apply.stderr, /warning: analytics\.events: forward-only change drops column amount in place \(on_destructive_change warn\)/);
    const columns = await query<{ column_name: string }>(project.warehouse, 'DESCRIBE analytics.events');
    assert.deepEqual(columns.map((c) => c.column_name), ['id', 'day']);
    assert.equal((await query(project.warehouse, 'SELECT * FROM analytics.events')).length, 6);
  });

  it('--allow-destructive-model NAME or glob lets a forward-only change drop a column in place, whatever on_destructive_change says', async () => {
    project.write('models/events.sql', EVENTS().replace('day, amount', 'day'));
    const plan = runCliJson(['plan', '--allow-destructive-model', 'analytics.*', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(plan.json.held_back, []);
    assert.match(plan.json.changes[0].reason, /^forward-only, no rebuild: the table is kept with drops column amount \(--allow-destructive-model\)/);
    const other = runCliJson(['plan', '--allow-destructive-model', 'staging.*', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.deepEqual(other.json.held_back.map((h: any) => h.model), ['analytics.events']);
    const apply = runCliJson(['apply', '--allow-destructive-model', 'analytics.events', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.deepEqual(apply.json.result.changed_in_place, [{ model: 'analytics.events', changes: ['drops column amount'] }]);
    assert.deepEqual((await query<{ column_name: string }>(project.warehouse, 'DESCRIBE analytics.events')).map((c) => c.column_name), ['id', 'day']);
    assert.equal((await query(project.warehouse, 'SELECT * FROM analytics.events')).length, 6);
  });

  it('--forward-only keeps a FULL model\'s table: the schema changes in place, the next refresh uses the new query', async () => {
    const tablesBefore = await tableNames(project.warehouse, 'sluice__analytics');
    project.write('models/totals.sql', TOTALS.replace('sum(amount) AS amount', 'sum(amount) AS amount, max(id) AS last_id'));
    const plain = runCliJson(['plan', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.deepEqual(plain.json.build, ['analytics.totals']);
    const apply = runCliJson(['apply', '--forward-only', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.deepEqual(apply.json.result.built, []);
    assert.match(apply.json.changes[0].reason, /^forward-only, no rebuild: the table is kept with column last_id added \(NULL in existing rows\); its next refresh uses the new query/);
    assert.deepEqual(await tableNames(project.warehouse, 'sluice__analytics'), tablesBefore);
    assert.deepEqual(await query(project.warehouse, 'SELECT n, amount, last_id FROM analytics.totals'), [{ n: '18', amount: '1710', last_id: null }]);
    // A run refreshes a FULL model once its cron is due after its last build (recorded at the real time).
    const run = runCliJson(['run', '--execution-time', `${new Date().getUTCFullYear() + 1}-01-01 01:00`], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.json.refreshed, ['analytics.totals']);
    assert.deepEqual(await query(project.warehouse, 'SELECT n, amount, last_id FROM analytics.totals'), [{ n: '18', amount: '1710', last_id: '18' }]);
    assert.deepEqual(await tableNames(project.warehouse, 'sluice__analytics'), tablesBefore);
  });

  it('plan dev --forward-only previews on a table of its own over the last interval; promotion changes prod\'s table in place', async () => {
    const prodTable = (await tableNames(project.warehouse, 'sluice__analytics')).find((t) => t.startsWith('events__'))!;
    const prodRows = async () => query(project.warehouse, `SELECT * FROM sluice__analytics.${prodTable} ORDER BY id`);
    const before = await prodRows();
    assert.equal(before.length, 6);
    // forward_only false on the model: the plan's --forward-only is what keeps the table.
    project.write('models/events.sql', EVENTS(', channel').replace('forward_only true', 'forward_only false'));
    const dev = runCliJson(['apply', 'dev', '--forward-only', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.equal(dev.code, 0, dev.stderr);
    const change = dev.json.changes.find((c: any) => c.model === 'analytics.events');
    assert.equal(change.forward_only, 'preview');
    assert.match(change.reason, /^forward-only: previewed in dev on a table of its own over its last interval; prod's table is changed in place only when this is applied to prod/);
    assert.deepEqual(dev.json.result.processed.map((p: any) => [p.model, p.intervals]), [['analytics.events', [['2024-01-03', '2024-01-03']]]]);
    assert.deepEqual(await channels(project.warehouse, 'analytics__dev.events'), [[5, '2024-01-03', 'shop'], [6, '2024-01-03', 'web']]);
    // Prod's table is untouched: same rows, no new column; prod's view still reads it.
    assert.deepEqual(await prodRows(), before);
    assert.deepEqual(await query(project.warehouse, 'SELECT * FROM analytics.events ORDER BY id'), before);

    const prod = runCliJson(['apply', 'prod', '--forward-only', '--execution-time', '2024-01-04 02:00'], project.dir);
    assert.equal(prod.code, 0, prod.stderr);
    assert.deepEqual(prod.json.result.built, []);
    assert.deepEqual(prod.json.result.changed_in_place, [{ model: 'analytics.events', changes: ['added column channel VARCHAR'] }]);
    const after = await tableNames(project.warehouse, 'sluice__analytics');
    assert.ok(after.includes(prodTable), `${prodTable} is still there: ${after.join(', ')}`);
    const view = await query<{ sql: string }>(project.warehouse, "SELECT sql FROM duckdb_views() WHERE schema_name = 'analytics' AND view_name = 'events'");
    assert.match(view[0].sql, new RegExp(`\\b${prodTable};`));
    assert.deepEqual(await channels(project.warehouse, 'analytics.events'), before.map((r: any) => [Number(r.id), String(r.day), null]));
  });

  it('a changed SCD type 2 model keeps its history (forward-only by default)', async () => {
    // SQLMesh's menu example in scd2.e2e.test.ts follows a history through such a change; here the table itself.
    const menu = (extra: string) => `MODEL (name analytics.menu, kind SCD_TYPE_2_BY_TIME (unique_key id, updated_at_name day));
SELECT id, day, amount${extra} FROM raw.events
`;
    project.write('models/menu.sql', menu(''));
    assert.equal(runCliJson(['apply', '--execution-time', '2024-01-04 02:00'], project.dir).code, 0);
    const table = (await tableNames(project.warehouse, 'sluice__analytics')).find((t) => t.startsWith('menu__'))!;
    const history = await query(project.warehouse, 'SELECT id, CAST(valid_from AS VARCHAR) AS f FROM analytics.menu ORDER BY id');
    assert.equal(history.length, 18);
    project.write('models/menu.sql', menu(', channel'));
    const apply = runCliJson(['apply', '--execution-time', '2024-01-04 03:00'], project.dir);
    assert.equal(apply.code, 0, apply.stderr);
    const change = apply.json.changes.find((c: any) => c.model === 'analytics.menu');
    assert.deepEqual([change.forward_only, change.rebuild], ['in_place', false]);
    assert.deepEqual(apply.json.result.built, []);
    assert.ok((await tableNames(project.warehouse, 'sluice__analytics')).includes(table));
    assert.deepEqual(await query(project.warehouse, 'SELECT id, CAST(valid_from AS VARCHAR) AS f FROM analytics.menu ORDER BY id'), history);
    assert.deepEqual(await query(project.warehouse, 'SELECT count(*) AS n FROM analytics.menu WHERE channel IS NOT NULL'), [{ n: '0' }]);
  });
});
