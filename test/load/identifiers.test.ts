import { strict as assert } from 'node:assert';
import type { Row } from '../../core/ingest/package';
import { Warehouse } from '../../core/warehouse/connection';
import { qualified, quoteIdent } from '../../core/warehouse/quote';
import { listLoads, readSchema, readState } from '../../core/warehouse/system';
import { childIds, col, columnNames, countOf, query, table, tableNames, Workspace } from './fixtures';

describe('load: hostile identifiers and wide tables', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = new Workspace();
  });
  afterEach(() => ws.remove());

  it('quotes every identifier: source, tables, columns and keys with quotes, semicolons, dots, unicode, spaces', async () => {
    const source = `we"ird; DROP SCHEMA main; --.src`;
    const root = `ta"ble'; drop`;
    const child = `${root}__ït.ems`;
    const resource = `res"ource; 1`;
    const key = `i"d.key; --`;
    const cols = [`se;mi`, `do.t`, `ünï код`, `sp ace`, `'quote'`, `"`];
    const tables = [
      table(root, [col('_sluice_id'), col(key, 'bigint', { primaryKey: true }), ...cols.map((c) => col(c)), col('b"in', 'binary')], {
        resource,
        disposition: 'merge',
      }),
      table(child, [...childIds(), col(`v"al;ue`)], { resource, parent: root, disposition: 'merge' }),
    ];
    const make = (id: number, tag: string): { root: Row; child: Row[] } => {
      const rootRow: Row = { _sluice_id: `${id}${tag}`, [key]: id, 'b"in': new Uint8Array([id]) };
      cols.forEach((c, i) => (rootRow[c] = `${tag}'${i}";`));
      return {
        root: rootRow,
        child: [{ _sluice_id: `${id}${tag}c`, _sluice_parent_id: `${id}${tag}`, _sluice_root_id: `${id}${tag}`, _sluice_list_idx: 0, [`v"al;ue`]: tag }],
      };
    };
    const rows = (items: ReturnType<typeof make>[]) => ({ [root]: items.map((i) => i.root), [child]: items.flatMap((i) => i.child) });

    const wh = await ws.warehouse();
    await ws.load(wh, { source, tables, rows: rows([make(1, 'a'), make(2, 'a')]), state: { [resource]: { custom: { 'k"ey': 'v;al' } } } });
    await ws.load(wh, { source, tables, rows: rows([make(2, 'b'), make(3, 'b')]) });

    assert.deepEqual(await tableNames(wh, source), [root, child].sort());
    assert.deepEqual(await columnNames(wh, source, root), ['_sluice_id', key, ...cols, 'b"in']);
    const back = await query(wh, `SELECT ${quoteIdent(key)} AS k, ${quoteIdent(cols[2])} AS u, hex(${quoteIdent('b"in')}) AS b FROM ${qualified(source, root)} ORDER BY 1`);
    assert.deepEqual(back, [
      { k: 1, u: `a'2";`, b: '01' },
      { k: 2, u: `b'2";`, b: '02' },
      { k: 3, u: `b'2";`, b: '03' },
    ]);
    assert.equal(await countOf(wh, source, child), 3);
    assert.deepEqual(await readState(wh, source), { [resource]: { custom: { 'k"ey': 'v;al' } } });
    assert.equal((await readSchema(wh, source))?.tables[0].name, root);
    assert.equal((await listLoads(wh, { source })).length, 2);
    assert.deepEqual(await tableNames(wh, 'main'), [], 'nothing was executed from a name');
  });

  it('loads a table with 10,000 columns', async () => {
    const width = 10_000;
    const columns = Array.from({ length: width }, (_, i) => col(`c${i}`, i % 2 === 0 ? 'bigint' : 'text'));
    const rows: Row[] = Array.from({ length: 3 }, (_, r) => {
      const row: Row = {};
      columns.forEach((c, i) => (row[c.name] = i % 2 === 0 ? r * width + i : `r${r}c${i}`));
      return row;
    });
    // In memory: the load is what is tested; checkpointing 10k columns to a file on close only costs time.
    const wh = await Warehouse.open(':memory:');
    try {
      const outcome = await ws.load(wh, { source: 'wide', tables: [table('w', columns)], rows: { w: rows } });
      assert.deepEqual(outcome.rows, { w: 3 });
      assert.equal((await columnNames(wh, 'wide', 'w')).length, width);
      const back = await query(wh, `SELECT c0, c9998, c9999 FROM wide.w ORDER BY c0`);
      assert.deepEqual(back, [
        { c0: 0, c9998: 9998, c9999: 'r0c9999' },
        { c0: 10000, c9998: 19998, c9999: 'r1c9999' },
        { c0: 20000, c9998: 29998, c9999: 'r2c9999' },
      ]);
    } finally {
      wh.close();
    }
  });
});
