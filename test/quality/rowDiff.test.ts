import { strict as assert } from 'node:assert';
import { compareRows, formatRowDiff, formatValue } from '../../core/quality/rowDiff';

describe('quality: row comparison', () => {
  it('doubles match within a small tolerance, integers and decimals exactly', () => {
    assert.equal(compareRows(['x'], ['DOUBLE'], [[3.33333]], [[3.3333333333]], false), undefined);
    assert.notEqual(compareRows(['x'], ['DOUBLE'], [[3.33]], [[3.3333333333]], false), undefined);
    assert.notEqual(compareRows(['x'], ['BIGINT'], [[1000000]], [[1000001]], false), undefined);
    assert.notEqual(compareRows(['x'], ['DECIMAL(10,2)'], [['10.00']], [['10.01']], false), undefined);
    assert.equal(compareRows(['x'], ['DOUBLE[]'], [[[1, 2.0000001]]], [[[1, 2]]], false), undefined);
  });

  it('rows are a multiset: a duplicate counts', () => {
    const diff = compareRows(['x'], ['INTEGER'], [[1], [1]], [[1]], false);
    assert.ok(diff);
    assert.deepEqual(diff.missing, [[1]]);
    assert.equal(formatRowDiff('outputs.query', diff), 'outputs.query: 1 missing (2 expected rows, 1 actual; order ignored)\n  missing row:    x=1');
  });

  it('long diffs are cut after twenty lines per section', () => {
    const expected = Array.from({ length: 25 }, (_, i) => [i]);
    const diff = compareRows(['x'], ['INTEGER'], expected, [], false)!;
    const lines = formatRowDiff('q', diff).split('\n');
    assert.equal(lines.length, 1 + 20 + 1);
    assert.equal(lines[lines.length - 1], '  ... and 5 more');
  });

  it('values print compactly, quoting only what would be ambiguous', () => {
    assert.deepEqual(
      [null, 'paid', '', 'a, b', ' x', 'NULL', 12, { a: 1 }].map(formatValue),
      ['NULL', 'paid', '""', '"a, b"', '" x"', '"NULL"', '12', '{"a":1}'],
    );
  });
});
