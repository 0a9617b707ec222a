// Gateways end to end through the built CLI: a sluice.yaml naming a postgres gateway whose URL is a secret,
// `plan/apply --gateway`, default_gateway, a model PostgreSQL cannot run left out at its position, and a
// kill during apply that leaves the server's environment as it was.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Client } from 'pg';
import { cliPath, makeProject, runCli, runCliJson, type TempProject } from '../helpers/project';
import { MODELS, scratchDatabase, SOURCE_SQL } from './pgHelpers';

describe('gateways: sluice plan/apply --gateway on PostgreSQL (end to end)', function () {
  this.timeout(180_000);
  let db: { url: string; drop: () => Promise<void> };
  let project: TempProject;
  let server: Client;
  // Sluice's clock at the execution time, so a table built "now" is due for a refresh two days later.
  const env = () => ({ PG_URL: db.url, SLUICE_NOW: '2024-01-10T00:00:00Z' });
  const views = async (schema: string) =>
    (await server.query(`SELECT viewname, definition FROM pg_views WHERE schemaname = $1 ORDER BY 1`, [schema])).rows.map((r) => `${r.viewname} <- ${/FROM\s+(\S+)/.exec(r.definition)?.[1]}`);

  before(async () => {
    db = await scratchDatabase('sluice_gateway_test');
    server = new Client({ connectionString: db.url });
    await server.connect();
    await server.query(SOURCE_SQL);
    project = makeProject({
      ...MODELS,
      'sluice.yaml': "name: pg_test\ngateways:\n  local: { type: duckdb }\n  pg: { type: postgres, url: '${secrets.PG_URL}' }\n",
    });
  });
  after(async () => {
    await server?.end();
    await db?.drop();
    project?.cleanup();
  });

  it('plan --gateway pg reads the server\'s (empty) state; an unknown gateway is a usage error', () => {
    const plan = runCliJson(['plan', 'dev', '--gateway', 'pg', '--execution-time', '2024-01-10'], project.dir, env());
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual([...plan.json.build].sort(), ['analytics.daily', 'analytics.latest_order', 'analytics.revenue', 'staging.enriched', 'staging.orders']);
    const unknown = runCli(['plan', 'dev', '--gateway', 'nope'], project.dir, env());
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /there is no gateway nope; the project's gateways are local, pg/);
    const noSecret = runCli(['plan', 'dev', '--gateway', 'pg'], project.dir, { PG_URL: '' });
    assert.equal(noSecret.code, 1);
    assert.match(noSecret.stderr, /gateway pg: url needs the secret PG_URL; set it in the environment or in \.env/);
  });

  it('apply --gateway pg builds on the server and swaps dev; the DuckDB warehouse is not touched', async () => {
    const applied = runCliJson(['apply', 'dev', '--gateway', 'pg', '--execution-time', '2024-01-10'], project.dir, env());
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(applied.json.result.swapped, true);
    assert.equal(applied.json.result.built.length, 5);
    assert.equal((await views('staging__dev')).length, 2);
    assert.match((await views('analytics__dev')).join('\n'), /^daily <- sluice__analytics\.daily__[0-9a-f]{10}/);
    assert.equal(fs.existsSync(project.warehouse), false);
  });

  it('default_gateway makes pg the default; a model PostgreSQL cannot run is left out at its position', async () => {
    project.write('sluice.yaml', "name: pg_test\ngateways:\n  local: { type: duckdb }\n  pg: { type: postgres, url: '${secrets.PG_URL}' }\ndefault_gateway: pg\n");
    project.write('models/series.sql', 'MODEL (name analytics.series, kind FULL);\n\nSELECT i FROM range(3) AS t(i)\n');
    const plan = runCliJson(['plan', 'prod', '--execution-time', '2024-01-10'], project.dir, env());
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stderr, /models\/series\.sql:3:\d+: .*range/);
    assert.deepEqual(plan.json.held_back.map((h: { model: string }) => h.model), ['analytics.series']);
    assert.deepEqual(plan.json.build, []);
    const strict = runCli(['plan', 'prod', '--strict'], project.dir, env());
    assert.equal(strict.code, 1);
    project.write('models/series.sql', 'MODEL (name analytics.series, kind FULL);\n\nSELECT 1 AS i\n');
  });

  it('a kill during apply leaves the environment as it was, and the next apply takes over and finishes', async () => {
    const before = await views('staging__dev');
    // A source view that sleeps per row keeps the build of staging.orders running long enough to kill it mid-apply.
    // The sleep reads the row, or the server may run it once and reuse its result for every row.
    await server.query(`CREATE VIEW src.orders_slow AS SELECT o.* FROM src.orders AS o CROSS JOIN LATERAL pg_sleep(0.1 + 0 * o.id)`);
    project.write('external_models.yaml', MODELS['external_models.yaml'] + "- name: src.orders_slow\n  columns: { id: INT, customer_id: INT, amount: 'DECIMAL(10,2)', ordered_at: TIMESTAMP }\n");
    project.write('models/orders.sql', MODELS['models/orders.sql'].replace('amount * 1 AS amount', 'amount * 3 AS amount').replace('FROM src.orders', 'FROM src.orders_slow'));
    const child = spawn(process.execPath, [cliPath, 'apply', 'dev', '--execution-time', '2024-01-10'], { cwd: project.dir, env: { ...process.env, ...env() }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let running = true;
    void exited.then(() => (running = false));
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (/build staging\.orders/.test(stderr)) {
          clearInterval(poll);
          resolve();
        } else if (!running) {
          clearInterval(poll);
          reject(new Error(`the apply ended before it built staging.orders: ${stderr}`));
        }
      }, 20);
    });
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await exited;
    // The server rolled back the killed transactions and released its advisory lock; dev still shows what it showed.
    assert.deepEqual(await views('staging__dev'), before);
    const stuck = (await server.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).rows[0].n;
    assert.equal(stuck, 0);
    const rerun = runCliJson(['apply', 'dev', '--execution-time', '2024-01-10'], project.dir, env());
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.json.result.recovered ?? '', /took over the lock of an interrupted apply/);
    assert.notDeepEqual(await views('staging__dev'), before);
    const total = (await server.query(`SELECT sum(revenue)::text AS r FROM analytics__dev.revenue`)).rows[0].r;
    assert.equal(total, '6300.00');
  });

  it('run, diff and janitor work on the default postgres gateway', async () => {
    const promoted = runCliJson(['apply', 'prod', '--execution-time', '2024-01-10'], project.dir, env());
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.deepEqual(promoted.json.result.built, []);
    const diff = runCliJson(['diff', 'prod:dev', 'staging.orders'], project.dir, env());
    assert.equal(diff.code, 0, diff.stderr);
    assert.equal(diff.json.left.rows, 20);
    assert.equal(diff.json.onlyLeft.count, 0);
    assert.deepEqual(diff.json.grain.columns, ['id']);
    assert.equal(diff.json.grain.joined, 20);
    // Two days later: the incremental model's new days are due, the FULL models' cron ticked.
    await server.query(`INSERT INTO src.orders VALUES (21, 1, 5.00, TIMESTAMP '2024-01-10 12:00'), (22, 2, 7.00, TIMESTAMP '2024-01-11 08:00')`);
    const run = runCliJson(['run', 'prod', '--execution-time', '2024-01-12'], project.dir, env());
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.json.processed.map((p: { model: string }) => p.model).sort(), ['analytics.daily', 'analytics.latest_order']);
    assert.ok(run.json.refreshed.includes('staging.orders'), JSON.stringify(run.json.refreshed));
    const days = (await server.query(`SELECT count(*)::int AS n FROM analytics.daily`)).rows[0].n;
    assert.equal(days, 7);
    const janitor = runCliJson(['janitor'], project.dir, env());
    assert.equal(janitor.code, 0, janitor.stderr);
    assert.equal(typeof janitor.json.kept, 'number');
  });

  it('environments lists the server\'s environments; invalidate removes dev there', async () => {
    const listed = runCliJson(['environments'], project.dir, env());
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listed.json.environments.map((e: { name: string }) => e.name), ['dev', 'prod']);
    const local = runCliJson(['environments', '--gateway', 'local'], project.dir, env());
    assert.deepEqual(local.json.environments, []);
    const removed = runCliJson(['invalidate', 'dev'], project.dir, env());
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.json.dropped_views.length, 6); // the five models and analytics.series
    assert.deepEqual(await views('staging__dev'), []);
    assert.ok((await views('staging')).length > 0, 'prod keeps its views');
  });
});
