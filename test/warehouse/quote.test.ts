import { strict as assert } from 'node:assert';
import { Warehouse } from '../../core/warehouse/connection';
import { quoteIdent, quoteLiteral, qualified } from '../../core/warehouse/quote';

describe('warehouse quoting', () => {
  it('round-trips hostile identifiers through DuckDB', async () => {
    const wh = await Warehouse.open(':memory:');
    try {
      const names = ['a"b', 'semi;colon', 'dot.ted', 'ünï код', ' ', "it's", 'drop table x; --'];
      await wh.run(`CREATE SCHEMA ${quoteIdent('we"ird')}`);
      await wh.run(`CREATE TABLE ${qualified('we"ird', 't;1')} (${names.map((n) => `${quoteIdent(n)} VARCHAR`).join(', ')})`);
      const cols = await wh.all<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 ORDER BY ordinal_position`,
        ['we"ird'],
      );
      assert.deepEqual(cols.map((c) => c.column_name), names);
      const [row] = await wh.all<{ v: string }>(`SELECT ${quoteLiteral("o'clock")} AS v`);
      assert.equal(row.v, "o'clock");
    } finally {
      wh.close();
    }
  });

  it('rejects NUL in identifiers', () => {
    assert.throws(() => quoteIdent('a\u0000b'), /NUL/);
  });
});
