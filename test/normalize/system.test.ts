import { strict as assert } from 'node:assert';
import { Normalizer } from '../../core/ingest/normalize';
import type { ResourceDef } from '../../core/ingest/types';
import { column, columnNames, rowsOf, run, table } from './helpers';

const item = () => ({ id: 1, labels: [{ name: 'a', subs: [{ x: 1 }] }] });

function systemNames(r: ReturnType<typeof run>, name: string): string[] {
  return columnNames(r.schema, name, true).filter((n) => n.startsWith('_sluice_'));
}

describe('normalize: system columns', () => {
  for (const disposition of ['append', 'replace'] as const) {
    it(`${disposition}: root rows get load id and row id; child rows parent id and position, no root id`, () => {
      const r = run([item()], { writeDisposition: disposition }, { loadId: 'L42' });
      assert.deepEqual(systemNames(r, 'r'), ['_sluice_load_id', '_sluice_id']);
      assert.deepEqual(systemNames(r, 'r__labels'), ['_sluice_id', '_sluice_parent_id', '_sluice_list_idx']);
      const root = rowsOf(r, 'r')[0];
      assert.equal(root._sluice_load_id, 'L42');
      const child = rowsOf(r, 'r__labels')[0];
      assert.equal(child._sluice_parent_id, root._sluice_id);
      assert.equal('_sluice_root_id' in child, false);
      assert.equal('_sluice_load_id' in child, false);
      assert.equal(table(r.schema, 'r').writeDisposition, disposition);
    });
  }

  it('merge: child rows at every depth carry the root row id', () => {
    const r = run([item()], { writeDisposition: 'merge', primaryKey: 'id' });
    const root = rowsOf(r, 'r')[0];
    assert.deepEqual(systemNames(r, 'r__labels'), ['_sluice_id', '_sluice_parent_id', '_sluice_list_idx', '_sluice_root_id']);
    assert.equal(rowsOf(r, 'r__labels')[0]._sluice_root_id, root._sluice_id);
    const sub = rowsOf(r, 'r__labels__subs')[0];
    assert.equal(sub._sluice_root_id, root._sluice_id);
    assert.equal(sub._sluice_parent_id, rowsOf(r, 'r__labels')[0]._sluice_id);
    assert.equal(table(r.schema, 'r__labels').mergeStrategy, 'delete-insert');
  });

  it('scd2: root tables declare validity columns, left null in rows', () => {
    const r = run([item()], { writeDisposition: { disposition: 'merge', strategy: 'scd2' } });
    assert.deepEqual(systemNames(r, 'r'), ['_sluice_load_id', '_sluice_id', '_sluice_valid_from', '_sluice_valid_to']);
    const from = column(r.schema, 'r', '_sluice_valid_from');
    assert.equal(from.dataType, 'timestamp');
    assert.equal(from.nullable, true);
    assert.equal(rowsOf(r, 'r')[0]._sluice_valid_from ?? null, null);
    assert.deepEqual(systemNames(r, 'r__labels'), ['_sluice_id', '_sluice_parent_id', '_sluice_list_idx', '_sluice_root_id']);
  });

  it('declares system columns without a path and as not nullable (except validity)', () => {
    const r = run([item()], { writeDisposition: 'merge' });
    for (const t of r.schema.tables) {
      for (const c of t.columns.filter((x) => x.name.startsWith('_sluice_'))) {
        assert.equal(c.path, undefined, `${t.name}.${c.name}`);
        assert.equal(c.nullable, false);
      }
    }
    assert.equal(column(r.schema, 'r__labels', '_sluice_list_idx').dataType, 'bigint');
  });

  it('numbers rows from firstRowId on, and reports the range it used', () => {
    const r = run([{ x: 1, tags: ['a', 'b'] }, { x: 2, tags: ['c'] }], {}, { firstRowId: 41 });
    const ids = [...r.rows.values()].flat().map((row) => row._sluice_id as number).sort((a, b) => a - b);
    assert.deepEqual(ids, [41, 42, 43, 44, 45]);
    assert.deepEqual(r.normalizer.rowIds(), { first: 41, next: 46 });
    assert.equal(column(r.schema, 'r', '_sluice_id').dataType, 'bigint');
    assert.equal(column(r.schema, 'r__tags', '_sluice_parent_id').dataType, 'bigint');
  });

  it('keeps text row ids for scd2 families (the root id is a content hash) and for families stored with text ids', () => {
    const scd2 = run([{ x: 1, tags: ['a'] }], { writeDisposition: { disposition: 'merge', strategy: 'scd2' } });
    for (const name of ['_sluice_id', '_sluice_parent_id', '_sluice_root_id']) {
      assert.equal(column(scd2.schema, 'r__tags', name).dataType, 'text', name);
    }
    assert.equal(typeof rowsOf(scd2, 'r__tags')[0]._sluice_id, 'string');
    // A schema from before integer ids: the family keeps text, so old and new ids stay comparable.
    const first = run([{ x: 1, tags: ['a'] }]);
    const legacy = structuredClone(first.schema);
    for (const t of legacy.tables) for (const c of t.columns) if (c.name === '_sluice_id' || c.name === '_sluice_parent_id') c.dataType = 'text';
    const next = run([{ x: 2, tags: ['b'], more: [{ y: 1 }] }], {}, { previous: legacy, firstRowId: 7 });
    assert.equal(column(next.schema, 'r__more', '_sluice_id').dataType, 'text');
    assert.equal(column(next.schema, 'r__more', '_sluice_parent_id').dataType, 'text');
    assert.equal(rowsOf(next, 'r')[0]._sluice_id, '7');
    assert.equal(rowsOf(next, 'r__more')[0]._sluice_parent_id, '7');
    assert.ok(!next.normalizer.changes().some((c) => c.kind === 'variant_added'), 'no variant columns for the ids');
  });

  it('adds system columns a changed disposition needs to existing tables', () => {
    const first = run([item()]);
    const second = run([item()], { writeDisposition: 'merge' }, { previous: first.schema });
    assert.ok(second.normalizer.changes().some((c) => c.kind === 'column_added' && c.table === 'r__labels' && c.column === '_sluice_root_id'));
    assert.equal(table(second.schema, 'r__labels').writeDisposition, 'merge');
    assert.equal(rowsOf(second, 'r__labels')[0]._sluice_root_id, rowsOf(second, 'r')[0]._sluice_id);
    assert.equal(second.schema.version, first.schema.version + 1);
  });

  it('rejects unknown dispositions and strategies without merge', () => {
    assert.throws(() => run([{}], { writeDisposition: 'upsert' as never }), /writeDisposition "upsert"/);
    assert.throws(() => run([{}], { writeDisposition: { disposition: 'append', strategy: 'scd2' } }), /needs writeDisposition 'merge'/);
  });
});

describe('normalize: scd2 content hash', () => {
  const scd2: Partial<ResourceDef> = { writeDisposition: { disposition: 'merge', strategy: 'scd2' } };
  const rec = () => ({ id: 1, name: 'a', tags: ['x'], meta: { at: new Date(0), big: 5n, bytes: Buffer.from('b') } });

  it('is the same for the same content across runs and key orders', () => {
    const a = rowsOf(run([rec()], scd2), 'r')[0]._sluice_id;
    const b = rowsOf(run([rec()], scd2, { loadId: 'other-load' }), 'r')[0]._sluice_id;
    const reordered = { meta: { bytes: Buffer.from('b'), big: 5n, at: new Date(0) }, tags: ['x'], name: 'a', id: 1 };
    const c = rowsOf(run([reordered], scd2), 'r')[0]._sluice_id;
    assert.equal(a, b);
    assert.equal(a, c);
  });

  it('changes when any part changes, including nested parts and types', () => {
    const base = rowsOf(run([rec()], scd2), 'r')[0]._sluice_id;
    const variants = [
      { ...rec(), name: 'b' },
      { ...rec(), tags: ['y'] },
      { ...rec(), tags: ['x', 'x'] },
      { ...rec(), meta: { ...rec().meta, big: 6n } },
      { ...rec(), meta: { ...rec().meta, at: new Date(1) } },
      { ...rec(), id: '1' },
      { ...rec(), extra: 0 },
    ];
    const ids = variants.map((v) => rowsOf(run([v], scd2), 'r')[0]._sluice_id);
    for (const id of ids) assert.notEqual(id, base);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('treats null fields like absent ones, as the rows they give are the same', () => {
    const withNull = rowsOf(run([{ ...rec(), extra: null, gone: undefined }], scd2), 'r')[0]._sluice_id;
    assert.equal(withNull, rowsOf(run([rec()], scd2), 'r')[0]._sluice_id);
  });

  it('links child rows to the content hash', () => {
    const r = run([rec()], scd2);
    assert.equal(rowsOf(r, 'r__tags')[0]._sluice_parent_id, rowsOf(r, 'r')[0]._sluice_id);
    assert.equal(rowsOf(r, 'r__tags')[0]._sluice_root_id, rowsOf(r, 'r')[0]._sluice_id);
  });

  it('reports functions inside scd2 items with their path', () => {
    assert.throws(() => run([{ a: { f: () => 1 } }], scd2), /'a\.f'.*function/);
  });

  it('is stable across normalizer instances for many items', () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ i, nested: { v: i % 3 } }));
    const one = new Normalizer('s', undefined, [{ name: 'r', ...scd2 }], { loadId: 'a' }).normalize('r', items).get('r')!;
    const two = new Normalizer('s', undefined, [{ name: 'r', ...scd2 }], { loadId: 'b' }).normalize('r', items).get('r')!;
    assert.deepEqual(one.map((x) => x._sluice_id), two.map((x) => x._sluice_id));
    assert.equal(new Set(one.map((x) => x._sluice_id)).size, 20);
  });
});
