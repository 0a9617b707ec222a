import { strict as assert } from 'node:assert';
import { ContractViolation, SluiceError } from '../../core/errors';
import type { Contract } from '../../core/ingest/types';
import { columnNames, data, rowsOf, run } from './helpers';

/** A stored schema with table r (columns id, user__login) and child table r__labels (column name). */
function stored() {
  return run([{ id: 1, user: { login: 'bob' }, labels: [{ name: 'bug' }] }]).schema;
}

function again(items: Record<string, unknown>[], contract: Contract, where: 'resource' | 'source' = 'resource') {
  return run(items, where === 'resource' ? { contract } : {}, { previous: stored(), ...(where === 'source' ? { contract } : {}) });
}

function expectViolation(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: Error) => {
    assert.ok(err instanceof ContractViolation, `expected ContractViolation, got ${err}`);
    assert.match(err.message, /resource 'r'/);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

describe('normalize: contracts on tables', () => {
  const items = [{ id: 2, tags: ['x', 'y'] }, { id: 3 }];

  it('evolve creates the new child table', () => {
    const r = again(items, { tables: 'evolve' });
    assert.equal(rowsOf(r, 'r__tags').length, 2);
  });

  it('freeze throws naming the field and the value', () => {
    expectViolation(() => again(items, { tables: 'freeze' }), /new table 'r__tags'/, /field 'tags'/, /\["x","y"\]/, /tables contract is freeze/);
  });

  it('discard_row drops the whole item', () => {
    const r = again(items, { tables: 'discard_row' });
    assert.deepEqual(rowsOf(r, 'r').map((x) => x.id), [3]);
    assert.equal(r.rows.has('r__tags'), false);
    assert.deepEqual(r.normalizer.discarded(), { rows: 1, values: 0 });
    assert.ok(!r.schema.tables.some((t) => t.name === 'r__tags'));
  });

  it('discard_value keeps the row and drops the list', () => {
    const r = again(items, { tables: 'discard_value' });
    assert.deepEqual(rowsOf(r, 'r').map((x) => x.id), [2, 3]);
    assert.equal(r.rows.has('r__tags'), false);
    assert.deepEqual(r.normalizer.discarded(), { rows: 0, values: 1 });
  });

  it('allows all tables of a resource in its first load, even under freeze', () => {
    const r = run([{ id: 1, labels: [{ name: 'a', subs: [1] }] }], { contract: 'freeze' });
    assert.deepEqual([...r.rows.keys()].sort(), ['r', 'r__labels', 'r__labels__subs']);
  });

  it('applies to a new root table when the resource already has tables', () => {
    const previous = stored();
    expectViolation(() => run([{ id: 1 }], { table: 'renamed', contract: { tables: 'freeze' } }, { previous }), /new table 'renamed'/);
    const dropped = run([{ id: 1 }], { table: 'renamed', contract: { tables: 'discard_value' } }, { previous });
    assert.deepEqual(dropped.rows.get('renamed'), []);
    assert.deepEqual(dropped.normalizer.discarded(), { rows: 1, values: 0 });
  });

  it('existing child tables keep receiving rows under freeze', () => {
    const r = again([{ id: 2, labels: [{ name: 'ui' }] }], 'freeze');
    assert.deepEqual(rowsOf(r, 'r__labels').map(data), [{ name: 'ui' }]);
  });
});

describe('normalize: contracts on columns', () => {
  const items = [{ id: 2, user: { login: 'ann', email: 'ann@example.com' } }, { id: 3, user: { login: 'cy' } }];

  it('evolve adds the column', () => {
    const r = again(items, { columns: 'evolve' });
    assert.deepEqual(columnNames(r.schema, 'r'), ['id', 'user__login', 'user__email']);
  });

  it('freeze throws naming the dotted field path and the value', () => {
    expectViolation(() => again(items, { columns: 'freeze' }), /new column 'user__email'/, /field 'user\.email'/, /"ann@example\.com"/);
  });

  it('freeze names positions inside lists', () => {
    expectViolation(() => again([{ id: 2, labels: [{ name: 'a' }, { name: 'b', color: 'red' }] }], { columns: 'freeze' }), /field 'labels\[1\]\.color'/);
  });

  it('truncates long values in the message', () => {
    const long = 'x'.repeat(500);
    assert.throws(() => again([{ id: 2, note: long }], { columns: 'freeze' }), (err: Error) => {
      const shown = /value ("x+…?)/.exec(err.message)![1];
      assert.ok(shown.length <= 80, `shown ${shown.length} chars`);
      assert.ok(err.message.length < 300);
      return true;
    });
  });

  it('discard_row drops the item and its child rows', () => {
    const r = again([{ id: 2, labels: [{ name: 'a' }], extra: 1 }, { id: 3, labels: [{ name: 'b' }] }], { columns: 'discard_row' });
    assert.deepEqual(rowsOf(r, 'r').map((x) => x.id), [3]);
    assert.deepEqual(rowsOf(r, 'r__labels').map(data), [{ name: 'b' }]);
    assert.equal(rowsOf(r, 'r__labels')[0]._sluice_parent_id, rowsOf(r, 'r')[0]._sluice_id);
    assert.deepEqual(r.normalizer.discarded(), { rows: 1, values: 0 });
    assert.deepEqual(columnNames(r.schema, 'r'), ['id', 'user__login']);
  });

  it('discard_value drops only the value', () => {
    const r = again(items, { columns: 'discard_value' });
    assert.deepEqual(rowsOf(r, 'r').map(data), [{ id: 2, user__login: 'ann' }, { id: 3, user__login: 'cy' }]);
    assert.deepEqual(r.normalizer.discarded(), { rows: 0, values: 1 });
  });

  it('columns of a table created in this load are accepted under freeze', () => {
    const r = again([{ id: 2, tags: [{ a: 1, b: 2 }] }], { tables: 'evolve', columns: 'freeze' });
    assert.deepEqual(columnNames(r.schema, 'r__tags'), ['a', 'b']);
  });
});

describe('normalize: contracts on data types', () => {
  const items = [{ id: 'two' }, { id: 3 }];

  it('evolve adds a variant column', () => {
    const r = again(items, { data_type: 'evolve' });
    assert.deepEqual(rowsOf(r, 'r').map(data), [{ id__v_text: 'two' }, { id: 3 }]);
  });

  it('freeze throws naming field, value and the column type', () => {
    expectViolation(() => again(items, { data_type: 'freeze' }), /field 'id'/, /"two"/, /text value in bigint column 'id'/, /data_type contract/);
  });

  it('discard_row drops the item', () => {
    const r = again(items, { data_type: 'discard_row' });
    assert.deepEqual(rowsOf(r, 'r').map(data), [{ id: 3 }]);
    assert.deepEqual(r.normalizer.discarded(), { rows: 1, values: 0 });
  });

  it('discard_value drops the value', () => {
    const r = again(items, { data_type: 'discard_value' });
    assert.deepEqual(rowsOf(r, 'r').map(data), [{}, { id: 3 }]);
    assert.deepEqual(r.normalizer.discarded(), { rows: 0, values: 1 });
  });

  it('applies inside tables created in this load too', () => {
    expectViolation(() => run([{ v: 1 }, { v: 'x' }], { contract: { data_type: 'freeze' } }), /field 'v'/);
  });

  it('lossless coercions are not variants and pass freeze', () => {
    const r = again([{ id: 2n }], { data_type: 'freeze' });
    assert.deepEqual(rowsOf(r, 'r').map(data), [{ id: 2n }]);
  });
});

describe('normalize: contract settings', () => {
  it('a single mode applies to tables, columns and data types', () => {
    expectViolation(() => again([{ id: 2, tags: [1] }], 'freeze'), /tables contract/);
    expectViolation(() => again([{ id: 2, extra: 1 }], 'freeze'), /columns contract/);
    expectViolation(() => again([{ id: 'x' }], 'freeze'), /data_type contract/);
  });

  it('the source contract applies when the resource has none', () => {
    expectViolation(() => again([{ id: 2, extra: 1 }], 'freeze', 'source'), /columns contract/);
  });

  it('the resource contract overrides the source contract per entity', () => {
    const previous = stored();
    const r = run([{ id: 2, extra: 1 }], { contract: { columns: 'evolve' } }, { previous, contract: 'freeze' });
    assert.deepEqual(columnNames(r.schema, 'r'), ['id', 'user__login', 'extra']);
    expectViolation(() => run([{ id: 'x' }], { contract: { columns: 'evolve' } }, { previous, contract: 'freeze' }), /data_type contract/);
  });

  it('rejects unknown modes and entities', () => {
    assert.throws(() => run([{}], { contract: 'lock' as never }), (err: Error) => err instanceof SluiceError && /'lock'|"lock"/.test(err.message));
    assert.throws(() => run([{}], { contract: { rows: 'freeze' } as never }), /unknown contract entity 'rows'/);
  });

  it('undoes schema changes made earlier in an item that discard_row drops', () => {
    const previous = stored();
    const r = run(
      [{ id: 2, fresh: 'kept?', tags: ['t'], user: { login: 1 } }, { id: 3 }],
      { contract: { columns: 'evolve', tables: 'evolve', data_type: 'discard_row' } },
      { previous },
    );
    assert.deepEqual(rowsOf(r, 'r').map(data), [{ id: 3 }]);
    assert.deepEqual(columnNames(r.schema, 'r'), ['id', 'user__login']);
    assert.ok(!r.schema.tables.some((t) => t.name === 'r__tags'));
    assert.deepEqual(r.normalizer.changes(), []);
    assert.equal(r.schema.version, previous.version);
  });

  it('keeps working after a dropped item: the next item may add what was undone', () => {
    const previous = stored();
    const r = run(
      [{ id: 'bad', fresh: 1 }, { id: 4, fresh: 2, tags: ['ok'] }],
      { contract: { data_type: 'discard_row' } },
      { previous },
    );
    assert.deepEqual(rowsOf(r, 'r').map(data), [{ id: 4, fresh: 2 }]);
    assert.deepEqual(rowsOf(r, 'r__tags').map(data), [{ value: 'ok' }]);
    assert.deepEqual(r.normalizer.changes().map((c) => c.kind), ['column_added', 'table_added', 'column_added']);
  });
});
