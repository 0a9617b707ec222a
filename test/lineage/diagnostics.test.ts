import { strict as assert } from 'node:assert';
import { analyzeQuery } from '../../core/lineage/analyze';
import { emptyCatalog } from '../../core/lineage/catalog';
import { parseSql } from '../../core/sql/duckdbParser';
import { compact, lineage } from './helpers';

function brief(d: { severity: string; line: number; column: number; message: string }): string {
  return `${d.severity} ${d.line}:${d.column} ${d.message}`;
}

describe('lineage diagnostics', () => {
  it('an unknown table is a warning at the table name', async () => {
    const result = await lineage('SELECT a\nFROM   nowhere');
    assert.deepEqual(result.diagnostics.map(brief), ['warning 2:8 unknown table "main.nowhere"']);
  });

  it('qualified columns of an unknown table are still traced', async () => {
    const result = await lineage('SELECT n.a, n.b + o.amount AS c FROM nowhere n JOIN orders o ON o.id = n.order_id');
    assert.deepEqual(compact(result), [
      ['a', ['nowhere.a'], ['nowhere.order_id', 'orders.id']],
      ['c', ['nowhere.b', 'orders.amount'], ['nowhere.order_id', 'orders.id']],
    ]);
    assert.deepEqual(result.tables, ['main.nowhere', 'main.orders']);
  });

  it('an unqualified column no known table has goes to the single unknown table', async () => {
    const result = await lineage('SELECT x, amount FROM orders, nowhere');
    assert.deepEqual(compact(result), [
      ['x', ['nowhere.x'], []],
      ['amount', ['orders.amount'], []],
    ]);
    assert.equal(result.diagnostics.filter((d) => d.severity === 'error').length, 0);
  });

  it('an unqualified column with two unknown tables to choose from is reported', async () => {
    const result = await lineage('SELECT x FROM t1, t2');
    assert.deepEqual(result.diagnostics.map(brief), [
      'warning 1:15 unknown table "main.t1"',
      'warning 1:19 unknown table "main.t2"',
      'warning 1:8 cannot tell which of t1, t2 column "x" comes from (their columns are unknown)',
    ]);
    assert.deepEqual(compact(result), [['x', [], []]]);
  });

  it('output names are known even when no table is', async () => {
    const result = analyzeQuery(
      await parseSql('WITH c AS (SELECT a, b AS bee FROM s.t) SELECT a, bee, 1 AS one, c.* EXCLUDE (a) FROM c'),
      emptyCatalog,
    );
    assert.deepEqual(result.columns.map((c) => c.column), ['a', 'bee', 'one', 'bee']);
    assert.deepEqual(result.columns[1].sources, [{ table: 's.t', column: 'b' }]);
  });

  it('a * over an unknown table still traces named columns read through it', async () => {
    const result = await lineage('WITH c AS (SELECT * FROM nowhere) SELECT c.k, c.v FROM c');
    assert.deepEqual(compact(result), [
      ['k', ['nowhere.k'], []],
      ['v', ['nowhere.v'], []],
    ]);
  });

  it('a column found nowhere is an error at its position', async () => {
    const result = await lineage('SELECT id,\n       nope\nFROM orders');
    assert.deepEqual(result.diagnostics.map(brief), ['error 2:8 column "nope" not found in orders']);
    assert.deepEqual(result.columns.map((c) => c.column), ['id', 'nope']);
  });

  it('a qualified column the table does not have is an error', async () => {
    const result = await lineage('SELECT o.nope FROM orders o');
    assert.deepEqual(result.diagnostics.map(brief), ['error 1:8 table "o" has no column "nope"']);
  });

  it('an ambiguous column is an error naming the candidates; lineage takes both', async () => {
    const result = await lineage('SELECT amount\nFROM orders JOIN payments ON payments.order_id = orders.id');
    assert.deepEqual(result.diagnostics.map(brief), ['error 1:8 column "amount" is ambiguous: it is in orders, payments']);
    assert.deepEqual(compact(result)[0][1], ['orders.amount', 'payments.amount']);
  });

  it('positions count characters, not bytes, after non-ASCII text', async () => {
    const result = await lineage("SELECT 'héllo wörld 😀' AS greeting, nope FROM orders");
    const [d] = result.diagnostics;
    assert.equal(d.message, 'column "nope" not found in orders');
    assert.equal(d.offset, "SELECT 'héllo wörld 😀' AS greeting, ".length);
    assert.equal(d.column, d.offset + 1);
  });

  it('GROUP BY a position outside the select list is an error', async () => {
    const result = await lineage('SELECT status FROM orders GROUP BY 2');
    assert.deepEqual(result.diagnostics.map(brief), ['error 1:36 position 2 is not in the select list (1 to 1)']);
  });

  it('a USING column missing on one side is an error', async () => {
    const result = await lineage('SELECT 1 AS x FROM orders JOIN customers USING (status)');
    assert.equal(result.diagnostics.length, 1);
    assert.match(result.diagnostics[0].message, /join column "status" is not on the right side of the join/);
  });

  it('a parse error gives no columns and the parse diagnostic', async () => {
    const result = await lineage('SELECT a FROM');
    assert.deepEqual(result.columns, []);
    assert.deepEqual(result.diagnostics.map(brief), ['error 1:14 syntax error at end of input']);
  });

  it('odd SQL never throws and the rest still gets lineage', async () => {
    const odd = [
      "SELECT getvariable('x') AS v, $1 AS p, amount FROM orders",
      "SELECT * FROM read_csv('file.csv')",
      "SELECT id, (SELECT 1) AS one, ARRAY[amount, 2][1] AS a FROM orders TABLESAMPLE 10%",
      'SELECT * FROM orders PIVOT (sum(amount) FOR status IN (\'paid\', \'open\') GROUP BY customer_id)',
      'SELECT * FROM (FROM orders UNPIVOT (v FOR k IN (amount, id)))',
      'SELECT t FROM orders t',
      "SELECT x.* FROM orders",
      'SELECT struct_pack(*) AS s FROM customers',
    ];
    for (const sql of odd) {
      const result = await lineage(sql);
      assert.ok(Array.isArray(result.columns), sql);
      assert.ok(!result.diagnostics.some((d) => /could not trace/.test(d.message)), `${sql}: ${result.diagnostics.map(brief)}`);
    }
    const first = await lineage(odd[0]);
    assert.deepEqual(compact(first)[2], ['amount', ['orders.amount'], []]);
  });

  it('PIVOT: group columns pass through, pivoted columns read the aggregate and pivot columns', async () => {
    const result = await lineage(
      "SELECT * FROM orders PIVOT (sum(amount) FOR status IN ('paid', 'open') GROUP BY customer_id) p",
    );
    assert.deepEqual(compact(result), [
      ['customer_id', ['orders.customer_id'], []],
      ['paid', ['orders.amount', 'orders.status'], []],
      ['open', ['orders.amount', 'orders.status'], []],
    ]);
  });

  it('PIVOT without GROUP BY keeps the unused columns; several aggregates name columns value_aggregate', async () => {
    const result = await lineage(
      "SELECT * FROM customers PIVOT (max(id) AS top, count(*) FOR tier IN (1, 2))",
    );
    assert.deepEqual(compact(result), [
      ['name', ['customers.name'], []],
      ['region', ['customers.region'], []],
      ['1_top', ['customers.id', 'customers.tier'], []],
      ['1_count_star()', ['customers.tier'], []],
      ['2_top', ['customers.id', 'customers.tier'], []],
      ['2_count_star()', ['customers.tier'], []],
    ]);
  });

  it('UNPIVOT: kept columns pass through, the value column reads the unpivoted columns', async () => {
    const result = await lineage('FROM customers UNPIVOT (v FOR k IN (name, region))');
    assert.deepEqual(compact(result), [
      ['id', ['customers.id'], []],
      ['tier', ['customers.tier'], []],
      ['k', [], []],
      ['v', ['customers.name', 'customers.region'], []],
    ]);
  });

  it('* over a relation whose columns are unknown says so', async () => {
    const result = await lineage("SELECT * FROM read_csv('file.csv')");
    assert.deepEqual(result.diagnostics.map(brief), [
      'info 1:8 the columns of "read_csv" are not known, so * does not list them',
    ]);
  });

  it('a whole-row reference reads every column of the relation', async () => {
    const result = await lineage('SELECT c AS row_value FROM customers c');
    assert.deepEqual(compact(result), [
      ['row_value', ['customers.id', 'customers.name', 'customers.region', 'customers.tier'], []],
    ]);
  });
});
