// The result grid's requests over a real LSP connection to dist/server.js, on a project made by `sluice init`
// and built by the CLI: queries by text, by model, by a selection or the CTE under the cursor of an open
// (edited) model file; pages read on demand from a 5-million-row result; Cancel interrupting DuckDB; errors at
// the model file's position; profiles; and `sluice apply` running while a result is open.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancelQuery, CloseQuery, ExportQuery, FetchQueryPage, ProfileTableRequest, StartQuery } from '../../core/protocol';
import { runCli } from '../helpers/project';
import { positionOf } from './demo';
import { CancellationTokenSource, fileUri, LspTestClient } from './lspClient';

const CUSTOMER_ORDERS = 'models/marts/customer_orders.sql';
const CUSTOMER_ORDERS_SQL = `MODEL (name analytics.customer_orders, kind VIEW);

WITH paid AS (
  SELECT customer_id, amount FROM staging.orders WHERE status <> 'cancelled'
),
per_customer AS (
  SELECT customer_id, sum(amount) AS total, count(*) AS orders FROM paid GROUP BY customer_id
)
SELECT * FROM per_customer WHERE customer_id IS NOT NULL
`;
const FOREVER = 'SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = 7';

type Ok = Extract<StartQuery.Result, { status: 'ok' }>;

describe('language server: queries and profiles', function () {
  this.timeout(180_000);
  let root: string;
  let dir: string;
  let client: LspTestClient;
  let ids = 0;

  const cli = (...args: string[]) => {
    const run = runCli(args, dir);
    assert.equal(run.code, 0, `sluice ${args.join(' ')}: ${run.stderr}`);
  };
  const start = async (params: Omit<StartQuery.Params, 'queryId'>, token?: CancellationTokenSource): Promise<StartQuery.Result> =>
    client.request(StartQuery.type, { queryId: `q${++ids}`, ...params }, token);
  const startOk = async (params: Omit<StartQuery.Params, 'queryId'>): Promise<Ok> => {
    const result = await start(params);
    assert.equal(result.status, 'ok', JSON.stringify(result));
    return result as Ok;
  };

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-lsp-query-'));
    dir = path.join(root, 'shop');
    assert.equal(runCli(['init', dir], root).code, 0);
    fs.writeFileSync(path.join(dir, CUSTOMER_ORDERS), CUSTOMER_ORDERS_SQL);
    cli('ingest', 'shop');
    cli('apply');
    client = await LspTestClient.start({ folders: [dir], trusted: true });
  });

  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('runs a query on a copy of the warehouse and answers its first page; pages and close', async () => {
    const result = await startOk({ projectDir: dir, sql: 'SELECT order_id, customer_id, coupon FROM staging.orders ORDER BY order_id', pageSize: 5 });
    assert.equal(result.environment, 'prod');
    assert.equal(result.access, 'snapshot');
    assert.deepEqual(result.columns, [
      { name: 'order_id', type: 'BIGINT' },
      { name: 'customer_id', type: 'BIGINT' },
      { name: 'coupon', type: 'VARCHAR' },
    ]);
    assert.deepEqual(result.firstPage.rows, [[1, 101, null], [2, 102, null], [3, 103, null], [4, 104, null], [5, 105, 'SPRING5']]);
    const next = await client.request(FetchQueryPage.type, { queryId: result.queryId, offset: 5, count: 2 });
    assert.deepEqual(next.rows, [[6, null, null], [7, 107, null]]);
    assert.deepEqual(await client.request(CloseQuery.type, { queryId: result.queryId }), { closed: true });
    await assert.rejects(client.request(FetchQueryPage.type, { queryId: result.queryId, offset: 0, count: 1 }), /there is no open query/);
  });

  it('reads pages of a 5-million-row result on demand', async () => {
    const started = Date.now();
    const result = await startOk({ projectDir: dir, sql: 'SELECT i, i * 2 AS twice FROM range(5000000) t(i)', pageSize: 50 });
    assert.equal(result.firstPage.rows.length, 50);
    assert.equal(result.firstPage.done, false);
    assert.ok(result.firstPage.rowsRead < 100_000, `the first page read ${result.firstPage.rowsRead} rows`);
    const far = await client.request(FetchQueryPage.type, { queryId: result.queryId, offset: 4_000_000, count: 3 });
    assert.deepEqual(far.rows, [[4000000, 8000000], [4000001, 8000002], [4000002, 8000004]]);
    const last = await client.request(FetchQueryPage.type, { queryId: result.queryId, offset: 4_999_999, count: 10 });
    assert.deepEqual(last.rows, [[4999999, 9999998]]);
    assert.equal(last.done, true);
    assert.equal(last.rowsRead, 5_000_000);
    assert.ok(Date.now() - started < 60_000);
    await client.request(CloseQuery.type, { queryId: result.queryId });
  });

  it('runs a model by name, the CTE under the cursor and a selection of an open model file', async () => {
    const byName = await startOk({ projectDir: dir, model: 'analytics.customer_orders', pageSize: 100 });
    assert.deepEqual(byName.columns.map((c) => c.name), ['customer_id', 'total', 'orders']);
    assert.ok(byName.firstPage.rows.every((r) => r[0] !== null));

    const file = path.join(dir, CUSTOMER_ORDERS);
    const uri = await client.open(file, CUSTOMER_ORDERS_SQL);
    const cte = await startOk({ uri, position: positionOf(CUSTOMER_ORDERS_SQL, 'sum(amount)'), pageSize: 100 });
    assert.equal(cte.label, 'CTE per_customer in analytics.customer_orders');
    // The CTE alone: the guest orders' NULL customer is there, the outer WHERE is not applied.
    assert.ok(cte.firstPage.rows.some((r) => r[0] === null));
    const paid = await startOk({ uri, position: positionOf(CUSTOMER_ORDERS_SQL, "status <> 'cancelled'"), pageSize: 100 });
    assert.deepEqual(paid.columns.map((c) => c.name), ['customer_id', 'amount']);
    assert.equal(paid.firstPage.rows.length, 40);

    const selected = 'SELECT customer_id, amount FROM staging.orders';
    const selection = await startOk({
      uri,
      range: { start: positionOf(CUSTOMER_ORDERS_SQL, selected), end: positionOf(CUSTOMER_ORDERS_SQL, selected, selected.length) },
      pageSize: 100,
    });
    assert.equal(selection.firstPage.rows.length, 60);
    for (const q of [byName, cte, paid, selection]) await client.request(CloseQuery.type, { queryId: q.queryId });
  });

  it('reports an error of the edited, unsaved text at its place in the model file', async () => {
    const file = path.join(dir, CUSTOMER_ORDERS);
    const uri = fileUri(file);
    const at = positionOf(CUSTOMER_ORDERS_SQL, 'sum(amount)', 4);
    await client.edit(uri, { start: at, end: { line: at.line, character: at.character + 'amount'.length } }, 'amout');
    const result = await start({ uri, position: at });
    assert.equal(result.status, 'error');
    if (result.status !== 'error') return;
    assert.match(result.message, /^Binder Error: Referenced column "amout" not found/);
    assert.deepEqual(result.location, { uri, line: at.line, character: at.character });
    await client.close(uri);
  });

  it('Cancel interrupts a query that would run for hours', async () => {
    const queryId = 'forever';
    const started = Date.now();
    const running = client.request(StartQuery.type, { queryId, projectDir: dir, sql: FOREVER });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(await client.request(CancelQuery.type, { queryId }), { cancelled: true });
    assert.deepEqual(await running, { status: 'cancelled', queryId });
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);

    // Cancelling the request itself does the same.
    const token = new CancellationTokenSource();
    const again = start({ projectDir: dir, sql: FOREVER }, token);
    setTimeout(() => token.cancel(), 500);
    const answered = await again.then(
      (r) => r.status,
      (err: Error) => err.message,
    );
    assert.ok(answered === 'cancelled' || /cancel/i.test(answered), answered);
    assert.ok(Date.now() - started < 20_000);
  });

  it('an open result never keeps `sluice apply` waiting; the next query sees what it built', async () => {
    const open = await startOk({ projectDir: dir, sql: 'SELECT * FROM staging.orders', pageSize: 1 });
    const daily = path.join(dir, 'models/marts/daily_revenue.sql');
    fs.writeFileSync(daily, fs.readFileSync(daily, 'utf8').replace('count(*) AS orders,', 'count(*) AS orders,\n  min(amount) AS smallest,'));
    const started = Date.now();
    const apply = runCli(['apply', 'dev', '--lock-wait', '5'], dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.ok(Date.now() - started < 30_000);
    const dev = await startOk({ projectDir: dir, sql: 'SELECT * FROM analytics.daily_revenue', pageSize: 1 });
    assert.equal(dev.environment, 'dev');
    assert.ok(dev.columns.some((c) => c.name === 'smallest'));
    // The result opened before the apply still pages from its own copy.
    const page = await client.request(FetchQueryPage.type, { queryId: open.queryId, offset: 1, count: 1 });
    assert.equal(page.rows.length, 1);
    await client.request(CloseQuery.type, { queryId: open.queryId });
    await client.request(CloseQuery.type, { queryId: dev.queryId });
  });

  it('Preview at a cursor outside every CTE runs the whole model when asked to (orModel)', async () => {
    const file = path.join(dir, CUSTOMER_ORDERS);
    const uri = await client.open(file, CUSTOMER_ORDERS_SQL);
    const outside = positionOf(CUSTOMER_ORDERS_SQL, 'WHERE customer_id IS NOT NULL');
    const strict = await start({ uri, position: outside });
    assert.equal(strict.status, 'error');
    assert.match(strict.status === 'error' ? strict.message : '', /not inside a CTE/);
    const whole = await startOk({ uri, position: outside, orModel: true });
    assert.equal(whole.label, 'analytics.customer_orders');
    assert.ok(whole.firstPage.rows.length > 0 && whole.firstPage.rows.every((r) => r[0] !== null));
    // Inside a CTE it is still the CTE.
    const cte = await startOk({ uri, position: positionOf(CUSTOMER_ORDERS_SQL, 'sum(amount)'), orModel: true });
    assert.equal(cte.label, 'CTE per_customer in analytics.customer_orders');
    for (const q of [whole, cte]) await client.request(CloseQuery.type, { queryId: q.queryId });
    await client.close(uri);
  });

  it('a preview of an incremental model covers the model\'s whole range when asked to (wholeRange)', async () => {
    const text = `MODEL (name analytics.orders_by_day, kind INCREMENTAL_BY_TIME_RANGE (time_column order_date), start '2024-01-01');

SELECT order_date, count(*) AS orders FROM staging.orders
WHERE order_date BETWEEN @start_ds AND @end_ds
GROUP BY order_date
`;
    const file = path.join(dir, 'models/marts/orders_by_day.sql');
    fs.writeFileSync(file, text);
    const uri = await client.open(file, text);
    // Yesterday alone: the shop's orders are from 2024.
    const yesterday = await startOk({ uri });
    assert.equal(yesterday.firstPage.rows.length, 0);
    const whole = await startOk({ uri, wholeRange: true });
    assert.ok(whole.firstPage.rows.length > 0);
    assert.match(whole.sql, /'2024-01-01'/);
    for (const q of [yesterday, whole]) await client.request(CloseQuery.type, { queryId: q.queryId });
    await client.close(uri);
    fs.rmSync(file);
  });

  it('exports the whole result of an open query, beyond the rows read, while it keeps paging', async () => {
    // Orders with their optional customer and coupon (NULL), more rows than the first page holds.
    const open = await startOk({ projectDir: dir, environment: 'prod', sql: 'SELECT order_id, customer_id, coupon, [order_id, customer_id] AS ids FROM staging.orders ORDER BY order_id', pageSize: 5 });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-lsp-export-'));
    const csv = await client.request(ExportQuery.type, { queryId: open.queryId, format: 'csv', path: path.join(out, 'orders.csv') });
    assert.equal(csv.rows, 60);
    const lines = fs.readFileSync(csv.path, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, 61);
    assert.equal(lines[0], 'order_id,customer_id,coupon,ids');
    const rows = await client.request(FetchQueryPage.type, { queryId: open.queryId, offset: 0, count: 60 });
    const csvOf = (v: unknown) => (v === null ? '' : Array.isArray(v) ? `"${JSON.stringify(v).replace(/"/g, '""')}"` : String(v));
    assert.deepEqual(lines.slice(1), rows.rows.map((r) => r.map(csvOf).join(',')));
    const json = await client.request(ExportQuery.type, { queryId: open.queryId, format: 'json', path: path.join(out, 'orders.json') });
    const objects = JSON.parse(fs.readFileSync(json.path, 'utf8')) as { order_id: number; coupon: string | null }[];
    assert.deepEqual(objects.map((o) => o.coupon), rows.rows.map((r) => r[2]));
    const parquet = await client.request(ExportQuery.type, { queryId: open.queryId, format: 'parquet', path: path.join(out, 'orders.parquet') });
    assert.equal(parquet.rows, 60);
    assert.ok(fs.statSync(parquet.path).size > 0);
    // The grid's result is still there, and a bad request says what is wrong.
    assert.equal((await client.request(FetchQueryPage.type, { queryId: open.queryId, offset: 55, count: 10 })).rows.length, 5);
    await assert.rejects(client.request(ExportQuery.type, { queryId: open.queryId, format: 'xlsx' as 'csv', path: path.join(out, 'x') }), /cannot export as 'xlsx'/);
    await assert.rejects(client.request(ExportQuery.type, { queryId: open.queryId, format: 'csv', path: 'relative.csv' }), /absolute file path/);
    await client.request(CloseQuery.type, { queryId: open.queryId });
    await assert.rejects(client.request(ExportQuery.type, { queryId: open.queryId, format: 'csv', path: path.join(out, 'y.csv') }), /no open query/);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('profiles a table', async () => {
    const profile = await client.request(ProfileTableRequest.type, { projectDir: dir, table: 'staging.orders', environment: 'prod' });
    assert.equal(profile.row_count, 60);
    assert.equal(profile.columns.find((c) => c.name === 'coupon')?.null_pct, 80);
    await assert.rejects(client.request(ProfileTableRequest.type, { projectDir: dir, table: 'staging.nothing' }), /there is no table or view staging\.nothing/);
  });
});
