import { strict as assert } from 'node:assert';
import { column, data, rowsOf, run } from './helpers';
import type { DataType } from '../../core/schema/types';

/** Cells of field v across items, after a first item fixed the column type. */
function cells(values: unknown[], hint?: DataType, maxNesting?: number) {
  const r = run(values.map((v) => ({ v })), { ...(hint ? { columns: { v: { dataType: hint } } } : {}), ...(maxNesting !== undefined ? { maxNesting } : {}) });
  return { r, rows: rowsOf(r, 'r').map(data), base: column(r.schema, 'r', 'v') };
}

describe('normalize: variants', () => {
  it('puts a conflicting value in <col>__v_<type> and leaves the base column null', () => {
    const { r, rows } = cells(['a', 5, 'b']);
    assert.deepEqual(rows, [{ v: 'a' }, { v__v_bigint: 5 }, { v: 'b' }]);
    const variant = column(r.schema, 'r', 'v__v_bigint');
    assert.equal(variant.variantOf, 'v');
    assert.equal(variant.dataType, 'bigint');
    assert.equal(variant.nullable, true);
    assert.deepEqual(variant.path, ['v']);
    assert.deepEqual(r.normalizer.changes().at(-1), { kind: 'variant_added', table: 'r', column: 'v__v_bigint', variantOf: 'v', dataType: 'bigint' });
  });

  it('reuses one variant column for later values of the same type', () => {
    const { r, rows } = cells([1, 'x', 'y']);
    assert.deepEqual(rows, [{ v: 1 }, { v__v_text: 'x' }, { v__v_text: 'y' }]);
    assert.equal(r.normalizer.changes().filter((c) => c.kind === 'variant_added').length, 1);
  });

  it('text columns take only strings: numbers and booleans go to variants', () => {
    assert.deepEqual(cells(['a', 1.5, true]).rows, [{ v: 'a' }, { v__v_double: 1.5 }, { v__v_bool: true }]);
  });

  it('text columns keep date-looking strings as text', () => {
    assert.deepEqual(cells(['a', '2024-01-02', '2024-01-02T03:04:05Z']).rows, [{ v: 'a' }, { v: '2024-01-02' }, { v: '2024-01-02T03:04:05Z' }]);
  });

  it('bigint columns widen to double when a fractional number arrives: no variant, one type_widened change', () => {
    const { r, rows, base } = cells([1, 2.5, 3, 4.25]);
    assert.deepEqual(rows, [{ v: 1 }, { v: 2.5 }, { v: 3 }, { v: 4.25 }]);
    assert.equal(base.dataType, 'double');
    assert.deepEqual(r.normalizer.changes().filter((c) => c.kind !== 'table_added' && c.kind !== 'column_added'), [
      { kind: 'type_widened', table: 'r', column: 'v', from: 'bigint', dataType: 'double' },
    ]);
  });

  it('a bigint column stored by an earlier load widens too; one with a double variant keeps using it', () => {
    const first = cells([1]);
    const widened = run([{ v: 2 }, { v: 0.5 }], {}, { previous: first.r.schema });
    assert.deepEqual(rowsOf(widened, 'r').map(data), [{ v: 2 }, { v: 0.5 }]);
    assert.equal(column(widened.schema, 'r', 'v').dataType, 'double');
    const withVariant = structuredClone(first.r.schema);
    withVariant.tables[0].columns.push({ name: 'v__v_double', dataType: 'double', nullable: true, variantOf: 'v', path: ['v'] });
    const kept = run([{ v: 0.5 }], {}, { previous: withVariant });
    assert.deepEqual(rowsOf(kept, 'r').map(data), [{ v__v_double: 0.5 }]);
    assert.equal(column(kept.schema, 'r', 'v').dataType, 'bigint');
  });

  it('a hinted bigint column, or one holding integers beyond 2^53, sends fractions to a double variant', () => {
    assert.deepEqual(cells([1, 2.5], 'bigint').rows, [{ v: 1 }, { v__v_double: 2.5 }]);
    assert.deepEqual(cells([1, 2n ** 60n + 1n, 2.5]).rows, [{ v: 1 }, { v: 2n ** 60n + 1n }, { v__v_double: 2.5 }]);
  });

  it('widening follows the data_type contract: freeze refuses it, discard_value drops the value', () => {
    const items = [{ v: 1 }, { v: 2.5 }];
    assert.throws(() => run(items, {}, { contract: { data_type: 'freeze' } }), /a fractional number in bigint column 'v' of table 'r' at field 'v' \(value 2\.5\) is not allowed: the data_type contract is freeze/);
    const dropped = run(items, {}, { contract: { data_type: 'discard_value' } });
    assert.deepEqual(rowsOf(dropped, 'r').map(data), [{ v: 1 }, {}]);
    assert.equal(column(dropped.schema, 'r', 'v').dataType, 'bigint');
  });

  it('bigint columns take integral numbers beyond 2^53 exactly as BigInt', () => {
    assert.deepEqual(cells([1, 2 ** 60]).rows, [{ v: 1 }, { v: 2n ** 60n }]);
  });

  it('double columns take integers', () => {
    assert.deepEqual(cells([0.5, 3]).rows, [{ v: 0.5 }, { v: 3 }]);
  });

  it('double columns take BigInts only when exactly representable', () => {
    assert.deepEqual(cells([0.5, 2n ** 60n, 2n ** 60n + 1n]).rows, [{ v: 0.5 }, { v: 2 ** 60 }, { v__v_bigint: 2n ** 60n + 1n }]);
  });

  it('decimal columns take numbers with at most 9 decimals and BigInts', () => {
    assert.deepEqual(cells([1.5, 2n, 12, 1e-12], 'decimal').rows, [{ v: '1.5' }, { v: '2' }, { v: '12' }, { v__v_double: 1e-12 }]);
  });

  it('decimal columns take exact decimal text (what database drivers give for NUMERIC) when it fits', () => {
    assert.deepEqual(
      cells([1.5, '12.50', '-0.000', '007', '-1.000000001', '0.0000000001', '1e5', 'NaN', '1' + '0'.repeat(29)], 'decimal').rows,
      [
        { v: '1.5' }, { v: '12.5' }, { v: '0' }, { v: '7' }, { v: '-1.000000001' },
        { v__v_text: '0.0000000001' }, { v__v_text: '1e5' }, { v__v_text: 'NaN' }, { v__v_text: '1' + '0'.repeat(29) },
      ],
    );
  });

  it('decimal columns of known precision take only what DECIMAL(p,s) holds exactly', () => {
    const r = run(
      ['12.50', 0.5, '-999.99', '1000', '1.005', 7n, '-0.001'].map((v) => ({ v })),
      { columns: { v: { dataType: 'decimal', precision: 5, scale: 2 } } },
    );
    assert.deepEqual(rowsOf(r, 'r').map(data), [
      { v: '12.5' }, { v: '0.5' }, { v: '-999.99' }, { v__v_text: '1000' }, { v__v_text: '1.005' }, { v: '7' }, { v__v_text: '-0.001' },
    ]);
    const base = column(r.schema, 'r', 'v');
    assert.deepEqual({ dataType: base.dataType, precision: base.precision, scale: base.scale }, { dataType: 'decimal', precision: 5, scale: 2 });
  });

  it('timestamp columns take dates at midnight UTC and send other strings to a text variant', () => {
    assert.deepEqual(cells(['2024-01-02T03:04:05Z', '2024-05-06', 'soon']).rows, [
      { v: '2024-01-02T03:04:05Z' }, { v: '2024-05-06T00:00:00Z' }, { v__v_text: 'soon' },
    ]);
  });

  it('timestamp columns take Date objects', () => {
    assert.deepEqual(cells(['2024-01-02T03:04:05Z', new Date(0)]).rows, [{ v: '2024-01-02T03:04:05Z' }, { v: '1970-01-01T00:00:00.000Z' }]);
  });

  it('date columns take timestamps only at exactly midnight UTC', () => {
    assert.deepEqual(cells(['2024-01-02', '2024-01-03T00:00:00Z', '2024-01-04T01:00:00+01:00', '2024-01-05T10:00:00Z', new Date(Date.UTC(2024, 0, 6))]).rows, [
      { v: '2024-01-02' }, { v: '2024-01-03' }, { v: '2024-01-04' }, { v__v_timestamp: '2024-01-05T10:00:00Z' }, { v: '2024-01-06' },
    ]);
  });

  it('text columns send Date objects to a timestamp variant', () => {
    assert.deepEqual(cells(['a', new Date(0)]).rows, [{ v: 'a' }, { v__v_timestamp: '1970-01-01T00:00:00.000Z' }]);
  });

  it('bool columns send strings to a text variant', () => {
    assert.deepEqual(cells([true, 'true']).rows, [{ v: true }, { v__v_text: 'true' }]);
  });

  it('json columns take scalars as JSON text but not NaN', () => {
    assert.deepEqual(cells([{ a: 1 }, 'bob', 2, true, NaN], undefined, 0).rows, [
      { v: '{"a":1}' }, { v: '"bob"' }, { v: '2' }, { v: 'true' }, { v__v_double: NaN },
    ]);
  });

  it('scalar columns send objects stored as json to a json variant', () => {
    assert.deepEqual(cells(['a', { b: 1 }], undefined, 0).rows, [{ v: 'a' }, { v__v_json: '{"b":1}' }]);
  });

  it('binary columns send strings to a text variant', () => {
    const bytes = Buffer.from('x');
    assert.deepEqual(cells([bytes, 'x']).rows, [{ v: bytes }, { v__v_text: 'x' }]);
  });

  it('reuses a variant column stored by a previous load', () => {
    const first = run([{ v: 1 }, { v: 'x' }]);
    const second = run([{ v: 'y' }], {}, { previous: first.schema });
    assert.deepEqual(rowsOf(second, 'r').map(data), [{ v__v_text: 'y' }]);
    assert.deepEqual(second.normalizer.changes(), []);
  });

  it('reports a nested field colliding with a variant column name', () => {
    assert.throws(() => run([{ a: 1 }, { a: 'x' }, { a: { v_text: 'y' } }]), /both map to column 'a__v_text'/);
  });
});
