import { strict as assert } from 'node:assert';
import { DuckDBInstance } from '@duckdb/node-api';
import { isSelectNode, isSetOperationNode, type SelectNode } from '../../core/sql/ast';
import { SourceText } from '../../core/sql/diagnostic';
import { parseMany, parseSql } from '../../core/sql/duckdbParser';
import { expressionName } from '../../core/sql/expressionName';

describe('SQL parsing with DuckDB', () => {
  it('parses a SELECT into a typed tree', async () => {
    const parsed = await parseSql('SELECT a, t.b AS c FROM s.t WHERE x = 1');
    assert.deepEqual(parsed.diagnostics, []);
    const q = parsed.query!;
    assert.ok(isSelectNode(q));
    const select = q as SelectNode;
    assert.equal(select.select_list?.length, 2);
    assert.equal(select.select_list?.[1].alias, 'c');
    assert.equal(select.from_table?.type, 'BASE_TABLE');
    assert.equal(select.from_table?.schema_name, 's');
    assert.equal(select.from_table?.table_name, 't');
    assert.equal(select.from_table?.query_location, 24);
  });

  it('parses set operations', async () => {
    const parsed = await parseSql('SELECT 1 UNION ALL SELECT 2');
    assert.ok(isSetOperationNode(parsed.query!));
  });

  const broken: [string, string, number, number][] = [
    ['SELECT a FROM', 'syntax error at end of input', 1, 14],
    ['SELEC 1', 'syntax error at or near "SELEC"', 1, 1],
    ['SELECT a,\n  b\nFROM t\nWHERE x = ;', 'syntax error at or near ";"', 4, 11],
    ['SELECT a\r\nFROM t\r\nGROUP BY', 'syntax error at end of input', 3, 9],
    ["SELECT 'ünïcödé' AS s,\n  a b c FROM t", 'syntax error at or near "c"', 2, 7],
    ["SELECT '😀' AS s,\n  a b c FROM t", 'syntax error at or near "c"', 2, 7],
    ["SELECT '😀é' AS s FROM", 'syntax error at end of input', 1, 23],
    ['WITH c AS (SELECT 1) SELECT * FROM c WHERE (a = 1', 'syntax error at end of input', 1, 50],
  ];
  for (const [sql, message, line, column] of broken) {
    it(`reports ${JSON.stringify(sql)} at ${line}:${column}`, async () => {
      const parsed = await parseSql(sql);
      assert.equal(parsed.query, undefined);
      assert.deepEqual(parsed.diagnostics.map((d) => [d.message, d.line, d.column, d.severity]), [
        [message, line, column, 'error'],
      ]);
      const d = parsed.diagnostics[0];
      assert.equal(sql.slice(0, d.offset).split(/\r\n|\n/).length, line);
    });
  }

  it('rejects statements other than SELECT', async () => {
    const parsed = await parseSql('CREATE TABLE x AS SELECT 1');
    assert.deepEqual(parsed.diagnostics.map((d) => d.message), ['only SELECT statements are supported here']);
  });

  it('flags several statements and an empty text', async () => {
    const [two, empty] = await parseMany(['SELECT 1; SELECT 2', '  ']);
    assert.equal(two.statements.length, 2);
    assert.ok(two.query);
    assert.deepEqual(two.diagnostics.map((d) => d.message), ['expected one SELECT statement, found 2']);
    assert.deepEqual(empty.diagnostics.map((d) => d.message), ['the query is empty']);
  });

  it('parseMany keeps input order and mixes good and bad texts', async () => {
    const texts = Array.from({ length: 50 }, (_, i) => (i % 7 === 3 ? `SELEC ${i}` : `SELECT ${i} AS v${i}`));
    const parsed = await parseMany(texts);
    assert.equal(parsed.length, 50);
    parsed.forEach((p, i) => {
      assert.equal(p.sql, texts[i]);
      if (i % 7 === 3) assert.equal(p.diagnostics.length, 1);
      else assert.equal((p.query as SelectNode).select_list?.[0].alias, `v${i}`);
    });
    assert.deepEqual(await parseMany([]), []);
  });

  it('parses 1,000 models in one round trip, in order', async () => {
    const texts = Array.from(
      { length: 1000 },
      (_, i) =>
        `WITH c AS (SELECT a, b, sum(x) AS s FROM sch.t${i} WHERE y > ${i} GROUP BY ALL) ` +
        `SELECT c.a, c.s * 2 AS d, u.z FROM c JOIN u USING (a) WHERE c.b = 'q' ORDER BY 1`,
    );
    const parsed = await parseMany(texts);
    assert.equal(parsed.filter((p) => p.query).length, 1000);
    parsed.forEach((p, i) => assert.ok(p.sql.includes(`sch.t${i} `), `result ${i} is out of order`));
  });

  it('concurrent parses do not interfere', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => parseSql(`SELECT ${i} AS n${i}`)));
    results.forEach((r, i) => assert.equal((r.query as SelectNode).select_list?.[0].alias, `n${i}`));
  });
});

describe('SourceText positions', () => {
  it('maps UTF-8 byte offsets to UTF-16 indexes', () => {
    const text = "a'é😀'b";
    const source = new SourceText(text);
    // bytes: a=0 '=1 é=2..3 😀=4..7 '=8 b=9
    assert.equal(source.indexOfByte(0), 0);
    assert.equal(source.indexOfByte(2), 2);
    assert.equal(source.indexOfByte(4), 3);
    assert.equal(source.indexOfByte(8), 5);
    assert.equal(source.indexOfByte(9), 6);
    assert.equal(source.indexOfByte(10), 7); // end of text
    assert.equal(text[source.indexOfByte(9)!], 'b');
  });

  it('maps code-point offsets to UTF-16 indexes', () => {
    const source = new SourceText('a😀b');
    assert.equal(source.indexOfCodePoint(1), 1);
    assert.equal(source.indexOfCodePoint(2), 3);
    assert.equal(source.indexOfCodePoint(3), 4);
    assert.equal(source.indexOfCodePoint(4), undefined);
  });

  it('ignores missing locations', () => {
    const source = new SourceText('SELECT 1');
    assert.equal(source.indexOfByte(18446744073709552000), undefined);
    assert.equal(source.indexOfByte(undefined), undefined);
    assert.equal(source.indexOfByte(99), undefined);
    assert.equal(source.indexOfByte('3'), 3);
  });

  it('counts lines across \\n, \\r\\n and \\r', () => {
    const source = new SourceText('a\nbb\r\nccc\rd');
    assert.deepEqual(source.positionAt(0), { offset: 0, line: 1, column: 1 });
    assert.deepEqual(source.positionAt(3), { offset: 3, line: 2, column: 2 });
    assert.deepEqual(source.positionAt(6), { offset: 6, line: 3, column: 1 });
    assert.deepEqual(source.positionAt(10), { offset: 10, line: 4, column: 1 });
  });
});

describe('default output names', () => {
  // Compared with the names DuckDB itself gives the columns.
  const expressions = [
    'sum(b)', 'a+1', 'CAST(a AS INT)', 'a::BIGINT', '1', "'x'", 'count(*)', 't.a', 'coalesce(a,b)',
    "CASE WHEN a>1 THEN b ELSE 0 END", 'CASE a WHEN 1 THEN 2 END', "j->>'x'", 'count(DISTINCT a)', 'a IS NULL',
    'a IS NOT NULL', 'a BETWEEN 1 AND 2', 'a IN (1,2)', "x LIKE 'a%'", 'upper(x)', 'a*b+1', '(a+b)*2', 'a % 2',
    'a || x', 'a = 1 AND b = 2 OR a = 3', 'row_number() OVER (PARTITION BY a ORDER BY b DESC)',
    'sum(a) FILTER (WHERE b>0)', 'l[1]', 'avg(a)::DECIMAL(10,2)', 'count(*) * 2', 'extract(year from d)',
    'substring(x, 1, 2)', 'sum(a) OVER ()', 'min(a)', 'a <> b',
  ];

  it('match DuckDB for common expressions', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run('CREATE TABLE t(a INT, b INT, j JSON, d DATE, x VARCHAR, l INT[])');
      const parsed = await parseMany(expressions.map((e) => `SELECT ${e} FROM t`));
      for (let i = 0; i < expressions.length; i++) {
        const reader = await connection.runAndReadAll(`SELECT ${expressions[i]} FROM t`);
        const select = parsed[i].query as SelectNode;
        assert.equal(expressionName(select.select_list![0]), reader.columnNames()[0], expressions[i]);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
