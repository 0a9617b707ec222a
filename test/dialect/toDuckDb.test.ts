// Other dialects → DuckDB SQL, construct by construct: what each input becomes (DuckDB's parser must accept
// it), what the translated text evaluates to, and what is refused, at which column.

import { strict as assert } from 'node:assert';
import { transpileToDuckDb } from '../../core/sql/dialect';
import { parseSql } from '../../core/sql/duckdbParser';
import { Warehouse } from '../../core/warehouse/connection';

// [dialect, input, expected DuckDB text]
const GOLDEN: [string, string, string][] = [
  // casts and names
  ['hive', 'SELECT o.customer_id::INT AS customer_id FROM sushi.orders AS o', 'SELECT o.customer_id::INT AS customer_id FROM sushi.orders AS o'],
  ['hive', 'SELECT SUM(t.x)::DOUBLE AS revenue, FROM t', 'SELECT SUM(t.x)::DOUBLE AS revenue, FROM t'],
  ['hive', 'SELECT MAX(0) AS "country code" FROM t', "SELECT MAX(0) AS 'country code' FROM t"],
  ['spark', 'SELECT `weird name`, `t`.`a` FROM `db`.`t`', 'SELECT "weird name", "t"."a" FROM "db"."t"'],
  ['spark', 'SELECT CAST(a AS STRING) FROM t', 'SELECT CAST(a AS STRING) FROM t'],
  ['bigquery', 'SELECT a FROM `my-project.shop.orders`', 'SELECT a FROM "shop"."orders"'],
  ['bigquery', 'SELECT a FROM `my-project`.shop.orders AS o', 'SELECT a FROM shop.orders AS o'],
  ['snowflake', 'SELECT a FROM analytics.shop.orders o', 'SELECT a FROM shop.orders o'],
  ['snowflake', 'SELECT EXTRACT(year FROM o.s.d) FROM (SELECT * FROM db.s.t) AS o', 'SELECT EXTRACT(year FROM o.s.d) FROM (SELECT * FROM s.t) AS o'],
  ['tsql', 'SELECT [c].[name] FROM [db].[shop].[customers] AS [c] WITH (NOLOCK)', 'SELECT "c"."name" FROM "shop"."customers" AS "c" '],
  ['bigquery', 'SELECT CAST(a AS FLOAT64), SAFE_CAST(b AS BIGNUMERIC) FROM t', 'SELECT CAST(a AS DOUBLE), TRY_CAST(b AS DECIMAL(38, 9)) FROM t'],
  ['snowflake', 'SELECT a::NUMBER, b::NUMBER(10, 2), c::TIMESTAMP_NTZ FROM t', 'SELECT a::DECIMAL(38, 0), b::DECIMAL(10, 2), c::TIMESTAMP FROM t'],
  ['mysql', 'SELECT CAST(a AS SIGNED) FROM t', 'SELECT CAST(a AS BIGINT) FROM t'],
  // strings
  ['mysql', String.raw`SELECT 'it\'s', "dq", 'a''b' FROM t`, "SELECT 'it''s', 'dq', 'a''b' FROM t"],
  ['bigquery', String.raw`SELECT r'\d+', "x" FROM t`, String.raw`SELECT '\d+', 'x' FROM t`],
  ['postgres', `SELECT "Name" FROM t WHERE a = 'x'`, `SELECT "Name" FROM t WHERE a = 'x'`],
  ['postgres', String.raw`SELECT E'it\'s' FROM t`, "SELECT 'it''s' FROM t"],
  ['mysql', "SELECT a # the key, with 'quotes'\nFROM t", "SELECT a -- the key, with 'quotes'\nFROM t"],
  // stars, QUALIFY, LIMIT, TOP, operators
  ['spark', 'SELECT * EXCEPT (dup) FROM bronze.a', 'SELECT * EXCLUDE (dup) FROM bronze.a'],
  ['bigquery', 'SELECT t.* EXCEPT (a, b) FROM t', 'SELECT t.* EXCLUDE (a, b) FROM t'],
  ['snowflake', 'SELECT a FROM t QUALIFY ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) = 1', 'SELECT a FROM t QUALIFY ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) = 1'],
  ['mysql', 'SELECT a FROM t ORDER BY a LIMIT 5, 10', 'SELECT a FROM t ORDER BY a LIMIT 10 OFFSET 5'],
  ['mysql', 'SELECT a FROM t WHERE a = 1 || b = 2 && c = 3', 'SELECT a FROM t WHERE a = 1 OR b = 2 AND c = 3'],
  ['tsql', 'SELECT TOP 3 a FROM t ORDER BY a', 'SELECT  a FROM t ORDER BY a LIMIT 3'],
  ['tsql', 'SELECT x FROM (SELECT TOP 1 a AS x FROM t ORDER BY a) s', 'SELECT x FROM (SELECT  a AS x FROM t ORDER BY a LIMIT 1) s'],
  ['tsql', "SELECT [a] + ' (' + b + ')' FROM t", `SELECT "a" || ' (' || b || ')' FROM t`],
  // functions every dialect spells its own way
  ['snowflake', "SELECT IFF(a > 1, 'x', 'y'), NVL(a, 0), NVL2(a, 1, 2), ZEROIFNULL(b) FROM t", "SELECT if(a > 1, 'x', 'y'), coalesce(a, 0), CASE WHEN a IS NOT NULL THEN 1 ELSE 2 END, coalesce(b, 0) FROM t"],
  ['tsql', 'SELECT IIF(a > 1, 1, 0), ISNULL(a, 0), GETDATE(), LEN(s) FROM t', 'SELECT if(a > 1, 1, 0), coalesce(a, 0), now(), length(s) FROM t'],
  ['bigquery', 'SELECT SAFE_CAST(a AS INT64) FROM t', 'SELECT TRY_CAST(a AS INT64) FROM t'],
  ['spark', 'SELECT current_timestamp(), current_date(), current_timestamp FROM t', 'SELECT current_timestamp, current_date(), current_timestamp FROM t'],
  // date functions
  ['hive', 'SELECT date_add(d, 1), date_sub(d, n), datediff(a, b) FROM t', "SELECT (CAST(d AS DATE) + CAST(1 AS INTEGER)), (CAST(d AS DATE) - CAST(n AS INTEGER)), date_diff('day', CAST(b AS DATE), CAST(a AS DATE)) FROM t"],
  ['spark', "SELECT date_format(ts, 'yyyy-MM-dd HH:mm:ss'), to_date(s), to_date(s, 'dd/MM/yyyy'), add_months(d, 2) FROM t", "SELECT strftime(ts, '%Y-%m-%d %H:%M:%S'), CAST(s AS DATE), CAST(strptime(s, '%d/%m/%Y') AS DATE), CAST(CAST(d AS DATE) + to_months(CAST(2 AS INTEGER)) AS DATE) FROM t"],
  ['databricks', 'SELECT datediff(day, a, b) FROM t', "SELECT date_diff('day', a, b) FROM t"],
  ['bigquery', 'SELECT DATE_ADD(d, INTERVAL 1 DAY), DATE_SUB(d, INTERVAL 2 MONTH), TIMESTAMP_ADD(ts, INTERVAL 3 HOUR) FROM t', 'SELECT CAST((d + INTERVAL 1 DAY) AS DATE), CAST((d - INTERVAL 2 MONTH) AS DATE), (ts + INTERVAL 3 HOUR) FROM t'],
  ['bigquery', 'SELECT DATE_DIFF(a, b, DAY), TIMESTAMP_DIFF(a, b, HOUR), DATE_TRUNC(d, MONTH), TIMESTAMP_TRUNC(ts, WEEK) FROM t', "SELECT date_diff('day', b, a), date_diff('hour', b, a), CAST(date_trunc('month', d) AS DATE), date_trunc('week', ts) FROM t"],
  ['bigquery', "SELECT FORMAT_DATE('%F', d), FORMAT_TIMESTAMP('%Y%m%d %T', ts), PARSE_DATE('%Y%m%d', s) FROM t", "SELECT strftime(d, '%Y-%m-%d'), strftime(ts, '%Y%m%d %H:%M:%S'), CAST(strptime(s, '%Y%m%d') AS DATE) FROM t"],
  ['snowflake', "SELECT DATEADD(day, 1, d), DATEADD('month', n, d), DATEDIFF(dd, a, b), DATE_TRUNC(month, d), DATE_PART(year, d) FROM t", "SELECT (d + INTERVAL (1) DAY), (d + INTERVAL (n) MONTH), date_diff('day', a, b), date_trunc('month', d), date_part('year', d) FROM t"],
  ['snowflake', "SELECT TO_VARCHAR(d, 'YYYY-MM-DD'), TO_CHAR(ts, 'YYYY-MM-DD HH24:MI:SS'), TO_DATE(s), TO_DATE(s, 'DD.MM.YYYY'), TO_CHAR(n) FROM t", "SELECT strftime(d, '%Y-%m-%d'), strftime(ts, '%Y-%m-%d %H:%M:%S'), CAST(s AS DATE), CAST(strptime(s, '%d.%m.%Y') AS DATE), CAST(n AS VARCHAR) FROM t"],
  ['tsql', 'SELECT DATEADD(mm, 1, d), DATEDIFF(day, a, b) FROM t', "SELECT (d + INTERVAL (1) MONTH), date_diff('day', a, b) FROM t"],
  ['postgres', "SELECT to_char(d, 'YYYY-MM'), d::date, d + INTERVAL '1 day' FROM t", "SELECT strftime(d, '%Y-%m'), d::date, d + INTERVAL '1 day' FROM t"],
  ['redshift', "SELECT DATEADD(day, 1, d), NVL(a, b), GETDATE() FROM t", 'SELECT (d + INTERVAL (1) DAY), coalesce(a, b), now() FROM t'],
  ['mysql', "SELECT DATE_ADD(d, INTERVAL 1 DAY), DATE_SUB(d, INTERVAL 1 WEEK), DATEDIFF(a, b), DATE_FORMAT(d, '%Y-%m-%d %H:%i:%s'), STR_TO_DATE(s, '%d/%m/%Y'), CURDATE() FROM t", "SELECT (d + INTERVAL 1 DAY), (d - INTERVAL 1 WEEK), date_diff('day', CAST(b AS DATE), CAST(a AS DATE)), strftime(d, '%Y-%m-%d %H:%M:%S'), strptime(s, '%d/%m/%Y'), current_date() FROM t"],
  // nesting: each argument is translated in place
  ['snowflake', 'SELECT DATEADD(day, NVL(n, 0), IFF(a, d, e)) FROM t', 'SELECT (IF(a, d, e) + INTERVAL (coalesce(n, 0)) DAY) FROM t'.replace('IF(', 'if(')],
  // comments and layout are kept
  ['hive', 'SELECT a, -- the key\n  `b` /* quoted */\nFROM t', 'SELECT a, -- the key\n  "b" /* quoted */\nFROM t'],
];

// [dialect, input, message pattern, column of the construct]
const REFUSED: [string, string, RegExp, number][] = [
  ['snowflake', 'SELECT v:field FROM t', /value:path/, 9],
  ['snowflake', 'SELECT f.value FROM t, LATERAL FLATTEN(input => t.arr) f', /FLATTEN has no DuckDB translation/, 32],
  ['hive', 'SELECT a FROM t LATERAL VIEW explode(arr) x AS a', /LATERAL VIEW has no DuckDB translation/, 17],
  ['spark', 'SELECT a FROM t DISTRIBUTE BY a', /DISTRIBUTE BY has no DuckDB translation/, 17],
  ['tsql', 'SELECT TOP 10 PERCENT a FROM t', /TOP \.\.\. PERCENT/, 8],
  ['tsql', 'SELECT TOP 10 a FROM t ORDER BY a OFFSET 5 ROWS', /both TOP and LIMIT/, 8],
  ['tsql', 'SELECT CONVERT(INT, a) FROM t', /CONVERT has no DuckDB translation/, 8],
  ['spark', "SELECT date_format(d, fmt) FROM t", /date_format needs its format as a string literal/i, 8],
  ['spark', "SELECT date_format(d, 'yyyy-QQ') FROM t", /format element 'QQ' has no DuckDB strftime equivalent/, 8],
  ['mysql', "SELECT DATE_FORMAT(d, '%D %M') FROM t", /%D has no DuckDB strftime/, 8],
  ['snowflake', 'SELECT DATEADD(x + 1, 1, d) FROM t', /DATEADD needs a date part/, 8],
  ['bigquery', "SELECT FORMAT_DATE('%Ez', d) FROM t", /%E has no DuckDB strftime/, 8],
];

describe('other dialects to DuckDB SQL (golden cases)', function () {
  this.timeout(30_000);

  for (const [dialect, input, expected] of GOLDEN) {
    it(`${dialect}: ${input.replace(/\s+/g, ' ').slice(0, 90)}`, async () => {
      const result = transpileToDuckDb(input, dialect);
      assert.deepEqual(result.diagnostics.map((d) => d.message), []);
      assert.equal(result.sql, expected);
      const parsed = await parseSql(result.sql);
      assert.deepEqual(parsed.diagnostics.map((d) => d.message), [], `DuckDB rejects ${result.sql}`);
    });
  }

  for (const [dialect, input, message, column] of REFUSED) {
    it(`${dialect} refuses: ${input}`, () => {
      const result = transpileToDuckDb(input, dialect);
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errors.length, 1, errors.map((d) => d.message).join('; '));
      assert.match(errors[0].message, message);
      assert.deepEqual([errors[0].line, errors[0].column], [1, column]);
    });
  }

  it('maps every copied character of the translation back to the input', () => {
    const input = "SELECT `a`, DATEDIFF(x, y) AS days, IFF(b, 1, 2) AS c\nFROM `p.s.t` WHERE d = date_add(e, 1)";
    const { sql, segments } = transpileToDuckDb(input, 'spark');
    for (const seg of segments) {
      if (seg.kind === 'copy') assert.equal(sql.slice(seg.outStart, seg.outEnd), input.slice(seg.fileStart, seg.fileEnd));
      else assert.ok(seg.fileEnd > seg.fileStart, `rewritten text ${sql.slice(seg.outStart, seg.outEnd)} stands for some input`);
    }
    // The arguments moved by datediff keep their own positions.
    const y = sql.indexOf('CAST(y') + 5;
    const seg = segments.find((s) => s.outStart <= y && y < s.outEnd)!;
    assert.equal(seg.kind, 'copy');
    assert.equal(seg.fileStart + (y - seg.outStart), input.indexOf('y)'));
  });
});

describe('translated date functions compute what the dialect computes', function () {
  this.timeout(30_000);
  let wh: Warehouse;
  before(async () => (wh = await Warehouse.open(':memory:')));
  after(() => wh.close());

  // [dialect, expression, its value in that dialect]
  const VALUES: [string, string, unknown][] = [
    ['hive', "date_add('2024-02-28', 2)", '2024-03-01'],
    ['spark', "datediff('2024-03-01', '2024-02-28')", 2],
    ['spark', "date_format(TIMESTAMP '2024-03-01 14:05:09', 'yyyy/MM/dd HH:mm:ss')", '2024/03/01 14:05:09'],
    ['spark', "to_date('01/03/2024', 'dd/MM/yyyy')", '2024-03-01'],
    ['hive', "add_months(DATE '2024-01-31', 1)", '2024-02-29'],
    ['bigquery', 'DATE_DIFF(DATE "2024-03-01", DATE "2024-02-28", DAY)', 2],
    ['bigquery', 'DATE_ADD(DATE "2024-02-28", INTERVAL 2 DAY)', '2024-03-01'],
    ['bigquery', 'DATE_TRUNC(DATE "2024-03-15", MONTH)', '2024-03-01'],
    ['bigquery', 'FORMAT_DATE("%F", DATE "2024-03-01")', '2024-03-01'],
    ['snowflake', "DATEDIFF(month, '2024-01-31'::DATE, '2024-02-01'::DATE)", 1],
    ['snowflake', "TO_CHAR('2024-03-01'::DATE, 'DD.MM.YYYY')", '01.03.2024'],
    ['snowflake', "IFF(NVL(NULL, 2) > 1, 'big', 'small')", 'big'],
    ['mysql', "DATEDIFF('2024-03-01', '2024-02-28')", 2],
    ['mysql', "DATE_FORMAT(TIMESTAMP '2024-03-01 14:05:09', '%d.%m.%Y %H:%i')", '01.03.2024 14:05'],
    ['tsql', "DATEDIFF(day, CAST('2024-02-28' AS DATE), CAST('2024-03-01' AS DATE))", 2],
  ];
  for (const [dialect, expression, value] of VALUES) {
    it(`${dialect}: ${expression} = ${JSON.stringify(value)}`, async () => {
      const result = transpileToDuckDb(`SELECT ${expression} AS v`, dialect);
      assert.deepEqual(result.diagnostics, []);
      const rows = await wh.json(result.sql);
      // BIGINTs come back as text.
      assert.deepEqual(rows.map((r) => (typeof value === 'number' ? Number(r.v) : r.v)), [value]);
    });
  }
});
