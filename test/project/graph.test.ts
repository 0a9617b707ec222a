// Ordering the model graph and finding cycles, on plain node names.

import { strict as assert } from 'node:assert';
import { closure, orderGraph } from '../../core/dag/graph';
import { parseSourceSchema } from '../../core/dag/sourceSchemas';
import { splitName, tableKey, tableKeyOfName } from '../../core/dag/names';

const edges = (map: Record<string, string[]>) => (node: string) => map[node] ?? [];

describe('model graph ordering', () => {
  it('puts every node after what it reads, ties by name', () => {
    const { order, cycles } = orderGraph(['d', 'c', 'b', 'a', 'e'], edges({ d: ['b', 'c'], b: ['a'], c: ['a'], e: [] }));
    assert.deepEqual(order, ['a', 'e', 'b', 'c', 'd']);
    assert.equal(cycles.size, 0);
  });

  it('ignores edges to nodes outside the graph and self-edges', () => {
    const { order, cycles } = orderGraph(['a', 'b'], edges({ a: ['a', 'shop.orders'], b: ['a'] }));
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(cycles.size, 0);
  });

  it('gives each cycle member its shortest cycle and places what reads a cycle after it', () => {
    const { order, cycles } = orderGraph(['a', 'b', 'c', 'd', 'x'], edges({ a: ['b'], b: ['c', 'x'], c: ['a'], d: ['c'] }));
    assert.deepEqual(Object.fromEntries(cycles), { a: ['a', 'b', 'c', 'a'], b: ['b', 'c', 'a', 'b'], c: ['c', 'a', 'b', 'c'] });
    assert.deepEqual(order, ['x', 'a', 'b', 'c', 'd']);
  });

  it('finds everything downstream of a set of nodes', () => {
    const down = edges({ a: ['b', 'c'], b: ['d'], c: ['d'], e: ['f'] });
    assert.deepEqual([...closure(['a'], down)].sort(), ['a', 'b', 'c', 'd']);
  });
});

describe('table names', () => {
  it('keys names as lower-case schema.table, main when there is no schema, without the catalog', () => {
    assert.equal(tableKey(['Shop', 'Orders']), 'shop.orders');
    assert.equal(tableKey(['orders']), 'main.orders');
    assert.equal(tableKey(['db', 'shop', 'orders']), 'shop.orders');
    assert.equal(tableKeyOfName('"My Schema"."a.b"'), 'my schema.a.b');
    assert.deepEqual(splitName('"a""b".c'), ['a"b', 'c']);
    assert.equal(splitName('a..b'), undefined);
    assert.equal(tableKeyOfName('a.b.c.d'), undefined);
  });
});

describe('source schema files', () => {
  it('reads tables, DuckDB types, resources and field paths', () => {
    const text = `name: github
version: 3
tables:
  issues__labels:
    resource: issues
    parent: issues
    write_disposition: append
    columns:
      _sluice_id:
        data_type: text
        nullable: false
      name:
        data_type: text
        nullable: true
        field: name
      user__login:
        data_type: timestamp
        nullable: true
        field: user.login
`;
    const { tables, diagnostics } = parseSourceSchema(text, '/p/schemas/github.schema.yaml');
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(tables, [{
      source: 'github',
      table: 'issues__labels',
      resource: 'issues',
      parent: 'issues',
      file: '/p/schemas/github.schema.yaml',
      columns: [
        { name: '_sluice_id', dataType: 'text', type: 'VARCHAR' },
        { name: 'name', dataType: 'text', type: 'VARCHAR', field: 'name' },
        { name: 'user__login', dataType: 'timestamp', type: 'TIMESTAMPTZ', field: 'user.login' },
      ],
    }]);
  });

  it('reports a file it cannot read at the position of the problem', () => {
    const { tables, diagnostics } = parseSourceSchema('name: x\ntables:\n  a: [\n', '/p/schemas/x.schema.yaml');
    assert.deepEqual(tables, []);
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0].message, /^cannot read the source schema: /);
    assert.equal(diagnostics[0].severity, 'error');
  });
});
