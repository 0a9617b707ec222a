// Environments' lifecycle through the built CLI on a copy of the demo project, with the clock moved by
// SLUICE_NOW: prod and a dev environment applied (by a CI identity), listed with age, creator, the models
// dev shows differently from prod and expiry; dev invalidated (its views gone from the DuckDB file, prod
// intact); dev expiring after environment_ttl and removed by the janitor, prod never; FULL models refreshed
// by `sluice run` on their cron.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';
import { query, runCli, runCliJson } from '../helpers/project';
import { copyDemo, type DemoCopy } from '../server/demo';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-12-01T08:00:00Z');
const at = (ms: number) => ({ SLUICE_NOW: new Date(ms).toISOString() });

function ok(run: { code: number; stderr: string; stdout: string }, what: string): void {
  assert.equal(run.code, 0, `${what} failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
}

/** Schemas and views of the warehouse, as `schema.view`. */
async function views(warehouse: string): Promise<string[]> {
  const rows = await query<{ v: string }>(warehouse, `SELECT schema_name || '.' || view_name AS v FROM duckdb_views() WHERE NOT internal ORDER BY v`);
  return rows.map((r) => r.v);
}

async function schemas(warehouse: string): Promise<string[]> {
  const rows = await query<{ s: string }>(warehouse, `SELECT DISTINCT schema_name AS s FROM duckdb_schemas() ORDER BY s`);
  return rows.map((r) => r.s);
}

/** Writes to the warehouse directly, as a source would between runs. */
async function write(warehouse: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(warehouse);
  try {
    const connection = await instance.connect();
    await connection.run(sql);
    connection.closeSync();
  } finally {
    instance.closeSync();
  }
}

describe('environments lifecycle (end to end on the demo project)', function () {
  this.timeout(300_000);
  let demo: DemoCopy;
  const user = os.userInfo().username;

  before(() => {
    demo = copyDemo();
    for (const source of ['github', 'shop', 'legacy_crm']) ok(runCli(['ingest', source], demo.dir, at(T0 - HOUR)), `ingest ${source}`);
    ok(runCli(['apply'], demo.dir, { ...at(T0), GITHUB_ACTOR: '' }), 'apply prod');
    // dev: one model changed, one added, one removed.
    const summary = demo.text('models/marts/customer_summary.sql');
    fs.writeFileSync(demo.file('models/marts/customer_summary.sql'), summary.replace('  count(*) AS order_count,', '  count(*) AS order_count,\n  count(DISTINCT order_date) AS order_days,'));
    fs.writeFileSync(demo.file('models/marts/tiers.sql'), 'MODEL (name analytics.tiers, kind FULL);\n\nSELECT tier, count(*) AS customers FROM staging.customers GROUP BY tier\n');
    fs.rmSync(demo.file('models/marts/issue_activity.sql'));
    ok(runCli(['apply', 'dev'], demo.dir, { ...at(T0 + 2 * HOUR), GITHUB_ACTOR: 'octocat' }), 'apply dev');
  });
  after(() => demo.cleanup());

  it('lists prod and dev: age, creator (OS user, CI identity), the models dev shows differently from prod, expiry', () => {
    const run = runCliJson(['environments'], demo.dir, at(T0 + 4 * HOUR));
    ok(run, 'environments --json');
    assert.equal(run.json.environment_ttl, '1w');
    const [dev, prod] = run.json.environments;
    assert.equal(dev.name, 'dev');
    assert.equal(prod.name, 'prod');
    assert.deepEqual(dev.created_by, { user, ci: 'github:octocat' });
    assert.deepEqual(dev.applied_by, { user, ci: 'github:octocat' });
    assert.deepEqual(prod.created_by, { user });
    assert.ok(Math.abs(Date.parse(dev.updated_at) - (T0 + 2 * HOUR)) < 60_000, dev.updated_at);
    assert.ok(Math.abs(Date.parse(dev.expires_at) - (T0 + 2 * HOUR + 7 * DAY)) < 60_000, dev.expires_at);
    assert.equal(dev.expired, false);
    assert.deepEqual(dev.overrides, [
      { model: 'analytics.customer_summary', change: 'changed' },
      { model: 'analytics.issue_activity', change: 'removed' },
      { model: 'analytics.tiers', change: 'added' },
    ]);
    assert.equal(prod.expires_at, null);
    assert.equal('overrides' in prod, false);

    const text = runCli(['environments'], demo.dir, at(T0 + 4 * HOUR));
    ok(text, 'environments');
    const devLine = text.stdout.split('\n').find((l) => l.startsWith('dev '))!;
    assert.match(devLine, /\b2 h ago\b/);
    assert.match(devLine, new RegExp(`${user} \\(github:octocat\\)`));
    assert.match(devLine, /\+1 ~1 -1/);
    assert.match(devLine, /in 6\.9 d$/);
    assert.match(text.stdout.split('\n').find((l) => l.startsWith('prod '))!, /4 h ago .*never$/);
    assert.match(text.stdout, /~ analytics\.customer_summary {2}changed\n {2}- analytics\.issue_activity {2}removed\n {2}\+ analytics\.tiers {2}added/);
  });

  it('refuses to invalidate prod (usage, exit 2) or an environment that does not exist (exit 1)', () => {
    const prod = runCli(['invalidate', 'prod'], demo.dir);
    assert.equal(prod.code, 2);
    assert.match(prod.stderr, /^sluice: prod cannot be invalidated: it is what the project serves/);
    const json = runCliJson(['invalidate', 'PROD'], demo.dir);
    assert.equal(json.code, 2);
    assert.match(json.json.error, /prod cannot be invalidated/);
    const missing = runCli(['invalidate', 'nowhere'], demo.dir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /there is no environment nowhere/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);
  });

  it('invalidates dev: its views and schemas leave the DuckDB file, the janitor drops its tables, prod is intact', async () => {
    const before = await views(demo.warehouse);
    assert.ok(before.includes('analytics__dev.customer_summary'), before.join(', '));
    const prodRows = await query<{ n: number }>(demo.warehouse, 'SELECT count(*)::INT AS n FROM analytics.customer_summary');
    const run = runCliJson(['invalidate', 'dev'], demo.dir);
    ok(run, 'invalidate dev');
    assert.equal(run.json.environment, 'dev');
    assert.ok(run.json.dropped_views.includes('analytics__dev.customer_summary'));
    assert.ok(run.json.dropped_views.includes('analytics__dev.tiers'));
    // Tables only dev used go; those prod shows stay.
    assert.ok(run.json.dropped_tables.some((t: string) => /^sluice__analytics\.tiers__/.test(t)), run.json.dropped_tables.join(', '));
    assert.ok(run.json.dropped_tables.some((t: string) => /^sluice__analytics\.customer_summary__/.test(t)), run.json.dropped_tables.join(', '));
    assert.ok(!run.json.dropped_tables.some((t: string) => /issue_activity/.test(t)), run.json.dropped_tables.join(', '));

    const after = await views(demo.warehouse);
    assert.deepEqual(after.filter((v) => v.includes('__dev.')), []);
    assert.deepEqual((await schemas(demo.warehouse)).filter((s) => s.endsWith('__dev')), []);
    // Prod's views stay; of the physical views (VIEW models' versions), only the one dev alone used goes.
    const outside = (list: string[]) => list.filter((v) => !v.includes('__dev.') && !v.startsWith('sluice__'));
    assert.deepEqual(outside(after), outside(before));
    const physicalGone = before.filter((v) => v.startsWith('sluice__') && !after.includes(v));
    assert.deepEqual(physicalGone, run.json.dropped_tables.filter((t: string) => before.includes(t)));
    assert.equal(physicalGone.length, 1);
    assert.deepEqual(await query(demo.warehouse, 'SELECT count(*)::INT AS n FROM analytics.customer_summary'), prodRows);
    assert.ok(prodRows[0].n > 0);
    const list = runCliJson(['environments'], demo.dir);
    assert.deepEqual(list.json.environments.map((e: { name: string }) => e.name), ['prod']);
  });

  it('expires dev after environment_ttl (sluice.yaml) and the janitor removes it; prod never expires', async () => {
    fs.appendFileSync(demo.file('sluice.yaml'), '\nenvironment_ttl: 3d\n');
    const applied = T0 + DAY;
    ok(runCli(['apply', 'dev'], demo.dir, at(applied)), 'apply dev again');
    const listed = runCliJson(['environments'], demo.dir, at(applied + HOUR));
    assert.equal(listed.json.environment_ttl, '3d');
    assert.ok(Math.abs(Date.parse(listed.json.environments[0].expires_at) - (applied + 3 * DAY)) < 60_000);

    // Not yet expired: the janitor leaves dev alone.
    const early = runCliJson(['janitor'], demo.dir, at(applied + 3 * DAY - HOUR));
    ok(early, 'janitor before expiry');
    assert.deepEqual(early.json.expired_environments, []);
    assert.ok((await views(demo.warehouse)).includes('analytics__dev.customer_summary'));

    const expired = runCliJson(['environments'], demo.dir, at(applied + 3 * DAY + HOUR));
    assert.equal(expired.json.environments.find((e: { name: string }) => e.name === 'dev').expired, true);
    const text = runCli(['environments'], demo.dir, at(applied + 3 * DAY + HOUR));
    assert.match(text.stdout, /expired 1 h ago/);
    assert.match(text.stdout, /Expired: dev \(run sluice janitor to remove\)/);

    const dry = runCliJson(['janitor', '--dry-run'], demo.dir, at(applied + 3 * DAY + HOUR));
    assert.deepEqual(dry.json.expired_environments.map((e: { environment: string }) => e.environment), ['dev']);
    assert.ok((await views(demo.warehouse)).includes('analytics__dev.customer_summary'), 'a dry run removes nothing');

    // A year on: dev goes (views, record, its own tables), prod stays and still answers.
    const janitor = runCliJson(['janitor'], demo.dir, at(applied + 365 * DAY));
    ok(janitor, 'janitor after expiry');
    assert.deepEqual(janitor.json.expired_environments.map((e: { environment: string }) => e.environment), ['dev']);
    assert.ok(janitor.json.expired_environments[0].dropped_views.includes('analytics__dev.tiers'));
    assert.ok(janitor.json.dropped.some((t: string) => /^sluice__analytics\.tiers__/.test(t)), janitor.json.dropped.join(', '));
    assert.deepEqual((await views(demo.warehouse)).filter((v) => v.includes('__dev.')), []);
    const left = runCliJson(['environments'], demo.dir, at(applied + 365 * DAY));
    assert.deepEqual(left.json.environments.map((e: { name: string }) => e.name), ['prod']);
    assert.ok((await query<{ n: number }>(demo.warehouse, 'SELECT count(*)::INT AS n FROM analytics.customer_summary'))[0].n > 0);
  });

  it('sluice run refreshes FULL models once their cron ticked since their last build, not before', async () => {
    // Same day as prod's apply: the daily cron has not ticked since.
    const same = runCliJson(['run'], demo.dir, at(T0 + 3 * HOUR));
    ok(same, 'run the same day');
    assert.deepEqual(same.json.refreshed, []);
    // A customer arrives in the raw data; prod's FULL staging.customers does not show it until refreshed.
    await write(demo.warehouse, `INSERT INTO legacy_crm.contacts (contact_id, full_name, lifetime_value, signup_date) VALUES (990001, 'Ada New', 5000, DATE '2026-12-01')`);
    const count = async () => (await query<{ n: number }>(demo.warehouse, `SELECT count(*)::INT AS n FROM staging.customers WHERE customer_key = '990001'`))[0].n;
    assert.equal(await count(), 0);
    const next = runCliJson(['run'], demo.dir, at(T0 + DAY));
    ok(next, 'run the next day');
    assert.ok(next.json.refreshed.includes('staging.customers'), next.json.refreshed.join(', '));
    assert.ok(next.json.refreshed.includes('intermediate.orders_enriched'), next.json.refreshed.join(', '));
    // Views are not refreshed: they read their parents live.
    assert.ok(!next.json.refreshed.includes('analytics.customer_summary'));
    assert.equal(await count(), 1);
    const again = runCliJson(['run'], demo.dir, at(T0 + DAY + HOUR));
    assert.deepEqual(again.json.refreshed, []);
    const text = runCli(['run'], demo.dir, at(T0 + 2 * DAY + HOUR));
    ok(text, 'run two days on');
    assert.match(text.stdout, /Refreshed staging\.customers \(full rebuild on its cron\)/);
  });
});
