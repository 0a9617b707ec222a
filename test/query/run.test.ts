// Queries on a real DuckDB file: results read page by page from DuckDB's stream (a 3-million-row result is
// never held whole), values as JSON (NULL apart from '', lists, structs, JSON, wide integers), error
// positions, Cancel interrupting a query that would run for hours, and the warehouse read through a copy
// while another process holds it for writing.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openForQuery } from '../../core/query/access';
import { QueryCancelled, QueryError } from '../../core/query/queryError';
import { KEPT_ROWS, QueryRun } from '../../core/query/run';
import { disposeSnapshots } from '../../core/query/snapshot';
import { Warehouse } from '../../core/warehouse/connection';

describe('query runs', function () {
  this.timeout(120_000);
  let dir: string;
  let file: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-query-'));
    file = path.join(dir, 'warehouse.duckdb');
    const wh = await Warehouse.open(file);
    await wh.run(`CREATE SCHEMA shop`);
    // Orders with an optional customer (NULL), empty and missing notes, nested items and a JSON payload.
    await wh.run(`CREATE TABLE shop.orders AS
      SELECT i AS id,
             CASE WHEN i % 4 = 0 THEN NULL ELSE 100 + i % 7 END AS customer_id,
             CASE WHEN i % 3 = 0 THEN '' WHEN i % 3 = 1 THEN NULL ELSE 'gift' END AS note,
             [i, i + 1] AS item_ids,
             {'city': 'Oslo', 'zip': NULL::VARCHAR} AS address,
             ('{"tags": ["a"], "n": ' || i || '}')::JSON AS payload,
             i * 10000000000000 AS big,
             CAST(i / 4 AS DECIMAL(38, 2)) AS amount
      FROM range(12) t(i)`);
    wh.close();
  });

  after(() => {
    disposeSnapshots();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function withRun<T>(sql: string, fn: (run: QueryRun) => Promise<T>, keptRows?: number): Promise<T> {
    const opened = await openForQuery(file, { prefer: 'read-only' });
    const run = new QueryRun(opened.warehouse, sql, undefined, keptRows);
    try {
      return await fn(run);
    } finally {
      await run.close();
      opened.release();
    }
  }

  it('reports column types and keeps NULL, empty text, lists, structs, JSON and wide integers apart', async () => {
    await withRun('SELECT * FROM shop.orders ORDER BY id', async (run) => {
      await run.start();
      assert.deepEqual(run.columns, [
        { name: 'id', type: 'BIGINT' },
        { name: 'customer_id', type: 'BIGINT' },
        { name: 'note', type: 'VARCHAR' },
        { name: 'item_ids', type: 'BIGINT[]' },
        { name: 'address', type: 'STRUCT("city" VARCHAR, "zip" VARCHAR)' },
        { name: 'payload', type: 'JSON' },
        { name: 'big', type: 'BIGINT' },
        { name: 'amount', type: 'DECIMAL(38,2)' },
      ]);
      const page = await run.page(0, 20);
      assert.equal(page.done, true);
      assert.equal(page.rowsRead, 12);
      assert.equal(page.rows.length, 12);
      assert.deepEqual(page.rows[0], [0, null, '', [0, 1], { city: 'Oslo', zip: null }, { tags: ['a'], n: 0 }, 0, 0]);
      assert.deepEqual(page.rows[1], [1, 101, null, [1, 2], { city: 'Oslo', zip: null }, { tags: ['a'], n: 1 }, 10000000000000, 0.25]);
      // Integers and decimals beyond what a double holds exactly keep every digit, as text.
      const wide = await withRun('SELECT 9007199254740993::BIGINT AS b, 123456789012345678901234.5::DECIMAL(38,1) AS d', async (r) => {
        await r.start();
        return (await r.page(0, 1)).rows[0];
      });
      assert.deepEqual(wide, ['9007199254740993', '123456789012345678901234.5']);
    });
  });

  it('pages a result of 3 million rows from the stream, keeping a bounded window', async () => {
    await withRun(
      'SELECT i, i % 7 = 0 AS seventh FROM range(3000000) t(i)',
      async (run) => {
        await run.start();
        assert.deepEqual((await run.page(0, 3)).rows, [[0, true], [1, false], [2, false]]);
        const far = await run.page(2_500_000, 2);
        assert.deepEqual(far.rows, [[2500000, false], [2500001, true]]);
        assert.equal(far.done, false);
        assert.ok(far.rowsRead < 2_600_000, `read ${far.rowsRead} rows for a page at 2.5M: the stream is read only as far as needed`);
        // Back to the start: before the kept window, so the query runs again and skips to it.
        assert.deepEqual((await run.page(5, 1)).rows, [[5, false]]);
        const end = await run.page(2_999_999, 10);
        assert.deepEqual(end.rows, [[2999999, false]]);
        assert.equal(end.done, true);
        assert.equal(end.rowsRead, 3_000_000);
      },
      KEPT_ROWS,
    );
  });

  it('says where an error is, as line and column of the query', async () => {
    await withRun('SELECT id,\n  customer_idd\nFROM shop.orders', async (run) => {
      await assert.rejects(run.start(), (err: unknown) => {
        assert.ok(err instanceof QueryError);
        assert.equal(err.offset, 13);
        assert.match(err.message, /^line 2, column 3: Binder Error: Referenced column "customer_idd" not found/);
        return true;
      });
    });
  });

  it('Cancel interrupts a query that would run for hours, within a bounded time', async () => {
    await withRun('SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = 7', async (run) => {
      const started = Date.now();
      setTimeout(() => run.cancel(), 300);
      await assert.rejects(
        (async () => {
          await run.start();
          await run.page(0, 1);
        })(),
        QueryCancelled,
      );
      const took = Date.now() - started;
      assert.ok(took < 5000, `cancelled after ${took} ms`);
    });
  });

  it('reads a copy while another process holds the warehouse for writing, and never blocks it', async () => {
    const holder = spawn(process.execPath, ['-e', `
      const { DuckDBInstance } = require('@duckdb/node-api');
      DuckDBInstance.create(${JSON.stringify(file)}).then(async (db) => {
        const c = await db.connect();
        await c.run('CREATE TABLE shop.written_meanwhile AS SELECT 1 AS x');
        process.stdout.write('holding\\n');
        setInterval(() => undefined, 1000);
      });`], { cwd: path.resolve(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', (d: Buffer) => d.toString().includes('holding') && resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
      });
      const opened = await openForQuery(file, { prefer: 'read-only' });
      try {
        assert.equal(opened.access, 'snapshot');
        const rows = await opened.warehouse.json<{ n: number }>('SELECT count(*)::INTEGER AS n FROM shop.orders WHERE customer_id IS NULL');
        assert.deepEqual(rows, [{ n: 3 }]);
      } finally {
        opened.release();
      }
    } finally {
      holder.kill();
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    // With nobody writing, the file itself is opened read-only.
    const direct = await openForQuery(file, { prefer: 'read-only' });
    assert.equal(direct.access, 'read-only');
    direct.release();
  });
});
