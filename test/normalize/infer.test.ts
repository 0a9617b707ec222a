import { strict as assert } from 'node:assert';
import { SluiceError } from '../../core/errors';
import { decimalColumnCell, naturalType, numberToDecimal, toColumnCell } from '../../core/ingest/normalize/infer';
import { Temporal, canonicalTimestamp, classifyTemporal } from '../../core/ingest/normalize/temporal';
import { column, data, run } from './helpers';

/** Type and cell of one field value normalized on its own. */
function one(value: unknown): { type: string; cell: unknown } {
  const r = run([{ v: value }]);
  return { type: column(r.schema, 'r', 'v').dataType, cell: r.rows.get('r')![0].v };
}

describe('normalize: type inference', () => {
  it('plain strings → text', () => {
    assert.deepEqual(one('hello'), { type: 'text', cell: 'hello' });
    assert.deepEqual(one(''), { type: 'text', cell: '' });
  });

  it('ISO timestamps with Z → timestamp, kept as given', () => {
    assert.deepEqual(one('2024-01-02T03:04:05Z'), { type: 'timestamp', cell: '2024-01-02T03:04:05Z' });
  });

  it('ISO timestamps with offset and fractional seconds → timestamp', () => {
    assert.deepEqual(one('2024-01-02T03:04:05.123456+02:00'), { type: 'timestamp', cell: '2024-01-02T03:04:05.123456+02:00' });
    assert.deepEqual(one('2024-01-02T03:04:05-0530'), { type: 'timestamp', cell: '2024-01-02T03:04:05-0530' });
  });

  it('timestamps without offset are read as UTC; space separator and missing seconds are rewritten', () => {
    assert.deepEqual(one('2024-01-02T03:04:05'), { type: 'timestamp', cell: '2024-01-02T03:04:05Z' });
    assert.deepEqual(one('2024-01-02 03:04:05.5'), { type: 'timestamp', cell: '2024-01-02T03:04:05.5Z' });
    assert.deepEqual(one('2024-01-02T03:04+01:00'), { type: 'timestamp', cell: '2024-01-02T03:04:00+01:00' });
    assert.deepEqual(one('2024-01-02T03:04:05z'), { type: 'timestamp', cell: '2024-01-02T03:04:05Z' });
  });

  it('YYYY-MM-DD → date, only for real calendar dates', () => {
    assert.deepEqual(one('2024-02-29'), { type: 'date', cell: '2024-02-29' });
    assert.equal(one('2023-02-29').type, 'text');
    assert.equal(one('2024-13-01').type, 'text');
    assert.equal(one('2024-04-31').type, 'text');
    assert.equal(one('2024-00-10').type, 'text');
    assert.equal(one('1900-02-29').type, 'text');
    assert.equal(one('2000-02-29').type, 'date');
  });

  it('strings that only look temporal stay text', () => {
    for (const s of ['2024-01-02T25:00:00Z', '2024-01-02T23:60:00Z', '2024-01-02T23:59:60Z', '2024-01-02X03:04:05Z',
      '2024-01-02T03:04:05+2', '2024-01-02T03:04:05.Z', '2024-01-02T03:04:05.1234567890Z', '12345678901', '2024/01/02',
      '2024-01-02T03:04:05ZZ', ' 2024-01-02']) {
      assert.equal(one(s).type, 'text', s);
    }
  });

  it('integral numbers → bigint, fractional → double', () => {
    assert.deepEqual(one(42), { type: 'bigint', cell: 42 });
    assert.deepEqual(one(-7), { type: 'bigint', cell: -7 });
    assert.deepEqual(one(Number.MAX_SAFE_INTEGER), { type: 'bigint', cell: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(one(1.5), { type: 'double', cell: 1.5 });
  });

  it('integers beyond 2^53 given as numbers are not exact: double', () => {
    assert.deepEqual(one(2 ** 53), { type: 'double', cell: 2 ** 53 });
    assert.deepEqual(one(1e300), { type: 'double', cell: 1e300 });
  });

  it('NaN and ±Infinity → double, kept as numbers', () => {
    assert.equal(one(NaN).type, 'double');
    assert.ok(Number.isNaN(one(NaN).cell));
    assert.deepEqual(one(Infinity), { type: 'double', cell: Infinity });
    assert.deepEqual(one(-Infinity), { type: 'double', cell: -Infinity });
  });

  it('BigInt → bigint within int64, decimal digits beyond, text beyond DECIMAL(38,9)', () => {
    assert.deepEqual(one(9223372036854775807n), { type: 'bigint', cell: 9223372036854775807n });
    assert.deepEqual(one(-9223372036854775808n), { type: 'bigint', cell: -9223372036854775808n });
    assert.deepEqual(one(9223372036854775808n), { type: 'decimal', cell: '9223372036854775808' });
    assert.deepEqual(one(-(10n ** 28n)), { type: 'decimal', cell: '-' + '1' + '0'.repeat(28) });
    assert.deepEqual(one(10n ** 29n), { type: 'text', cell: '1' + '0'.repeat(29) });
  });

  it('booleans → bool', () => {
    assert.deepEqual(one(true), { type: 'bool', cell: true });
    assert.deepEqual(one(false), { type: 'bool', cell: false });
  });

  it('Date → timestamp as an ISO string with Z', () => {
    assert.deepEqual(one(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))), { type: 'timestamp', cell: '2024-01-02T03:04:05.006Z' });
  });

  it('an invalid Date is an error naming the field', () => {
    assert.throws(() => run([{ meta: { when: new Date('nope') } }]), (err: Error) =>
      err instanceof SluiceError && /'meta\.when'/.test(err.message) && /invalid Date/.test(err.message));
  });

  it('Buffer and Uint8Array → binary, passed through without copying', () => {
    const buf = Buffer.from('hi');
    const b = one(buf);
    assert.equal(b.type, 'binary');
    assert.equal(b.cell, buf);
    const u8 = new Uint8Array([1, 2, 3]);
    assert.equal(one(u8).cell, u8);
  });

  it('ArrayBuffer and other typed views → binary bytes', () => {
    const ab = new Uint8Array([9, 8, 7]).buffer;
    const r = one(ab);
    assert.equal(r.type, 'binary');
    assert.deepEqual([...(r.cell as Uint8Array)], [9, 8, 7]);
    const view = new DataView(new Uint8Array([0, 1, 2, 3]).buffer, 1, 2);
    assert.deepEqual([...(one(view).cell as Uint8Array)], [1, 2]);
    const i16 = new Int16Array([1]);
    assert.equal((one(i16).cell as Uint8Array).byteLength, 2);
  });

  it('undefined fields are absent: no column, no cell', () => {
    const r = run([{ a: 1, gone: undefined }]);
    assert.deepEqual(data(r.rows.get('r')![0]), { a: 1 });
    assert.ok(!r.schema.tables[0].columns.some((c) => c.name === 'gone'));
  });

  it('a column seen only as null is not created until a value arrives', () => {
    const r = run([{ a: 1, later: null }, { a: 2, later: null }]);
    assert.ok(!r.schema.tables[0].columns.some((c) => c.name === 'later'));
    const r2 = run([{ later: null }, { later: 'x' }, { later: null }]);
    assert.equal(column(r2.schema, 'r', 'later').dataType, 'text');
    assert.deepEqual(r2.rows.get('r')!.map((row) => row.later ?? null), [null, 'x', null]);
  });

  it('functions and symbols are errors naming the field path', () => {
    assert.throws(() => run([{ meta: { fn: () => 1 } }]), (err: Error) =>
      err instanceof SluiceError && /resource 'r'/.test(err.message) && /'meta\.fn'/.test(err.message) && /function/.test(err.message));
    assert.throws(() => run([{ s: Symbol('x') }]), /'s'.*symbol/);
    assert.throws(() => run([{ list: [1, () => 2] }]), /'list\[1\]'.*function/);
  });

  it('Maps and Sets are errors asking for an object or array', () => {
    assert.throws(() => run([{ m: new Map() }]), /'m'.*Map/);
    assert.throws(() => run([{ list: [new Set([1])] }]), /'list\[0\]'.*Set/);
  });

  it('items that are not objects are errors naming the item', () => {
    assert.throws(() => run(['text' as never]), /item 0 is "text"/);
    assert.throws(() => run([{ a: 1 }, [1, 2] as never]), /item 1 is \[1,2\]/);
  });
});

describe('normalize: temporal and decimal helpers', () => {
  it('classifies dates and timestamps', () => {
    assert.equal(classifyTemporal('2024-01-02'), Temporal.Date);
    assert.equal(classifyTemporal('2024-01-02T03:04:05Z'), Temporal.Timestamp);
    assert.equal(classifyTemporal('2024-01-02T03:04:05.123456789+05:30'), Temporal.Timestamp);
    assert.equal(classifyTemporal('2024-01-02T03:04:05+05'), Temporal.Timestamp);
    assert.equal(classifyTemporal('2024-01-02 03:04:05Z'), Temporal.TimestampToFix);
    assert.equal(classifyTemporal('hello world'), Temporal.None);
    assert.equal(classifyTemporal('2024-01-0'), Temporal.None);
  });

  it('rewrites timestamps into a form with T, seconds and an offset', () => {
    assert.equal(canonicalTimestamp('2024-01-02 03:04'), '2024-01-02T03:04:00Z');
    assert.equal(canonicalTimestamp('2024-01-02 03:04:05.25-01:00'), '2024-01-02T03:04:05.25-01:00');
  });

  it('reads decimal text as the canonical cell a DECIMAL column of its precision holds, as a plain regex reading would', () => {
    // The reference: what the reader must give for any string (the reader itself scans by hand, for speed).
    const reference = (value: string, precision?: number, scale?: number): string | undefined => {
      const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(value);
      if (!m) return undefined;
      const int = m[2].replace(/^0+(?=\d)/, '');
      const frac = (m[3] ?? '').replace(/0+$/, '');
      if (frac.length > 9 || int.length > 29) return undefined; // DECIMAL(38,9)
      if (precision !== undefined && (frac.length > (scale ?? 0) || (int === '0' ? 0 : int.length) > precision - (scale ?? 0))) return undefined;
      return (m[1] === '-' && /[1-9]/.test(int + frac) ? '-' : '') + int + (frac ? '.' + frac : '');
    };
    const fixed = ['0', '-0', '+0', '0.00', '-0.00', '007.50', '1.', '.5', '-', '+', '', '1e5', 'NaN', '1.2.3', ' 1', '1 ', '١٢', '12.30', '-12.30', '+5',
      '12345678901234567890123456789', '123456789012345678901234567890', '0.123456789', '0.1234567891', '0.1234567890', '99999999999.99', '999999999999.99'];
    const alphabet = ['0', '0', '1', '9', '5', '.', '-', '+', 'e', ' '];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const generated = Array.from({ length: 5000 }, () => Array.from({ length: 1 + Math.floor(random() * 14) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    for (const value of [...fixed, ...generated]) {
      assert.equal(decimalColumnCell(value, undefined, undefined), reference(value), JSON.stringify(value));
      assert.equal(decimalColumnCell(value, 12, 2), reference(value, 12, 2), `${JSON.stringify(value)} in DECIMAL(12,2)`);
    }
    assert.equal(decimalColumnCell('-0.50', 12, 2), '-0.5');
    assert.equal(decimalColumnCell('0.125', 12, 2), undefined, 'does not fit without rounding');
  });

  it('converts doubles to DECIMAL(38,9) text only when exact', () => {
    assert.equal(numberToDecimal(1.5), '1.5');
    assert.equal(numberToDecimal(-0.001), '-0.001');
    assert.equal(numberToDecimal(1e-7), '0.0000001');
    assert.equal(numberToDecimal(123456789.123456789), '123456789.12345679');
    assert.equal(numberToDecimal(1e21), '1000000000000000000000');
    assert.equal(numberToDecimal(1e-12), undefined);
    assert.equal(numberToDecimal(1e30), undefined);
    assert.equal(numberToDecimal(NaN), undefined);
  });

  it('natural types of values', () => {
    assert.equal(naturalType('x'), 'text');
    assert.equal(naturalType(1), 'bigint');
    assert.equal(naturalType(0.5), 'double');
    assert.equal(naturalType({}), 'json');
    assert.equal(naturalType(() => 1), undefined);
  });

  it('toColumnCell refuses lossy conversions', () => {
    assert.equal(toColumnCell(1, 'text'), undefined);
    assert.equal(toColumnCell(true, 'text'), undefined);
    assert.equal(toColumnCell('x', 'bigint'), undefined);
    assert.equal(toColumnCell(2n ** 60n + 1n, 'double'), undefined);
    assert.equal(toColumnCell(2n ** 60n, 'double'), 2 ** 60);
  });
});
