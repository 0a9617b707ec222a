// singerTap() through the real CLI: a Node script speaking the Singer protocol (test/fixtures/singer) runs
// as the tap of a temporary project; the tests read the DuckDB file the CLI leaves.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { columnTypes, query, runCli, runCliJson, type TempProject } from '../helpers/project';
import { customers, ENV, events, shopProject, sourceModule, TAP, TOKEN } from './singerProject';

async function tapState(warehouse: string): Promise<unknown> {
  const rows = await query<{ state: string }>(warehouse, `SELECT CAST(state AS VARCHAR) AS state FROM _sluice.state WHERE source = 'shop' AND resource = '_tap'`);
  return rows.length === 0 ? undefined : JSON.parse(rows[0].state).custom?.singer;
}

async function shopTables(warehouse: string): Promise<string[]> {
  if (!fs.existsSync(warehouse)) return [];
  const rows = await query<{ name: string }>(warehouse, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'shop' ORDER BY 1`);
  return rows.map((r) => r.name);
}

describe('singerTap source (end to end)', function () {
  this.timeout(120_000);
  let project: TempProject;
  afterEach(() => project?.cleanup());

  it('loads every discovered stream typed, saves the tap state and passes it back next run', async () => {
    project = shopProject();
    const first = runCliJson(['ingest', 'shop', '--verbose'], project.dir, ENV);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.deepEqual(first.json.tables, {
      customers: { rows: 3, parts: 1 }, customers__tags: { rows: 2, parts: 1 }, events: { rows: 3, parts: 1 },
    });
    assert.deepEqual(await columnTypes(project.warehouse, 'shop', 'customers'), {
      id: 'BIGINT', name: 'VARCHAR', email: 'VARCHAR', score: 'DOUBLE', vip: 'BOOLEAN', birthday: 'DATE',
      updated_at: 'TIMESTAMP WITH TIME ZONE', address__city: 'VARCHAR', score__v_text: 'VARCHAR',
    });
    assert.deepEqual(await columnTypes(project.warehouse, 'shop', 'events'), {
      at: 'TIMESTAMP WITH TIME ZONE', kind: 'VARCHAR', payload__plan: 'VARCHAR', customer: 'BIGINT', // not in the schema: inferred
    });
    const rows = await query(
      project.warehouse,
      `SELECT id::INT AS id, name, email, score, score__v_text, vip, birthday::VARCHAR AS birthday,
              strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%g') AS updated_at, address__city
       FROM shop.customers ORDER BY id`,
    );
    assert.deepEqual(rows, [
      { id: 1, name: 'Ada', email: 'ada@example.com', score: 1.5, score__v_text: null, vip: true, birthday: '1815-12-10', updated_at: '2024-01-01 10:00:00.000', address__city: 'London' },
      { id: 2, name: 'Grace', email: null, score: null, score__v_text: 'n/a', vip: null, birthday: null, updated_at: '2024-01-02 08:00:00.123', address__city: null },
      { id: 3, name: null, email: null, score: 7, score__v_text: null, vip: false, birthday: null, updated_at: '2024-01-03 00:00:00.000', address__city: null },
    ]);
    // The tap's stderr reached the verbose log with the token masked.
    assert.match(first.stderr, /connecting with token \*\*\*/);
    assert.doesNotMatch(first.stderr + first.stdout, new RegExp(TOKEN));
    assert.deepEqual(await tapState(project.warehouse), { bookmarks: { customers: { updated_at: '2024-01-03T00:00:00Z' } } });
    const schemaYaml = fs.readFileSync(path.join(project.dir, 'schemas', 'shop.schema.yaml'), 'utf8');
    assert.match(schemaYaml, /customers:\n\s+resource: customers\n\s+write_disposition: merge/);
    assert.match(schemaYaml, /events:\n\s+resource: events\n\s+write_disposition: append/);

    // Customer 2 changed and customer 4 is new: the tap gets the state back and sends only those two.
    const changed = [
      ...customers.filter((c) => c.id !== 2),
      { id: 2, name: 'Grace Hopper', updated_at: '2024-02-01T00:00:00Z' },
      { id: 4, name: 'Linus', updated_at: '2024-02-02T00:00:00Z' },
    ];
    project.write('shop.json', JSON.stringify({ customers: changed, events: [...events, { customer: 4, at: '2024-02-02T00:00:01Z', kind: 'signup' }] }));
    const second = runCliJson(['ingest', 'shop'], project.dir, ENV);
    assert.equal(second.code, 0, second.stderr + second.stdout);
    assert.equal(second.json.tables.customers.rows, 2, 'only the customers after the bookmark');
    const [counts] = await query<{ customers: number; events: number; grace: string }>(
      project.warehouse,
      `SELECT (SELECT count(*) FROM shop.customers)::INT AS customers, (SELECT count(*) FROM shop.events)::INT AS events,
              (SELECT name FROM shop.customers WHERE id = 2) AS grace`,
    );
    // Customers merge on the key property; events (no key) are appended: customer 2's signup comes again.
    assert.deepEqual(counts, { customers: 4, events: 5, grace: 'Grace Hopper' });
    assert.deepEqual(await tapState(project.warehouse), { bookmarks: { customers: { updated_at: '2024-02-02T00:00:00Z' } } });
  });

  it('uses the streams a catalog file selects, with per-stream settings', async () => {
    const discovered = JSON.parse(execFileSync(process.execPath, [TAP, '--discover'], { encoding: 'utf8' })) as { streams: Array<Record<string, any>> };
    discovered.streams[0].metadata[0].metadata.selected = true; // customers only
    project = shopProject({
      'catalog.json': JSON.stringify(discovered),
      'sources/shop.ts': sourceModule({ extra: "\n  catalog: 'catalog.json',\n  streams: { customers: { write_disposition: 'replace' } }," }),
    });
    const first = runCliJson(['ingest', 'shop'], project.dir, ENV);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.deepEqual(Object.keys(first.json.tables).sort(), ['customers', 'customers__tags']);
    assert.deepEqual(await shopTables(project.warehouse), ['customers', 'customers__tags']);
    const yaml = fs.readFileSync(path.join(project.dir, 'schemas', 'shop.schema.yaml'), 'utf8');
    assert.match(yaml, /customers:\n\s+resource: customers\n\s+write_disposition: replace/);
  });

  it('samples N rows per stream with --limit, and saves no state for a sample or a run of some streams', async () => {
    project = shopProject();
    const sample = runCliJson(['ingest', 'shop', '--limit', '2'], project.dir, ENV);
    assert.equal(sample.code, 0, sample.stderr + sample.stdout);
    assert.equal(sample.json.tables.customers.rows, 2);
    assert.equal(sample.json.tables.events.rows, 2);
    assert.equal(await tapState(project.warehouse), undefined);
    // Only customers: the tap's state would cover events that were not loaded.
    const some = runCliJson(['ingest', 'shop', '--resources', 'customers'], project.dir, ENV);
    assert.equal(some.code, 0, some.stderr + some.stdout);
    assert.deepEqual(Object.keys(some.json.tables).sort(), ['customers', 'customers__tags']);
    assert.equal(await tapState(project.warehouse), undefined);
    const all = runCliJson(['ingest', 'shop'], project.dir, ENV);
    assert.equal(all.code, 0, all.stderr + all.stdout);
    assert.equal(all.json.tables.events.rows, 3, 'every event, none was skipped by the earlier runs\' state');
    assert.deepEqual(await tapState(project.warehouse), { bookmarks: { customers: { updated_at: '2024-01-03T00:00:00Z' } } });
  });

  it('fails the load when the tap exits non-zero mid-stream: its stderr in the error, no rows, no state', async () => {
    project = shopProject();
    assert.equal(runCliJson(['ingest', 'shop'], project.dir, ENV).code, 0);
    const stateBefore = await tapState(project.warehouse);
    project.write('shop.json', JSON.stringify({
      customers: customers.map((c) => ({ ...c, name: 'changed', updated_at: '2025-01-01T00:00:00Z' })),
      events,
    }));
    project.write('sources/shop.ts', sourceModule({ fail: 'exit' }));
    // Parts of one row: the load starts while the tap still runs, and must still leave nothing behind.
    const run = runCli(['ingest', 'shop'], project.dir, { ...ENV, SLUICE_PART_ROWS: '1' });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /the tap \(\.\/taps\/tap-shop\.mjs --config \S+ --catalog \S+ --state \S+\) exited with status 3; the end of its stderr: INFO connecting with token \*\*\* \| ERROR lost connection to the API \(token \*\*\*\)/);
    assert.doesNotMatch(run.stderr + run.stdout, new RegExp(TOKEN));
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    const [row] = await query<{ changed: number; events: number }>(
      project.warehouse,
      `SELECT (SELECT count(*) FROM shop.customers WHERE name = 'changed')::INT AS changed, (SELECT count(*) FROM shop.events)::INT AS events`,
    );
    assert.deepEqual(row, { changed: 0, events: 3 });
    assert.deepEqual(await tapState(project.warehouse), stateBefore);
    const [failed] = await query<{ status: string; error: string }>(
      project.warehouse,
      `SELECT status, error FROM _sluice.loads WHERE source = 'shop' ORDER BY started_at DESC LIMIT 1`,
    );
    assert.equal(failed.status, 'failed');
    assert.match(failed.error, /exited with status 3/);
    assert.doesNotMatch(failed.error, new RegExp(TOKEN));
  });

  it('masks the secret values of a config file given in the command', () => {
    project = shopProject({
      // "token" looks secret: its value is masked though it is in no secret of the source.
      'tap_config.json': JSON.stringify({ data: 'shop.json', token: TOKEN, fail: 'exit' }),
      'sources/shop.ts': `import { singerTap } from 'sluice';
export default singerTap({ name: 'shop', command: ['./taps/tap-shop.mjs', '--config', 'tap_config.json'] });
`,
    });
    const run = runCli(['ingest', 'shop', '--verbose'], project.dir);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /exited with status 3; the end of its stderr: INFO connecting with token \*\*\* \| ERROR lost connection to the API \(token \*\*\*\)/);
    assert.doesNotMatch(run.stderr + run.stdout, new RegExp(TOKEN));
  });

  it('fails the load when the tap is killed mid-line, loading nothing', async () => {
    project = shopProject({ 'sources/shop.ts': sourceModule({ fail: 'kill' }) });
    const run = runCli(['ingest', 'shop'], project.dir, { ...ENV, SLUICE_PART_ROWS: '1' });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /the tap \(.*\) was killed by SIGKILL; the end of its stderr: INFO connecting with token \*\*\*/);
    assert.deepEqual(await shopTables(project.warehouse), []);
    assert.equal(await tapState(project.warehouse), undefined);
  });

  it('names the line and stream of a line that is not JSON, and a RECORD before its SCHEMA', async () => {
    project = shopProject({ 'sources/shop.ts': sourceModule({ fail: 'invalid-json' }) });
    const bad = runCli(['ingest', 'shop'], project.dir, ENV);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /source "shop": line 6 of the tap's output \(stream "events"\): not valid JSON \(.*\); the line: \{"type": "RECORD", "stream": "events", "record": \{"id": 7,\}\}/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.deepEqual(await shopTables(project.warehouse), []);

    project.write('sources/shop.ts', sourceModule({ fail: 'no-schema' }));
    const orphan = runCli(['ingest', 'shop'], project.dir, ENV);
    assert.notEqual(orphan.code, 0);
    assert.match(orphan.stderr, /line 1 of the tap's output \(stream "customers"\): RECORD for stream "customers" before any SCHEMA message for it/);
  });

  it('says when the tap cannot be started or its config is wrong', () => {
    project = shopProject({
      'sources/shop.ts': `import { singerTap } from 'sluice';\nexport default singerTap({ name: 'shop', command: ['tap-nowhere-to-be-found'] });\n`,
    });
    const missing = runCli(['ingest', 'shop'], project.dir, ENV);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /source "shop": cannot start the tap \(tap-nowhere-to-be-found --discover\): tap-nowhere-to-be-found not found/);
    project.write('sources/shop.ts', `import { singerTap } from 'sluice';\nexport default singerTap({ name: 'shop', command: 'tap-x' });\n`);
    assert.match(runCli(['ingest', 'shop'], project.dir).stderr, /source "shop": command must be a non-empty list of strings/);
  });
});
