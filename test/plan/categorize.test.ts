// The categorizer: non-breaking only when select-list entries were added and nothing else changed.
import { strict as assert } from 'node:assert';
import { categorizeQueryChange, queryShape } from '../../core/plan/categorize';
import { changedColumnsReason, unmatchedItems } from '../../core/plan/changedColumns';
import type { ColumnInfo } from '../../core/dag/types';
import { normalizeAst } from '../../core/plan/normalize';
import { parseSql } from '../../core/sql/duckdbParser';

async function category(before: string, after: string): Promise<string> {
  const [a, b] = [await parseSql(before), await parseSql(after)];
  return categorizeQueryChange(queryShape(normalizeAst(a.query)), normalizeAst(b.query)).category;
}

async function reason(before: string, after: string, columns?: { before: ColumnInfo[]; after: ColumnInfo[] }): Promise<string> {
  const [a, b] = [await parseSql(before), await parseSql(after)];
  return categorizeQueryChange(queryShape(normalizeAst(a.query)), normalizeAst(b.query), columns).reason;
}

const cols = (...specs: string[]): ColumnInfo[] => specs.map((s) => {
  const [name, type] = s.split(' ');
  return type ? { name, type } : { name };
});

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

  it('names the changed, removed and moved columns from the versions\' output columns', async () => {
    const before = cols('id BIGINT', 'amount INTEGER', 'region VARCHAR');
    const three = 'SELECT o.id, o.amount, c.region FROM o JOIN c ON c.id = o.cid';
    assert.equal(await reason(three, three.replace('o.amount', 'o.amount::DOUBLE AS amount'), { before, after: cols('id BIGINT', 'amount DOUBLE', 'region VARCHAR') }), 'column amount changed: INTEGER → DOUBLE');
    assert.equal(await reason(three, three.replace('c.region', 'upper(c.region) AS region'), { before, after: before }), 'column region changed');
    assert.equal(await reason(three, three.replace('o.id, ', ''), { before, after: cols('amount INTEGER', 'region VARCHAR') }), 'column id was removed');
    assert.equal(await reason(three, three.replace('o.id, o.amount', 'o.amount, o.id'), { before, after: cols('amount INTEGER', 'id BIGINT', 'region VARCHAR') }), 'column id moved');
    assert.equal(
      await reason(three, three.replace('o.amount, c.region', 'o.amount + 1 AS amount'), { before, after: cols('id BIGINT', 'amount INTEGER') }),
      'column region was removed; column amount changed',
    );
  });

  it('with a star in the select list only names and types tell; without columns the reason stays general', async () => {
    const before = cols('id BIGINT', 'amount INTEGER', 'region VARCHAR');
    // The star stands for two columns: entries and columns do not line up, so only the type change and the gone column are named.
    const star = 'SELECT o.*, c.region FROM o JOIN c ON c.id = o.cid';
    assert.equal(await reason(star, star.replace('c.region', 'c.region AS area'), { before, after: cols('id BIGINT', 'amount INTEGER', 'area VARCHAR') }), 'column region was removed');
    assert.equal(await reason(star, star.replace('o.*', 'o.* REPLACE (o.amount::DOUBLE AS amount)'), { before, after: cols('id BIGINT', 'amount DOUBLE', 'region VARCHAR') }), 'column amount changed: INTEGER → DOUBLE');
    assert.equal(await reason(star, star.replace('c.region', 'lower(c.region) AS region'), { before, after: before }), 'an existing column changed');
    assert.equal(await reason('SELECT a, b FROM t', 'SELECT a FROM t'), 'a column was removed');
    assert.equal(await reason('SELECT a, b FROM t', 'SELECT a, b + 1 AS b FROM t'), 'an existing column changed');
  });

  it('finds the entries outside a longest common subsequence', () => {
    assert.deepEqual(unmatchedItems(['a', 'b', 'c'], ['a', 'c']), { oldOnly: [1], newOnly: [] });
    assert.deepEqual(unmatchedItems(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'y', 'd']), { oldOnly: [1], newOnly: [1, 3] });
    assert.deepEqual(unmatchedItems(['a', 'b'], ['b', 'a']), { oldOnly: [0], newOnly: [1] });
    assert.deepEqual(unmatchedItems([], ['a']), { oldOnly: [], newOnly: [0] });
    assert.equal(changedColumnsReason(['h1', 'h2'], ['h1', 'h3'], { before: cols('a', 'b'), after: cols('a', 'b') }), 'column b changed');
  });
});
