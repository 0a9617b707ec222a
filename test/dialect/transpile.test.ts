// The dialect printer, construct by construct: DuckDB SQL in, the expected PostgreSQL, BigQuery and Snowflake
// text out, or a refusal at the construct's position. Each row is a query a model could contain.

import { strict as assert } from 'node:assert';
import { transpile, type TargetDialect } from '../../core/dialect';
import { closeSqlParser } from '../../core/sql/duckdbParser';

type Expected = string | { refused: RegExp; at: string };

interface Row {
  name: string;
  duckdb: string;
  postgres: Expected;
  bigquery: Expected;
  snowflake: Expected;
}

// Columns the tests' tables have, as Sluice's DAG would give them.
const COLUMNS: Record<string, string[]> = {
  'shop.orders': ['id', 'customer_id', 'status', 'total', 'created_at'],
  'shop.customers': ['id', 'name', 'tier'],
};

const ROWS: Row[] = [
  {
    name: 'identifier quoting and qualified names',
    duckdb: 'SELECT o.id, "Odd ""Name""" FROM shop.orders AS o',
    postgres: 'SELECT "o"."id", "Odd ""Name""" FROM "shop"."orders" AS "o"',
    bigquery: 'SELECT `o`.`id`, `Odd "Name"` FROM `shop`.`orders` AS `o`',
    snowflake: 'SELECT "o"."id", "Odd ""Name""" FROM "shop"."orders" AS "o"',
  },
  {
    name: 'string literals with quotes and backslashes, booleans, NULL, numbers',
    duckdb: "SELECT 'it''s a \\ path' AS s, true AS t, false AS f, NULL AS n, 1.50 AS d, -3 AS i",
    postgres: "SELECT 'it''s a \\ path' AS \"s\", TRUE AS \"t\", FALSE AS \"f\", NULL AS \"n\", 1.50 AS \"d\", (-3) AS \"i\"",
    bigquery: "SELECT 'it\\'s a \\\\ path' AS `s`, TRUE AS `t`, FALSE AS `f`, NULL AS `n`, 1.50 AS `d`, (-3) AS `i`",
    snowflake: "SELECT 'it\\'s a \\\\ path' AS \"s\", TRUE AS \"t\", FALSE AS \"f\", NULL AS \"n\", 1.50 AS \"d\", (-3) AS \"i\"",
  },
  {
    name: 'casts and type names',
    duckdb: 'SELECT x::INT AS a, CAST(x AS VARCHAR) AS b, x::DOUBLE AS c, x::HUGEINT AS d, x::TIMESTAMPTZ AS e, x::TIMESTAMP AS f, x::DECIMAL(12, 2) AS g, x::BOOLEAN AS h FROM t',
    postgres: 'SELECT CAST("x" AS INTEGER) AS "a", CAST("x" AS TEXT) AS "b", CAST("x" AS DOUBLE PRECISION) AS "c", CAST("x" AS NUMERIC(38, 0)) AS "d", CAST("x" AS TIMESTAMPTZ) AS "e", CAST("x" AS TIMESTAMP) AS "f", CAST("x" AS NUMERIC(12, 2)) AS "g", CAST("x" AS BOOLEAN) AS "h" FROM "t"',
    bigquery: 'SELECT CAST(`x` AS INT64) AS `a`, CAST(`x` AS STRING) AS `b`, CAST(`x` AS FLOAT64) AS `c`, CAST(`x` AS BIGNUMERIC) AS `d`, CAST(`x` AS TIMESTAMP) AS `e`, CAST(`x` AS DATETIME) AS `f`, CAST(`x` AS NUMERIC(12, 2)) AS `g`, CAST(`x` AS BOOL) AS `h` FROM `t`',
    snowflake: 'SELECT CAST("x" AS INTEGER) AS "a", CAST("x" AS VARCHAR) AS "b", CAST("x" AS DOUBLE) AS "c", CAST("x" AS NUMBER(38, 0)) AS "d", CAST("x" AS TIMESTAMP_LTZ) AS "e", CAST("x" AS TIMESTAMP_NTZ) AS "f", CAST("x" AS NUMBER(12, 2)) AS "g", CAST("x" AS BOOLEAN) AS "h" FROM "t"',
  },
  {
    name: 'TRY_CAST',
    duckdb: 'SELECT TRY_CAST(x AS INTEGER) AS a FROM t',
    postgres: { refused: /PostgreSQL has no TRY_CAST/, at: 'TRY_CAST' },
    bigquery: 'SELECT SAFE_CAST(`x` AS INT64) AS `a` FROM `t`',
    snowflake: 'SELECT TRY_CAST("x" AS INTEGER) AS "a" FROM "t"',
  },
  {
    name: 'string_agg with ORDER BY (listagg and group_concat are its DuckDB aliases)',
    duckdb: "SELECT k, string_agg(v, ', ' ORDER BY v) AS vs, listagg(v) AS plain FROM t GROUP BY k",
    postgres: `SELECT "k", string_agg(CAST("v" AS TEXT), ', ' ORDER BY "v" NULLS LAST) AS "vs", string_agg(CAST("v" AS TEXT), ',') AS "plain" FROM "t" GROUP BY "k"`,
    bigquery: "SELECT `k`, STRING_AGG(CAST(`v` AS STRING), ', ' ORDER BY `v` NULLS LAST) AS `vs`, STRING_AGG(CAST(`v` AS STRING), ',') AS `plain` FROM `t` GROUP BY `k`",
    snowflake: `SELECT "k", LISTAGG("v", ', ') WITHIN GROUP (ORDER BY "v" NULLS LAST) AS "vs", LISTAGG("v", ',') AS "plain" FROM "t" GROUP BY "k"`,
  },
  {
    name: 'aggregate FILTER, count_if, any_value, arg_max',
    duckdb: 'SELECT sum(x) FILTER (WHERE ok) AS s, count(*) FILTER (WHERE ok) AS c, count_if(x > 1) AS ci, any_value(y) AS av, arg_max(y, x) AS am FROM t',
    postgres: 'SELECT sum("x") FILTER (WHERE "ok") AS "s", count(*) FILTER (WHERE "ok") AS "c", count(CASE WHEN ("x" > 1) THEN 1 END) AS "ci", (array_agg("y") FILTER (WHERE "y" IS NOT NULL))[1] AS "av", (array_agg("y" ORDER BY "x" DESC) FILTER (WHERE "x" IS NOT NULL))[1] AS "am" FROM "t"',
    bigquery: 'SELECT sum(CASE WHEN `ok` THEN `x` END) AS `s`, COUNTIF(`ok`) AS `c`, COUNTIF((`x` > 1)) AS `ci`, ANY_VALUE(`y`) AS `av`, MAX_BY(`y`, `x`) AS `am` FROM `t`',
    snowflake: 'SELECT sum(CASE WHEN "ok" THEN "x" END) AS "s", COUNT_IF("ok") AS "c", COUNT_IF(("x" > 1)) AS "ci", ANY_VALUE("y") AS "av", MAX_BY("y", "x") AS "am" FROM "t"',
  },
  {
    name: 'ifnull and coalesce',
    duckdb: 'SELECT ifnull(a, 0) AS a, coalesce(b, c, 1) AS b FROM t',
    postgres: 'SELECT COALESCE("a", 0) AS "a", COALESCE("b", "c", 1) AS "b" FROM "t"',
    bigquery: 'SELECT COALESCE(`a`, 0) AS `a`, COALESCE(`b`, `c`, 1) AS `b` FROM `t`',
    snowflake: 'SELECT COALESCE("a", 0) AS "a", COALESCE("b", "c", 1) AS "b" FROM "t"',
  },
  {
    name: 'date_trunc argument order',
    duckdb: "SELECT date_trunc('month', ts) AS m FROM t",
    postgres: `SELECT date_trunc('month', "ts") AS "m" FROM "t"`,
    bigquery: 'SELECT DATE_TRUNC(`ts`, MONTH) AS `m` FROM `t`',
    snowflake: `SELECT DATE_TRUNC('month', "ts") AS "m" FROM "t"`,
  },
  {
    name: 'date_diff counts boundaries crossed',
    duckdb: "SELECT date_diff('hour', a, b) AS h, datediff('month', a, b) AS m FROM t",
    postgres: `SELECT CAST((EXTRACT(EPOCH FROM date_trunc('hour', "b")) - EXTRACT(EPOCH FROM date_trunc('hour', "a"))) / 3600 AS BIGINT) AS "h", CAST((EXTRACT(YEAR FROM "b") - EXTRACT(YEAR FROM "a")) * 12 + EXTRACT(MONTH FROM "b") - EXTRACT(MONTH FROM "a") AS BIGINT) AS "m" FROM "t"`,
    bigquery: 'SELECT TIMESTAMP_DIFF(TIMESTAMP_TRUNC(`b`, HOUR), TIMESTAMP_TRUNC(`a`, HOUR), HOUR) AS `h`, DATE_DIFF(DATE(`b`), DATE(`a`), MONTH) AS `m` FROM `t`',
    snowflake: 'SELECT DATEDIFF(hour, "a", "b") AS "h", DATEDIFF(month, "a", "b") AS "m" FROM "t"',
  },
  {
    name: 'extract and date parts',
    duckdb: 'SELECT extract(year FROM d) AS y, dayofweek(d) AS dow FROM t',
    postgres: 'SELECT CAST(EXTRACT(YEAR FROM "d") AS BIGINT) AS "y", CAST(EXTRACT(DOW FROM "d") AS BIGINT) AS "dow" FROM "t"',
    bigquery: 'SELECT EXTRACT(YEAR FROM `d`) AS `y`, (EXTRACT(DAYOFWEEK FROM `d`) - 1) AS `dow` FROM `t`',
    snowflake: 'SELECT DATE_PART(year, "d") AS "y", DATE_PART(dayofweek, "d") AS "dow" FROM "t"',
  },
  {
    name: 'strftime formats',
    duckdb: "SELECT strftime(ts, '%Y-%m-%d at %H:%M') AS f FROM t",
    postgres: `SELECT to_char("ts", 'YYYY-MM-DD" at "HH24:MI') AS "f" FROM "t"`,
    bigquery: "SELECT FORMAT_TIMESTAMP('%Y-%m-%d at %H:%M', CAST(`ts` AS TIMESTAMP)) AS `f` FROM `t`",
    snowflake: `SELECT TO_CHAR("ts", 'YYYY-MM-DD" at "HH24:MI') AS "f" FROM "t"`,
  },
  {
    name: 'epoch_ms both ways',
    duckdb: 'SELECT epoch_ms(CAST(ms AS BIGINT)) AS ts, epoch_ms(CAST(ts AS TIMESTAMP)) AS ms FROM t',
    postgres: `SELECT (to_timestamp(CAST("ms" AS BIGINT) / 1000.0) AT TIME ZONE 'UTC') AS "ts", CAST(floor(EXTRACT(EPOCH FROM CAST("ts" AS TIMESTAMP)) * 1000) AS BIGINT) AS "ms" FROM "t"`,
    bigquery: 'SELECT DATETIME(TIMESTAMP_MILLIS(CAST(`ms` AS INT64))) AS `ts`, UNIX_MILLIS(TIMESTAMP(CAST(`ts` AS DATETIME))) AS `ms` FROM `t`',
    snowflake: 'SELECT TO_TIMESTAMP_NTZ(CAST("ms" AS BIGINT), 3) AS "ts", DATE_PART(epoch_millisecond, CAST("ts" AS TIMESTAMP_NTZ)) AS "ms" FROM "t"',
  },
  {
    name: 'epoch_ms of an argument of unknown type is refused',
    duckdb: 'SELECT id,\n  epoch_ms(x) AS e FROM t',
    postgres: { refused: /cannot tell whether the argument is milliseconds or a timestamp/, at: 'epoch_ms(x)' },
    bigquery: { refused: /cannot tell whether the argument/, at: 'epoch_ms(x)' },
    snowflake: { refused: /cannot tell whether the argument/, at: 'epoch_ms(x)' },
  },
  {
    name: 'intervals',
    duckdb: "SELECT d + INTERVAL 3 DAY AS a, ts - INTERVAL '2 hours' AS b, d + INTERVAL 1 MONTH AS c FROM t",
    postgres: `SELECT ("d" + INTERVAL '3 day') AS "a", ("ts" - INTERVAL '2 hours') AS "b", ("d" + INTERVAL '1 month') AS "c" FROM "t"`,
    bigquery: 'SELECT (`d` + INTERVAL 3 DAY) AS `a`, (`ts` - INTERVAL 2 HOUR) AS `b`, (`d` + INTERVAL 1 MONTH) AS `c` FROM `t`',
    snowflake: `SELECT ("d" + INTERVAL '3 day') AS "a", ("ts" - INTERVAL '2 hours') AS "b", ("d" + INTERVAL '1 month') AS "c" FROM "t"`,
  },
  {
    name: 'division is floating point and NULL on zero, as in DuckDB',
    duckdb: 'SELECT a / b AS q, a % b AS r FROM t',
    postgres: 'SELECT (CAST("a" AS DOUBLE PRECISION) / NULLIF("b", 0)) AS "q", ("a" % NULLIF("b", 0)) AS "r" FROM "t"',
    bigquery: 'SELECT SAFE_DIVIDE(`a`, `b`) AS `q`, MOD(`a`, NULLIF(`b`, 0)) AS `r` FROM `t`',
    snowflake: 'SELECT ("a" / NULLIF("b", 0)) AS "q", ("a" % NULLIF("b", 0)) AS "r" FROM "t"',
  },
  {
    name: 'list functions',
    duckdb: 'SELECT [1, 2] AS l, list_contains(tags, \'x\') AS has, len(tags) AS n, list_transform(nums, x -> x * 2) AS doubled, tags[1] AS first FROM t',
    postgres: `SELECT ARRAY[1, 2] AS "l", ('x' = ANY("tags")) AS "has", cardinality("tags") AS "n", CASE WHEN "nums" IS NULL THEN NULL ELSE ARRAY(SELECT ("x" * 2) FROM unnest("nums") WITH ORDINALITY AS "_sluice_list"("x", "_sluice_ord") ORDER BY "_sluice_ord") END AS "doubled", ("tags")[1] AS "first" FROM "t"`,
    bigquery: "SELECT [1, 2] AS `l`, ('x' IN UNNEST(`tags`)) AS `has`, ARRAY_LENGTH(`tags`) AS `n`, CASE WHEN `nums` IS NULL THEN NULL ELSE ARRAY(SELECT (`x` * 2) FROM UNNEST(`nums`) AS `x` WITH OFFSET AS `_sluice_ord` ORDER BY `_sluice_ord`) END AS `doubled`, `tags`[SAFE_ORDINAL(1)] AS `first` FROM `t`",
    snowflake: `SELECT ARRAY_CONSTRUCT(1, 2) AS "l", ARRAY_CONTAINS(CAST('x' AS VARIANT), "tags") AS "has", ARRAY_SIZE("tags") AS "n", TRANSFORM("nums", "x" -> ("x" * 2)) AS "doubled", "tags"[1 - 1] AS "first" FROM "t"`,
  },
  {
    name: 'struct values and field access',
    duckdb: "SELECT {'k': 1} AS s, payload['city'] AS city FROM t",
    postgres: { refused: /struct_pack has no equivalent on PostgreSQL/, at: "'k': 1" },
    bigquery: 'SELECT STRUCT(1 AS `k`) AS `s`, `payload`.`city` AS `city` FROM `t`',
    snowflake: `SELECT OBJECT_CONSTRUCT('k', 1) AS "s", GET("payload", 'city') AS "city" FROM "t"`,
  },
  {
    name: 'regexp_matches',
    duckdb: "SELECT regexp_matches(s, '^[a-z]+$') AS ok FROM t",
    postgres: `SELECT ("s" ~ '^[a-z]+$') AS "ok" FROM "t"`,
    bigquery: "SELECT REGEXP_CONTAINS(`s`, '^[a-z]+$') AS `ok` FROM `t`",
    snowflake: `SELECT (REGEXP_INSTR("s", '^[a-z]+$') > 0) AS "ok" FROM "t"`,
  },
  {
    name: 'LIKE and ILIKE (DuckDB has no LIKE escape character)',
    duckdb: "SELECT a LIKE 'x%' AS p, a ILIKE '%y' AS q, a NOT LIKE b AS r FROM t",
    postgres: `SELECT ("a" LIKE 'x%') AS "p", ("a" ILIKE '%y') AS "q", ("a" NOT LIKE "b" ESCAPE '') AS "r" FROM "t"`,
    bigquery: { refused: /BigQuery reads a backslash in a LIKE pattern as an escape/, at: 'NOT LIKE b' },
    snowflake: { refused: /Snowflake reads a backslash in a LIKE pattern as an escape/, at: 'NOT LIKE b' },
  },
  {
    name: 'QUALIFY (PostgreSQL: a filtered subquery with the window as a column)',
    duckdb: 'SELECT id, status FROM shop.orders QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY created_at DESC) = 1',
    postgres: 'SELECT "id", "status" FROM (SELECT "id", "status", row_number() OVER (PARTITION BY "customer_id" ORDER BY "created_at" DESC NULLS LAST) AS "_sluice_q1" FROM "shop"."orders") AS "_sluice_qualified" WHERE ("_sluice_q1" = 1)',
    bigquery: 'SELECT `id`, `status` FROM `shop`.`orders` QUALIFY (row_number() OVER (PARTITION BY `customer_id` ORDER BY `created_at` DESC NULLS LAST) = 1)',
    snowflake: 'SELECT "id", "status" FROM "shop"."orders" QUALIFY (row_number() OVER (PARTITION BY "customer_id" ORDER BY "created_at" DESC NULLS LAST) = 1)',
  },
  {
    name: 'QUALIFY over a star of known columns',
    duckdb: 'SELECT * FROM shop.customers QUALIFY rank() OVER (ORDER BY id) <= 2',
    postgres: 'SELECT "id", "name", "tier" FROM (SELECT "customers"."id", "customers"."name", "customers"."tier", rank() OVER (ORDER BY "id" NULLS LAST) AS "_sluice_q1" FROM "shop"."customers") AS "_sluice_qualified" WHERE ("_sluice_q1" <= 2)',
    bigquery: 'SELECT * FROM `shop`.`customers` QUALIFY (rank() OVER (ORDER BY `id` NULLS LAST) <= 2)',
    snowflake: 'SELECT * FROM "shop"."customers" QUALIFY (rank() OVER (ORDER BY "id" NULLS LAST) <= 2)',
  },
  {
    name: '* EXCLUDE and * REPLACE (PostgreSQL: spelled out from the known columns)',
    duckdb: 'SELECT o.* EXCLUDE (total) REPLACE (upper(status) AS status) FROM shop.orders AS o',
    postgres: 'SELECT "o"."id", "o"."customer_id", upper("status") AS "status", "o"."created_at" FROM "shop"."orders" AS "o"',
    bigquery: 'SELECT `o`.* EXCEPT (`total`) REPLACE (upper(`status`) AS `status`) FROM `shop`.`orders` AS `o`',
    snowflake: 'SELECT "o".* EXCLUDE ("total") REPLACE (upper("status") AS "status") FROM "shop"."orders" AS "o"',
  },
  {
    name: '* EXCLUDE over a table of unknown columns',
    duckdb: 'SELECT * EXCLUDE (secret) FROM raw.users',
    postgres: { refused: /PostgreSQL has no \* EXCLUDE, and the columns of the FROM clause are not known/, at: '* EXCLUDE' },
    bigquery: 'SELECT * EXCEPT (`secret`) FROM `raw`.`users`',
    snowflake: 'SELECT * EXCLUDE ("secret") FROM "raw"."users"',
  },
  {
    name: 'GROUP BY ALL',
    duckdb: 'SELECT status, date_trunc(\'day\', created_at) AS day, count(*) AS n FROM shop.orders GROUP BY ALL',
    postgres: `SELECT "status", date_trunc('day', "created_at") AS "day", count(*) AS "n" FROM "shop"."orders" GROUP BY 1, 2`,
    bigquery: 'SELECT `status`, DATE_TRUNC(`created_at`, DAY) AS `day`, count(*) AS `n` FROM `shop`.`orders` GROUP BY 1, 2',
    snowflake: `SELECT "status", DATE_TRUNC('day', "created_at") AS "day", count(*) AS "n" FROM "shop"."orders" GROUP BY ALL`,
  },
  {
    name: 'ORDER BY with DuckDB\'s NULLS LAST default, LIMIT and OFFSET',
    duckdb: 'SELECT id FROM t ORDER BY id DESC LIMIT 10 OFFSET 20',
    postgres: 'SELECT "id" FROM "t" ORDER BY "id" DESC NULLS LAST LIMIT 10 OFFSET 20',
    bigquery: 'SELECT `id` FROM `t` ORDER BY `id` DESC NULLS LAST LIMIT 10 OFFSET 20',
    snowflake: 'SELECT "id" FROM "t" ORDER BY "id" DESC NULLS LAST LIMIT 10 OFFSET 20',
  },
  {
    name: 'OFFSET without LIMIT',
    duckdb: 'SELECT id FROM t OFFSET 5',
    postgres: 'SELECT "id" FROM "t" OFFSET 5',
    bigquery: 'SELECT `id` FROM `t` LIMIT 9223372036854775807 OFFSET 5',
    snowflake: 'SELECT "id" FROM "t" OFFSET 5',
  },
  {
    name: 'set operations',
    duckdb: 'SELECT a FROM t UNION SELECT a FROM u UNION ALL SELECT 1',
    postgres: '(SELECT "a" FROM "t" UNION SELECT "a" FROM "u") UNION ALL SELECT 1',
    bigquery: '(SELECT `a` FROM `t` UNION DISTINCT SELECT `a` FROM `u`) UNION ALL SELECT 1',
    snowflake: '(SELECT "a" FROM "t" UNION SELECT "a" FROM "u") UNION ALL SELECT 1',
  },
  {
    name: 'CTEs, joins, subqueries',
    duckdb: 'WITH c AS (SELECT id FROM shop.customers) SELECT o.id FROM shop.orders AS o JOIN c ON c.id = o.customer_id LEFT JOIN x USING (id) WHERE EXISTS (SELECT 1 FROM y) AND o.id IN (SELECT id FROM z)',
    postgres: 'WITH "c" AS (SELECT "id" FROM "shop"."customers") SELECT "o"."id" FROM "shop"."orders" AS "o" JOIN "c" ON ("c"."id" = "o"."customer_id") LEFT JOIN "x" USING ("id") WHERE (EXISTS (SELECT 1 FROM "y") AND ("o"."id" IN (SELECT "id" FROM "z")))',
    bigquery: 'WITH `c` AS (SELECT `id` FROM `shop`.`customers`) SELECT `o`.`id` FROM `shop`.`orders` AS `o` JOIN `c` ON (`c`.`id` = `o`.`customer_id`) LEFT JOIN `x` USING (`id`) WHERE (EXISTS (SELECT 1 FROM `y`) AND (`o`.`id` IN (SELECT `id` FROM `z`)))',
    snowflake: 'WITH "c" AS (SELECT "id" FROM "shop"."customers") SELECT "o"."id" FROM "shop"."orders" AS "o" JOIN "c" ON ("c"."id" = "o"."customer_id") LEFT JOIN "x" USING ("id") WHERE (EXISTS (SELECT 1 FROM "y") AND ("o"."id" IN (SELECT "id" FROM "z")))',
  },
  {
    name: 'DISTINCT ON',
    duckdb: 'SELECT DISTINCT ON (customer_id) customer_id, id FROM t ORDER BY customer_id, id',
    postgres: 'SELECT DISTINCT ON ("customer_id") "customer_id", "id" FROM "t" ORDER BY "customer_id" NULLS LAST, "id" NULLS LAST',
    bigquery: { refused: /BigQuery has no DISTINCT ON/, at: 'customer_id) customer_id' },
    snowflake: { refused: /Snowflake has no DISTINCT ON/, at: 'customer_id) customer_id' },
  },
  {
    name: 'DuckDB-only table functions and joins',
    duckdb: 'SELECT * FROM t POSITIONAL JOIN u',
    postgres: { refused: /POSITIONAL JOIN is not supported outside DuckDB/, at: 'POSITIONAL' },
    bigquery: { refused: /POSITIONAL JOIN/, at: 'POSITIONAL' },
    snowflake: { refused: /POSITIONAL JOIN/, at: 'POSITIONAL' },
  },
  {
    name: 'ROLLUP (its empty grouping set is not in the parse tree)',
    duckdb: 'SELECT a, b, sum(c) AS s FROM t GROUP BY ROLLUP (a, b)',
    postgres: { refused: /GROUPING SETS, ROLLUP and CUBE are not rendered/, at: 'a, b)' },
    bigquery: { refused: /GROUPING SETS, ROLLUP and CUBE are not rendered/, at: 'a, b)' },
    snowflake: { refused: /GROUPING SETS, ROLLUP and CUBE are not rendered/, at: 'a, b)' },
  },
  {
    name: 'a function Sluice has no rule for',
    duckdb: 'SELECT levenshtein(a, b) AS d FROM t',
    postgres: { refused: /levenshtein is not a function Sluice can render for PostgreSQL/, at: 'levenshtein' },
    bigquery: { refused: /levenshtein is not a function Sluice can render for BigQuery/, at: 'levenshtein' },
    snowflake: { refused: /levenshtein is not a function Sluice can render for Snowflake/, at: 'levenshtein' },
  },
];

const columnsOf = (parts: readonly string[]) => COLUMNS[parts.join('.')];

describe('dialect printer: DuckDB constructs × target dialects', () => {
  after(closeSqlParser);

  for (const row of ROWS) {
    for (const dialect of ['postgres', 'bigquery', 'snowflake'] as const) {
      it(`${row.name} → ${dialect}`, async () => {
        const result = await transpile(row.duckdb, dialect, { columnsOf });
        const expected = row[dialect];
        if (typeof expected === 'string') {
          assert.deepEqual(result.problems, []);
          assert.equal(result.sql, expected);
        } else {
          assert.equal(result.sql, undefined, 'nothing is rendered when a construct cannot be');
          assert.ok(result.problems.length > 0);
          assert.match(result.problems[0].message, expected.refused);
          assert.equal(result.problems[0].offset, row.duckdb.indexOf(expected.at), `position of ${expected.at}`);
        }
      });
    }
  }

  it('the duckdb dialect prints a query DuckDB reads back to the same tree', async () => {
    for (const row of ROWS.filter((r) => !r.name.startsWith('ROLLUP'))) {
      const printed = await transpile(row.duckdb, 'duckdb' as TargetDialect, { columnsOf });
      assert.ok(printed.sql, `${row.name}: ${JSON.stringify(printed.problems)}`);
      const again = await transpile(printed.sql!, 'duckdb', { columnsOf });
      assert.equal(again.sql, printed.sql, row.name);
    }
  });

  it('positions count UTF-16 code units after non-ASCII text', async () => {
    const sql = "SELECT 'größe €' AS label, epoch_ms(x) AS e FROM t";
    const result = await transpile(sql, 'postgres');
    assert.equal(result.problems[0].offset, sql.indexOf('epoch_ms'));
  });
});
