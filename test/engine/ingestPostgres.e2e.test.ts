// `sluice ingest --gateway pg` through the built CLI on a real project dir, checked through PostgreSQL's
// catalog and rows: optional keys, a type that widens, child tables, merge by primary key with incremental
// state on the server, replace, a kill -9 during the load that leaves nothing partial, and a model on the
// pg gateway reading the ingested table.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { Client } from 'pg';
import { cliPath, makeProject, query, runCli, runCliJson, type TempProject } from '../helpers/project';
import { scratchDatabase } from './pgHelpers';

const shopSource = `
const run = Number(process.env.SHOP_RUN ?? '1');
const many = Number(process.env.SHOP_MANY ?? '0');
export default {
  name: 'shop',
  resources: [
    {
      name: 'orders',
      primaryKey: 'id',
      writeDisposition: 'merge',
      incremental: { cursor: 'updated_at', initialValue: '2024-01-01T00:00:00Z' },
      async *rows(ctx) {
        const orders = [];
        for (let id = 1; id <= 30 + many; id++) {
          // Run 2 updates orders 1..5 (amount becomes fractional: BIGINT widens to DOUBLE) and adds 31..40.
          const updated = run >= 2 && id <= 5;
          const order = {
            id,
            status: updated ? 'shipped' : 'placed',
            amount: updated ? id + 0.25 : id * 2,
            updated_at: updated ? '2024-02-01T00:00:00Z' : '2024-01-0' + (1 + (id % 5)) + 'T00:00:00Z',
            items: Array.from({ length: (id % 3) + 1 }, (_, i) => ({ sku: 'sku-' + i, qty: i + 1, note: 'a "quoted", \\\\N text' })),
          };
          // Optional keys: a coupon on some orders only, a new field that appears on run 2.
          if (id % 4 === 0) order.coupon = 'C' + id;
          if (run >= 2) order.channel = id % 2 ? 'web' : null;
          orders.push(order);
        }
        if (run >= 2) for (let id = 31; id <= 40; id++) orders.push({ id, status: 'placed', amount: 1, updated_at: '2024-02-01T00:00:00Z', items: [{ sku: 'x', qty: 1 }] });
        const start = String(ctx.incremental?.start ?? '');
        yield orders.filter((o) => o.updated_at >= start);
      },
    },
    {
      name: 'rates',
      writeDisposition: 'replace',
      *rows() {
        const n = run >= 2 ? 2 : 3;
        for (let i = 1; i <= n; i++) yield { code: 'R' + i, rate: i / 10, run };
      },
    },
  ],
};
`;

describe('sluice ingest --gateway pg: load packages into PostgreSQL (end to end)', function () {
  this.timeout(180_000);
  let db: { url: string; drop: () => Promise<void> };
  let project: TempProject;
  let server: Client;
  const env = (extra: Record<string, string> = {}) => ({ PG_URL: db.url, ...extra });
  const rows = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await server.query(sql, params)).rows as T[];
  const columns = (table: string) =>
    rows<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );

  before(async () => {
    db = await scratchDatabase('sluice_pgingest_test');
    server = new Client({ connectionString: db.url });
    await server.connect();
    project = makeProject({
      'sources/shop.js': shopSource,
      'sluice.yaml': "name: pg_ingest\ngateways:\n  pg: { type: postgres, url: '${secrets.PG_URL}' }\n",
    });
  });
  after(async () => {
    await server?.end();
    await db?.drop();
    project?.cleanup();
  });

  it('creates the schema, root and child tables with the DuckDB loader\'s columns, and leaves the DuckDB file alone', async () => {
    const run = runCliJson(['ingest', 'shop', '--gateway', 'pg'], project.dir, env({ SHOP_RUN: '1' }));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.status, 'loaded', run.json.error);
    const items = Array.from({ length: 30 }, (_, i) => ((i + 1) % 3) + 1).reduce((a, b) => a + b, 0);
    assert.deepEqual(run.json.tables.orders.rows, 30);
    assert.deepEqual(run.json.tables.orders__items.rows, items);
    assert.equal(require('node:fs').existsSync(project.warehouse), false);

    const orderColumns = await columns('orders');
    const types = Object.fromEntries(orderColumns.map((c) => [c.column_name, c.data_type]));
    assert.equal(types.id, 'bigint');
    assert.equal(types.amount, 'bigint');
    assert.equal(types.updated_at, 'timestamp with time zone');
    assert.equal(types.coupon, 'text');
    assert.equal(types._sluice_load_id, 'text');
    assert.ok('_sluice_id' in types);
    // The same columns, in the same order, as the DuckDB loader makes from the same source.
    const local = makeProject({ 'sources/shop.js': shopSource });
    try {
      const duck = runCliJson(['ingest', 'shop'], local.dir, { SHOP_RUN: '1' });
      assert.equal(duck.code, 0, duck.stderr);
      for (const table of ['orders', 'orders__items']) {
        const duckColumns = await query<{ column_name: string }>(
          local.warehouse,
          `SELECT column_name FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = '${table}' ORDER BY ordinal_position`,
        );
        assert.deepEqual((await columns(table)).map((c) => c.column_name), duckColumns.map((c) => c.column_name));
      }
    } finally {
      local.cleanup();
    }

    const [o] = await rows<{ n: number; coupons: number; loads: number }>(
      `SELECT count(*)::int AS n, count(coupon)::int AS coupons, count(DISTINCT _sluice_load_id)::int AS loads FROM shop.orders`,
    );
    assert.deepEqual(o, { n: 30, coupons: 7, loads: 1 });
    const [loadId] = await rows<{ id: string }>(`SELECT DISTINCT _sluice_load_id AS id FROM shop.orders`);
    assert.equal(loadId.id, run.json.load_id);
    const [note] = await rows<{ note: string }>(`SELECT note FROM shop.orders__items LIMIT 1`);
    assert.equal(note.note, 'a "quoted", \\N text');
    // Every child row belongs to a root row.
    const [orphans] = await rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM shop.orders__items i WHERE NOT EXISTS (SELECT 1 FROM shop.orders o WHERE o._sluice_id = i._sluice_root_id)`,
    );
    assert.equal(orphans.n, 0);
    const loads = await rows<{ status: string }>(`SELECT status FROM _sluice.loads WHERE source = 'shop'`);
    assert.deepEqual(loads, [{ status: 'loaded' }]);
    const [state] = await rows<{ state: string }>(`SELECT CAST(state AS TEXT) AS state FROM _sluice.state WHERE source = 'shop' AND resource = 'orders'`);
    assert.equal(JSON.parse(state.state).incremental.lastValue, '2024-01-05T00:00:00Z');
  });

  it('merges by primary key from the server\'s incremental state, widens BIGINT to DOUBLE, adds columns, replaces', async () => {
    const run = runCliJson(['ingest', 'shop', '--gateway', 'pg'], project.dir, env({ SHOP_RUN: '2' }));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.status, 'loaded', run.json.error);
    // Only what changed since the stored cursor was extracted: orders 1..5 updated, 31..40 new (and 5 whose cursor was the boundary).
    assert.ok(run.json.tables.orders.rows <= 16, JSON.stringify(run.json.tables));
    const types = Object.fromEntries((await columns('orders')).map((c) => [c.column_name, c.data_type]));
    assert.equal(types.amount, 'double precision');
    assert.equal(types.channel, 'text');
    const [o] = await rows<{ n: number; ids: number; shipped: number; amount1: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, count(*) FILTER (WHERE status = 'shipped')::int AS shipped,
              max(amount) FILTER (WHERE id = 1) AS amount1 FROM shop.orders`,
    );
    assert.deepEqual(o, { n: 40, ids: 40, shipped: 5, amount1: 1.25 });
    // The updated orders' old child rows are gone, their new ones there once.
    const [items] = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM shop.orders__items i JOIN shop.orders o ON o._sluice_id = i._sluice_root_id WHERE o.id = 2`);
    assert.equal(items.n, 3);
    const [orphans] = await rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM shop.orders__items i WHERE NOT EXISTS (SELECT 1 FROM shop.orders o WHERE o._sluice_id = i._sluice_root_id)`,
    );
    assert.equal(orphans.n, 0);
    assert.deepEqual(await rows(`SELECT code, rate, run::int AS run FROM shop.rates ORDER BY code`), [
      { code: 'R1', rate: 0.1, run: 2 },
      { code: 'R2', rate: 0.2, run: 2 },
    ]);
  });

  it('a kill -9 during the load leaves nothing partial; the rerun converges', async () => {
    const before = await rows(`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'loaded')::int AS ok FROM _sluice.loads`);
    const [{ n: ordersBefore }] = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM shop.orders`);
    // A big --full-refresh run: its load empties the tables first, so a partial load would show as missing rows.
    const child = spawn(process.execPath, [cliPath, 'ingest', 'shop', '--gateway', 'pg', '--full-refresh', '--verbose'], {
      cwd: project.dir,
      env: { ...process.env, ...env({ SHOP_RUN: '2', SHOP_MANY: '60000' }) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Killed while the staged rows move into the tables, which --full-refresh has emptied in the same transaction.
    let killed = false;
    for (let i = 0; i < 600 && !killed && child.exitCode === null; i++) {
      const busy = await rows<{ query: string }>(
        `SELECT query FROM pg_stat_activity WHERE application_name = 'sluice ingest' AND state IN ('active', 'idle in transaction') AND xact_start IS NOT NULL`,
      );
      if (busy.some((b) => /^INSERT INTO "shop"\./.test(b.query))) {
        child.kill('SIGKILL');
        killed = true;
      } else await new Promise((r) => setTimeout(r, 20));
    }
    await exited;
    assert.ok(killed, stderr);
    // The server ends the dead connection's transaction: wait until it has.
    for (let i = 0; i < 50; i++) {
      const [{ n }] = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'sluice ingest'`);
      if (n === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(await rows(`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'loaded')::int AS ok FROM _sluice.loads`), before);
    const [{ n: ordersAfter }] = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM shop.orders`);
    assert.equal(ordersAfter, ordersBefore);

    const rerun = runCliJson(['ingest', 'shop', '--gateway', 'pg', '--full-refresh'], project.dir, env({ SHOP_RUN: '2', SHOP_MANY: '60000' }));
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(rerun.json.status, 'loaded', rerun.json.error);
    const [o] = await rows<{ n: number; ids: number }>(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM shop.orders`);
    // ids 1..60030, and 31..40 a second time in the same load: merged to one row each.
    assert.deepEqual(o, { n: 60030, ids: 60030 });
  });

  it('default_gateway loads into pg, and a model on the pg gateway reads the ingested table', async () => {
    project.write('sluice.yaml', "name: pg_ingest\ngateways:\n  pg: { type: postgres, url: '${secrets.PG_URL}' }\ndefault_gateway: pg\n");
    const again = runCliJson(['ingest', 'shop'], project.dir, env({ SHOP_RUN: '2' }));
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json.status, 'loaded', again.json.error);
    project.write('models/shipped.sql', 'MODEL (name analytics.shipped, kind FULL);\n\nSELECT status, count(*) AS orders, sum(amount) AS amount\nFROM shop.orders\nGROUP BY status\n');
    const applied = runCli(['apply', 'prod', '--execution-time', '2024-03-01'], project.dir, env());
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    const built = await rows<{ status: string; orders: number }>(`SELECT status, orders::int AS orders FROM analytics.shipped ORDER BY status`);
    assert.deepEqual(built, [
      { status: 'placed', orders: 60025 },
      { status: 'shipped', orders: 5 },
    ]);
  });

  it('an scd2 resource is refused with a clear error, recorded as a failed load on the server, with nothing loaded', async () => {
    project.write('sources/hist.js', `export default { name: 'hist', resources: [{ name: 'people', primaryKey: 'id',
      writeDisposition: { disposition: 'merge', strategy: 'scd2' }, *rows() { yield { id: 1, name: 'Ann' }; } }] };`);
    const run = runCliJson(['ingest', 'hist'], project.dir, env());
    assert.equal(run.code, 1);
    assert.equal(run.json.status, 'failed');
    assert.match(run.json.error, /resource "people" merges with scd2, which a PostgreSQL gateway does not load yet/);
    assert.deepEqual(await rows(`SELECT status FROM _sluice.loads WHERE source = 'hist'`), [{ status: 'failed' }]);
    assert.deepEqual(await rows(`SELECT 1 FROM information_schema.schemata WHERE schema_name = 'hist'`), []);
  });

  it('every data type arrives as its value: decimal, json, binary, bool, date, timestamps, NaN and infinities, empty and \\N strings', async () => {
    project.write('sources/kinds.js', `export default { name: 'kinds', resources: [{ name: 'things', maxNesting: 0,
      columns: { price: { dataType: 'decimal', precision: 10, scale: 2 }, day: { dataType: 'date' } },
      *rows() {
        yield { id: 1, price: '12.34', ok: true, day: '2024-02-29', at: '2024-01-01T10:00:00+02:00', x: NaN, blob: new Uint8Array([0, 255, 16]),
                payload: { a: [1, 2], b: 'x' }, empty: '', marker: '\\\\N' };
        yield { id: 2, price: null, ok: false, day: null, at: null, x: -Infinity, blob: null, payload: null, empty: null, marker: null };
      } }] };`);
    const run = runCliJson(['ingest', 'kinds'], project.dir, env());
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.status, 'loaded', run.json.error);
    const types = Object.fromEntries(
      (await rows<{ column_name: string; data_type: string }>(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'kinds' AND table_name = 'things'`)).map((c) => [c.column_name, c.data_type]),
    );
    assert.equal(types.price, 'numeric');
    assert.equal(types.day, 'date');
    assert.equal(types.ok, 'boolean');
    assert.equal(types.blob, 'bytea');
    assert.equal(types.x, 'double precision');
    assert.equal(types.payload, 'jsonb');
    const got = await rows(
      `SELECT id::int AS id, price::text AS price, ok, day::text AS day, at::text AS at, x::text AS x, encode(blob, 'hex') AS blob,
              payload::text AS payload, empty, marker FROM kinds.things ORDER BY id`,
    );
    assert.deepEqual(got, [
      { id: 1, price: '12.34', ok: true, day: '2024-02-29', at: '2024-01-01 08:00:00+00', x: 'NaN', blob: '00ff10', payload: '{"a": [1, 2], "b": "x"}', empty: '', marker: '\\N' },
      { id: 2, price: null, ok: false, day: null, at: null, x: '-Infinity', blob: null, payload: null, empty: null, marker: null },
    ]);
  });
});
