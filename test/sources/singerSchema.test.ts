// The parts of singerTap() that need no tap: JSON Schema → column hints, and reading a catalog.
import { strict as assert } from 'node:assert';
import { parseCatalog } from '../../core/sources/singer/catalog';
import { schemaHints } from '../../core/sources/singer/hints';
import { singerTap } from '../../core/sources/singer';

describe('singerTap: schema hints and catalogs', () => {
  it('maps JSON Schema types and formats to column hints, nested objects dotted', () => {
    const hints = schemaHints({
      type: 'object',
      properties: {
        id: { type: 'integer' },
        amount: { type: ['null', 'number'], multipleOf: 0.01 },
        ratio: { type: 'number' },
        ok: { type: ['boolean', 'null'] },
        at: { anyOf: [{ type: 'null' }, { type: 'string', format: 'date-time' }] },
        day: { type: 'string', format: 'date' },
        name: { type: 'string' },
        either: { type: ['string', 'integer'] },
        tags: { type: 'array', items: { type: 'string' } },
        free: { type: 'object' },
        user: { type: ['null', 'object'], properties: { login: { type: 'string' }, since: { type: 'string', format: 'date' } } },
        untyped: {},
      },
    });
    assert.deepEqual(hints, {
      id: { dataType: 'bigint' },
      amount: { dataType: 'decimal' },
      ratio: { dataType: 'double' },
      ok: { dataType: 'bool' },
      at: { dataType: 'timestamp' },
      day: { dataType: 'date' },
      name: { dataType: 'text' },
      'user.login': { dataType: 'text' },
      'user.since': { dataType: 'date' },
    });
  });

  it('uses the selected streams, or all of them, and hands the tap a catalog marking them selected', () => {
    const stream = (name: string, selected?: boolean, keys: string[] = []) => ({
      tap_stream_id: name,
      stream: name,
      schema: { type: 'object', properties: {} },
      metadata: [
        { breadcrumb: [], metadata: { 'table-key-properties': keys, ...(selected === undefined ? {} : { selected }) } },
        { breadcrumb: ['properties', 'id'], metadata: { inclusion: 'automatic' } },
      ],
    });
    const none = parseCatalog(JSON.stringify({ streams: [stream('a', undefined, ['id']), stream('b')] }), 'catalog.json');
    assert.deepEqual(none.streams.map((s) => [s.stream, s.keyProperties]), [['a', ['id']], ['b', []]]);
    const some = parseCatalog(JSON.stringify({ streams: [stream('a', false), stream('b', true, ['k1', 'k2'])] }), 'catalog.json');
    assert.deepEqual(some.streams.map((s) => [s.stream, s.keyProperties]), [['b', ['k1', 'k2']]]);
    const handed = some.document.streams as Array<{ metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }>;
    assert.equal(handed.length, 1);
    assert.equal(handed[0].metadata[0].metadata.selected, true);
    assert.deepEqual(handed[0].metadata[1].breadcrumb, ['properties', 'id'], 'field metadata kept');
    // The legacy format: key_properties on the stream, selected on the schema.
    const legacy = parseCatalog(JSON.stringify({ streams: [{ stream: 'c', key_properties: ['id'], schema: { selected: true } }, { stream: 'd', schema: {} }] }), 'x');
    assert.deepEqual(legacy.streams.map((s) => [s.stream, s.keyProperties]), [['c', ['id']]]);
  });

  it('says what is wrong with a catalog or a config', () => {
    assert.throws(() => parseCatalog('{"streams": [', 'catalog.json'), /^SluiceError: catalog\.json: the catalog is not valid JSON/);
    assert.throws(() => parseCatalog('{"streams": [{"stream": "a"}]}', 'catalog.json'), /catalog\.json: stream "a" has no schema object/);
    assert.throws(() => singerTap({ name: 's', command: [] }), /source "s": command must be a non-empty list of strings/);
    assert.throws(() => singerTap({ name: 's', command: ['tap-x', '--config', 'c.json'], config: {} }), /either as config or as --config in command/);
    assert.throws(
      () => singerTap({ name: 's', command: ['tap-x'], streams: { a: { write_disposition: 'upsert' as 'merge' } } }),
      /streams\.a\.write_disposition must be one of append, replace, merge, got "upsert"/,
    );
    assert.throws(() => singerTap({ name: 's', command: ['tap-x'], catalogue: 'x' } as never), /unknown key "catalogue"/);
  });
});
