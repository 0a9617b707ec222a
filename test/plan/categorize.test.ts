// The categorizer: non-breaking only when select-list entries were added and nothing else changed.
import { strict as assert } from 'node:assert';
import { categorizeQueryChange, queryShape } from '../../core/plan/categorize';
import { normalizeAst } from '../../core/plan/normalize';
import { parseSql } from '../../core/sql/duckdbParser';

async function category(before: string, after: string): Promise<string> {
  const [a, b] = [await parseSql(before), await parseSql(after)];
  return categorizeQueryChange(queryShape(normalizeAst(a.query)), normalizeAst(b.query)).category;
}

const BASE = 'SELECT o.id, o.amount FROM shop.orders AS o JOIN shop.customers AS c ON c.id = o.customer_id WHERE o.status = 1';

describe('plan: change categories', () => {
  it('adding a projection at the end or in the middle is non-breaking', async () => {
    assert.equal(await category(BASE, BASE.replace('o.amount', 'o.amount, c.region')), 'non_breaking');
    assert.equal(await category(BASE, BASE.replace('o.id,', 'o.id, o.amount * 2 AS doubled,')), 'non_breaking');
  });

  it('changing an expression, a filter or a join, or removing a column is breaking', async () => {
    assert.equal(await category(BASE, BASE.replace('o.amount', 'o.amount * 2 AS amount')), 'breaking');
    assert.equal(await category(BASE, BASE.replace('o.status = 1', 'o.status = 2')), 'breaking');
    assert.equal(await category(BASE, BASE.replace('JOIN', 'LEFT JOIN')), 'breaking');
    assert.equal(await category(BASE, BASE.replace('o.id, ', '')), 'breaking');
    assert.equal(await category(BASE, BASE.replace('o.amount', 'o.amount AS total')), 'breaking');
  });

  it('a new column in a SELECT DISTINCT changes rows: breaking; DISTINCT ON does not', async () => {
    assert.equal(await category('SELECT DISTINCT a FROM t', 'SELECT DISTINCT a, b FROM t'), 'breaking');
    assert.equal(await category('SELECT DISTINCT ON (a) a FROM t ORDER BY a', 'SELECT DISTINCT ON (a) a, b FROM t ORDER BY a'), 'non_breaking');
  });

  it('aggregates: new aggregates of a grouped query are fine; turning a query into an aggregation is not', async () => {
    assert.equal(await category('SELECT a, sum(x) AS s FROM t GROUP BY a', 'SELECT a, sum(x) AS s, count(*) AS n FROM t GROUP BY a'), 'non_breaking');
    assert.equal(await category('SELECT a, sum(x) FROM t GROUP BY ALL', 'SELECT a, sum(x), max(y) FROM t GROUP BY ALL'), 'non_breaking');
    assert.equal(await category('SELECT a, sum(x) FROM t GROUP BY ALL', 'SELECT a, b, sum(x) FROM t GROUP BY ALL'), 'breaking');
    assert.equal(await category('SELECT sum(x) AS s FROM t', 'SELECT sum(x) AS s, max(x) AS m FROM t'), 'non_breaking');
    assert.equal(await category('SELECT x FROM t', 'SELECT x, sum(x) OVER () AS total FROM t'), 'non_breaking');
  });

  it('unnesting in a new column or shifting positional GROUP BY / ORDER BY is breaking', async () => {
    assert.equal(await category('SELECT id FROM t', 'SELECT id, unnest(tags) AS tag FROM t'), 'breaking');
    assert.equal(await category('SELECT a, count(*) FROM t GROUP BY 1', 'SELECT b, a, count(*) FROM t GROUP BY 1'), 'breaking');
    assert.equal(await category('SELECT a, count(*) FROM t GROUP BY 1', 'SELECT a, count(*), max(b) FROM t GROUP BY 1'), 'non_breaking');
  });

  it('set operations and a changed CTE are breaking', async () => {
    assert.equal(await category('SELECT a FROM t UNION ALL SELECT a FROM u', 'SELECT a, 1 AS b FROM t UNION ALL SELECT a, 2 FROM u'), 'breaking');
    assert.equal(await category('WITH x AS (SELECT a FROM t) SELECT a FROM x', 'WITH x AS (SELECT a FROM t WHERE a > 0) SELECT a FROM x'), 'breaking');
  });

  it('treats identifiers case-insensitively but output aliases as written', async () => {
    assert.equal(await category('SELECT A AS x FROM T', 'select a as x, b from t'), 'non_breaking');
    assert.equal(await category('SELECT a AS x FROM t', 'SELECT a AS X FROM t'), 'breaking');
  });
});
