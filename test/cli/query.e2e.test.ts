// `sluice init`, `sluice query` and `sluice profile` on real project directories: a project made by init is
// ingested, applied to prod and to dev, tested, then queried (text, JSON, CSV, a model, errors with the model
// file's line and column) and profiled (a sample for a large table, identifiers that need quoting).

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { cliPath, runCli as runCliIn, runCliJson as runCliJsonIn, spawn } from '../helpers/project';

const DAILY = 'models/marts/daily_revenue.sql';
const BROKEN = `MODEL (name analytics.broken, kind VIEW);
@DEF(min_amount, 5);

SELECT
  order_id,
  @min_amount + amout AS padded
FROM staging.orders
`;

describe('sluice init, query and profile (end to end)', function () {
  this.timeout(180_000);
  let root: string;
  let dir: string;

  const runCli = (args: string[], cwd = dir) => runCliIn(args, cwd);
  const runCliJson = (args: string[], cwd = dir) => runCliJsonIn(args, cwd);
  const ok = (args: string[], cwd = dir) => {
    const run = runCli(args, cwd);
    assert.equal(run.code, 0, `sluice ${args.join(' ')}: ${run.stderr}`);
    return run;
  };

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-init-'));
    dir = path.join(root, 'shop');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('init', () => {
    it('creates a working project and prints the next three commands', () => {
      const run = ok(['init', 'shop'], root);
      for (const file of ['sluice.yaml', '.gitignore', 'sources/shop.ts', 'models/staging/orders.sql', 'audits/positive_amount.sql', 'tests/test_daily_revenue.yaml']) {
        assert.ok(fs.existsSync(path.join(dir, file)), `${file} was not created`);
      }
      assert.match(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'), /^\*\.duckdb$[\s\S]*^\.env$/m);
      assert.match(run.stdout, /Next:\n {2}cd shop\n {2}sluice ingest shop\n {2}sluice apply\n {2}sluice query "SELECT \* FROM analytics\.daily_revenue"\n$/);
    });

    it('refuses to overwrite anything, naming the files, and writes nothing', () => {
      fs.writeFileSync(path.join(dir, 'models/staging/orders.sql'), '-- mine\n');
      const again = runCli(['init', '.'], dir);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already has sluice\.yaml, \.gitignore, sources\/shop\.ts, models\/staging\/orders\.sql, .*; sluice init writes only new files/);
      assert.doesNotMatch(again.stderr, /\n\s+at /);
      assert.equal(fs.readFileSync(path.join(dir, 'models/staging/orders.sql'), 'utf8'), '-- mine\n');
      assert.equal(runCli(['init', path.join(root, 'other'), '--template', 'nosuch'], root).code, 2);
      fs.rmSync(path.join(dir, 'models/staging/orders.sql'));
      const restored = runCli(['init', path.join(root, 'fresh')], root);
      assert.equal(restored.code, 0);
      fs.copyFileSync(path.join(root, 'fresh/models/staging/orders.sql'), path.join(dir, 'models/staging/orders.sql'));
    });

    it('ingest, plan, apply and test succeed on the new project', () => {
      ok(['ingest', 'shop']);
      assert.match(ok(['plan']).stdout, /analytics\.daily_revenue/);
      ok(['apply']);
      assert.match(ok(['test']).stdout, /1 passed, 0 failed/);
    });
  });

  describe('query', () => {
    it('reads prod while there is no dev, as a text table with NULL shown as NULL', () => {
      const run = ok(['query', 'SELECT order_id, customer_id, coupon FROM staging.orders WHERE order_id IN (5, 6) ORDER BY order_id']);
      const lines = run.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^order_id\s+customer_id\s+coupon$/);
      assert.match(lines[2], /^\s+5\s+105\s+SPRING5$/);
      assert.match(lines[3], /^\s+6\s+NULL\s+NULL$/);
      assert.match(lines[4], /^2 rows in \d+ ms, prod$/);
    });

    it('--json gives exactly columns, rows, row_count, truncated and elapsed_ms', () => {
      const run = runCliJson(['query', `SELECT order_id, customer_id, '' AS empty, NULL::VARCHAR AS missing, [order_id] AS ids, {'coupon': coupon} AS s
        FROM staging.orders ORDER BY order_id`, '--limit', '6']);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(Object.keys(run.json), ['columns', 'rows', 'row_count', 'truncated', 'elapsed_ms']);
      assert.deepEqual(run.json.columns, [
        { name: 'order_id', type: 'BIGINT' },
        { name: 'customer_id', type: 'BIGINT' },
        { name: 'empty', type: 'VARCHAR' },
        { name: 'missing', type: 'VARCHAR' },
        { name: 'ids', type: 'BIGINT[]' },
        { name: 's', type: 'STRUCT("coupon" VARCHAR)' },
      ]);
      assert.equal(run.json.row_count, 6);
      assert.equal(run.json.truncated, true);
      assert.ok(Number.isInteger(run.json.elapsed_ms) && run.json.elapsed_ms >= 0);
      assert.deepEqual(run.json.rows[5], [6, null, '', null, [6], { coupon: null }]);
      assert.deepEqual(run.json.rows[4], [5, 105, '', null, [5], { coupon: 'SPRING5' }]);
      const all = runCliJson(['query', 'SELECT count(*) AS n FROM staging.orders WHERE customer_id IS NULL']);
      assert.deepEqual(all.json.rows, [[10]]);
      assert.equal(all.json.truncated, false);
    });

    it('--csv keeps NULL (an empty field) apart from empty text ("")', () => {
      const run = ok(['query', `SELECT 1 AS a, NULL AS n, '' AS e, 'x,"y"' AS q, [1, 2] AS l`, '--csv']);
      assert.equal(run.stdout, 'a,n,e,q,l\r\n1,,"","x,""y""","[1,2]"\r\n');
    });

    it('reads dev once dev is applied, and prod with --env prod', () => {
      fs.writeFileSync(path.join(dir, DAILY), fs.readFileSync(path.join(dir, DAILY), 'utf8').replace('count(*) AS orders,', 'count(*) AS orders,\n  max(amount) AS largest,'));
      ok(['apply', 'dev']);
      const inDev = runCliJson(['query', 'SELECT * FROM analytics.daily_revenue ORDER BY order_date', '--limit', '1']);
      assert.deepEqual(inDev.json.columns.map((c: { name: string }) => c.name), ['order_date', 'revenue', 'orders', 'largest', 'orders_with_customer']);
      const inProd = runCliJson(['query', 'SELECT * FROM analytics.daily_revenue ORDER BY order_date', '--limit', '1', '--env', 'prod']);
      assert.deepEqual(inProd.json.columns.map((c: { name: string }) => c.name), ['order_date', 'revenue', 'orders', 'orders_with_customer']);
      assert.match(ok(['query', 'SELECT 1 AS one']).stdout, /, dev\n$/);
    });

    it('--model runs a model\'s rendered query against the environment\'s views', () => {
      const run = runCliJson(['query', '--model', 'analytics.daily_revenue', '--limit', '100']);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.json.columns.map((c: { name: string }) => c.name), ['order_date', 'revenue', 'orders', 'largest', 'orders_with_customer']);
      assert.equal(run.json.row_count, 10);
    });

    it('a query error exits 1 with one clear line; a model error names the model file line and column', () => {
      const bad = runCli(['query', 'SELECT order_id,\n  amout FROM staging.orders']);
      assert.equal(bad.code, 1);
      assert.equal(bad.stdout, '');
      assert.match(bad.stderr, /^sluice: line 2, column 3: Binder Error: Referenced column "amout" not found/);
      assert.equal(bad.stderr.trim().split('\n').length, 1);
      fs.writeFileSync(path.join(dir, 'models/marts/broken.sql'), BROKEN);
      try {
        const model = runCli(['query', '--model', 'analytics.broken']);
        assert.equal(model.code, 1);
        // Line 6 of the file, where `amout` stands after the @min_amount macro (column 17).
        assert.match(model.stderr, /^sluice: models\/marts\/broken\.sql:6:17: Binder Error: Referenced column "amout" not found/m);
        const json = runCliJson(['query', '--model', 'analytics.broken']);
        assert.equal(json.code, 1);
        assert.equal(json.json.status, 'failed');
      } finally {
        fs.rmSync(path.join(dir, 'models/marts/broken.sql'));
      }
    });

    it('usage errors exit 2', () => {
      assert.equal(runCli(['query'], dir).code, 2);
      assert.equal(runCli(['query', 'SELECT 1', '--model', 'analytics.daily_revenue'], dir).code, 2);
      assert.equal(runCli(['query', 'SELECT 1', '--json', '--csv'], dir).code, 2);
      assert.equal(runCli(['query', 'SELECT 1', '--limit', 'many'], dir).code, 2);
      assert.equal(runCli(['query', '--model', 'analytics.nosuch'], dir).code, 2);
      const env = runCli(['query', 'SELECT 1', '--env', 'staging'], dir);
      assert.equal(env.code, 1);
      assert.match(env.stderr, /there is no environment staging in the warehouse \(environments: dev, prod\)/);
    });
  });

  describe('profile', () => {
    before(async () => {
      // A table larger than the sample, with names that need quoting.
      const instance = await DuckDBInstance.create(path.join(dir, 'warehouse.duckdb'));
      const connection = await instance.connect();
      await connection.run(`CREATE SCHEMA raw`);
      await connection.run(`CREATE TABLE raw.events AS
        SELECT i AS "event id", CASE WHEN i % 10 = 0 THEN NULL ELSE 'kind ' || (i % 3) END AS "we""ird kind",
               DATE '2024-01-01' + CAST(i % 90 AS INTEGER) AS day
        FROM range(150000) t(i)`);
      connection.closeSync();
      instance.closeSync();
    });

    it('gives first rows and per column nulls, distinct values, min/max, top values and a histogram', () => {
      const run = runCliJson(['profile', 'staging.orders', '--env', 'prod']);
      assert.equal(run.code, 0, run.stderr);
      const p = run.json;
      assert.equal(p.relation, 'staging.orders');
      assert.equal(p.row_count, 60);
      assert.equal(p.sample, null);
      assert.equal(p.first_rows.rows.length, 10);
      const column = (name: string) => p.columns.find((c: { name: string }) => c.name === name);
      assert.equal(column('customer_id').null_pct, 16.7);
      assert.equal(column('coupon').null_pct, 80);
      assert.deepEqual(column('status').top.map((t: { value: string }) => t.value).sort(), ['cancelled', 'placed', 'shipped']);
      assert.deepEqual(column('status').top.map((t: { count: number }) => t.count), [20, 20, 20]);
      assert.equal(column('amount').min, '5.0');
      assert.ok(column('amount').histogram.length >= 5);
      assert.equal(column('amount').histogram.reduce((n: number, b: { count: number }) => n + b.count, 0), 60);
      assert.equal(column('status').histogram, null);
      assert.equal(column('order_date').histogram.reduce((n: number, b: { count: number }) => n + b.count, 0), 60);
    });

    it('profiles a large table on a sample and says so; quotes every identifier', () => {
      const run = runCliJson(['profile', 'raw.events']);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.json.sample, { rows: 100000, of: 150000 });
      const weird = run.json.columns.find((c: { name: string }) => c.name === 'we"ird kind');
      assert.ok(Math.abs(weird.null_pct - 10) < 1.5, `null % ${weird.null_pct}`);
      assert.equal(weird.distinct, 3);
      const text = ok(['profile', 'raw.events']);
      assert.match(text.stdout, /^raw\.events \(dev\): 150,000 rows; figures from a sample of 100,000 rows$/m);
      assert.match(text.stdout, /^we"ird kind\s+VARCHAR\s+/m);
      const missing = runCli(['profile', 'raw.nothing'], dir);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /there is no table or view raw\.nothing in the warehouse/);
    });
  });

  describe('the rest template', () => {
    let server: http.Server;
    let url: string;
    before(async () => {
      // A JSON API in two pages: { items, next } then a last page; userId is missing on one item.
      server = http.createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/todos') {
          res.end(JSON.stringify({ items: [{ userId: 1, id: 1, title: 'a', completed: false }, { userId: 1, id: 2, title: 'b', completed: true }], next: '/todos?page=2' }));
        } else {
          res.end(JSON.stringify({ items: [{ id: 3, title: 'c', completed: false }], next: null }));
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/todos`;
    });
    after(() => server.close());

    it('reads the API named in sluice.yaml: ingest, apply, test and query succeed', async () => {
      const restDir = path.join(root, 'rest');
      ok(['init', restDir, '--template', 'rest'], root);
      const config = path.join(restDir, 'sluice.yaml');
      fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('https://jsonplaceholder.typicode.com/todos', url));
      // Run without blocking: the API answers from this process.
      const ingest = await runAsync(['ingest', 'api'], restDir);
      assert.equal(ingest.code, 0, ingest.stderr);
      ok(['apply'], restDir);
      assert.match(ok(['test'], restDir).stdout, /1 passed/);
      const run = runCliJson(['query', 'SELECT * FROM analytics.open_todos ORDER BY user_id NULLS LAST'], restDir);
      assert.deepEqual(run.json.rows, [[1, 1], [null, 1]]);
    });
  });
});

function runAsync(args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stderr }));
  });
}
