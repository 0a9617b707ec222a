import { strict as assert } from 'node:assert';
import { SluiceError } from '../../core/errors';
import { MAX_IDENTIFIER_LENGTH } from '../../core/ingest/normalize/naming';
import { column, columnNames, data, rowsOf, run, table } from './helpers';

function nest(depth: number, leaf: unknown): Record<string, unknown> {
  let obj: Record<string, unknown> = { leaf };
  for (let i = 0; i < depth - 1; i++) obj = { n: obj };
  return obj;
}

describe('normalize: flattening', () => {
  it('flattens nested objects into parent__child columns', () => {
    const r = run([{ id: 1, user: { login: 'bob', address: { city: 'Oslo' } } }]);
    assert.deepEqual(data(rowsOf(r, 'r')[0]), { id: 1, user__login: 'bob', user__address__city: 'Oslo' });
    assert.deepEqual(column(r.schema, 'r', 'user__address__city').path, ['user', 'address', 'city']);
  });

  it('uses resource.table, normalized, as the root table', () => {
    const r = run([{ a: 1 }], { name: 'issues', table: 'GitHub Issues' });
    assert.deepEqual([...r.rows.keys()], ['git_hub_issues']);
    assert.equal(r.schema.tables[0].resource, 'issues');
  });

  it('turns lists of objects into a child table linked by parent id and position', () => {
    const r = run([{ id: 1, labels: [{ name: 'bug' }, { name: 'ui', color: 'red' }] }, { id: 2, labels: [{ name: 'x' }] }]);
    const roots = rowsOf(r, 'r');
    const labels = rowsOf(r, 'r__labels');
    assert.deepEqual(labels.map(data), [{ name: 'bug' }, { name: 'ui', color: 'red' }, { name: 'x' }]);
    assert.deepEqual(labels.map((l) => l._sluice_parent_id), [roots[0]._sluice_id, roots[0]._sluice_id, roots[1]._sluice_id]);
    assert.deepEqual(labels.map((l) => l._sluice_list_idx), [0, 1, 0]);
    const t = table(r.schema, 'r__labels');
    assert.equal(t.parent, 'r');
    assert.deepEqual(t.path, ['labels']);
  });

  it('gives every row a unique _sluice_id', () => {
    const r = run(Array.from({ length: 50 }, (_, i) => ({ i, tags: ['a', 'b'], sub: [{ x: [1, 2] }] })));
    const ids = [...r.rows.values()].flat().map((row) => row._sluice_id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.every((id) => Number.isSafeInteger(id) && (id as number) > 0));
  });

  it('reports per batch exactly the columns its rows hold, for the package writer', () => {
    const items = [
      { id: 1, a: 'x', nested: { b: 2 }, tags: ['t'] },
      { id: 2, c: true, list: [{ d: 1.5 }, { e: null }] },
      { id: 'three', a: null },
    ];
    const r = run(items);
    for (const [name, rows] of r.rows) {
      const keys = new Set(rows.flatMap((row) => Object.keys(row).filter((k) => row[k] !== undefined)));
      assert.deepEqual(new Set(r.normalizer.presentColumns(name)), keys, name);
    }
    // The next batch starts afresh: columns of earlier batches are not reported again.
    const next = r.normalizer.normalize('r', [{ id: 4 }]);
    assert.deepEqual(new Set(r.normalizer.presentColumns('r')), new Set(Object.keys(next.get('r')![0])));
    assert.deepEqual(r.normalizer.presentColumns('r__tags'), []);
  });

  it('turns lists of scalars into a child table with a value column', () => {
    const r = run([{ tags: ['a', 'b', null, 'd'] }]);
    const tags = rowsOf(r, 'r__tags');
    assert.deepEqual(tags.map((t) => t.value ?? null), ['a', 'b', null, 'd']);
    assert.deepEqual(tags.map((t) => t._sluice_list_idx), [0, 1, 2, 3]);
    assert.deepEqual(columnNames(r.schema, 'r__tags'), ['value']);
  });

  it('turns lists of lists into a child table of the child table (value semantics)', () => {
    const r = run([{ m: [[1, 2], [3], []] }]);
    const outer = rowsOf(r, 'r__m');
    const inner = rowsOf(r, 'r__m__value');
    assert.equal(outer.length, 3);
    assert.deepEqual(columnNames(r.schema, 'r__m'), []);
    assert.deepEqual(inner.map((x) => x.value), [1, 2, 3]);
    assert.deepEqual(inner.map((x) => x._sluice_parent_id), [outer[0]._sluice_id, outer[0]._sluice_id, outer[1]._sluice_id]);
    assert.deepEqual(inner.map((x) => x._sluice_list_idx), [0, 1, 0]);
    assert.equal(table(r.schema, 'r__m__value').parent, 'r__m');
    assert.deepEqual(table(r.schema, 'r__m__value').path, ['m', 'value']);
  });

  it('reads mixed lists element by element: objects give columns, scalars the value column', () => {
    const r = run([{ mix: [{ a: 1 }, 'two', [3]] }]);
    assert.deepEqual(rowsOf(r, 'r__mix').map(data), [{ a: 1 }, { value: 'two' }, {}]);
    assert.deepEqual(rowsOf(r, 'r__mix__value').map(data), [{ value: 3 }]);
  });

  it('nests child tables of child tables: <table>__<field>__<sub>', () => {
    const r = run([{ orders: [{ id: 1, items: [{ sku: 'a' }, { sku: 'b' }] }] }]);
    const orders = rowsOf(r, 'r__orders');
    const items = rowsOf(r, 'r__orders__items');
    assert.deepEqual(items.map(data), [{ sku: 'a' }, { sku: 'b' }]);
    assert.ok(items.every((i) => i._sluice_parent_id === orders[0]._sluice_id));
    assert.deepEqual(table(r.schema, 'r__orders__items').path, ['orders', 'items']);
  });

  it('names child tables of lists inside nested objects after the whole path', () => {
    const r = run([{ user: { repos: [{ name: 'x' }] } }]);
    assert.deepEqual(rowsOf(r, 'r__user__repos').map(data), [{ name: 'x' }]);
  });

  it('empty objects produce no columns and empty arrays no rows or tables', () => {
    const r = run([{ id: 1, meta: {}, tags: [] }]);
    assert.deepEqual(columnNames(r.schema, 'r'), ['id']);
    assert.deepEqual([...r.rows.keys()], ['r']);
    assert.equal(r.schema.tables.length, 1);
  });

  it('flattens class instances by their own fields', () => {
    class Point { constructor(readonly x: number, readonly y: number) {} }
    const r = run([{ p: new Point(1, 2) }]);
    assert.deepEqual(data(rowsOf(r, 'r')[0]), { p__x: 1, p__y: 2 });
  });

  it('keeps root rows in item order', () => {
    const r = run([{ n: 3 }, { n: 1 }, { n: 2 }]);
    assert.deepEqual(rowsOf(r, 'r').map((x) => x.n), [3, 1, 2]);
  });

  it('handles 10k columns in one item when maxColumns allows them', () => {
    const item: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) item[`field${i}`] = i;
    const r = run([item, item], { maxColumns: 20_000 });
    assert.equal(columnNames(r.schema, 'r').length, 10_000);
    assert.equal(rowsOf(r, 'r')[1].field9999, 9999);
  });
});

describe('normalize: maxNesting', () => {
  const item = () => ({
    id: 1,
    user: { login: 'bob', address: { city: 'Oslo', geo: { lat: 1 } } },
    labels: [{ name: 'bug', meta: { by: 'ann' }, subs: [1] }],
  });

  it('maxNesting 0 stores every nested object and list of the item as json', () => {
    const r = run([item()], { maxNesting: 0 });
    assert.deepEqual(columnNames(r.schema, 'r'), ['id', 'user', 'labels']);
    assert.equal(column(r.schema, 'r', 'user').dataType, 'json');
    assert.equal(column(r.schema, 'r', 'labels').dataType, 'json');
    const row = rowsOf(r, 'r')[0];
    assert.deepEqual(JSON.parse(row.user as string), item().user);
    assert.deepEqual(JSON.parse(row.labels as string), item().labels);
    assert.equal(r.schema.tables.length, 1);
  });

  it('maxNesting 1 keeps one level of objects and lists; deeper parts become json', () => {
    const r = run([item()], { maxNesting: 1 });
    assert.deepEqual(columnNames(r.schema, 'r'), ['id', 'user__login', 'user__address']);
    assert.deepEqual(JSON.parse(rowsOf(r, 'r')[0].user__address as string), { city: 'Oslo', geo: { lat: 1 } });
    assert.deepEqual(columnNames(r.schema, 'r__labels'), ['name', 'meta', 'subs']);
    const label = rowsOf(r, 'r__labels')[0];
    assert.equal(label.meta, '{"by":"ann"}');
    assert.equal(label.subs, '[1]');
    assert.equal(column(r.schema, 'r__labels', 'subs').dataType, 'json');
  });

  it('maxNesting 2 keeps two levels', () => {
    const r = run([item()], { maxNesting: 2 });
    assert.deepEqual(columnNames(r.schema, 'r'), ['id', 'user__login', 'user__address__city', 'user__address__geo']);
    assert.deepEqual(columnNames(r.schema, 'r__labels'), ['name', 'meta__by']);
    assert.deepEqual(rowsOf(r, 'r__labels__subs').map((x) => x.value), [1]);
  });

  it('stores empty objects and lists beyond the limit as json too', () => {
    const r = run([{ o: {}, l: [] }], { maxNesting: 0 });
    assert.deepEqual(data(rowsOf(r, 'r')[0]), { o: '{}', l: '[]' });
  });

  it('rejects a negative or fractional maxNesting', () => {
    assert.throws(() => run([{}], { maxNesting: -1 }), /maxNesting/);
    assert.throws(() => run([{}], { maxNesting: 1.5 }), /maxNesting/);
  });

  it('flattens 100 levels of nesting into one shortened column', () => {
    const r = run([nest(100, 'deep')]);
    const cols = table(r.schema, 'r').columns.filter((c) => c.path);
    assert.equal(cols.length, 1);
    assert.equal(cols[0].path!.length, 100);
    assert.ok(cols[0].name.length <= MAX_IDENTIFIER_LENGTH);
    assert.match(cols[0].name, /^n__n__.*_[0-9a-f]{8}$/);
    assert.equal(rowsOf(r, 'r')[0][cols[0].name], 'deep');
  });

  it('stores 100 levels of nesting as json under maxNesting 0', () => {
    const r = run([nest(100, 'deep')], { maxNesting: 0 });
    const text = rowsOf(r, 'r')[0].n as string;
    let value = JSON.parse(text);
    for (let i = 0; i < 98; i++) value = value.n;
    assert.deepEqual(value, { leaf: 'deep' });
  });

  it('handles 100 levels of nested lists as 100 child tables', () => {
    let v: unknown = ['x'];
    for (let i = 0; i < 99; i++) v = [v];
    const r = run([{ l: v }]);
    assert.equal(r.schema.tables.length, 101);
    const deepest = r.schema.tables[100];
    assert.equal(rowsOf(r, deepest.name)[0].value, 'x');
  });

  it('handles 1000 levels (the default limit) and reports absurdly deep items as an error', () => {
    const r = run([nest(1000, 'deep')]);
    assert.equal(rowsOf(r, 'r')[0][table(r.schema, 'r').columns.at(-1)!.name], 'deep');
    assert.throws(() => run([nest(100_000, 'x')]), (err: Error) => err instanceof SluiceError && /nested too deeply/.test(err.message));
  });

  it('writes json with bigint as numbers, Dates as ISO text, binary as base64 and NaN as null', () => {
    const r = run([{ o: { big: 2n ** 70n, at: new Date(0), bytes: Buffer.from('hi'), nan: NaN, skip: undefined, list: [undefined] } }], { maxNesting: 0 });
    assert.equal(rowsOf(r, 'r')[0].o, `{"big":${2n ** 70n},"at":"1970-01-01T00:00:00.000Z","bytes":"aGk=","nan":null,"list":[null]}`);
  });
});

describe('normalize: cyclic objects', () => {
  it('reports a cycle through objects with its field path', () => {
    const a: Record<string, unknown> = { id: 1, child: { name: 'c' } };
    (a.child as Record<string, unknown>).parent = a;
    assert.throws(() => run([a]), (err: Error) =>
      err instanceof SluiceError && /'child\.parent'/.test(err.message) && /cyclic/.test(err.message));
  });

  it('reports a cycle through a list', () => {
    const list: unknown[] = [];
    const a = { items: list };
    list.push({ back: a });
    assert.throws(() => run([a]), /'items\[0\]\.back'.*cyclic/);
    const self: unknown[] = [];
    self.push(self);
    assert.throws(() => run([{ self }]), /cyclic/);
  });

  it('reports a cycle inside a value stored as json', () => {
    const a: Record<string, unknown> = { x: { y: {} } };
    ((a.x as Record<string, unknown>).y as Record<string, unknown>).z = a.x;
    assert.throws(() => run([a], { maxNesting: 0 }), /'x\.y\.z'.*cyclic/);
  });

  it('allows the same object twice when it is not its own ancestor', () => {
    const shared = { v: 1 };
    const r = run([{ a: shared, b: shared, l: [shared, shared] }]);
    assert.deepEqual(data(rowsOf(r, 'r')[0]), { a__v: 1, b__v: 1 });
    assert.equal(rowsOf(r, 'r__l').length, 2);
  });
});
