// LoadSession: parts loaded while the package is still being written, in the load's one transaction.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { PackageWriter } from '../../core/ingest/load/packageWriter';
import { LoadSession } from '../../core/ingest/load/session';
import type { PackageManifest, Row } from '../../core/ingest/package';
import type { TableSchema } from '../../core/schema/types';
import { Warehouse } from '../../core/warehouse/connection';
import { col, columnNames, countOf, query, table, Workspace } from './fixtures';

/** A package being written, with a session offered every finished part, the way the ingest pipeline does it. */
class Run {
  readonly dir: string;
  readonly log: string[] = [];
  readonly session: LoadSession;
  readonly writer: PackageWriter;
  private readonly tables = new Map<string, TableSchema>();

  constructor(
    private readonly ws: Workspace,
    private readonly source: string,
    options: { partRows: number; groupRows: number; fullRefresh?: boolean; loadId?: string },
  ) {
    const loadId = options.loadId ?? `load-${Math.random().toString(36).slice(2)}`;
    this.dir = path.join(ws.root, 'packages', loadId);
    this.session = new LoadSession({
      warehouse: ws.warehousePath,
      dir: this.dir,
      source,
      loadId,
      fullRefresh: options.fullRefresh ?? false,
      groupRows: options.groupRows,
      log: { info: () => undefined, warn: () => undefined, debug: (m) => this.log.push(m) },
    });
    this.writer = new PackageWriter(this.dir, {
      partRows: options.partRows,
      onPartFinished: (name, part) => this.session.offer(this.tables.get(name)!, part),
    });
  }

  /** Writes rows and gives the session's background work a chance to run, as the pipeline does per batch. */
  async write(schema: TableSchema, rows: Row[]): Promise<void> {
    this.tables.set(schema.name, schema);
    this.writer.write(schema, rows);
    this.session.throwIfFailed();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  manifest(resources: string[]): PackageManifest {
    const tables = [...this.tables.values()];
    return {
      loadId: path.basename(this.dir),
      source: this.source,
      createdAt: new Date().toISOString(),
      schema: { name: this.source, version: 1, tables },
      changes: [],
      resources,
      state: {},
      tables: this.writer.finish(),
      fullRefresh: false,
    };
  }

  get loadedEarly(): boolean {
    return this.log.some((m) => m.includes('stage: early-load'));
  }

  /** Whether loading early starts, given time: the session opens the warehouse in the background. */
  earlyLoadStarts(): Promise<boolean> {
    return this.logged('stage: early-load');
  }

  /** Whether the session logs a message containing `text` within ten seconds (it works in the background). */
  async logged(text: string): Promise<boolean> {
    const seen = () => this.log.some((m) => m.includes(text));
    for (let waited = 0; !seen() && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    return seen();
  }
}

const rowsOfRange = (from: number, to: number, extra: (i: number) => Row = () => ({})): Row[] =>
  Array.from({ length: to - from }, (_, k) => ({ _sluice_id: from + k, n: from + k, ...extra(from + k) }));

describe('LoadSession (loading while the package is written)', function () {
  this.timeout(60_000);
  let ws: Workspace;
  beforeEach(() => {
    ws = new Workspace();
  });
  afterEach(() => ws.remove());

  it('loads whole groups early, the rest at the end, and commits everything once', async () => {
    const t = table('events', [col('_sluice_id', 'bigint'), col('n', 'bigint')]);
    const run = new Run(ws, 'src', { partRows: 10, groupRows: 30 });
    for (let i = 0; i < 95; i += 5) await run.write(t, rowsOfRange(i, i + 5));
    assert.ok(await run.earlyLoadStarts(), 'a group was complete long before the end');
    const outcome = await run.session.finish(run.manifest(['events']), new Date());
    assert.deepEqual(outcome.rows, { events: 95 });
    const wh = await ws.warehouse();
    assert.equal(await countOf(wh, 'src', 'events'), 95);
    const [{ n, distinct }] = await query<{ n: number; distinct: number }>(wh, 'SELECT count(*)::INT AS n, count(DISTINCT n)::INT AS distinct FROM src.events');
    assert.deepEqual({ n, distinct }, { n: 95, distinct: 95 }, 'no part went in twice');
    const [load] = await query<{ rows: string }>(wh, `SELECT CAST("rows" AS VARCHAR) AS "rows" FROM _sluice.loads`);
    assert.deepEqual(JSON.parse(load.rows), { events: 95 });
  });

  it('abort rolls back what went in early and lets go of the warehouse', async () => {
    const t = table('events', [col('_sluice_id', 'bigint'), col('n', 'bigint')]);
    const run = new Run(ws, 'src', { partRows: 10, groupRows: 20 });
    for (let i = 0; i < 60; i += 10) await run.write(t, rowsOfRange(i, i + 10));
    assert.ok(await run.earlyLoadStarts());
    await run.session.abort();
    run.writer.abandon();
    // The warehouse is free again and holds nothing of the load.
    const wh = await Warehouse.open(ws.warehousePath, { lockWaitMs: 0 });
    try {
      const tables = await query<{ n: number }>(wh, `SELECT count(*)::INT AS n FROM information_schema.tables WHERE table_schema = 'src'`);
      assert.equal(tables[0].n, 0);
    } finally {
      wh.close();
    }
  });

  it('does not open the warehouse for a package smaller than a group', async () => {
    const t = table('events', [col('_sluice_id', 'bigint'), col('n', 'bigint')]);
    const run = new Run(ws, 'src', { partRows: 10, groupRows: 1000 });
    for (let i = 0; i < 50; i += 10) await run.write(t, rowsOfRange(i, i + 10));
    assert.equal(run.loadedEarly, false);
    // Nothing holds the warehouse while the source runs.
    (await Warehouse.open(ws.warehousePath, { lockWaitMs: 0 })).close();
    await run.session.finish(run.manifest(['events']), new Date());
    const wh = await ws.warehouse();
    assert.equal(await countOf(wh, 'src', 'events'), 50);
  });

  it('starts over at the end when a table gains a column after its first rows went in', async () => {
    const t = table('events', [col('_sluice_id', 'bigint'), col('n', 'bigint')]);
    const run = new Run(ws, 'src', { partRows: 10, groupRows: 20 });
    for (let i = 0; i < 40; i += 10) await run.write(t, rowsOfRange(i, i + 10));
    assert.ok(await run.earlyLoadStarts());
    // The schema evolves: later rows bring a new column (the pipeline's live schema gains it).
    const grown = table('events', [...t.columns, col('label')]);
    for (let i = 40; i < 80; i += 10) await run.write(grown, rowsOfRange(i, i + 10, (k) => ({ label: `l${k}` })));
    // The session notices in the background, while the source still runs (on a busy machine, a little later).
    assert.ok(await run.logged('gained or widened columns'), run.log.join('\n'));
    await run.session.finish(run.manifest(['events']), new Date());
    const wh = await ws.warehouse();
    assert.deepEqual(await columnNames(wh, 'src', 'events'), ['_sluice_id', 'n', 'label']);
    const [c] = await query<{ n: number; labelled: number; distinct: number }>(
      wh,
      'SELECT count(*)::INT AS n, count(label)::INT AS labelled, count(DISTINCT n)::INT AS distinct FROM src.events',
    );
    assert.deepEqual(c, { n: 80, labelled: 40, distinct: 80 });
  });

  it('empties a replace table once, before its first early rows, and keeps every row of the new load', async () => {
    const t = table('snap', [col('_sluice_id', 'bigint'), col('n', 'bigint')], { disposition: 'replace' });
    const wh = await ws.warehouse();
    await ws.load(wh, { source: 'src', tables: [t], rows: { snap: rowsOfRange(1000, 1100) } });
    wh.close();
    const run = new Run(ws, 'src', { partRows: 10, groupRows: 20 });
    for (let i = 0; i < 70; i += 10) await run.write(t, rowsOfRange(i, i + 10));
    assert.ok(await run.earlyLoadStarts());
    const outcome = await run.session.finish(run.manifest(['snap']), new Date());
    assert.equal(outcome.rows.snap, 70);
    const after = await ws.warehouse();
    const [c] = await query<{ n: number; lo: number; hi: number }>(after, 'SELECT count(*)::INT AS n, min(n)::INT AS lo, max(n)::INT AS hi FROM src.snap');
    assert.deepEqual(c, { n: 70, lo: 0, hi: 69 });
  });

  it('leaves merge tables without load ids to the end', async () => {
    const t = table('orders', [col('_sluice_id', 'bigint'), col('n', 'bigint', { primaryKey: true })], { disposition: 'merge' });
    const run = new Run(ws, 'src', { partRows: 10, groupRows: 20 });
    for (let i = 0; i < 60; i += 10) await run.write(t, rowsOfRange(i, i + 10));
    assert.equal(run.loadedEarly, false);
    await run.session.finish(run.manifest(['orders']), new Date());
    const wh = await ws.warehouse();
    assert.equal(await countOf(wh, 'src', 'orders'), 60);
  });

  describe('merge tables loaded while the source runs', () => {
    const orders = table('orders', [col('_sluice_load_id'), col('_sluice_id', 'bigint'), col('k', 'bigint', { primaryKey: true }), col('v')], { disposition: 'merge' });
    const items = table(
      'orders__items',
      [col('_sluice_id', 'bigint'), col('_sluice_parent_id', 'bigint'), col('_sluice_root_id', 'bigint'), col('_sluice_list_idx', 'bigint'), col('x')],
      { resource: 'orders', parent: 'orders', disposition: 'merge' },
    );
    /** Keys 0..29 come twice in 60 rows: the second row of each key (i = k + 30) is the one a merge keeps. */
    const newRows = (loadId: string, from: number, to: number): Row[] =>
      Array.from({ length: to - from }, (_, j) => ({ _sluice_load_id: loadId, _sluice_id: from + j + 1, k: (from + j) % 30, v: `new${from + j}` }));
    /** One child row per root row, whose text names the root row. */
    const childRows = (rows: Row[]): Row[] =>
      rows.map((r) => ({ _sluice_id: 10_000 + Number(r._sluice_id), _sluice_parent_id: r._sluice_id, _sluice_root_id: r._sluice_id, _sluice_list_idx: 0, x: `of ${String(r.v)}` }));

    /** Rows committed before the run: keys 0..9 (replaced by it) and 100 (left alone), each with a child row. */
    async function loadOlderRows(): Promise<void> {
      const older = [...Array.from({ length: 10 }, (_, k) => k), 100].map((k) => ({ _sluice_load_id: 'older', _sluice_id: 1000 + k, k, v: 'old' }));
      const wh = await ws.warehouse();
      await ws.load(wh, { source: 'src', tables: [orders, items], rows: { orders: older, orders__items: childRows(older) } });
      wh.close();
    }

    /** A run that writes the 60 new rows, each with its child row, in parts of 10; groups of groupRows load early. */
    async function writeNewRows(loadId: string, groupRows: number): Promise<Run> {
      const run = new Run(ws, 'src', { partRows: 10, groupRows, loadId });
      for (let i = 0; i < 60; i += 10) {
        const rows = newRows(loadId, i, i + 10);
        await run.write(orders, rows);
        await run.write(items, childRows(rows));
      }
      return run;
    }

    it('go into the target early; the last row of each key wins, older rows of the keys go, others stay', async () => {
      await loadOlderRows();
      const loadId = 'load-merge-early';
      const run = await writeNewRows(loadId, 20);
      assert.ok(await run.earlyLoadStarts(), 'merge parts go in while the source runs');
      const outcome = await run.session.finish(run.manifest(['orders']), new Date());
      assert.deepEqual(outcome.rows, { orders: 30, orders__items: 30 }, 'rows counted once per key, children of dropped rows not counted');
      const wh = await ws.warehouse();
      const kept = await query<{ k: number; v: string; x: string }>(
        wh,
        'SELECT o.k::INT AS k, o.v, i.x FROM src.orders o LEFT JOIN src.orders__items i ON i._sluice_root_id = o._sluice_id ORDER BY o.k',
      );
      const expected = [...Array.from({ length: 30 }, (_, k) => ({ k, v: `new${k + 30}`, x: `of new${k + 30}` })), { k: 100, v: 'old', x: 'of old' }];
      assert.deepEqual(kept, expected);
      assert.equal(await countOf(wh, 'src', 'orders__items'), 31, 'no child row of a replaced or dropped row is left');
      const [load] = await query<{ rows: string }>(wh, `SELECT CAST("rows" AS VARCHAR) AS "rows" FROM _sluice.loads WHERE load_id = '${loadId}'`);
      assert.deepEqual(JSON.parse(load.rows), { orders: 30, orders__items: 30 });
    });

    it('merge the same way when everything loads at the end', async () => {
      await loadOlderRows();
      const loadId = 'load-merge-late';
      const run = await writeNewRows(loadId, 1000);
      assert.equal(run.loadedEarly, false);
      const outcome = await run.session.finish(run.manifest(['orders']), new Date());
      assert.deepEqual(outcome.rows, { orders: 30, orders__items: 30 });
      const wh = await ws.warehouse();
      const [c] = await query<{ n: number; kept: number }>(wh, `SELECT count(*)::INT AS n, count(*) FILTER (WHERE v = 'new' || (k + 30))::INT AS kept FROM src.orders`);
      assert.deepEqual(c, { n: 31, kept: 30 });
    });

    it('roll back with the rest of the load when the run fails', async () => {
      await loadOlderRows();
      const loadId = 'load-merge-abort';
      const run = new Run(ws, 'src', { partRows: 10, groupRows: 20, loadId });
      for (let i = 0; i < 60; i += 10) await run.write(orders, newRows(loadId, i, i + 10));
      assert.ok(await run.earlyLoadStarts());
      await run.session.abort();
      run.writer.abandon();
      const wh = await ws.warehouse();
      const [c] = await query<{ n: number; old: number }>(wh, `SELECT count(*)::INT AS n, count(*) FILTER (WHERE v = 'old')::INT AS old FROM src.orders`);
      assert.deepEqual(c, { n: 11, old: 11 });
    });
  });

  it('stops the run at the first part that fails to load, naming it, and rolls back', async () => {
    const t = table('events', [col('_sluice_id', 'bigint'), col('at', 'timestamp')]);
    const run = new Run(ws, 'src', { partRows: 10, groupRows: 20 });
    const bad = (i: number): Row[] => Array.from({ length: 10 }, (_, k) => ({ _sluice_id: i + k, at: i + k === 15 ? 'not a time' : '2024-01-01T00:00:00Z' }));
    await assert.rejects(
      (async () => {
        // The source keeps going until the failed part stops it (on a busy machine that takes a while).
        for (let i = 0; i < 10_000; i += 10) await run.write(t, bad(i));
      })(),
      /cannot load events\.000001\.csv … events\.000002\.csv into "src"\."events": .*"not a time"/,
    );
    await run.session.abort();
    run.writer.abandon();
    const wh = await ws.warehouse();
    const tables = await query<{ n: number }>(wh, `SELECT count(*)::INT AS n FROM information_schema.tables WHERE table_schema = 'src'`);
    assert.equal(tables[0].n, 0);
    assert.ok(fs.existsSync(run.dir));
  });
});
