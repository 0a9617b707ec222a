// The parts of the ingest path that make large loads fast and memory-flat: streaming part files, line-size
// records, one read_csv per run of same-column parts, and the load's memory limit.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { csvBufferSize, readCsvCall } from '../../core/ingest/load/csvRead';
import { loadPackage } from '../../core/ingest/load/loader';
import { limitLoadMemory, loadMemoryLimit, loadThreads, memoryLimitAfterOutOfMemory } from '../../core/ingest/load/memory';
import { PackageWriter } from '../../core/ingest/load/packageWriter';
import { withInsertionOrder } from '../../core/ingest/load/sql';
import { Normalizer } from '../../core/ingest/normalize';
import type { PackageManifest } from '../../core/ingest/package';
import { Warehouse } from '../../core/warehouse/connection';
import { col, countOf, rootIds, rowsOf, table, Workspace } from './fixtures';

const MIB = 1024 * 1024;

/** Counts the statements matching `pattern` (default: inserts into the "src" tables) a warehouse runs from now on. */
function countInserts(wh: Warehouse, pattern = /^\s*INSERT INTO "src"\./): () => number {
  let inserts = 0;
  const run = wh.connection.run.bind(wh.connection);
  (wh.connection as { run: typeof run }).run = (sql, params) => {
    if (pattern.test(sql)) inserts++;
    return run(sql, params);
  };
  return () => inserts;
}

function longestLineBytes(file: string): number {
  return Math.max(...fs.readFileSync(file, 'utf8').split('\n').map((line) => Buffer.byteLength(line + '\n')));
}

describe('bulk loading', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = new Workspace();
  });
  afterEach(() => ws.remove());

  describe('PackageWriter', () => {
    it('starts a new part when a later write brings a column the table gained after the part opened, and keeps filling it after', () => {
      const dir = path.join(ws.root, 'pkg');
      const writer = new PackageWriter(dir, { partRows: 100 });
      const t = table('t', [col('a', 'bigint')]);
      writer.write(t, [{ a: 1 }]);
      t.columns.push(col('b'));
      writer.write(t, [{ a: 2, b: 'x' }]);
      writer.write(t, [{ a: 3 }]);
      const { t: parts } = writer.finish();
      assert.deepEqual(parts.parts.map((p) => [p.columns, p.rows]), [[['a'], 1], [['a', 'b'], 2]]);
      assert.equal(fs.readFileSync(path.join(dir, parts.parts[1].file), 'utf8'), '2,\u0001x\u0001\n3,\\N\n');
    });

    it('records an upper bound of each part\'s longest line in bytes, exact for long lines', () => {
      const dir = path.join(ws.root, 'pkg');
      const writer = new PackageWriter(dir, { partRows: 2 });
      const t = table('t', [col('i', 'bigint'), col('s')]);
      // Part 1: short lines (bounded at 3 bytes a character). Part 2: a long line of 2-byte characters.
      writer.write(t, [{ i: 1, s: 'short' }, { i: 2, s: 'ü'.repeat(50) }, { i: 3, s: 'é'.repeat(700_000) }]);
      const [short, long] = writer.finish().t.parts;
      const shortActual = longestLineBytes(path.join(dir, short.file));
      assert.ok(short.maxLineBytes! >= shortActual && short.maxLineBytes! <= 3 * shortActual, `${short.maxLineBytes} vs ${shortActual}`);
      assert.equal(long.maxLineBytes, longestLineBytes(path.join(dir, long.file)));
    });

    it('has written full parts and large chunks to disk before finish', () => {
      const dir = path.join(ws.root, 'pkg');
      const writer = new PackageWriter(dir, { partRows: 1_000_000 });
      const t = table('t', [col('s')]);
      writer.write(t, Array.from({ length: 2000 }, (_, i) => ({ s: `${i}`.padEnd(100, '.') })));
      const [file] = fs.readdirSync(dir);
      assert.ok(file, 'the open part has a file');
      assert.ok(fs.statSync(path.join(dir, file)).size > 100_000, 'most of the encoded text is on disk');
      assert.equal(writer.finish().t.rows, 2000);
    });
  });

  describe('loading parts', () => {
    it('loads a run of parts with the same columns with one statement, in file order (merge keeps the last row per key)', async () => {
      const t = table('events', [...rootIds(), col('id', 'bigint', { primaryKey: true }), col('seq', 'bigint')], { disposition: 'merge' });
      const rows = Array.from({ length: 25 }, (_, seq) => ({ _sluice_id: `r${seq}`, _sluice_load_id: 'l', id: seq % 5, seq }));
      const { dir, manifest } = ws.makePackage({ source: 'src', tables: [t], rows: { events: rows }, partRows: 3 });
      assert.equal(manifest.tables.events.parts.length, 9);
      const wh = await ws.warehouse();
      const stagingInserts = countInserts(wh, /^\s*INSERT INTO "_sluice"\."__sluice_stage"/);
      await loadPackage(wh, dir, manifest, new Date());
      assert.equal(stagingInserts(), 1);
      assert.deepEqual(await rowsOf(wh, 'src', 'events', ['id'], 'id, seq'), [0, 1, 2, 3, 4].map((id) => ({ id, seq: 20 + id })));
    });

    it('loads parts with different columns in one statement per run, all rows landing', async () => {
      const t = table('events', [...rootIds(), col('a', 'bigint')]);
      const row = (i: number, b?: string) => ({ _sluice_id: `r${i}`, _sluice_load_id: 'l', a: i, ...(b === undefined ? {} : { b }) });
      const dir = path.join(ws.root, 'packages', 'mixed');
      const writer = new PackageWriter(dir, { partRows: 2 });
      writer.write(t, [row(1), row(2)]);
      writer.write(t, [row(3), row(4)]);
      t.columns.push(col('b'));
      writer.write(t, [row(5, 'x'), row(6, 'y')]);
      writer.write(t, [row(7)]);
      const manifest: PackageManifest = {
        loadId: 'mixed', source: 'src', createdAt: new Date().toISOString(),
        schema: { name: 'src', version: 1, tables: [t] }, changes: [], resources: ['events'], state: {},
        tables: writer.finish(), fullRefresh: false,
      };
      assert.deepEqual(manifest.tables.events.parts.map((p) => p.columns.length), [3, 3, 4, 4]);
      const wh = await ws.warehouse();
      const inserts = countInserts(wh);
      await loadPackage(wh, dir, manifest, new Date());
      assert.equal(inserts(), 2);
      assert.deepEqual(await rowsOf(wh, 'src', 'events', ['a'], 'a, b'), [
        { a: 1, b: null }, { a: 2, b: null }, { a: 3, b: null }, { a: 4, b: null }, { a: 5, b: 'x' }, { a: 6, b: 'y' }, { a: 7, b: null },
      ]);
    });

    it('names the failing part file when a run of parts fails to load', async () => {
      const t = table('nums', [...rootIds(), col('n', 'bigint')]);
      const rows = Array.from({ length: 9 }, (_, i) => ({ _sluice_id: `a${i}`, _sluice_load_id: 'l', n: i }));
      const { dir, manifest } = ws.makePackage({ source: 'src', tables: [t], rows: { nums: rows }, partRows: 3 });
      const bad = manifest.tables.nums.parts[1].file;
      const q = (text: string) => `\u0001${text}\u0001`;
      fs.writeFileSync(path.join(dir, bad), `${q('x')},${q('l')},1\n${q('y')},${q('l')},oops\n`);
      const wh = await ws.warehouse();
      await assert.rejects(loadPackage(wh, dir, manifest, new Date()), (err: Error) => {
        assert.ok(err.message.startsWith(`cannot load ${bad} into "src"."nums": `), err.message);
        assert.match(err.message, /line: 2.*"oops"/i);
        // The offending line is shown with '"' for the part files' quote character, never a control character.
        assert.ok(err.message.includes('"y","l",oops'), err.message);
        assert.ok(!err.message.includes('\u0001'), err.message);
        return true;
      });
      assert.equal(await countOf(wh, 'src', 'nums').catch(() => 0), 0);
    });

    it('reads files through a buffer of two long lines, or 8 MB for short lines', () => {
      assert.equal(csvBufferSize(100), 8 * MIB);
      assert.equal(csvBufferSize(60_000_000), 120_000_000);
      const call = readCsvCall(['/x/a.csv', '/x/b.csv'], [col('s')], 60_000_000);
      assert.match(call, /^read_csv\(\['\/x\/a\.csv', '\/x\/b\.csv'\], /);
      assert.match(call, /max_line_size = 60000000, buffer_size = 120000000/);
    });

    it('loads a 40 MB value under the memory limit computed for its package', async function () {
      this.timeout(30_000);
      const t = table('docs', [...rootIds(), col('body')]);
      const body = 'x'.repeat(40 * MIB);
      const { dir, manifest } = ws.makePackage({ source: 'src', tables: [t], rows: { docs: [{ _sluice_id: 'a', _sluice_load_id: 'l', body }] } });
      assert.ok(loadMemoryLimit(manifest, 2, 64 * 1024 * MIB), 'a limit applies');
      const wh = await Warehouse.open(ws.warehousePath);
      try {
        await wh.run('SET threads = 2');
        await limitLoadMemory(wh, manifest);
        await loadPackage(wh, dir, manifest, new Date());
        assert.equal(await countOf(wh, 'src', 'docs'), 1);
        const [row] = await wh.all<{ n: bigint }>('SELECT length(body)::BIGINT AS n FROM src.docs');
        assert.equal(Number(row.n), body.length);
      } finally {
        wh.close();
      }
    });
  });

  describe('insertion order', () => {
    const preserved = async (wh: Warehouse) =>
      (await wh.all<{ v: boolean }>(`SELECT current_setting('preserve_insertion_order') AS v`))[0].v;

    it('withInsertionOrder sets the order as asked and puts back the previous setting, also when the work fails', async () => {
      const wh = await ws.warehouse();
      assert.equal(await withInsertionOrder(wh, false, () => preserved(wh)), false);
      assert.equal(await preserved(wh), true);
      await assert.rejects(withInsertionOrder(wh, false, async () => { throw new Error('boom'); }), /boom/);
      assert.equal(await preserved(wh), true);
      await wh.run('SET preserve_insertion_order = false');
      assert.equal(await withInsertionOrder(wh, true, () => preserved(wh)), true);
      assert.equal(await preserved(wh), false);
    });

    it('a load that fails and rolls back leaves the connection\'s setting as it was', async () => {
      const wh = await ws.warehouse();
      const t = table('nums', [...rootIds(), col('n', 'bigint')]);
      const { dir, manifest } = ws.makePackage({ source: 'src', tables: [t], rows: { nums: [{ _sluice_id: 'a', _sluice_load_id: 'l', n: 1 }] } });
      fs.writeFileSync(path.join(dir, manifest.tables.nums.parts[0].file), '"a","l",not-a-number\n');
      await assert.rejects(loadPackage(wh, dir, manifest, new Date()), /not-a-number|nums/);
      assert.equal(await preserved(wh), true);
    });

    it('merge staging keeps file order when many parts load in parallel: the last row per key wins', async function () {
      this.timeout(30_000);
      const t = table('events', [...rootIds(), col('id', 'bigint', { primaryKey: true }), col('seq', 'bigint'), col('pad')], { disposition: 'merge' });
      const keys = 1000;
      const rows = Array.from({ length: 200_000 }, (_, seq) => ({ _sluice_id: `r${seq}`, _sluice_load_id: 'l', id: seq % keys, seq, pad: 'x'.repeat(40) }));
      const { dir, manifest } = ws.makePackage({ source: 'src', tables: [t], rows: { events: rows }, partRows: 5000 });
      const wh = await ws.warehouse();
      await wh.run('SET threads = 8');
      await loadPackage(wh, dir, manifest, new Date());
      const wrong = await wh.all(`SELECT id, seq FROM src.events WHERE seq <> id + ${rows.length - keys}`);
      assert.deepEqual(wrong, []);
      assert.equal(await countOf(wh, 'src', 'events'), keys);
    });
  });

  it('limitLoadMemory sets the computed limit for the threads DuckDB uses, and an allocator that returns memory soon', async () => {
    const wh = await ws.warehouse();
    await wh.run('SET threads = 3');
    const t = table('t', [...rootIds(), col('a')]);
    const { manifest } = ws.makePackage({ source: 'src', tables: [t], rows: { t: [{ _sluice_id: 'a', _sluice_load_id: 'l', a: 'x' }] } });
    const setting = async (name: string) => (await wh.all<{ v: string }>(`SELECT current_setting('${name}') AS v`))[0].v;
    await limitLoadMemory(wh, manifest);
    const expected = Number(/^(\d+)MiB$/.exec(loadMemoryLimit(manifest, 3)!)![1]);
    const [, amount, unit] = /^([\d.]+) (MiB|GiB)$/.exec(await setting('memory_limit'))!;
    assert.equal(Math.round(Number(amount) * (unit === 'GiB' ? 1024 : 1)), expected);
    assert.equal(await setting('allocator_flush_threshold'), '8.0 MiB');
    assert.equal(String(await setting('allocator_background_threads')), 'true');
  });

  it('setting a connection\'s memory again after DuckDB spilled keeps its transaction usable', async function () {
    this.timeout(60_000);
    const wh = await ws.warehouse();
    const t = table('t', [...rootIds(), col('a')]);
    const { dir, manifest } = ws.makePackage({ source: 'src', tables: [t], rows: { t: [{ _sluice_id: 'a', _sluice_load_id: 'l', a: 'x' }] } });
    const spillDir = path.join(dir, 'spill');
    await limitLoadMemory(wh, manifest, { spillDir });
    await wh.run(`SET memory_limit = '32MB'`);
    await wh.run('BEGIN TRANSACTION');
    // More than the limit holds: the temporary table goes to the spill folder.
    await wh.run(`CREATE TEMP TABLE big AS SELECT i, repeat('x', 200) || i AS s FROM range(1000000) r(i)`);
    const [{ spilled }] = await wh.all<{ spilled: bigint }>(`SELECT sum(temporary_storage_bytes)::BIGINT AS spilled FROM duckdb_memory()`);
    assert.ok(Number(spilled) > 0, 'DuckDB spilled');
    assert.ok(fs.readdirSync(spillDir).length > 0, 'into the package\'s spill folder');
    // As early loading does when a wider table comes: the same folder, inside the same transaction.
    await limitLoadMemory(wh, manifest, { spillDir });
    const [{ n }] = await wh.all<{ n: bigint }>('SELECT count(*)::BIGINT AS n FROM big');
    assert.equal(Number(n), 1_000_000);
    await wh.run('COMMIT');
  });

  describe('loadMemoryLimit', () => {
    const manifestWith = (columns: number, maxLineBytes: number | undefined): PackageManifest => ({
      loadId: 'l', source: 'src', createdAt: '', changes: [], resources: ['t'], state: {}, fullRefresh: false,
      schema: { name: 'src', version: 1, tables: [table('t', Array.from({ length: columns }, (_, i) => col(`c${i}`)))] },
      tables: { t: { name: 't', rows: 1, parts: [{ file: 't.csv', columns: ['c0'], rows: 1, ...(maxLineBytes === undefined ? {} : { maxLineBytes }) }] } },
    });
    const mib = (limit: string | undefined) => Number(/^(\d+)MiB$/.exec(limit ?? '')?.[1]);
    const RAM = 64 * 1024 * MIB;

    it('keeps a narrow package small: base, plus 1 MiB per column and two read buffers per thread', () => {
      assert.equal(loadMemoryLimit(manifestWith(17, 1000), 2, RAM), '130MiB');
      assert.equal(loadMemoryLimit(manifestWith(74, 1000), 1, RAM), '154MiB');
    });

    it('grows with the widest table, the threads and long lines', () => {
      const narrow = mib(loadMemoryLimit(manifestWith(17, 1000), 2, RAM));
      assert.ok(mib(loadMemoryLimit(manifestWith(1000, 1000), 2, RAM)) > narrow + 1500);
      assert.ok(mib(loadMemoryLimit(manifestWith(17, 1000), 8, RAM)) > 2 * narrow);
      assert.ok(mib(loadMemoryLimit(manifestWith(17, 100 * MIB), 2, RAM)) > narrow + 700);
    });

    it('loads wide tables on fewer threads, so that their row groups fit', () => {
      assert.equal(loadThreads(manifestWith(17, 1000), 2), 2);
      assert.equal(loadThreads(manifestWith(17, 1000), 8), 6);
      assert.equal(loadThreads(manifestWith(74, 20_000), 2), 1);
      assert.equal(loadThreads(manifestWith(200, 1000), 8), 1);
      assert.equal(loadThreads(manifestWith(2000, 1000), 8), 1);
    });

    it('after running out of memory, takes half the memory available, at least one thread\'s need, at most 80% of RAM', () => {
      assert.equal(memoryLimitAfterOutOfMemory(manifestWith(17, 1000), 8 * 1024 * MIB, RAM), '4096MiB');
      assert.equal(mib(memoryLimitAfterOutOfMemory(manifestWith(500, 1000), 100 * MIB, RAM)), 64 + 500 * 2 + 16);
      assert.equal(memoryLimitAfterOutOfMemory(manifestWith(17, 1000), RAM, 10 * 1024 * MIB), '8192MiB');
    });

    it('leaves DuckDB\'s default when the need reaches 80% of RAM, or a part has no line record', () => {
      assert.equal(loadMemoryLimit(manifestWith(10_000, 1000), 2, 16 * 1024 * MIB), undefined);
      assert.equal(loadMemoryLimit(manifestWith(17, 1000), 2, 150 * MIB), undefined);
      assert.equal(loadMemoryLimit(manifestWith(17, undefined), 2, RAM), undefined);
    });
  });

  it('Normalizer.table gives the live table schema, which gains columns with later batches', () => {
    const normalizer = new Normalizer('src', undefined, [{ name: 'r' }], { loadId: 'l' });
    normalizer.normalize('r', [{ a: 1 }]);
    const live = normalizer.table('r')!;
    const before = live.columns.map((c) => c.name);
    normalizer.normalize('r', [{ a: 2, b: 'x' }]);
    assert.equal(normalizer.table('r'), live);
    assert.deepEqual(live.columns.map((c) => c.name), [...before, 'b']);
    assert.equal(normalizer.table('nope'), undefined);
  });
});
