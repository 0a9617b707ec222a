// How parts are grouped into read_csv calls (partReads), and loads of tables that gain a column at a
// time: a padded read of many small parts goes in with one statement, from one joined file.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBConnection } from '@duckdb/node-api';
import { loadPackage } from '../../core/ingest/load/loader';
import { PackageWriter } from '../../core/ingest/load/packageWriter';
import { partReads } from '../../core/ingest/load/parts';
import { LoadSession } from '../../core/ingest/load/session';
import type { PackageManifest, PackagePart, Row } from '../../core/ingest/package';
import type { TableSchema } from '../../core/schema/types';
import { quoteIdent } from '../../core/warehouse/quote';
import { col, countInserts, query, rootIds, table, Workspace } from './fixtures';

const part = (file: string, columns: string[], rows: number, constants?: Record<string, string>): PackagePart => ({
  file,
  columns,
  rows,
  ...(constants ? { constants } : {}),
});

/** The reads as [files, padded, layout's columns]. */
const readsOf = (parts: PackagePart[]) => partReads(parts).map((r) => [r.parts.map((p) => p.file), r.padded, r.layout.columns]);

/**
 * A package of one table that gains the column newColumn(row) names when a row first brings it, written
 * the way the pipeline writes it (every part has the columns the table had when it opened).
 */
function growingPackage(ws: Workspace, rows: Row[], newColumn: (row: Row) => string | undefined, partRows = 1000) {
  const t = table('events', [...rootIds(), col('n', 'bigint')]);
  const dir = path.join(ws.root, 'packages', `grow-${rows.length}`);
  const writer = new PackageWriter(dir, { partRows, constants: { _sluice_load_id: 'l' } });
  for (const row of rows) {
    const name = newColumn(row);
    if (name !== undefined && !t.columns.some((c) => c.name === name)) t.columns.push(col(name));
    writer.write(t, [row]);
  }
  const manifest: PackageManifest = {
    loadId: path.basename(dir), source: 'src', createdAt: new Date().toISOString(),
    schema: { name: 'src', version: 1, tables: [t] }, changes: [], resources: ['events'], state: {},
    tables: writer.finish(), fullRefresh: false,
  };
  return { dir, manifest, table: t };
}

describe('part reads', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = new Workspace();
  });
  afterEach(() => ws.remove());

  describe('partReads', () => {
    it('reads a run of one layout together, however large, and parts whose columns are the first of each other\'s padded', () => {
      assert.deepEqual(
        readsOf([part('a', ['x'], 10), part('b', ['x', 'y'], 10), part('c', ['x'], 10), part('d', ['x', 'y', 'z'], 10)]),
        [[['a', 'b', 'c', 'd'], true, ['x', 'y', 'z']]],
      );
      assert.deepEqual(readsOf([part('a', ['x'], 100_000), part('b', ['x'], 100_000), part('c', ['x'], 100_000)]), [[['a', 'b', 'c'], false, ['x']]]);
    });

    it('starts a new read for other columns, other constants, a part of 2,048 rows or more, or a padded read that would reach a row group', () => {
      assert.deepEqual(readsOf([part('a', ['x', 'y'], 10), part('b', ['y', 'x'], 10), part('c', ['y'], 10)]), [
        [['a'], false, ['x', 'y']],
        [['b', 'c'], true, ['y', 'x']],
      ]);
      assert.deepEqual(readsOf([part('a', ['x'], 10, { l: '1' }), part('b', ['x', 'y'], 10, { l: '2' }), part('c', ['x', 'y'], 10, { l: '2' })]), [
        [['a'], false, ['x']],
        [['b', 'c'], false, ['x', 'y']],
      ]);
      // Parts of 2,048 rows or more keep reads of their own (read in parallel); a run of one layout may grow past that.
      assert.deepEqual(readsOf([part('a', ['x'], 10), part('b', ['x', 'y'], 2048), part('c', ['x', 'y'], 10), part('d', ['x', 'y', 'z'], 10)]), [
        [['a'], false, ['x']],
        [['b', 'c'], false, ['x', 'y']],
        [['d'], false, ['x', 'y', 'z']],
      ]);
      assert.deepEqual(readsOf([part('a', ['x'], 10), part('b', ['x', 'y'], 10), part('c', ['x', 'y'], 100_000), part('d', ['x', 'y'], 10)]), [
        [['a', 'b'], true, ['x', 'y']],
        [['c', 'd'], false, ['x', 'y']],
      ]);
      // A padded read stays below a row group (122,880 rows).
      const growing = Array.from({ length: 62 }, (_, i) => part(`p${i}`, Array.from({ length: i + 1 }, (_, k) => `c${k}`), 2000));
      assert.deepEqual(partReads(growing).map((r) => [r.parts.length, r.padded]), [[61, true], [1, false]]);
    });
  });

  describe('loading a table that gains a column at a time', () => {
    // Values the CSV format must carry through a joined file read on one thread: quotes, newlines, commas.
    const value = (i: number) => (i % 3 === 0 ? `line ${i}\nnext, "quoted" \u0001 ${i}` : `v${i}`);
    const rows = Array.from({ length: 600 }, (_, i): Row => ({ _sluice_id: `r${i}`, _sluice_load_id: 'l', n: i, [`k${Math.floor(i / 4)}`]: value(i) }));
    const newColumn = (row: Row) => Object.keys(row).find((key) => key.startsWith('k'));

    it('loads hundreds of small parts with one statement, every value in place and NULL where a part lacked the column', async () => {
      const { dir, manifest } = growingPackage(ws, rows, newColumn);
      assert.equal(manifest.tables.events.parts.length, 150);
      const wh = await ws.warehouse();
      const inserts = countInserts(wh);
      await loadPackage(wh, dir, manifest, new Date());
      assert.equal(inserts(), 1);
      const loaded = await query<Record<string, unknown>>(wh, 'SELECT * EXCLUDE (_sluice_id) FROM src.events ORDER BY n');
      assert.equal(loaded.length, rows.length);
      for (const [i, row] of loaded.entries()) {
        const key = `k${Math.floor(i / 4)}`;
        const set = Object.entries(row).filter(([name, v]) => name.startsWith('k') && v !== null);
        assert.deepEqual(set, [[key, value(i)]], `row ${i}`);
        assert.equal(row._sluice_load_id, 'l');
      }
      assert.deepEqual(fs.readdirSync(path.join(dir, 'joined')), [], 'the joined file is removed after the statement');
    });

    it('reads a padded read larger than DuckDB\'s read buffers, whose values hold newlines', async function () {
      this.timeout(60_000);
      // 13 MB of short lines: DuckDB's parallel reader cannot pad lines when quoted values hold newlines.
      const long = (i: number) => `${i}\nnext line ${'x'.repeat(80)}`;
      const big = Array.from({ length: 120_000 }, (_, i): Row => ({ _sluice_id: `r${i}`, _sluice_load_id: 'l', n: i, [`k${Math.floor(i / 1000)}`]: long(i) }));
      const { dir, manifest, table: t } = growingPackage(ws, big, newColumn);
      assert.equal(manifest.tables.events.parts.length, 120);
      const wh = await ws.warehouse();
      await wh.run('SET threads = 4');
      await loadPackage(wh, dir, manifest, new Date());
      const keys = t.columns.filter((c) => c.name.startsWith('k')).map((c) => quoteIdent(c.name));
      const [c] = await query<{ n: number; ok: number }>(
        wh,
        `SELECT count(*)::INT AS n, count(*) FILTER (WHERE coalesce(${keys.join(', ')}) = CAST(n AS VARCHAR) || chr(10) || 'next line ' || repeat('x', 80)
           AND ${keys.map((k) => `(${k} IS NOT NULL)::INT`).join(' + ')} = 1)::INT AS ok FROM src.events`,
      );
      assert.deepEqual(c, { n: big.length, ok: big.length });
    });

    it('names the failing part and the line in its own file when a padded read fails', async () => {
      const { dir, manifest } = growingPackage(ws, rows.slice(0, 40), newColumn);
      const bad = manifest.tables.events.parts[6];
      const file = path.join(dir, bad.file);
      // Rows 24..27; 24 and 27 hold newlines, so the third row (26) is not the third line of the file.
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, text.replace('\u0001r26\u0001,26,', '\u0001r26\u0001,oops,'));
      assert.notEqual(fs.readFileSync(file, 'utf8'), text);
      const wh = await ws.warehouse();
      await assert.rejects(loadPackage(wh, dir, manifest, new Date()), (err: Error) => {
        assert.ok(err.message.includes(`cannot load ${bad.file} into "src"."events": `), err.message);
        assert.match(err.message, /line: 3\b.*"oops"/i);
        return true;
      });
    });

    it('merges keys repeated across such parts: the last row of each key wins', async () => {
      const keyed = rows.map((row) => ({ ...row, n: Number(row.n) % 50 }));
      const { dir, manifest, table: t } = growingPackage(ws, keyed, newColumn);
      t.writeDisposition = 'merge';
      t.columns.find((c) => c.name === 'n')!.primaryKey = true;
      const wh = await ws.warehouse();
      await loadPackage(wh, dir, manifest, new Date());
      const loaded = await query<{ n: number; id: string }>(wh, 'SELECT n, _sluice_id AS id FROM src.events ORDER BY n');
      assert.deepEqual(loaded, Array.from({ length: 50 }, (_, n) => ({ n, id: `r${550 + n}` })));
    });
  });

  it('early loading keeps insertion order for groups smaller than a row group', async () => {
    const t: TableSchema = table('events', [col('_sluice_id', 'bigint'), col('n', 'bigint')]);
    const dir = path.join(ws.root, 'packages', 'early');
    const log: string[] = [];
    const session = new LoadSession({
      warehouse: ws.warehousePath, dir, source: 'src', loadId: 'early', fullRefresh: false, groupRows: 20,
      log: { info: () => undefined, warn: () => undefined, debug: (m) => log.push(m) },
    });
    const writer = new PackageWriter(dir, { partRows: 10, onPartFinished: (_, p) => session.offer(t, p) });
    // What DuckDB's setting is when each early INSERT runs.
    const seen: unknown[] = [];
    const run = DuckDBConnection.prototype.run;
    DuckDBConnection.prototype.run = async function (this: DuckDBConnection, sql: string, ...rest: unknown[]) {
      if (/^\s*INSERT INTO "src"\./.test(sql)) {
        const reader = await this.runAndReadAll(`SELECT current_setting('preserve_insertion_order') AS v`);
        seen.push(reader.getRowObjects()[0].v);
      }
      return (run as (...args: unknown[]) => ReturnType<typeof run>).call(this, sql, ...rest);
    } as typeof run;
    try {
      for (let i = 0; i < 60; i += 10) {
        writer.write(t, Array.from({ length: 10 }, (_, k) => ({ _sluice_id: i + k, n: i + k })));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (let waited = 0; seen.length < 2 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(log.some((m) => m.includes('stage: early-load')), log.join('\n'));
      assert.ok(seen.length >= 2, `early inserts seen: ${seen.length}`);
      assert.deepEqual(seen, seen.map(() => true));
    } finally {
      DuckDBConnection.prototype.run = run;
    }
    const manifest: PackageManifest = {
      loadId: 'early', source: 'src', createdAt: new Date().toISOString(), schema: { name: 'src', version: 1, tables: [t] },
      changes: [], resources: ['events'], state: {}, tables: writer.finish(), fullRefresh: false,
    };
    assert.deepEqual((await session.finish(manifest, new Date())).rows, { events: 60 });
  });
});
