// Edges of merge loads: keys repeated within a load (NULL parts, across many parts of different layouts),
// primary and merge keys together, row ids that cannot tell repeated rows apart, scd2 snapshots with a
// repeated record, and many small parts of a wide table under a memory limit.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../../core/errors';
import { loadPackage } from '../../core/ingest/load/loader';
import { PackageWriter } from '../../core/ingest/load/packageWriter';
import type { Row } from '../../core/ingest/package';
import type { MergeStrategy, TableSchema, WriteDisposition } from '../../core/schema/types';
import type { Warehouse } from '../../core/warehouse/connection';
import { listLoads } from '../../core/warehouse/system';
import { childIds, col, countOf, query, rootIds, rowsOf, table, Workspace, type PackageSpec } from './fixtures';

/** orders (root, pk id, optional merge key region, an optional `note`) with child tables orders__items and orders__tags. */
function ordersSchema(disposition: WriteDisposition = 'merge', options: { strategy?: MergeStrategy; mergeKey?: boolean } = {}): TableSchema[] {
  const family = { resource: 'orders', disposition, strategy: options.strategy };
  return [
    table('orders', [...rootIds(), col('id', 'bigint', { primaryKey: true }), col('region', 'text', { mergeKey: options.mergeKey }), col('status'), col('note')], family),
    table('orders__items', [...childIds(), col('sku')], { ...family, parent: 'orders' }),
    table('orders__tags', [...childIds(), col('tag')], { ...family, parent: 'orders' }),
  ];
}

let idSeq = 0;
/** One order with its items and tags; every row gets a fresh _sluice_id, as the normalizer gives. */
function order(id: number, status: string, skus: string[], extra: { region?: string; note?: string; tags?: string[] } = {}) {
  const rootId = `o${++idSeq}`;
  const child = (i: number) => ({ _sluice_id: `${rootId}-${i}`, _sluice_parent_id: rootId, _sluice_root_id: rootId, _sluice_list_idx: i });
  return {
    root: { _sluice_id: rootId, _sluice_load_id: 'x', id, region: extra.region ?? 'eu', status, ...(extra.note ? { note: extra.note } : {}) } as Row,
    items: skus.map((sku, i) => ({ ...child(i), sku })),
    tags: (extra.tags ?? []).map((tag, i) => ({ ...child(i), tag })),
  };
}

function rowsFor(orders: ReturnType<typeof order>[]): Record<string, Row[]> {
  return { orders: orders.map((o) => o.root), orders__items: orders.flatMap((o) => o.items), orders__tags: orders.flatMap((o) => o.tags) };
}

/**
 * A package whose root rows are cut into parts of partRows rows that alternate between two layouts: the
 * even parts are written without the `note` column, so that every part is a run of its own, as items
 * whose keys come and go can make them.
 */
function alternatingPackage(ws: Workspace, spec: PackageSpec & { partRows: number }) {
  const [root] = spec.tables;
  const { dir, manifest } = ws.makePackage({ ...spec, rows: { ...spec.rows, [root.name]: [] } });
  const narrow = { ...root, columns: root.columns.filter((c) => c.name !== 'note') };
  const rows = spec.rows[root.name];
  const parts = [];
  for (let i = 0; i * spec.partRows < rows.length; i++) {
    const chunk = rows.slice(i * spec.partRows, (i + 1) * spec.partRows);
    const scratch = path.join(ws.root, 'chunks', `${manifest.loadId}-${i}`);
    const writer = new PackageWriter(scratch);
    writer.write(i % 2 === 0 ? narrow : root, i % 2 === 0 ? chunk.map(({ note: _, ...rest }) => rest) : chunk);
    for (const part of writer.finish()[root.name].parts) {
      const file = `chunk${i}.${part.file}`;
      fs.renameSync(path.join(scratch, part.file), path.join(dir, file));
      parts.push({ ...part, file });
    }
  }
  manifest.tables[root.name] = { name: root.name, parts, rows: rows.length };
  return { dir, manifest };
}

async function ordersState(wh: Warehouse) {
  const orders = await rowsOf(wh, 's', 'orders', ['id'], 'id, region, status, note');
  const children = async (child: string, column: string) =>
    (
      await query<{ id: number; v: string }>(
        wh,
        `SELECT o.id, c.${column} AS v FROM s.${child} c JOIN s.orders o ON c._sluice_root_id = o._sluice_id ORDER BY o.id, c.${column}`,
      )
    ).map((r) => `${r.id}:${r.v}`);
  return {
    orders,
    items: await children('orders__items', 'sku'),
    tags: await children('orders__tags', 'tag'),
    childRows: (await countOf(wh, 's', 'orders__items')) + (await countOf(wh, 's', 'orders__tags')),
  };
}

describe('load: merge edges', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = new Workspace();
  });
  afterEach(() => ws.remove());

  it('keeps the last row of keys repeated across many parts of different layouts, with its child rows only', async () => {
    const wh = await ws.warehouse();
    const tables = ordersSchema();
    await ws.load(wh, { source: 's', tables, rows: rowsFor(Array.from({ length: 50 }, (_, id) => order(id, 'old', ['a', 'b'], { tags: ['t'] }))) });
    // 300 rows, each of the keys 0..99 three times, in 60 parts of alternating layouts.
    const load = Array.from({ length: 300 }, (_, i) =>
      order(i % 100, `v${i}`, Array.from({ length: i % 3 }, (_, k) => `${i}-${k}`), { note: `n${i}`, tags: i % 2 ? [`t${i}`] : [] }),
    );
    const { dir, manifest } = alternatingPackage(ws, { source: 's', tables, rows: rowsFor(load), partRows: 5 });
    assert.equal(manifest.tables.orders.parts.length, 60);
    const statements: string[] = [];
    const run = wh.connection.run.bind(wh.connection);
    (wh.connection as { run: typeof run }).run = (sql, params) => (statements.push(sql), run(sql, params));
    const outcome = await loadPackage(wh, dir, manifest, new Date());
    const staging = statements.filter((sql) => /^\s*INSERT INTO "_sluice"\."__sluice_stage"/.test(sql));
    assert.equal(staging.length, 1, 'the keys of all 60 runs are staged with one statement');

    const last = load.slice(200);
    assert.deepEqual(outcome.rows, { orders: 100, orders__items: last.reduce((n, o) => n + o.items.length, 0), orders__tags: 50 });
    const state = await ordersState(wh);
    // Rows 200..299 are the last of each key; the even parts (rows 200-204, 210-214, ...) have no note.
    assert.deepEqual(
      state.orders,
      last.map((o, k) => ({ id: o.root.id, region: 'eu', status: `v${200 + k}`, note: Math.floor((200 + k) / 5) % 2 ? `n${200 + k}` : null })),
    );
    assert.deepEqual(state.items, last.flatMap((o) => o.items.map((i) => `${o.root.id}:${i.sku}`)).sort(sortByIdThenValue));
    assert.deepEqual(state.tags, last.flatMap((o) => o.tags.map((t) => `${o.root.id}:${t.tag}`)).sort(sortByIdThenValue));
    assert.equal(state.childRows, state.items.length + state.tags.length, 'no child row of a replaced or dropped root remains');
  });

  it('matches keys with NULL parts NULL-safely when they repeat within a load, dropping the child rows of the earlier rows', async () => {
    const wh = await ws.warehouse();
    const tables = [
      table('m', [...rootIds(), col('a', 'text', { primaryKey: true }), col('b', 'bigint', { primaryKey: true }), col('v')], { disposition: 'merge' }),
      table('m__c', [...childIds(), col('w')], { resource: 'm', parent: 'm', disposition: 'merge' }),
    ];
    const row = (id: string, a: string | null, b: number | null, v: string) => ({
      root: { _sluice_id: id, _sluice_load_id: 'x', a, b, v },
      child: { _sluice_id: `${id}c`, _sluice_parent_id: id, _sluice_root_id: id, _sluice_list_idx: 0, w: v },
    });
    const rows = (list: ReturnType<typeof row>[]) => ({ m: list.map((r) => r.root), m__c: list.map((r) => r.child) });
    await ws.load(wh, { source: 's', tables, rows: rows([row('1', null, 1, 'old'), row('2', null, null, 'old'), row('3', 'x', 1, 'old')]) });
    await ws.load(wh, {
      source: 's',
      tables,
      rows: rows([row('4', null, 1, 'first'), row('5', null, null, 'first'), row('6', null, 1, 'last'), row('7', null, null, 'last'), row('8', 'x', 2, 'new')]),
      partRows: 2,
    });
    assert.deepEqual(await rowsOf(wh, 's', 'm', ['a', 'b'], 'a, b, v'), [
      { a: 'x', b: 1, v: 'old' },
      { a: 'x', b: 2, v: 'new' },
      { a: null, b: 1, v: 'last' },
      { a: null, b: null, v: 'last' },
    ]);
    assert.deepEqual(await query(wh, 'SELECT w FROM s.m__c ORDER BY w'), [{ w: 'last' }, { w: 'last' }, { w: 'new' }, { w: 'old' }]);
  });

  it('with a primary key and a merge key, deletes rows matching either key of the rows left after de-duplication', async () => {
    const wh = await ws.warehouse();
    const tables = ordersSchema('merge', { mergeKey: true });
    await ws.load(wh, {
      source: 's',
      tables,
      rows: rowsFor([order(1, 'a', ['i1'], { region: 'eu' }), order(2, 'b', ['i2'], { region: 'us' }), order(3, 'c', ['i3'], { region: 'asia' })]),
    });
    // Order 5 comes twice: its last row (region us) counts, so asia's order 3 stays; order 1 moves to mars.
    await ws.load(wh, {
      source: 's',
      tables,
      rows: rowsFor([order(5, 'early', ['x'], { region: 'asia' }), order(5, 'late', ['y'], { region: 'us' }), order(1, 'moved', ['z'], { region: 'mars' })]),
    });
    const state = await ordersState(wh);
    assert.deepEqual(state.orders, [
      { id: 1, region: 'mars', status: 'moved', note: null },
      { id: 3, region: 'asia', status: 'c', note: null },
      { id: 5, region: 'us', status: 'late', note: null },
    ]);
    assert.deepEqual(state.items, ['1:z', '3:i3', '5:y']);
    assert.equal(state.childRows, 3);
  });

  it('refuses a load whose repeated keys have the same _sluice_id, and loads nothing of it', async () => {
    const wh = await ws.warehouse();
    const tables = ordersSchema();
    await ws.load(wh, { source: 's', tables, rows: rowsFor([order(1, 'kept', ['a'])]) });
    const twin = order(2, 'one', []);
    await assert.rejects(
      ws.load(wh, { source: 's', tables, rows: rowsFor([order(1, 'new', []), twin, { ...twin, root: { ...twin.root, status: 'two' } }]) }),
      (err: unknown) => err instanceof SluiceError && /"s"\."orders" gets several rows with the same primary key.*_sluice_id/.test(err.message),
    );
    assert.deepEqual((await ordersState(wh)).orders, [{ id: 1, region: 'eu', status: 'kept', note: null }]);
    assert.equal((await listLoads(wh, { source: 's' })).filter((l) => l.status === 'loaded').length, 1);
  });

  it('scd2 inserts a record that occurs twice in the snapshot once', async () => {
    const wh = await ws.warehouse();
    const tables = [table('p', [col('_sluice_id'), col('id', 'bigint'), col('name')], { disposition: 'merge', strategy: 'scd2' })];
    const ann = { _sluice_id: 'h-ann', id: 1, name: 'ann' };
    const first = await ws.load(wh, { source: 's', tables, rows: { p: [ann, { _sluice_id: 'h-bob', id: 2, name: 'bob' }, ann] }, partRows: 1 });
    assert.equal(first.rows.p, 2);
    const second = await ws.load(wh, { source: 's', tables, rows: { p: [ann, ann] } });
    assert.equal(second.rows.p, 0);
    assert.deepEqual(await query(wh, 'SELECT name, _sluice_valid_to IS NULL AS current FROM s.p ORDER BY name'), [
      { name: 'ann', current: true },
      { name: 'bob', current: false },
    ]);
  });

  for (const disposition of ['merge', 'append'] as const) {
    it(`${disposition}: hundreds of small parts of a wide table load under a tight memory limit`, async () => {
      const wh = await ws.warehouse();
      const wide = Array.from({ length: 40 }, (_, i) => col(`c${i}`));
      const [orders] = ordersSchema(disposition);
      const tables = [{ ...orders, columns: [...orders.columns, ...wide] }];
      const load = Array.from({ length: 600 }, (_, i) => ({ ...order(i, 's', []).root, note: `n${i}`, ...Object.fromEntries(wide.map((c) => [c.name, `${c.name}-${i}`])) }));
      const { dir, manifest } = alternatingPackage(ws, { source: 's', tables, rows: { orders: load }, partRows: 2 });
      assert.equal(manifest.tables.orders.parts.length, 300);
      // Left to DuckDB, every statement's few rows would hold a row group of their own until the commit.
      await wh.run(`SET memory_limit = '96MiB'`);
      await loadPackage(wh, dir, manifest, new Date());
      assert.equal(await countOf(wh, 's', 'orders'), 600);
    });
  }
});

/** Orders `id:value` strings as the warehouse query does: by id as a number, then by value. */
function sortByIdThenValue(x: string, y: string): number {
  const [a, b] = [x, y].map((s) => s.split(':'));
  return Number(a[0]) - Number(b[0]) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}
