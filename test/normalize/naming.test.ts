import { strict as assert } from 'node:assert';
import { SluiceError } from '../../core/errors';
import {
  EMPTY_NAME, MAX_IDENTIFIER_LENGTH, columnNameForField, normalizeFieldPath, normalizeIdentifier, normalizeName,
  shortenName,
} from '../../core/ingest/normalize/naming';
import { run } from './helpers';

describe('normalize: identifier naming', () => {
  const cases: [string, string][] = [
    ['camelCase', 'camel_case'],
    ['PascalCase', 'pascal_case'],
    ['HTTPServer', 'http_server'],
    ['userID', 'user_id'],
    ['getHTTPResponseCode', 'get_http_response_code'],
    ['already_snake', 'already_snake'],
    ['first.name', 'first_name'],
    ['first-name', 'first_name'],
    ['first name', 'first_name'],
    ['a"b', 'a_b'],
    ["it's", 'it_s'],
    ['drop table x; --', 'drop_table_x'],
    ['a  -  b', 'a_b'],
    ['a__b', 'a_b'],
    ['_id', '_id'],
    ['__meta', '_meta'],
    ['name_', 'name'],
    ['1st', '_1st'],
    ['2024', '_2024'],
    ['', EMPTY_NAME],
    // Keys with nothing left to name them by get a hash of the key (SHA-256, first 8 hex digits).
    ['!!!', '_key_e84c538e'],
    ['_', '_key_d2e2adf7'],
    ['🎉', '_key_6146299c'],
    ['🚀🚀', '_key_6708b29c'],
  ];
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} → ${expected}`, () => {
      assert.equal(normalizeIdentifier(raw), expected);
    });
  }

  it('keeps unicode letters, lower-cased and NFC-composed', () => {
    assert.equal(normalizeIdentifier('Größe'), 'größe');
    assert.equal(normalizeIdentifier('ÄpfelBaum'), 'äpfel_baum');
    assert.equal(normalizeIdentifier('名前'), '名前');
    // 'e' + combining acute accent becomes the single precomposed letter.
    assert.equal(normalizeIdentifier('Cafe\u0301'), 'caf\u00e9');
    assert.equal(normalizeIdentifier('emoji😀key'), 'emoji_key');
  });

  it('is idempotent: normalizing a normalized name returns it unchanged', () => {
    const samples = [
      ...cases.map(([raw]) => raw), 'Größe', 'Cafe\u0301', 'İstanbul', 'x'.repeat(200), 'ABC123def', '_1abc', 'a1B2c3',
      'Ωmega', 'ǅemal', 'ⅧRoman', '٣arabic', '__x__y__', 'a' + '_b'.repeat(40),
    ];
    for (const raw of samples) {
      const once = normalizeIdentifier(raw);
      assert.equal(normalizeIdentifier(once), once, `for ${JSON.stringify(raw)}`);
      assert.equal(normalizeName(once), once, `normalizeName for ${JSON.stringify(raw)}`);
    }
  });

  it('joins nested paths with __ and reads __ back as nesting', () => {
    assert.equal(normalizeFieldPath(['user', 'loginName']), 'user__login_name');
    assert.equal(normalizeName('user__login'), 'user__login');
    assert.equal(normalizeName('userName'), 'user_name');
    assert.equal(normalizeName('a____b'), 'a__b');
    assert.equal(normalizeFieldPath(['a', '_id']), 'a___id');
    assert.equal(normalizeName('a___id'), 'a___id');
  });

  it('maps field references used in hints: dotted paths, raw names and column names', () => {
    assert.equal(columnNameForField('user.login'), 'user__login');
    assert.equal(columnNameForField('userName'), 'user_name');
    assert.equal(columnNameForField('user__login'), 'user__login');
    assert.equal(columnNameForField('createdAt'), 'created_at');
  });

  it('shortens long names to the limit with a stable hash suffix', () => {
    const long = 'a_very_long_field_name_'.repeat(5);
    const short = normalizeIdentifier(long);
    assert.equal(short.length, MAX_IDENTIFIER_LENGTH);
    assert.match(short, /^a_very_long_field_name_a_very_long_.*_[0-9a-f]{8}$/);
    assert.equal(normalizeIdentifier(long), short, 'stable across calls');
    assert.notEqual(normalizeIdentifier(long + 'x'), short, 'different names get different hashes');
    assert.equal(normalizeIdentifier(short), short, 'idempotent');
    assert.equal(shortenName('short'), 'short');
    const path = normalizeFieldPath(Array.from({ length: 30 }, (_, i) => `level${i}`));
    assert.equal(path.length, MAX_IDENTIFIER_LENGTH);
    assert.equal(normalizeName(path), path);
  });

  it('counts unicode characters, not UTF-16 units, when shortening', () => {
    const name = '😀a'.repeat(40);
    const short = normalizeIdentifier('名'.repeat(70));
    assert.equal(Array.from(short).length, MAX_IDENTIFIER_LENGTH);
    assert.equal(normalizeIdentifier(name), normalizeIdentifier(name));
  });
});

describe('normalize: name collisions', () => {
  it('reports two keys of one item that normalize to the same column', () => {
    assert.throws(
      () => run([{ userName: 'a', user_name: 'b' }]),
      (err: Error) => {
        assert.ok(err instanceof SluiceError);
        assert.match(err.message, /resource 'r'/);
        assert.match(err.message, /'userName'/);
        assert.match(err.message, /'user_name'/);
        assert.match(err.message, /column 'user_name'/);
        return true;
      },
    );
  });

  it('reports keys in different items that normalize to the same column', () => {
    assert.throws(() => run([{ userName: 'a' }, { user_name: 'b' }]), /'user_name'.*'userName'|'userName'.*'user_name'/);
  });

  it('reports a collision with a column stored by a previous load', () => {
    const first = run([{ userName: 'a' }]);
    assert.throws(() => run([{ 'user name': 'b' }], {}, { previous: first.schema }), /'user name'.*'userName'/);
  });

  it('reports nested keys that collide', () => {
    assert.throws(() => run([{ User: { login: 'a' } }, { user: { login: 'b' } }]), /column 'user__login'/);
  });

  it('does not confuse a key containing __ with nesting', () => {
    const r = run([{ user__login: 'flat', user: { login: 'nested' } }]);
    assert.deepEqual(Object.keys(r.rows.get('r')![0]).filter((k) => !k.startsWith('_sluice')), ['user_login', 'user__login']);
  });

  it('reports two lists that map to the same child table', () => {
    assert.throws(() => run([{ labels: [1] }, { Labels: [2] }]), /both map to table 'r__labels'/);
  });

  it('refuses data fields that use the reserved _sluice_ prefix', () => {
    assert.throws(() => run([{ _sluice_id: 'mine' }]), /reserved/);
    assert.throws(() => run([{ _sluice_extra: 1 }]), /reserved/);
  });

  it('does not report a collision when one of the keys is only ever null', () => {
    const r = run([{ userName: 'a', user_name: null }]);
    assert.equal(r.rows.get('r')![0].user_name, 'a');
  });
});

describe('naming: symbols that carry meaning', () => {
  it('spells out +, -, #, %, &, @ so that real-world keys stay distinct', () => {
    const n = normalizeIdentifier;
    assert.equal(n('+1'), 'plus_1');
    assert.equal(n('-1'), 'minus_1');
    assert.equal(n('Phone #'), 'phone_num');
    assert.equal(n('growth %'), 'growth_pct');
    assert.equal(n('R&D'), 'r_and_d');
    assert.equal(n('e-mail'), 'e_mail');
    for (const k of ['+1', '-1', 'Phone #', 'R&D']) assert.equal(n(n(k)), n(k));
  });
});
