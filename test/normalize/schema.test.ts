import { strict as assert } from 'node:assert';
import { SluiceError } from '../../core/errors';
import { Normalizer } from '../../core/ingest/normalize';
import { column, columnNames, data, rowsOf, run } from './helpers';

describe('normalize: schema versions and changes', () => {
  it('a new schema has version 1 and records tables and columns in order', () => {
    const r = run([{ id: 1, labels: [{ name: 'x' }] }]);
    assert.equal(r.schema.version, 1);
    assert.equal(r.schema.name, 'src');
    assert.deepEqual(r.normalizer.changes(), [
      { kind: 'table_added', table: 'r', resource: 'r' },
      { kind: 'column_added', table: 'r', column: 'id', dataType: 'bigint' },
      { kind: 'table_added', table: 'r__labels', resource: 'r' },
      { kind: 'column_added', table: 'r__labels', column: 'name', dataType: 'text' },
    ]);
  });

  it('a new schema with no items still has version 1', () => {
    const n = new Normalizer('s', undefined, [{ name: 'r' }], { loadId: 'l' });
    assert.deepEqual(n.normalize('r', []), new Map([['r', []]]));
    assert.deepEqual(n.schema(), { name: 's', version: 1, tables: [] });
  });

  it('keeps the version when nothing changed', () => {
    const first = run([{ id: 1, labels: [{ name: 'x' }] }]);
    const second = run([{ id: 2, labels: [{ name: 'y' }] }], {}, { previous: first.schema });
    assert.equal(second.schema.version, 1);
    assert.deepEqual(second.normalizer.changes(), []);
    assert.deepEqual(second.schema, first.schema);
  });

  it('bumps the version once when columns are added', () => {
    const first = run([{ id: 1 }]);
    const second = run([{ id: 2, a: 1, b: 2 }], {}, { previous: first.schema });
    assert.equal(second.schema.version, 2);
    assert.deepEqual(second.normalizer.changes().map((c) => c.kind === 'column_added' && c.column), ['a', 'b']);
  });

  it('existing columns keep their types when later data disagrees', () => {
    const first = run([{ id: 'A-1', at: '2024-01-01' }]);
    const second = run([{ id: 7, at: '2024-01-02' }], {}, { previous: first.schema });
    assert.equal(column(second.schema, 'r', 'id').dataType, 'text');
    assert.deepEqual(rowsOf(second, 'r').map(data), [{ id__v_bigint: 7, at: '2024-01-02' }]);
  });

  it('returns copies: changing the result or the previous schema affects nothing', () => {
    const first = run([{ id: 1 }]);
    const before = structuredClone(first.schema);
    const n = new Normalizer('src', first.schema, [{ name: 'r' }], { loadId: 'l' });
    n.normalize('r', [{ id: 2, extra: 'x' }]);
    assert.deepEqual(first.schema, before, 'previous schema not mutated');
    const snap = n.schema();
    snap.tables[0].columns.length = 0;
    assert.ok(n.schema().tables[0].columns.length > 0);
  });

  it('continues across batches: later batches see columns of earlier ones', () => {
    const n = new Normalizer('s', undefined, [{ name: 'r' }], { loadId: 'l' });
    n.normalize('r', [{ a: 1 }]);
    const out = n.normalize('r', [{ a: 2, b: 'x' }]);
    assert.deepEqual(out.get('r')!.map(data), [{ a: 2, b: 'x' }]);
    assert.deepEqual(n.changes().map((c) => c.kind), ['table_added', 'column_added', 'column_added']);
  });

  it('leaves no trace of an item that failed, so the caller may go on', () => {
    const n = new Normalizer('s', undefined, [{ name: 'r', primaryKey: 'id' }], { loadId: 'l' });
    assert.throws(() => n.normalize('r', [{ id: 1 }, { extra: 'x', tags: ['t'] }]), /no value for field 'id'/);
    assert.deepEqual(n.schema().tables.map((t) => t.columns.map((c) => c.name).filter((c) => !c.startsWith('_sluice'))), [['id']]);
    assert.deepEqual(n.changes().map((c) => c.kind), ['table_added', 'column_added']);
    assert.deepEqual(n.normalize('r', [{ id: 2 }]).get('r')!.map(data), [{ id: 2 }]);
  });

  it('only returns child tables that got rows in this batch', () => {
    const n = new Normalizer('s', undefined, [{ name: 'r' }], { loadId: 'l' });
    n.normalize('r', [{ tags: ['a'] }]);
    assert.deepEqual([...n.normalize('r', [{ x: 1 }]).keys()], ['r']);
  });

  it('normalizes several resources into one schema', () => {
    const n = new Normalizer('s', undefined, [{ name: 'users' }, { name: 'orders', table: 'Orders' }], { loadId: 'l' });
    n.normalize('users', [{ id: 1 }]);
    n.normalize('orders', [{ id: 1, items: [{ sku: 'a' }] }]);
    assert.deepEqual(n.schema().tables.map((t) => [t.name, t.resource]), [['users', 'users'], ['orders', 'orders'], ['orders__items', 'orders']]);
  });

  it('rejects unknown resources, duplicate resources and two resources writing one table', () => {
    const n = new Normalizer('s', undefined, [{ name: 'r' }], { loadId: 'l' });
    assert.throws(() => n.normalize('nope', []), (e: Error) => e instanceof SluiceError && /no resource 'nope'/.test(e.message));
    assert.throws(() => new Normalizer('s', undefined, [{ name: 'r' }, { name: 'r' }], { loadId: 'l' }), /resource 'r' twice/);
    assert.throws(() => new Normalizer('s', undefined, [{ name: 'userEvents' }, { name: 'user_events' }], { loadId: 'l' }), /both write table 'user_events'/);
    assert.throws(() => new Normalizer('s', undefined, [{ name: 'r' }], { loadId: '' }), /load id/);
  });

  it('rejects writing a stored table that belongs to another resource', () => {
    const first = run([{ id: 1 }], { name: 'old', table: 'shared' });
    assert.throws(() => run([{ id: 1 }], { name: 'new', table: 'shared' }, { previous: first.schema }), /belongs|assigns to resource 'old'/);
  });
});

describe('normalize: column hints and keys', () => {
  it('a dataType hint fixes the column type and marks it hinted', () => {
    const r = run([{ amount: 1.25, code: '2024-01-01' }], { columns: { amount: { dataType: 'decimal' }, code: { dataType: 'text' } } });
    assert.equal(column(r.schema, 'r', 'amount').dataType, 'decimal');
    assert.equal(column(r.schema, 'r', 'amount').hinted, true);
    assert.equal(column(r.schema, 'r', 'code').dataType, 'text');
    assert.deepEqual(rowsOf(r, 'r').map(data), [{ amount: '1.25', code: '2024-01-01' }]);
  });

  it('hints may name the source field, the column name or a dotted nested path', () => {
    const r = run([{ createdAt: '2024-01-01', user: { id: 5 }, orderTotal: 3 }], {
      columns: { createdAt: { dataType: 'timestamp' }, 'user.id': { dataType: 'text' }, order_total: { dataType: 'double' } },
    });
    assert.equal(column(r.schema, 'r', 'created_at').dataType, 'timestamp');
    assert.equal(column(r.schema, 'r', 'user__id').dataType, 'text');
    assert.equal(column(r.schema, 'r', 'order_total').dataType, 'double');
    assert.deepEqual(rowsOf(r, 'r').map(data), [{ created_at: '2024-01-01T00:00:00Z', user__id__v_bigint: 5, order_total: 3 }]);
  });

  it('a json hint keeps a nested object or list as one json column', () => {
    const r = run([{ payload: { a: { b: 1 } }, list: [1, 2] }], { columns: { payload: { dataType: 'json' }, list: { dataType: 'json' } } });
    assert.deepEqual(columnNames(r.schema, 'r'), ['payload', 'list']);
    assert.deepEqual(rowsOf(r, 'r').map(data), [{ payload: '{"a":{"b":1}}', list: '[1,2]' }]);
  });

  it('keeps storing json where a previous load stored json, even with more nesting allowed now', () => {
    const first = run([{ user: { login: 'a' } }], { maxNesting: 0 });
    const second = run([{ user: { login: 'b' } }], {}, { previous: first.schema });
    assert.deepEqual(rowsOf(second, 'r').map(data), [{ user: '{"login":"b"}' }]);
  });

  it('primaryKey and mergeKey mark columns; primary keys are not nullable', () => {
    const r = run([{ orgId: 1, repo: { id: 2 }, region: 'eu' }], { primaryKey: ['orgId', 'repo.id'], mergeKey: 'region' });
    assert.equal(column(r.schema, 'r', 'org_id').primaryKey, true);
    assert.equal(column(r.schema, 'r', 'org_id').nullable, false);
    assert.equal(column(r.schema, 'r', 'repo__id').primaryKey, true);
    assert.equal(column(r.schema, 'r', 'region').mergeKey, true);
    assert.equal(column(r.schema, 'r', 'region').nullable, true);
  });

  it('a null or missing value in a non-nullable column is an error naming resource, field and item', () => {
    assert.throws(() => run([{ id: 1 }, { id: null }], { primaryKey: 'id' }), (e: Error) =>
      e instanceof SluiceError && /resource 'r'/.test(e.message) && /item 1/.test(e.message) && /field 'id'/.test(e.message));
    assert.throws(() => run([{ id: 1 }, { other: 1 }], { primaryKey: 'id' }), /item 1 has no value for field 'id'/);
    assert.throws(() => run([{ email: null }], { columns: { email: { nullable: false } } }), /nullable: false/);
  });

  it('counts item positions across batches', () => {
    const n = new Normalizer('s', undefined, [{ name: 'r', primaryKey: 'id' }], { loadId: 'l' });
    n.normalize('r', [{ id: 1 }, { id: 2 }]);
    assert.throws(() => n.normalize('r', [{ id: 3 }, {}]), /item 3 has no value/);
  });

  it('a primary key hinted nullable: true may be null', () => {
    const r = run([{ id: null, x: 1 }], { primaryKey: 'id', columns: { id: { nullable: true } } });
    assert.equal(rowsOf(r, 'r').length, 1);
  });

  it('updates key flags of stored columns and bumps the version', () => {
    const first = run([{ id: 1, name: 'a' }]);
    const second = run([{ id: 2, name: 'b' }], { primaryKey: 'id' }, { previous: first.schema });
    assert.equal(column(second.schema, 'r', 'id').primaryKey, true);
    assert.equal(column(second.schema, 'r', 'id').nullable, false);
    assert.equal(second.schema.version, 2);
    const third = run([{ id: 3, name: 'c' }], {}, { previous: second.schema });
    assert.equal(column(third.schema, 'r', 'id').primaryKey, undefined);
    assert.equal(column(third.schema, 'r', 'id').nullable, true);
  });

  it('rejects malformed hints', () => {
    assert.throws(() => run([{}], { columns: { a: { dataType: 'int' as never } } }), /column hint 'a': dataType "int"/);
    assert.throws(() => run([{}], { columns: { a: { nullable: 'no' as never } } }), /nullable must be true or false/);
    assert.throws(() => run([{}], { primaryKey: [''] }), /primaryKey entries/);
  });
});
