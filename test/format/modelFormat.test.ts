// The model file formatter on its own: the MODEL block, the query, comments, what must never change, files
// that do not read, idempotency on every demo model and on SQLMesh-style models written out here.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { formatModelText } from '../../core/format/modelFormat';
import { tokenize } from '../../core/models/tokenizer';

const demoModels = path.join(__dirname, '..', '..', 'examples', 'demo', 'models');

/** The formatted text; fails when the file could not be formatted or formatting it again changes it. */
function fmt(text: string): string {
  const result = formatModelText(text);
  if (!result.ok) assert.fail(`not formatted: ${JSON.stringify(result.problem)}\n${text}`);
  const again = formatModelText(result.text);
  assert.ok(again.ok && again.text === result.text, `formatting twice changes the text:\n${result.text}\n---\n${again.ok ? again.text : ''}`);
  return result.text;
}

/** The query part of a formatted model with a one-line MODEL block. */
function query(sql: string): string {
  const out = fmt(`MODEL (name a.b);\n${sql}`);
  return out.slice(out.indexOf(');\n\n') + 4);
}

/** Every token on its own line: the layout must not depend on the layout it was given. */
function scrambled(text: string): string {
  return tokenize(text).tokens.map((t) => t.text).join('\n    ');
}

/** A whole model with its MODEL block on one line (names kept together) and its query scrambled. */
function scrambledModel(text: string): string {
  const { tokens } = tokenize(text);
  const end = tokens.findIndex((t) => t.text === ';') + 1;
  const header = tokens.slice(0, end).map((t, i) => (i > 0 && tokens[i - 1].end < t.start ? ' ' : '') + t.text).join('');
  return `${header}\n${scrambled(text.slice(tokens[end - 1].end))}`;
}

describe('model file formatter', () => {
  describe('the MODEL block', () => {
    it('writes one property per line, keys in lower case, the kind in upper case, in their order', () => {
      assert.equal(
        fmt("model (NAME sales.orders, Kind full, cron '@daily', grain order_id, owner data_team);\nselect 1"),
        "MODEL (\n  name sales.orders,\n  kind FULL,\n  cron '@daily',\n  grain order_id,\n  owner data_team\n);\n\nSELECT 1\n",
      );
    });

    it('puts kind options and entry lists one per line, keeps short lists of names on the line', () => {
      const text = fmt(
        "MODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE (time_column (ds, '%Y-%m-%d'), batch_size 7, lookback -1), grain (a, b), tags [x, y]," +
          " columns (a INT, b DECIMAL(10,2)), audits (not_null(columns := [a, b]), unique_values(columns := (a))), column_descriptions (a = 'the a'));\nSELECT 1",
      );
      assert.equal(text.slice(0, text.indexOf(';\n')), [
        'MODEL (',
        '  name a.b,',
        '  kind INCREMENTAL_BY_TIME_RANGE (',
        "    time_column (ds, '%Y-%m-%d'),",
        '    batch_size 7,',
        '    lookback -1',
        '  ),',
        '  grain (a, b),',
        '  tags [x, y],',
        '  columns (',
        '    a INT,',
        '    b DECIMAL(10, 2)',
        '  ),',
        '  audits (',
        '    not_null(columns := [a, b]),',
        '    unique_values(columns := (a))',
        '  ),',
        '  column_descriptions (',
        "    a = 'the a'",
        '  )',
        ')',
      ].join('\n'));
    });

    it('nests kind options that are lists themselves (csv_settings of a seed)', () => {
      assert.equal(
        fmt("MODEL (name s.t, kind SEED (path 'x.csv', csv_settings (delimiter = ';', quotechar = '\"')));"),
        "MODEL (\n  name s.t,\n  kind SEED (\n    path 'x.csv',\n    csv_settings (\n      delimiter = ';',\n      quotechar = '\"'\n    )\n  )\n);\n",
      );
    });

    it('wraps a list of names that does not fit on its line', () => {
      const names = Array.from({ length: 14 }, (_, i) => `column_number_${i}`);
      const text = fmt(`MODEL (name a.b, partitioned_by (${names.join(', ')}));\nSELECT 1`);
      assert.ok(text.includes(`  partitioned_by (\n${names.map((n) => `    ${n}`).join(',\n')}\n  )\n`), text);
    });

    it('keeps a trailing comma where SQLMesh style writes one', () => {
      assert.equal(fmt('MODEL (name a.b, kind FULL (), grain (a, b),);\nSELECT 1'), 'MODEL (\n  name a.b,\n  kind FULL (),\n  grain (a, b),\n);\n\nSELECT 1\n');
    });

    it('keeps comments with the property they were written next to, and an empty line between groups', () => {
      const text = [
        '-- Orders, one row each.',
        'MODEL ( -- the block',
        '  name sales.orders, -- the name',
        '  -- how it is built',
        '  kind VIEW,',
        '',
        '  /* scheduling */',
        "  cron '@daily'",
        '  -- nothing after',
        ');',
        'SELECT 1',
      ].join('\n');
      assert.equal(fmt(text), [
        '-- Orders, one row each.',
        'MODEL ( -- the block',
        '  name sales.orders, -- the name',
        '  -- how it is built',
        '  kind VIEW,',
        '',
        '  /* scheduling */',
        "  cron '@daily'",
        '  -- nothing after',
        ');',
        '',
        'SELECT 1',
        '',
      ].join('\n'));
    });

    it('keeps a value as written when it has comments inside or spans lines of its own', () => {
      const text = "MODEL (\n  name a.b,\n  grain (a, /* the key */ b),\n  when_matched WHEN MATCHED THEN UPDATE SET\n      target.x = source.x\n);\nSELECT 1\n";
      const out = fmt(text);
      assert.ok(out.includes('  grain (\n    a, /* the key */\n    b\n  ),'), out);
      assert.ok(out.includes('  when_matched WHEN MATCHED THEN UPDATE SET\n      target.x = source.x\n'), out);
    });
  });

  describe('the query', () => {
    it('upper-cases keywords, and keeps the case of names and functions', () => {
      assert.equal(query('select Name, count(*) as N from Sales.Orders where x is not null'), 'SELECT\n  Name,\n  count(*) AS N\nFROM Sales.Orders\nWHERE x IS NOT NULL\n');
    });

    it('never upper-cases a column that is named like a non-reserved keyword (result columns keep their case)', () => {
      assert.equal(query('select (a) over, count(*) over w from t'), 'SELECT\n  (a) over,\n  count(*) OVER w\nFROM t\n');
      const out = query('select filter, over, first, last, name, date, status, rows, range, partition, interval, values, replace from t');
      assert.equal(out, 'SELECT\n' + ['filter', 'over', 'first', 'last', 'name', 'date', 'status', 'rows', 'range', 'partition', 'interval', 'values', 'replace'].map((c) => `  ${c}`).join(',\n') + '\nFROM t\n');
    });

    it('upper-cases non-reserved keywords where only a keyword can stand', () => {
      assert.equal(
        query("select sum(x) filter (where y) over (partition by a order by b desc nulls last rows between unbounded preceding and current row) as s, x::varchar, cast(y as double), date '2024-01-01', interval 1 day, * exclude (a) replace (b + 1 as b) from t"),
        "SELECT\n  sum(x) FILTER (WHERE y) OVER (PARTITION BY a ORDER BY b DESC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s,\n  x::VARCHAR,\n  CAST(y AS DOUBLE),\n  DATE '2024-01-01',\n  INTERVAL 1 day,\n  * EXCLUDE (a) REPLACE (b + 1 AS b)\nFROM t\n",
      );
    });

    it('keeps a single select item on the SELECT line and puts several on a line each', () => {
      assert.equal(query('select * from t'), 'SELECT *\nFROM t\n');
      assert.equal(query('select distinct a, b from t'), 'SELECT DISTINCT\n  a,\n  b\nFROM t\n');
      assert.equal(query('select distinct on (a) a, b from t'), 'SELECT DISTINCT ON (a)\n  a,\n  b\nFROM t\n');
    });

    it('puts each clause and join on its own line, ON under its join, conditions of WHERE one per line', () => {
      assert.equal(
        query('select a from t join u on t.id = u.id and t.x = u.x left outer join v using (id) cross join w where a = 1 and b between 1 and 2 or c in (1,2) group by a, b having count(*) > 1 qualify rank() over (order by a) = 1 order by a desc limit 10 offset 5'),
        [
          'SELECT a',
          'FROM t',
          'JOIN u',
          '  ON t.id = u.id AND t.x = u.x',
          'LEFT OUTER JOIN v USING (id)',
          'CROSS JOIN w',
          'WHERE a = 1',
          '  AND b BETWEEN 1 AND 2',
          '  OR c IN (1, 2)',
          'GROUP BY a, b',
          'HAVING count(*) > 1',
          'QUALIFY rank() OVER (ORDER BY a) = 1',
          'ORDER BY a DESC',
          'LIMIT 10',
          'OFFSET 5',
          '',
        ].join('\n'),
      );
    });

    it('indents CTE bodies and subqueries as blocks', () => {
      assert.equal(
        query('with a as (select x from t where x > 0), b as (select * from a) select x from b where x in (select x from a) union all select 1 from (select 1) as s'),
        [
          'WITH a AS (',
          '  SELECT x',
          '  FROM t',
          '  WHERE x > 0',
          '),',
          'b AS (',
          '  SELECT *',
          '  FROM a',
          ')',
          'SELECT x',
          'FROM b',
          'WHERE x IN (',
          '  SELECT x',
          '  FROM a',
          ')',
          'UNION ALL',
          'SELECT 1',
          'FROM (',
          '  SELECT 1',
          ') AS s',
          '',
        ].join('\n'),
      );
    });

    it('breaks a CASE with several WHENs into branches and keeps a one-branch CASE on its line', () => {
      assert.equal(
        query("select case when a > 1 then 'big' when a < 0 then 'negative' else 'small' end as size, case when b then 1 end as flag from t"),
        "SELECT\n  CASE\n    WHEN a > 1 THEN 'big'\n    WHEN a < 0 THEN 'negative'\n    ELSE 'small'\n  END AS size,\n  CASE WHEN b THEN 1 END AS flag\nFROM t\n",
      );
    });

    it('spaces operators, commas, brackets, casts, unary minus and struct literals consistently', () => {
      assert.equal(
        query("select a.b,x::int,f( x ,y ),-1,a - -1,a*2,[1,2][1:2],{'k':1},list_transform(l, x->x+1),t.* from t"),
        "SELECT\n  a.b,\n  x::INT,\n  f(x, y),\n  -1,\n  a - -1,\n  a * 2,\n  [1, 2][1:2],\n  {'k': 1},\n  list_transform(l, x -> x + 1),\n  t.*\nFROM t\n",
      );
    });

    it('never touches string literals, quoted identifiers, macros and {{ }} text', () => {
      const sql = `select 'select  x  from  y' as s, "Mixed  Case" , E'a\\'b', $$ raw  text $$, @start_ds, @{name}_suffix, @IF(@flag, a, b), @'templ @{x}', {{  jinja_var  }} as j from t where d between @start_ds and @end_ds`;
      const out = query(sql);
      for (const verbatim of ["'select  x  from  y'", '"Mixed  Case"', "E'a\\'b'", '$$ raw  text $$', '@start_ds', '@{name}_suffix', '@IF(@flag, a, b)', "@'templ @{x}'", '{{  jinja_var  }}']) {
        assert.ok(out.includes(verbatim), `${verbatim} is kept in:\n${out}`);
      }
    });

    it('does not depend on the layout it is given', () => {
      const sql = 'with x as (select a, b from t where a > 1 and b < 2) select case when a then 1 when b then 2 end as c, count(*) from x left join y on x.a = y.a group by 1';
      assert.equal(query(scrambled(sql)), query(sql));
    });
  });

  describe('comments', () => {
    it('keeps line and block comments where they stand', () => {
      const text = [
        'MODEL (',
        '  name a.b',
        ');',
        '',
        'SELECT',
        '  a, -- first',
        '  /* second */ b,',
        '  -- on its own line',
        '  c /* inline */ + 1 AS d',
        'FROM t -- the table',
        '/* before the filter */',
        'WHERE x = 1 -- one',
        '  -- and also',
        '  AND y = 2',
        '',
      ].join('\n');
      assert.equal(fmt(text), text);
    });

    it('moves a comma in front of the comments before it, so the comment stays with its item', () => {
      assert.equal(query('select a -- the a\n, b /* the b */\n, c from t'), 'SELECT\n  a, -- the a\n  b, /* the b */\n  c\nFROM t\n');
    });

    it('ends the line after a line comment in the middle of an expression, and indents the rest', () => {
      assert.equal(query('select a + -- why\n b as c from t'), 'SELECT a + -- why\n  b AS c\nFROM t\n');
      assert.equal(query('select x, a + -- why\n b as c from t'), 'SELECT\n  x,\n  a + -- why\n    b AS c\nFROM t\n');
    });

    it('keeps comments between statements and after the query; @DEF goes on one line, other statements stay as written', () => {
      const text = "-- about the model\nMODEL (name a.b); -- header\n\n@DEF(x,  1);\n@DEF(y, 'two' /* why */);\nset  threshold = 1;\n\n/* the query */\nselect @x\n; -- end\n\n-- last words\n";
      assert.equal(fmt(text), "-- about the model\nMODEL (\n  name a.b\n); -- header\n\n@DEF(x, 1);\n@DEF(y, 'two' /* why */);\nset  threshold = 1;\n\n/* the query */\nSELECT @x; -- end\n\n-- last words\n");
    });
  });

  describe('files', () => {
    it('formats a file without a MODEL block (names inferred from the path) and a seed without a query', () => {
      assert.equal(fmt('select a,b from t'), 'SELECT\n  a,\n  b\nFROM t\n');
      assert.equal(fmt("MODEL (name s.t, kind SEED (path 'x.csv'))"), "MODEL (\n  name s.t,\n  kind SEED (\n    path 'x.csv'\n  )\n)\n");
    });

    it('keeps \\r\\n line ends and a byte order mark', () => {
      const result = formatModelText('\ufeffMODEL (name a.b);\r\nselect a,\r\n b from t\r\n');
      assert.ok(result.ok);
      assert.equal(result.text, '\ufeffMODEL (\r\n  name a.b\r\n);\r\n\r\nSELECT\r\n  a,\r\n  b\r\nFROM t\r\n');
    });

    it('reports a file that does not read, with its line and column, and formats nothing', () => {
      const cases: [string, string, number, number][] = [
        ["MODEL (name a.b);\nSELECT 'open FROM t\n", 'unterminated string literal', 2, 8],
        ['MODEL (name a.b);\nSELECT (a + b FROM t\n', '"(" is never closed', 2, 8],
        ['MODEL (name a.b);\nSELECT a) FROM t\n', 'unmatched ")"', 2, 9],
        ["MODEL (name a.b kind FULL);\nSELECT 1\n", `missing "," before 'kind'`, 1, 17],
        ['MODEL (name a.b\nSELECT 1\n', 'the "(" of the MODEL block is never closed', 1, 7],
        ['MODEL (name a.b);\nJINJA_QUERY_BEGIN;\nSELECT {{ x }}\nJINJA_END;\n', 'Jinja blocks are not formatted', 2, 1],
        ['MODEL (name a.b);\nSELECT a {% if x %}, b{% endif %} FROM t\n', 'Jinja blocks ({% ... %}) are not formatted', 2, 10],
        ['MODEL (name a.b);\nSELECT 1 /* open\n', 'unterminated /* comment', 2, 10],
      ];
      for (const [text, message, line, column] of cases) {
        const result = formatModelText(text);
        assert.ok(!result.ok, `${text} is not formatted`);
        assert.deepEqual(result.problem, { message, line, column }, text);
      }
    });

    it('leaves every demo model formatted the same way twice, and the demo style as it is', () => {
      let changedLines = 0;
      for (const file of fs.readdirSync(demoModels, { recursive: true }).map(String).filter((f) => f.endsWith('.sql'))) {
        const text = fs.readFileSync(path.join(demoModels, file), 'utf8');
        const out = fmt(text);
        const before = new Set(text.split('\n'));
        changedLines += out.split('\n').filter((l) => !before.has(l)).length;
        if (['marts/daily_revenue.sql', 'staging/orders.sql', 'staging/customers.sql', 'seeds/order_statuses.sql'].includes(file.split(path.sep).join('/'))) {
          assert.equal(out, text, `${file} is already in the formatter's style`);
        }
        const body = text.slice(text.indexOf(');\n') + 3);
        if (body.trim() !== '') assert.equal(query(scrambled(body)), out.slice(out.indexOf(');\n\n') + 4), `${file} laid out from scratch`);
      }
      // The demo's style is the formatter's: only lists written on one line are split up.
      assert.ok(changedLines <= 20, `${changedLines} lines of the demo change`);
    });
  });

  describe('SQL files of the repository', () => {
    it('formats every SQLMesh fixture model and TPC-H/TPC-DS query, the same way twice', () => {
      const root = path.join(__dirname, '..');
      const dirs = ['models/fixtures/sushi/models', 'fixtures/tpch', 'fixtures/tpcds'].map((d) => path.join(root, d));
      const files = dirs.flatMap((d) => fs.readdirSync(d, { recursive: true }).map((f) => path.join(d, String(f)))).filter((f) => f.endsWith('.sql'));
      assert.ok(files.length >= 50, `${files.length} files`);
      for (const file of files) fmt(fs.readFileSync(file, 'utf8'));
    });
  });

  describe('SQLMesh-style models', () => {
    const customerRevenue = `MODEL (
  name sushi.customer_revenue_by_day,
  kind incremental_by_time_range (
    time_column ds,
    batch_size 10,
  ),
  owner jen,
  cron '@daily',
  grain (customer_id, ds),
);

WITH order_total AS (
  SELECT
    oi.order_id AS order_id,
    SUM(oi.quantity * i.price) AS total,
    oi.ds AS ds
  FROM sushi.order_items AS oi
  LEFT JOIN sushi.items AS i
    ON oi.item_id = i.id AND oi.ds = i.ds
  WHERE
    oi.ds BETWEEN @start_ds AND @end_ds
  GROUP BY
    oi.order_id,
    oi.ds
)
SELECT
  o.customer_id::INT AS customer_id, /* Customer id */
  SUM(ot.total)::DOUBLE AS revenue, /* Revenue from orders made by this customer */
  o.ds::TEXT AS ds /* Date */
FROM sushi.orders AS o
LEFT JOIN order_total AS ot
  ON o.id = ot.order_id AND o.ds = ot.ds
WHERE
  o.ds BETWEEN @start_ds AND @end_ds
GROUP BY
  o.customer_id,
  o.ds
`;

    const waiterNames = `MODEL (
  name sushi.waiter_names,
  kind SEED (
    path '../seeds/waiter_names.csv',
    batch_size 5
  ),
  owner jen,
  grain id,
  description 'List of waiter names'
);
`;

    const latestOrders = `-- Last order per customer, kept up to date by key.
MODEL (name sushi.latest_orders, kind INCREMENTAL_BY_UNIQUE_KEY (unique_key customer_id, when_matched (WHEN MATCHED THEN UPDATE SET target.order_id = source.order_id)), cron '@hourly', start '2023-01-01', audits (unique_values(columns := (customer_id)), not_null(columns := (customer_id, order_id))), physical_properties (ttl = 30));

@DEF(min_amount, 0);

select customer_id, order_id, amount, event_ts
from sushi.orders
where amount > @min_amount and event_ts between @start_ts and @end_ts
qualify row_number() over (partition by customer_id order by event_ts desc) = 1
`;

    it('lays out an incremental model with SQLMesh-style trailing commas and column comments', () => {
      const out = fmt(customerRevenue);
      assert.ok(out.startsWith('MODEL (\n  name sushi.customer_revenue_by_day,\n  kind INCREMENTAL_BY_TIME_RANGE (\n    time_column ds,\n    batch_size 10,\n  ),\n'), out);
      assert.ok(out.includes('  WHERE oi.ds BETWEEN @start_ds AND @end_ds\n  GROUP BY oi.order_id, oi.ds\n)'), out);
      assert.ok(out.includes('  o.customer_id::INT AS customer_id, /* Customer id */\n  SUM(ot.total)::DOUBLE AS revenue, /* Revenue from orders made by this customer */\n  o.ds::TEXT AS ds /* Date */\nFROM sushi.orders AS o\n'), out);
    });

    it('leaves a seed model as it is', () => {
      assert.equal(fmt(waiterNames), waiterNames);
    });

    it('lays out a one-line MODEL block of an INCREMENTAL_BY_UNIQUE_KEY model and its query', () => {
      assert.equal(fmt(latestOrders), `-- Last order per customer, kept up to date by key.
MODEL (
  name sushi.latest_orders,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key customer_id,
    when_matched (WHEN MATCHED THEN UPDATE SET target.order_id = source.order_id)
  ),
  cron '@hourly',
  start '2023-01-01',
  audits (
    unique_values(columns := (customer_id)),
    not_null(columns := (customer_id, order_id))
  ),
  physical_properties (
    ttl = 30
  )
);

@DEF(min_amount, 0);

SELECT
  customer_id,
  order_id,
  amount,
  event_ts
FROM sushi.orders
WHERE amount > @min_amount
  AND event_ts BETWEEN @start_ts AND @end_ts
QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY event_ts DESC) = 1
`);
    });

    it('lays each of them out the same from any starting layout', () => {
      for (const model of [customerRevenue, waiterNames, latestOrders]) {
        const withoutComments = model.replace(/--[^\n]*|\/\*[^]*?\*\//g, '');
        assert.equal(fmt(scrambledModel(withoutComments)), fmt(withoutComments));
      }
    });
  });
});
