// Decoding PostgreSQL's COPY text format, whatever the chunk boundaries.
import { strict as assert } from 'node:assert';
import { CopyTextDecoder, unescapeField } from '../../core/sources/sqlDatabase/copyText';

describe('COPY text decoding', () => {
  const output = Buffer.from(
    'a\\tb\t\\N\t\\\\x00ff\n' + // tab inside a value, NULL, bytea hex text
    'é ✓ line\\nbreak\t\t\\r\\\\\n' + // multi-byte characters, a newline, an empty value, a backslash
    '\\101\\x42\t\\\\N\tlast\n', // octal and hex escapes, the text \N (not NULL)
    'utf8',
  );
  const expected = [
    { a: 'a\tb', b: null, c: '\\x00ff' },
    { a: 'é ✓ line\nbreak', b: '', c: '\r\\' },
    { a: 'AB', b: '\\N', c: 'last' },
  ];

  it('reads rows whole or split at any byte, multi-byte characters included', () => {
    for (let cut = 0; cut <= output.length; cut++) {
      const decoder = new CopyTextDecoder(['a', 'b', 'c']);
      const rows = [...decoder.rows(output.subarray(0, cut)), ...decoder.rows(output.subarray(cut))];
      assert.deepEqual(rows, expected, `cut at byte ${cut}`);
      assert.equal(decoder.pending, false);
    }
  });

  it('converts the fields that have a converter, never a NULL, and keeps awkward column names as plain keys', () => {
    const names = ['n', '__proto__', 'constructor', 'x"y'];
    const decoder = new CopyTextDecoder(names, [Number, undefined, (text) => text.length, undefined]);
    const rows = decoder.rows(Buffer.from('12\tp\tabc\tq\n\\N\t\\N\t\\N\t\\N\n'));
    assert.deepEqual(rows.map((row) => Object.entries(row)), [
      [['n', 12], ['__proto__', 'p'], ['constructor', 3], ['x"y', 'q']],
      [['n', null], ['__proto__', null], ['constructor', null], ['x"y', null]],
    ]);
    assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype);
  });

  it('knows when the output stopped inside a row', () => {
    const decoder = new CopyTextDecoder(['a']);
    assert.deepEqual(decoder.rows(Buffer.from('x\ny')), [{ a: 'x' }]);
    assert.equal(decoder.pending, true);
  });

  it('turns escaped bytes into the characters they encode', () => {
    assert.equal(unescapeField('\\303\\251'), 'é');
    assert.equal(unescapeField('\\xe2\\x9c\\x93!'), '✓!');
  });
});
