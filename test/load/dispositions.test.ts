import { strict as assert } from 'node:assert';
import type { Row } from '../../core/ingest/package';
import { SluiceError } from '../../core/errors';
import type { MergeStrategy, TableSchema, WriteDisposition } from '../../core/schema/types';
import { listLoads, readState } from '../../core/warehouse/system';
import { childIds, col, countOf, query, rootIds, rowsOf, table, tableNames, Workspace } from './fixtures';

/** orders (root, pk id) with a child table orders__items linked by _sluice_root_id. */
function ordersSchema(disposition: WriteDisposition, strategy?: MergeStrategy, keys: { pk?: boolean; mergeKey?: boolean } = { pk: true }): TableSchema[] {
  return [
    table('orders', [...rootIds(), col('id', 'bigint', { primaryKey: keys.pk }), col('region', 'text', { mergeKey: keys.mergeKey }), col('status')], {
      resource: 'orders',
      disposition,
      strategy,
    }),
    table('orders__items', [...childIds(), col('sku')], { resource: 'orders', parent: 'orders', disposition }),
  ];
}

let idSeq = 0;
/** One order with its items; every row gets a fresh _sluice_id like the normalizer gives. */
function order(id: number, status: string, skus: string[], region = 'eu'): { root: Row; items: Row[] } {
  const rootId = `o${id}-${++idSeq}`;
  return {
    root: { _sluice_id: rootId, _sluice_load_id: 'x', id, region, status },
    items: skus.map((sku, i) => ({ _sluice_id: `${rootId}-i${i}`, _sluice_parent_id: rootId, _sluice_root_id: rootId, _sluice_list_idx: i, sku })),
  };
}

function rowsFor(orders: { root: Row; items: Row[] }[]): Record<string, Row[]> {
  return { orders: orders.map((o) => o.root), orders__items: orders.flatMap((o) => o.items) };
}

async function ordersState(ws: Workspace, source: string) {
  const wh = await ws.warehouse();
  try {
    const orders = await rowsOf(wh, source, 'orders', ['id'], 'id, region, status');
    const items = await query<{ id: number; sku: string }>(
      wh,
      `SELECT o.id, i.sku FROM "${source}".orders__items i JOIN "${source}".orders o ON i._sluice_root_id = o._sluice_id ORDER BY o.id, i.sku`,
    );
    return { orders, items: items.map((r) => `${r.id}:${r.sku}`), itemCount: await countOf(wh, source, 'orders__items') };
  } finally {
    wh.close();
  }
}

describe('load: write dispositions', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = new Workspace();
  });
  afterEach(() => ws.remove());

  it('append adds every row of every load, children included, and commits state and a loads row', async () => {
    const wh = await ws.warehouse();
    const tables = ordersSchema('append');
    const first = await ws.load(wh, { source: 's', tables, rows: rowsFor([order(1, 'new', ['a', 'b'])]), state: { orders: { custom: { page: 1 } } } });
    assert.deepEqual(first.rows, { orders: 1, orders__items: 2 });
    const second = await ws.load(wh, { source: 's', tables, rows: rowsFor([order(1, 'paid', ['c']), order(2, 'new', [])]), partRows: 1 });
    assert.deepEqual(second.rows, { orders: 2, orders__items: 1 });
    assert.equal(await countOf(wh, 's', 'orders'), 3);
    assert.equal(await countOf(wh, 's', 'orders__items'), 3);
    assert.deepEqual(await readState(wh, 's'), { orders: { custom: { page: 1 } } }, 'a load without state for a resource keeps its old state');
    const loads = await listLoads(wh, { source: 's' });
    assert.equal(loads.length, 2);
    assert.ok(loads.every((l) => l.status === 'loaded' && l.error === null && l.schemaVersion === 1));
    assert.deepEqual(loads.find((l) => l.loadId === first.loadId)?.rows, { orders: 1, orders__items: 2 });
  });

  it('replace swaps all tables of the resource, and empties them when the resource yielded nothing', async () => {
    const wh = await ws.warehouse();
    const tables = ordersSchema('replace');
    await ws.load(wh, { source: 's', tables, rows: rowsFor([order(1, 'new', ['a']), order(2, 'new', ['b', 'c'])]) });
    wh.close();
    let wh2 = await ws.warehouse();
    // Second run: the root has rows but the child table gets none; the old child rows must go anyway.
    await ws.load(wh2, { source: 's', tables, rows: rowsFor([order(3, 'new', [])]) });
    wh2.close();
    let state = await ordersState(ws, 's');
    assert.deepEqual(state.orders, [{ id: 3, region: 'eu', status: 'new' }]);
    assert.equal(state.itemCount, 0);

    wh2 = await ws.warehouse();
    const outcome = await ws.load(wh2, { source: 's', tables, rows: {}, resources: ['orders'] });
    wh2.close();
    assert.deepEqual(outcome.rows, { orders: 0, orders__items: 0 });
    state = await ordersState(ws, 's');
    assert.deepEqual(state.orders, []);

    // A resource that was not extracted this run keeps its tables.
    wh2 = await ws.warehouse();
    await ws.load(wh2, { source: 's', tables, rows: rowsFor([order(4, 'new', ['d'])]) });
    await ws.load(wh2, { source: 's', tables, rows: {}, resources: [] });
    assert.equal(await countOf(wh2, 's', 'orders'), 1);
  });

  it('merge delete-insert keeps the last duplicate of a load, and child rows follow their roots', async () => {
    const wh = await ws.warehouse();
    const tables = ordersSchema('merge');
    await ws.load(wh, { source: 's', tables, rows: rowsFor([order(1, 'new', ['a', 'b']), order(2, 'new', ['c'])]) });
    // Order 1 arrives three times (across parts and within one); the last one wins with its items.
    const outcome = await ws.load(wh, {
      source: 's',
      tables,
      rows: rowsFor([order(1, 'v1', ['x']), order(3, 'new', ['e']), order(1, 'v2', ['y', 'z']), order(1, 'v3', ['w1', 'w2'])]),
      partRows: 2,
    });
    assert.deepEqual(outcome.rows, { orders: 2, orders__items: 3 });
    wh.close();
    const state = await ordersState(ws, 's');
    assert.deepEqual(state.orders, [
      { id: 1, region: 'eu', status: 'v3' },
      { id: 2, region: 'eu', status: 'new' },
      { id: 3, region: 'eu', status: 'new' },
    ]);
    assert.deepEqual(state.items, ['1:w1', '1:w2', '2:c', '3:e']);
    assert.equal(state.itemCount, 4, 'no orphaned child rows remain');
  });

  it('merge deletes every row matching a merge key, then inserts the load', async () => {
    const wh = await ws.warehouse();
    const tables = ordersSchema('merge', 'delete-insert', { mergeKey: true });
    await ws.load(wh, { source: 's', tables, rows: rowsFor([order(1, 'a', ['i1'], 'eu'), order(2, 'b', [], 'eu'), order(3, 'c', ['i3'], 'us')]) });
    await ws.load(wh, { source: 's', tables, rows: rowsFor([order(9, 'z', ['i9'], 'eu')]) });
    wh.close();
    const state = await ordersState(ws, 's');
    assert.deepEqual(state.orders, [
      { id: 3, region: 'us', status: 'c' },
      { id: 9, region: 'eu', status: 'z' },
    ]);
    assert.deepEqual(state.items, ['3:i3', '9:i9']);
    assert.equal(state.itemCount, 2);
  });

  it('merge matches multi-column keys NULL-safely', async () => {
    const wh = await ws.warehouse();
    const tables = [table('m', [col('_sluice_id'), col('a', 'text', { primaryKey: true }), col('b', 'bigint', { primaryKey: true }), col('v')], { disposition: 'merge' })];
    const rows = (v: string) => [
      { _sluice_id: `1${v}`, a: 'x', b: 1, v },
      { _sluice_id: `2${v}`, a: null, b: 1, v },
      { _sluice_id: `3${v}`, a: null, b: null, v },
    ];
    await ws.load(wh, { source: 's', tables, rows: { m: rows('old') } });
    await ws.load(wh, { source: 's', tables, rows: { m: [...rows('new').slice(1), { _sluice_id: '4', a: 'x', b: 2, v: 'new' }] } });
    const back = await rowsOf(wh, 's', 'm', ['a', 'b'], 'a, b, v');
    assert.deepEqual(back, [
      { a: 'x', b: 1, v: 'old' },
      { a: 'x', b: 2, v: 'new' },
      { a: null, b: 1, v: 'new' },
      { a: null, b: null, v: 'new' },
    ]);
  });

  it('merge without primary or merge key appends', async () => {
    const wh = await ws.warehouse();
    const tables = ordersSchema('merge', 'delete-insert', {});
    await ws.load(wh, { source: 's', tables, rows: rowsFor([order(1, 'a', ['x'])]) });
    await ws.load(wh, { source: 's', tables, rows: rowsFor([order(1, 'a', ['x'])]) });
    assert.equal(await countOf(wh, 's', 'orders'), 2);
    assert.equal(await countOf(wh, 's', 'orders__items'), 2);
  });

  it('upsert updates existing keys, inserts new ones and replaces the children of upserted roots', async () => {
    const wh = await ws.warehouse();
    const tables = ordersSchema('merge', 'upsert', { pk: true, mergeKey: true });
    await ws.load(wh, { source: 's', tables, rows: rowsFor([order(1, 'new', ['a', 'b'], 'eu'), order(2, 'new', ['c'], 'eu')]) });
    const outcome = await ws.load(wh, { source: 's', tables, rows: rowsFor([order(2, 'old', ['q']), order(2, 'paid', ['d']), order(5, 'new', ['e'], 'eu')]) });
    assert.deepEqual(outcome.rows, { orders: 2, orders__items: 2 });
    wh.close();
    const state = await ordersState(ws, 's');
    // The merge key is ignored by upsert: order 1 (same region) survives.
    assert.deepEqual(state.orders, [
      { id: 1, region: 'eu', status: 'new' },
      { id: 2, region: 'eu', status: 'paid' },
      { id: 5, region: 'eu', status: 'new' },
    ]);
    assert.deepEqual(state.items, ['1:a', '1:b', '2:d', '5:e']);
    assert.equal(state.itemCount, 4);
  });

  it('upsert without a primary key is a user error and loads nothing', async () => {
    const wh = await ws.warehouse();
    const tables = ordersSchema('merge', 'upsert', {});
    await assert.rejects(
      ws.load(wh, { source: 's', tables, rows: rowsFor([order(1, 'a', [])]) }),
      (err: unknown) => err instanceof SluiceError && /resource "orders".*upsert.*no primary key/.test(err.message),
    );
    assert.deepEqual(await listLoads(wh), []);
  });

  it('scd2 keeps versions over three loads: insert, change + delete, unchanged reload', async () => {
    const wh = await ws.warehouse();
    const tables = [
      table('people', [col('_sluice_id'), col('id', 'bigint'), col('name')], { resource: 'people', disposition: 'merge', strategy: 'scd2' }),
      table('people__tags', [...childIds(), col('tag')], { resource: 'people', parent: 'people', disposition: 'merge' }),
    ];
    // _sluice_id is a content hash: the same content always has the same id.
    const person = (id: number, name: string, tags: string[]) => {
      const hash = `h(${id},${name},${tags.join('|')})`;
      return {
        root: { _sluice_id: hash, id, name },
        items: tags.map((tag, i) => ({ _sluice_id: `${hash}#${i}`, _sluice_parent_id: hash, _sluice_root_id: hash, _sluice_list_idx: i, tag })),
      };
    };
    const rows = (people: ReturnType<typeof person>[]) => ({ people: people.map((p) => p.root), people__tags: people.flatMap((p) => p.items) });
    const t1 = new Date('2024-01-01T00:00:00Z');
    const t2 = new Date('2024-02-01T00:00:00Z');
    const t3 = new Date('2024-03-01T00:00:00Z');

    const first = await ws.load(wh, { source: 's', tables, rows: rows([person(1, 'ann', ['a']), person(2, 'bob', ['b']), person(3, 'cy', [])]) }, t1);
    assert.deepEqual(first.rows, { people: 3, people__tags: 2 });
    const second = await ws.load(wh, { source: 's', tables, rows: rows([person(1, 'ann', ['a']), person(2, 'bobby', ['b', 'c'])]) }, t2);
    assert.deepEqual(second.rows, { people: 1, people__tags: 2 });
    const third = await ws.load(wh, { source: 's', tables, rows: rows([person(2, 'bobby', ['b', 'c']), person(1, 'ann', ['a'])]) }, t3);
    assert.deepEqual(third.rows, { people: 0, people__tags: 0 });

    await wh.run(`SET TimeZone = 'UTC'`);
    const versions = await query(wh, 
      `SELECT id, name, CAST(_sluice_valid_from AS VARCHAR) AS valid_from, CAST(_sluice_valid_to AS VARCHAR) AS valid_to
       FROM s.people ORDER BY id, _sluice_valid_from`,
    );
    assert.deepEqual(versions, [
      { id: 1, name: 'ann', valid_from: '2024-01-01 00:00:00+00', valid_to: null },
      { id: 2, name: 'bob', valid_from: '2024-01-01 00:00:00+00', valid_to: '2024-02-01 00:00:00+00' },
      { id: 2, name: 'bobby', valid_from: '2024-02-01 00:00:00+00', valid_to: null },
      { id: 3, name: 'cy', valid_from: '2024-01-01 00:00:00+00', valid_to: '2024-02-01 00:00:00+00' },
    ]);
    const tags = await query<{ name: string; tag: string }>(wh, 
      `SELECT p.name, t.tag FROM s.people__tags t JOIN s.people p ON p._sluice_id = t._sluice_root_id ORDER BY 1, 2`,
    );
    assert.deepEqual(tags.map((r) => `${r.name}:${r.tag}`), ['ann:a', 'bob:b', 'bobby:b', 'bobby:c']);

    // A closed version that comes back is a new current version; its child rows are not duplicated.
    await ws.load(wh, { source: 's', tables, rows: rows([person(2, 'bob', ['b'])]) }, new Date('2024-04-01T00:00:00Z'));
    const current = await query(wh, `SELECT id, name FROM s.people WHERE _sluice_valid_to IS NULL ORDER BY id`);
    assert.deepEqual(current, [{ id: 2, name: 'bob' }]);
    assert.equal(await countOf(wh, 's', 'people__tags'), 4);
  });

  it('merges several resources in one load, each into its own tables', async () => {
    const wh = await ws.warehouse();
    const tables = (extra: boolean) => [
      table('a', [col('_sluice_id'), col('id', 'bigint', { primaryKey: true }), col('v'), ...(extra ? [col('w')] : [])], { disposition: 'merge' }),
      table('b', [col('_sluice_id'), col('id', 'bigint'), col('v'), ...(extra ? [col('w')] : [])], { disposition: 'merge', strategy: 'scd2' }),
      table('c', [col('_sluice_id'), col('id', 'bigint', { primaryKey: true }), col('v')], { disposition: 'merge', strategy: 'upsert' }),
    ];
    const rows = (v: string, w?: string) => ({
      a: [{ _sluice_id: `a${v}`, id: 1, v, ...(w ? { w } : {}) }],
      b: [{ _sluice_id: `b${v}${w ?? ''}`, id: 1, v, ...(w ? { w } : {}) }],
      c: [{ _sluice_id: `c${v}`, id: 1, v }],
    });
    await ws.load(wh, { source: 's', tables: tables(false), rows: rows('1') });
    // The second load also adds a column to the merge and scd2 roots in the same transaction.
    const outcome = await ws.load(wh, { source: 's', tables: tables(true), rows: rows('2', 'x') });
    assert.deepEqual(outcome.rows, { a: 1, b: 1, c: 1 });
    assert.deepEqual(await query(wh, 'SELECT id, v, w FROM s.a'), [{ id: 1, v: '2', w: 'x' }]);
    assert.deepEqual(await query(wh, 'SELECT v, w, _sluice_valid_to IS NULL AS current FROM s.b ORDER BY v'), [
      { v: '1', w: null, current: false },
      { v: '2', w: 'x', current: true },
    ]);
    assert.deepEqual(await query(wh, 'SELECT id, v FROM s.c'), [{ id: 1, v: '2' }]);
    assert.deepEqual(await tableNames(wh, '_sluice'), ['loads', 'row_ids', 'schemas', 'state'], 'no scratch table is left behind');
  });
});
