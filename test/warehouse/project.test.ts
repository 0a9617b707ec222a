import { strict as assert } from 'node:assert';
import { parseDotEnv } from '../../core/project/secrets';
import { describeError } from '../../core/errors';

describe('.env parsing', () => {
  it('ignores a byte-order mark and lines that are not assignments', () => {
    const env = parseDotEnv('\uFEFFFIRST=1\nnot an assignment\nSECOND=2\n# comment\nexport THIRD="a b"\n');
    assert.deepEqual(env, { FIRST: '1', SECOND: '2', THIRD: 'a b' });
  });

  it('keeps multi-line double-quoted values whole', () => {
    const env = parseDotEnv('KEY="line one\nline two"\nNEXT=x\n');
    assert.deepEqual(env, { KEY: 'line one\nline two', NEXT: 'x' });
  });
});

describe('describeError', () => {
  it('gives one line for anything thrown', () => {
    assert.equal(describeError(new Error('first\nsecond')), 'first');
    assert.equal(describeError('a\nb'), 'a');
    assert.equal(describeError({ code: 42 }), '{"code":42}');
    const hostile = { toJSON() { throw new Error('no'); } };
    assert.equal(describeError(hostile), '[object Object]');
    assert.equal(describeError(undefined), 'undefined');
  });
});
