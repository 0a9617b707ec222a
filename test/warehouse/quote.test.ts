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

describe('warehouse files', () => {
  it('creates the folders of a warehouse path that does not exist yet', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-wh-'));
    try {
      const file = path.join(dir, 'data', 'nested', 'dev.duckdb');
      const wh = await Warehouse.open(file);
      await wh.run('CREATE TABLE t AS SELECT 1 AS x');
      wh.close();
      assert.ok(fs.existsSync(file));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
