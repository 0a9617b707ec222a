// `sluice health` through the built CLI, on warehouses built by real ingests and applies: a copy of the demo
// project (fresh, stale by the clock, a failed audit, a failed load, a killed load) and a small project whose
// load history shows a volume anomaly.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliPath, makeProject, repoRoot, runCli, runCliJson, type TempProject } from '../helpers/project';

const HOUR = 3_600_000;

/** A model with an audit that fails without blocking the apply, so prod shows it with failed audits. */
const BIG_ORDERS = `MODEL (
  name analytics.big_orders,
  kind FULL,
  owner finance,
  tags (customer_facing),
  freshness (warn_after := 2h, error_after := 2d),
  audits (accepted_range(column := amount, max_v := 50, blocking := false))
);

SELECT order_id, amount FROM staging.orders WHERE amount > 40
`;

function copyDemo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-health-'));
  const demo = path.join(repoRoot, 'examples', 'demo');
  fs.cpSync(demo, dir, { recursive: true, filter: (src) => !/[\\/]\.sluice$/.test(src) && !/\.duckdb(\.wal)?$/.test(src) });
  // The shop API can be told to fail, or to hang (to be killed), through the environment.
  const shop = path.join(dir, 'sources', 'shop.ts');
  const text = fs.readFileSync(shop, 'utf8');
  const hook = `async *rows(ctx) {
        if (process.env.SHOP_FAIL) throw new Error('the shop API answered <503> & gave up');
        if (process.env.SHOP_HANG) await new Promise((resolve) => setTimeout(resolve, 60_000));`;
  assert.ok(text.includes('async *rows(ctx) {'), 'the demo shop source changed: update this test');
  fs.writeFileSync(shop, text.replace('async *rows(ctx) {', hook));
  fs.writeFileSync(path.join(dir, 'models', 'marts', 'big_orders.sql'), BIG_ORDERS);
  return dir;
}

function ok(run: { code: number; stderr: string }, what: string): void {
  assert.equal(run.code, 0, `${what} failed: ${run.stderr}`);
}

interface Load { loadId: string; source: string; status: string; startedAt: string; finishedAt: string; rows: Record<string, number>; error: string | null }

function loads(dir: string, source: string): Load[] {
  const run = runCliJson(['loads', '--source', source, '--limit', '100'], dir);
  ok(run, 'sluice loads');
  return run.json.loads;
}

describe('sluice health (end to end)', function () {
  this.timeout(300_000);

  describe('on a copy of the demo project', () => {
    let dir: string;
    let shopLoads: Load[];
    let builtAfter: number;
    before(() => {
      dir = copyDemo();
      for (const source of ['github', 'shop', 'legacy_crm', 'shop']) ok(runCli(['ingest', source], dir), `ingest ${source}`);
      builtAfter = Date.now();
      const apply = runCli(['apply'], dir);
      ok(apply, 'apply');
      assert.match(apply.stderr, /audit accepted_range.* on analytics\.big_orders: \d+ rows? failed \(non-blocking\)/);
      shopLoads = loads(dir, 'shop');
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('answers for a fresh column: the source field, the load that fed it, the build and audits (JSON field by field)', () => {
      const started = Date.now();
      const run = runCliJson(['health', 'analytics.daily_revenue.revenue'], dir);
      assert.equal(run.code, 0, run.stderr);
      const report = run.json;
      assert.deepEqual(Object.keys(report), ['environment', 'generated_at', 'summary', 'columns', 'sources']);
      assert.deepEqual(Object.keys(report.columns['analytics.daily_revenue.revenue']), ['status', 'reason', 'breach', 'as_of', 'sources', 'filters', 'model']);
      assert.equal(report.environment, 'prod');
      assert.ok(Math.abs(Date.parse(report.generated_at) - started) < 60_000, report.generated_at);
      assert.deepEqual(Object.keys(report.columns), ['analytics.daily_revenue.revenue']);
      const column = report.columns['analytics.daily_revenue.revenue'];
      assert.equal(column.status, 'fresh');
      assert.equal(column.breach, null);

      const [latest, first] = shopLoads;
      assert.equal(shopLoads.length, 2);
      assert.deepEqual([latest.rows.orders, first.rows.orders], [45, 40]);
      const expectedLoad = {
        load_id: latest.loadId,
        at: latest.finishedAt,
        started_at: latest.startedAt,
        duration_ms: Date.parse(latest.finishedAt) - Date.parse(latest.startedAt),
        rows: 45,
      };
      assert.deepEqual(column.sources, [{
        field: 'shop.orders.total', resource: 'shop.orders', path: 'total', status: 'fresh',
        last_success: expectedLoad, last_failure: null, fed_by: expectedLoad,
      }]);
      // Fields that pick the rows (which orders count, the joins on the way) are dependencies too.
      assert.deepEqual(column.filters.find((f: any) => f.field === 'shop.orders.status'), { field: 'shop.orders.status', resource: 'shop.orders', path: 'status', status: 'fresh' });
      assert.ok(column.filters.some((f: any) => f.resource === 'shop.customers'), JSON.stringify(column.filters));
      assert.equal(column.as_of <= latest.finishedAt, true);

      const model = column.model;
      assert.deepEqual(
        { name: model.name, kind: model.kind, audits: model.audits, failed_audits: model.failed_audits, owner: model.owner, tags: model.tags },
        { name: 'analytics.daily_revenue', kind: 'INCREMENTAL_BY_TIME_RANGE', audits: 'passed', failed_audits: [], owner: null, tags: [] },
      );
      const built = Date.parse(model.built_at);
      assert.ok(built >= builtAfter && built <= started, `built_at ${model.built_at}`);
      assert.match(
        column.reason,
        new RegExp(`^analytics\\.daily_revenue\\.revenue comes from shop\\.orders\\.total, whose last load ${latest.loadId} succeeded (just now|\\d+ (s|min) ago) with 45 rows .*; the model was built in prod (just now|\\d+ (s|min) ago) and its audits passed\\.$`),
      );

      const orders = report.sources['shop.orders'];
      assert.deepEqual(
        { status: orders.status, breach: orders.breach, owner: orders.owner, tags: orders.tags, freshness: orders.freshness, last_failure: orders.last_failure, anomaly: orders.anomaly },
        { status: 'fresh', breach: null, owner: 'sales-data', tags: ['customer_facing'], freshness: { warn_after: '6h', error_after: '24h' }, last_failure: null, anomaly: null },
      );
      assert.deepEqual(orders.last_success, expectedLoad);
      assert.deepEqual(orders.volume, [
        { load_id: first.loadId, at: first.finishedAt, rows: 40 },
        { load_id: latest.loadId, at: latest.finishedAt, rows: 45 },
      ]);
      assert.deepEqual(orders.schema_changes.map((c: any) => [c.load_id, c.version, c.changes.map((x: any) => `${x.kind} ${x.table}`)]), [
        [first.loadId, 1, ['table_added orders', 'table_added orders__items']],
      ]);
      // Every resource the column depends on is reported, and nothing else.
      assert.deepEqual(Object.keys(report.sources).sort(), [...new Set([...column.sources, ...column.filters].map((s: any) => s.resource))].sort());
      assert.deepEqual(report.summary, {
        columns: { fresh: 1, stale: 0, failing: 0, unknown: 0 },
        sources: { fresh: Object.keys(report.sources).length, stale: 0, failing: 0, unknown: 0 },
        ok: true,
      });

      const text = runCli(['health', 'analytics.daily_revenue.revenue'], dir);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /fresh {4}analytics\.daily_revenue\.revenue comes from shop\.orders\.total, whose last load/);
      assert.match(text.stdout, new RegExp(`shop\\.orders\\.total: fresh, fed by ${latest.loadId}`));
    });

    it('is stale once the clock passes warn_after, and exits 1 past error_after (--now and SLUICE_NOW)', () => {
      const finished = Date.parse(shopLoads[0].finishedAt);
      const warn = runCliJson(['health', 'analytics.daily_revenue.revenue', '--now', new Date(finished + 7 * HOUR).toISOString()], dir);
      assert.equal(warn.code, 0, 'a warning does not fail the check');
      const column = warn.json.columns['analytics.daily_revenue.revenue'];
      assert.deepEqual([column.status, column.breach], ['stale', 'warn_after']);
      assert.match(column.reason, new RegExp(`shows shop\\.orders\\.total from load ${shopLoads[0].loadId}, which finished 7 h ago: longer than the warn_after of shop\\.orders \\(6h\\)\\.$`));
      assert.deepEqual([warn.json.sources['shop.orders'].status, warn.json.sources['shop.orders'].breach], ['stale', 'warn_after']);
      assert.equal(warn.json.summary.ok, true);

      const late = new Date(finished + 25 * HOUR).toISOString();
      const error = runCliJson(['health', 'analytics.daily_revenue.revenue', '--now', late], dir);
      assert.equal(error.code, 1, error.stderr);
      assert.match(error.stderr, /health of prod: 1 column and \d+ resources? failing or stale beyond error_after/);
      assert.deepEqual([error.json.columns['analytics.daily_revenue.revenue'].status, error.json.columns['analytics.daily_revenue.revenue'].breach], ['stale', 'error_after']);
      assert.equal(error.json.generated_at, late);
      assert.equal(error.json.summary.ok, false);
      // github has no freshness limit: however old, it is fresh.
      assert.equal(runCliJson(['health', 'github', '--now', late], dir).json.sources['github.issues'].status, 'fresh');

      const env = runCliJson(['health', 'analytics.daily_revenue.revenue'], dir, { SLUICE_NOW: late });
      assert.equal(env.code, 1);
      assert.deepEqual(env.json.columns['analytics.daily_revenue.revenue'].sources, error.json.columns['analytics.daily_revenue.revenue'].sources);
      assert.deepEqual(env.json.columns['analytics.daily_revenue.revenue'].filters, error.json.columns['analytics.daily_revenue.revenue'].filters);
      assert.ok(Math.abs(Date.parse(env.json.generated_at) - Date.parse(late)) < 60_000, env.json.generated_at);
      assert.equal(env.json.columns['analytics.daily_revenue.revenue'].breach, 'error_after');

      const model = runCliJson(['health', 'analytics.big_orders.amount', '--now', new Date(finished + 3 * HOUR).toISOString()], dir);
      assert.equal(model.json.columns['analytics.big_orders.amount'].breach, 'warn_after', 'the MODEL block says warn_after 2h');
    });

    it('shows a failed audit as failing, naming the audit and the rows it found', () => {
      const run = runCliJson(['health', 'analytics.big_orders'], dir);
      assert.equal(run.code, 1);
      assert.deepEqual(Object.keys(run.json.columns), ['analytics.big_orders.order_id', 'analytics.big_orders.amount']);
      for (const column of Object.values<any>(run.json.columns)) {
        assert.equal(column.status, 'failing');
        assert.equal(column.model.audits, 'failed');
        assert.deepEqual(column.model.owner, 'finance');
        assert.deepEqual(column.model.tags, ['customer_facing']);
        assert.equal(column.model.failed_audits.length, 1);
        const [audit] = column.model.failed_audits;
        assert.match(audit.audit, /^accepted_range/);
        assert.equal(audit.blocking, false);
        assert.ok(audit.violations > 0);
        assert.match(column.reason, new RegExp(`: the audits of analytics\\.big_orders failed in prod .*: accepted_range.* found ${audit.violations} rows?\\.$`));
      }
    });

    it('says what it cannot know: an environment never applied, and names that are nothing', () => {
      const dev = runCliJson(['health', 'staging.issues.title', '--env', 'dev'], dir);
      assert.equal(dev.code, 0, dev.stderr);
      const column = dev.json.columns['staging.issues.title'];
      assert.deepEqual([column.status, column.model.built_at, column.model.audits], ['unknown', null, 'none']);
      assert.equal(column.reason, 'environment dev does not exist: run sluice apply dev.');
      const bad = runCliJson(['health', 'analytics.nothing'], dir);
      assert.equal(bad.code, 2);
      assert.match(bad.json.error, /no model, model column, source or resource named analytics\.nothing/);
      assert.equal(runCliJson(['health', 'analytics.daily_revenue.nope'], dir).code, 2);
      assert.equal(runCliJson(['health', '--now', 'yesterday'], dir).code, 2);
    });

    it('exits 3, not 1, when the warehouse cannot be read: a cron check tells a lock from stale data', async () => {
      const warehouse = path.join(dir, 'warehouse.duckdb');
      const holder = spawn(process.execPath, ['-e', `
        const { DuckDBInstance } = require('@duckdb/node-api');
        DuckDBInstance.create(${JSON.stringify(warehouse)}).then(async (i) => { await i.connect(); console.log('held'); setInterval(() => {}, 1000); });
      `], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        await new Promise<void>((resolve, reject) => {
          holder.stdout!.on('data', (d) => String(d).includes('held') && resolve());
          holder.on('exit', () => reject(new Error('lock holder exited')));
        });
        const locked = runCliJson(['health'], dir, { SLUICE_LOCK_WAIT_MS: '300' });
        assert.equal(locked.code, 3, locked.stderr);
        assert.match(locked.json.error, new RegExp(`^cannot judge health: .*is locked by another process \\(pid ${holder.pid}\\)`));
        assert.doesNotMatch(locked.stderr, /\n\s+at /);
      } finally {
        const gone = new Promise((resolve) => holder.once('exit', resolve));
        holder.kill('SIGKILL');
        await gone;
      }
      // Readable again once the writer is gone: a verdict on the data (the demo has a failing audit).
      const judged = runCliJson(['health'], dir);
      assert.equal(judged.code, 1, judged.stderr);
      assert.ok(Object.keys(judged.json.columns).length > 0);
    });

    it('shows a failed load as failing, with its error, in the JSON and an escaped HTML report', () => {
      const failed = runCliJson(['ingest', 'shop'], dir, { SHOP_FAIL: '1' });
      assert.equal(failed.code, 1);
      const failedId = failed.json.load_id;
      const run = runCliJson(['health', 'analytics.daily_revenue.revenue', '--html', 'report.html'], dir);
      assert.equal(run.code, 1);
      const column = run.json.columns['analytics.daily_revenue.revenue'];
      assert.equal(column.status, 'failing');
      const total = column.sources[0];
      assert.equal(total.status, 'failing');
      assert.equal(total.last_success.load_id, shopLoads[0].loadId, 'the last success is unchanged');
      assert.equal(total.last_failure.load_id, failedId);
      assert.match(total.last_failure.error, /the shop API answered <503> & gave up/);
      assert.match(column.reason, new RegExp(`depends on shop\\.orders\\.total, but the last load of shop, ${failedId}, failed .*gave up.*; shop\\.orders\\.total was last loaded`));
      assert.equal(run.json.sources['shop.orders'].status, 'failing');

      const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
      assert.match(html, /^<!DOCTYPE html>/);
      assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);
      assert.ok(html.includes('the shop API answered &#60;503&#62; &#38; gave up'), 'the error is escaped');
      assert.ok(!html.includes('<503>'), 'nothing from the data lands in the HTML unescaped');
      assert.ok(!/<script|\ssrc=|\shref=|url\(|@import/i.test(html), 'nothing is loaded from anywhere');
      assert.ok(html.includes('analytics.daily_revenue.revenue') && html.includes(failedId));
      assert.match(html, /<svg [^>]*aria-label="rows per load">(<rect [^>]*><title>[^<]*<\/title><\/rect>){2}<\/svg>/);
    });

    it('recovers after a successful load, and tells which load a table model still shows', () => {
      ok(runCli(['ingest', 'shop'], dir), 'ingest shop');
      const latest = loads(dir, 'shop').find((l) => l.status === 'loaded')!;
      const run = runCliJson(['health', 'analytics.daily_revenue.revenue'], dir);
      assert.equal(run.code, 0, run.stderr);
      const column = run.json.columns['analytics.daily_revenue.revenue'];
      const total = column.sources[0];
      assert.equal(column.status, 'fresh');
      assert.equal(total.last_success.load_id, latest.loadId);
      assert.notEqual(total.last_failure, null, 'the earlier failure is still reported');
      // intermediate.orders_enriched is a table built before this load: prod still shows the one before.
      assert.equal(total.fed_by.load_id, shopLoads[0].loadId);
      assert.match(column.reason, new RegExp(`whose load ${shopLoads[0].loadId} \\(a newer one, ${latest.loadId}, is not built in yet\\)`));
      // staging.orders is a view: it shows the new load at once.
      assert.equal(runCliJson(['health', 'staging.orders.amount'], dir).json.columns['staging.orders.amount'].sources[0].fed_by.load_id, latest.loadId);
    });

    it('never counts a killed load: the last success stays the one that committed', async () => {
      const before = loads(dir, 'shop');
      const child = spawn(process.execPath, [cliPath, 'ingest', 'shop'], { cwd: dir, env: { ...process.env, SHOP_HANG: '1', SLUICE_DEBUG: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
      const killedId = await new Promise<string>((resolve, reject) => {
        let seen = '';
        child.stderr!.on('data', (d) => {
          seen += String(d);
          const match = /stage: extract (\S+)/.exec(seen);
          if (match) setTimeout(() => { child.kill('SIGKILL'); resolve(match[1]); }, 300);
        });
        child.on('exit', (code) => reject(new Error(`the ingest ended by itself (${code}): ${seen}`)));
      });
      await new Promise((resolve) => child.on('exit', resolve));
      assert.deepEqual(loads(dir, 'shop'), before, 'the killed load left no record');
      const run = runCliJson(['health', 'shop.orders'], dir);
      // A source target brings the columns it feeds: only the audited model fails.
      const failing = Object.entries<any>(run.json.columns).filter(([, c]) => c.status !== 'fresh').map(([key]) => key);
      assert.deepEqual(failing, ['analytics.big_orders.order_id', 'analytics.big_orders.amount']);
      assert.equal(run.code, 1);
      assert.equal(run.json.sources['shop.orders'].last_success.load_id, before.find((l) => l.status === 'loaded')!.loadId);
      assert.ok(!JSON.stringify(run.json).includes(killedId), `the killed load ${killedId} appears nowhere`);
      assert.equal(run.json.sources['shop.orders'].status, 'fresh');
    });
  });

  describe('volume anomalies over a load history', () => {
    let project: TempProject;
    const source = `export default { name: 'feed', resources: [{ name: 'events', writeDisposition: 'append',
      *rows() { for (let i = 0; i < Number(process.env.ROWS); i++) yield { id: i, kind: 'k' + (i % 3) }; } }] };`;
    before(() => (project = makeProject({ 'sources/feed.ts': source })));
    after(() => project.cleanup());

    const ingestAt = (rows: number, daysAgo: number) => {
      const at = new Date(Date.now() - daysAgo * 24 * HOUR).toISOString();
      ok(runCli(['ingest', 'feed'], project.dir, { ROWS: String(rows), SLUICE_NOW: at }), `ingest of ${rows} rows ${daysAgo} days ago`);
    };
    const events = () => runCliJson(['health', 'feed.events'], project.dir).json.sources['feed.events'];

    it('flags nothing until 7 loads of the 14 days before the last one, then zero rows, a drop and a spike', () => {
      // SLUICE_NOW moves the ingest's clock: a history over days, one load outside the window.
      ingestAt(5000, 20);
      for (const [i, rows] of [100, 104, 98, 101, 97, 103].entries()) ingestAt(rows, 12 - i);
      assert.equal(events().anomaly, null, 'six loads in the window are not enough to judge (the one 20 days ago is outside it)');
      ingestAt(99, 5);
      const history = events();
      assert.equal(history.anomaly, null);
      assert.deepEqual(history.volume.map((v: any) => v.rows), [5000, 100, 104, 98, 101, 97, 103, 99]);
      assert.ok(history.volume.every((v: any, i: number, all: any[]) => i === 0 || v.at > all[i - 1].at), 'oldest first');
      assert.ok(Date.parse(history.volume[0].at) < Date.now() - 19 * 24 * HOUR, 'the load was recorded at the moved time');

      ingestAt(5, 1);
      assert.match(events().anomaly, /^the last load brought 5 rows, under 10 % of the median of 100 over the 14 days before it \(7 loads\)$/);
      ingestAt(0, 0.5);
      assert.equal(events().anomaly, 'the last load brought 0 rows');
      ingestAt(400, 0.1);
      assert.match(events().anomaly, /^the last load brought 400 rows, [\d.]+ standard deviations above the mean of \d+ over the 14 days before it \(9 loads\)$/);

      // volume_anomaly: low watches drops only.
      project.write('sluice.yaml', 'name: test\nsources:\n  feed:\n    resources:\n      events: { enabled: true, volume_anomaly: low }\n');
      assert.equal(events().anomaly, null);
      const text = runCli(['health', 'feed'], project.dir);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /fresh {3}feed\.events/);
    });

    it('reports a bad freshness setting with the file, line and field', () => {
      project.write('sluice.yaml', 'name: test\nsources:\n  feed:\n    freshness:\n      warn_after: 6x\n');
      const run = runCli(['health'], project.dir);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^sluice: .*sluice\.yaml:5:19: sources\.feed\.freshness\.warn_after must be a duration such as 30m, 6h or 1d; found "6x"\n$/);
      assert.ok(!run.stderr.includes('    at '), 'no stack trace');
    });
  });

  it('holds a failed load against the resources it ran only', () => {
    const project = makeProject({
      'sources/two.js': `export default { name: 'two', resources: [
        { name: 'a', rows: () => [{ id: 1 }] },
        { name: 'b', *rows(ctx) { if (ctx.config.fail) throw new Error('b broke'); yield { id: 2 }; } },
      ] };`,
    });
    try {
      const config = (fail: boolean) => project.write('sluice.yaml', `name: test\nsources:\n  two:\n    config: { fail: ${fail} }\n`);
      config(false);
      ok(runCli(['ingest', 'two'], project.dir), 'ingest two');
      config(true);
      assert.equal(runCli(['ingest', 'two', '--resources', 'b'], project.dir).code, 1);
      const afterB = runCliJson(['health'], project.dir);
      assert.equal(afterB.json.sources['two.b'].status, 'failing');
      assert.match(afterB.json.sources['two.b'].last_failure.error, /b broke/);
      assert.equal(afterB.json.sources['two.a'].status, 'fresh', 'a did not run in the failed load');
      assert.equal(afterB.json.sources['two.a'].last_failure, null);
      // A run of every resource fails as a whole: nothing of a was loaded either.
      assert.equal(runCli(['ingest', 'two'], project.dir).code, 1);
      const afterAll = runCliJson(['health'], project.dir);
      assert.deepEqual([afterAll.json.sources['two.a'].status, afterAll.json.sources['two.b'].status], ['failing', 'failing']);
    } finally {
      fs.rmSync(project.dir, { recursive: true, force: true });
    }
  });
});
