// Models in other SQL dialects: the translation is DuckDB SQL that parses and
// runs with the same meaning, and a model declaring `dialect mysql` gets lineage like any other model.

import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { ModelProject } from '../../core/dag/project';
import type { ProjectDiagnostic, TableInfo } from '../../core/dag/types';
import { isSupportedDialect, transpileToDuckDb } from '../../core/sql/dialect';
import { parseSql } from '../../core/sql/duckdbParser';
import { Warehouse } from '../../core/warehouse/connection';

const SHOP = [
  'CREATE SCHEMA shop',
  'CREATE TABLE shop.customers (id INTEGER, name VARCHAR, region VARCHAR)',
  "INSERT INTO shop.customers VALUES (1, 'Ann', 'north'), (2, 'Bo', 'south'), (3, 'Cy', 'north')",
  'CREATE TABLE shop.orders (id INTEGER, customer_id INTEGER, amount DOUBLE, status VARCHAR, ordered_at TIMESTAMP)',
  `INSERT INTO shop.orders VALUES
     (10, 1, 5.0, 'paid', '2024-01-05 10:00'), (11, 1, 7.5, 'paid', '2024-02-01 09:00'),
     (12, 2, 3.0, 'paid', '2024-02-03 12:00'), (13, 3, 4.0, 'paid', '2024-02-20 08:00'),
     (14, 3, 99.0, 'open', '2024-02-21 08:00')`,
];

/** Translates, checks DuckDB parses the result, runs it on the shop tables and returns the rows. */
async function runTranslated(wh: Warehouse, sql: string, dialect: string): Promise<Record<string, unknown>[]> {
  const result = transpileToDuckDb(sql, dialect);
  assert.deepEqual(result.diagnostics, [], `${dialect}: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  assert.equal(result.translated, true);
  const parsed = await parseSql(result.sql);
  assert.deepEqual(parsed.diagnostics.map((d) => d.message), [], `DuckDB rejects ${result.sql}`);
  return wh.json(result.sql);
}

describe('transpileToDuckDb', function () {
  this.timeout(20_000);
  let wh: Warehouse;

  before(async () => {
    wh = await Warehouse.open(':memory:');
    for (const statement of SHOP) await wh.run(statement);
  });
  after(() => wh.close());

  it('returns DuckDB SQL, and a query without a dialect, unchanged', () => {
    const sql = 'SELECT `weird` FROM t LIMIT 1, 2';
    for (const dialect of ['duckdb', 'DuckDB', '', undefined]) {
      const result = transpileToDuckDb(sql, dialect);
      assert.deepEqual([result.sql, result.diagnostics, result.translated], [sql, [], false]);
    }
  });

  it('warns about a dialect it cannot translate and passes the text through', () => {
    const result = transpileToDuckDb('SELECT 1 FROM dual', 'oracle');
    assert.equal(result.sql, 'SELECT 1 FROM dual');
    assert.equal(result.translated, false);
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0].severity, 'warning');
    assert.match(result.diagnostics[0].message, /dialect 'oracle' cannot be translated .*read as DuckDB SQL/);
    assert.equal(isSupportedDialect('oracle'), false);
    assert.equal(isSupportedDialect('TSQL'), true);
  });

  it('mysql: backticks, "strings", LIMIT offset, count and || as OR', async () => {
    const rows = await runTranslated(
      wh,
      `SELECT \`c\`.\`name\`, SUM(\`o\`.\`amount\`) AS total, "it's" AS note
       FROM \`shop\`.\`customers\` AS c JOIN \`shop\`.\`orders\` o ON o.customer_id = c.id
       WHERE o.status = 'paid' || o.amount > 1000
       GROUP BY c.name ORDER BY total DESC LIMIT 1, 2`,
      'mysql',
    );
    // Totals: Ann 12.5, Cy 4, Bo 3; skipping one leaves the next two.
    assert.deepEqual(rows, [
      { name: 'Cy', total: 4, note: "it's" },
      { name: 'Bo', total: 3, note: "it's" },
    ]);
  });

  it('mysql: backslash escapes in strings mean the characters they stand for', async () => {
    const rows = await runTranslated(wh, String.raw`SELECT 'a\'b' AS q, "back\\slash" AS s, 'x''y' AS d`, 'mysql');
    assert.deepEqual(rows, [{ q: "a'b", s: 'back\\slash', d: "x'y" }]);
  });

  it('bigquery: `project.dataset.table` is the DuckDB table dataset.table; EXCEPT, SAFE_CAST, DATE_TRUNC', async () => {
    const sql = `SELECT * EXCEPT (ordered_at), SAFE_CAST("x" AS INT64) AS bad, DATE_TRUNC(ordered_at, MONTH) AS month
       FROM (SELECT c.name, o.ordered_at FROM \`my-project.shop.orders\` o
             JOIN \`my-project\`.shop.customers AS c ON c.id = o.customer_id)
       WHERE name = "Ann" ORDER BY month`;
    assert.match(transpileToDuckDb(sql, 'bigquery').sql, /FROM "shop"\."orders" o\s+JOIN shop\.customers AS c/);
    const rows = await runTranslated(wh, sql, 'bigquery');
    assert.deepEqual(rows, [
      // BigQuery's DATE_TRUNC gives a DATE.
      { name: 'Ann', bad: null, month: '2024-01-01' },
      { name: 'Ann', bad: null, month: '2024-02-01' },
    ]);
  });

  it('tsql: TOP, [brackets], + on strings, ISNULL, table hints and a database part', async () => {
    const rows = await runTranslated(
      wh,
      `SELECT TOP 2 [c].[name] + ' (' + [c].[region] + ')' AS [label], ISNULL(NULL, 0) AS zero
       FROM [warehouse].[shop].[customers] AS [c] WITH (NOLOCK) ORDER BY [c].[id]`,
      'tsql',
    );
    assert.deepEqual(rows, [
      { label: 'Ann (north)', zero: 0 },
      { label: 'Bo (south)', zero: 0 },
    ]);
  });

  it('tsql: TOP ... PERCENT is an error, not a silent change of meaning', () => {
    const result = transpileToDuckDb('SELECT TOP 10 PERCENT name FROM shop.customers', 'tsql');
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0].severity, 'error');
    assert.equal(result.diagnostics[0].column, 8);
    assert.match(result.diagnostics[0].message, /TOP \.\.\. PERCENT/);
  });

  it('snowflake: db.schema.table, IFF, NVL, QUALIFY and ::casts', async () => {
    const rows = await runTranslated(
      wh,
      `SELECT c.name, IFF(o.amount > 5, 'big', 'small') AS size, NVL(NULL, o.id::varchar) AS ref
       FROM warehouse.shop.orders o JOIN shop.customers c ON c.id = o.customer_id
       WHERE o.status = 'paid'
       QUALIFY ROW_NUMBER() OVER (PARTITION BY c.name ORDER BY o.amount DESC) = 1
       ORDER BY c.name`,
      'snowflake',
    );
    assert.deepEqual(rows, [
      { name: 'Ann', size: 'big', ref: '11' },
      { name: 'Bo', size: 'small', ref: '12' },
      { name: 'Cy', size: 'small', ref: '13' },
    ]);
  });

  it('postgres: ::casts, ||, ILIKE and LIMIT ... OFFSET', async () => {
    const rows = await runTranslated(
      wh,
      "SELECT name::text AS n, region || '!' AS r FROM shop.customers WHERE name ILIKE '%y' OR name ILIKE 'a%' ORDER BY id LIMIT 5 OFFSET 1",
      'postgres',
    );
    assert.deepEqual(rows, [{ n: 'Cy', r: 'north!' }]);
  });

  it('leaves syntax errors to DuckDB and copies what it does not rewrite, so positions map back', () => {
    const sql = 'SELECT id,\n  `name`\nFROM t\nWHERE id = = 3';
    const result = transpileToDuckDb(sql, 'mysql');
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.sql, 'SELECT id,\n  "name"\nFROM t\nWHERE id = = 3');
    // The second = is copied: its offset in the translation maps to its offset in the input.
    const at = result.sql.lastIndexOf('=');
    const seg = result.segments.find((s) => s.outStart <= at && at < s.outEnd)!;
    assert.equal(seg.kind, 'copy');
    assert.equal(seg.fileStart + (at - seg.outStart), sql.lastIndexOf('='));
  });

});

describe('models in another dialect', function () {
  this.timeout(20_000);
  const dir = path.join(os.tmpdir(), 'sluice-dialect-project');
  const externals: TableInfo[] = [
    { key: 'raw.customers', kind: 'external', columns: [{ name: 'id', type: 'INTEGER' }, { name: 'name', type: 'VARCHAR' }, { name: 'region', type: 'VARCHAR' }] },
    { key: 'raw.orders', kind: 'external', columns: [{ name: 'id', type: 'INTEGER' }, { name: 'customer_id', type: 'INTEGER' }, { name: 'amount', type: 'DOUBLE' }, { name: 'status', type: 'VARCHAR' }] },
  ];
  const inputs = { externals, sources: [], sourceModules: [], diagnostics: [] };
  const mysqlModel = `MODEL (
  name shop.top_customers,
  dialect mysql
);

SELECT \`c\`.\`id\` AS customer_id,
  CONCAT(\`c\`.\`name\`, " (", c.region, ")") AS label,
  SUM(o.amount) AS total
FROM \`raw\`.\`customers\` AS c
JOIN \`raw\`.\`orders\` o ON o.customer_id = c.id
WHERE o.status = "paid"
GROUP BY c.id, c.name, c.region
ORDER BY total DESC
LIMIT 0, 10
`;
  const report = 'MODEL (name shop.report);\nSELECT * FROM shop.top_customers\n';
  const problems = (models: ModelProject, severity: ProjectDiagnostic['severity']) => models.diagnostics().filter((d) => d.severity === severity);

  it('gets column lineage, dependencies and downstream * expansion like any other model', async () => {
    const models = await ModelProject.fromTexts(dir, [
      { file: 'models/top_customers.sql', text: mysqlModel },
      { file: 'models/report.sql', text: report },
    ], inputs);
    assert.deepEqual(problems(models, 'error'), []);
    const model = models.model('shop.top_customers')!;
    assert.deepEqual(model.upstream, ['raw.customers', 'raw.orders']);
    assert.deepEqual(model.columns.map((c) => c.name), ['customer_id', 'label', 'total']);
    assert.deepEqual(models.columnLineage('shop.top_customers', 'label')?.sources, ['raw.customers.name', 'raw.customers.region']);
    assert.deepEqual(models.columnLineage('shop.top_customers', 'total')?.sources, ['raw.orders.amount']);
    assert.ok(models.columnLineage('shop.top_customers', 'total')?.filters.includes('raw.orders.status'));
    assert.deepEqual(models.model('shop.report')!.columns.map((c) => c.name), ['customer_id', 'label', 'total']);
    assert.deepEqual(models.columnLineage('shop.report', 'label', { deep: true })?.sources, ['raw.customers.name', 'raw.customers.region']);
  });

  it('reports a syntax error of the dialect at its line in the model file, with no lineage', async () => {
    const broken = 'MODEL (\n  name shop.broken,\n  dialect mysql\n);\n\nSELECT id,\n  name\nFROM `raw`.`customers`\nWHERE id = = 3\n';
    const models = await ModelProject.fromTexts(dir, [{ file: 'models/broken.sql', text: broken }], inputs);
    const errors = problems(models, 'error');
    assert.equal(errors.length, 1, errors.map((d) => d.message).join('; '));
    assert.match(errors[0].message, /^syntax error at or near "=" \(the mysql query is read as DuckDB SQL/);
    assert.deepEqual([errors[0].start.line, errors[0].start.column], [9, 12]);
    assert.deepEqual(models.model('shop.broken')!.lineage, []);
  });

  it('reports what DuckDB rejects in the translation where it is in the file, with a note', async () => {
    const locking = 'MODEL (\n  name shop.locking,\n  dialect mysql\n);\n\nSELECT id\nFROM `raw`.`customers`\nFOR UPDATE\n';
    const models = await ModelProject.fromTexts(dir, [{ file: 'models/locking.sql', text: locking }], inputs);
    const errors = problems(models, 'error');
    assert.equal(errors.length, 1, errors.map((d) => d.message).join('; '));
    assert.match(errors[0].message, /locking clause .*the mysql query is read as DuckDB SQL after Sluice's translation/);
    assert.deepEqual([errors[0].start.line, errors[0].start.column], [6, 1]);
  });

  it('places errors after macros and rewritten text at the file position, and finds functions DuckDB lacks', async () => {
    // Macros expand to longer text and the translation rewrites backticks, nvl and date_add before the errors.
    const text = [
      'MODEL (name shop.spark_daily, kind INCREMENTAL_BY_TIME_RANGE (time_column d), dialect spark);',
      'SELECT `id`, nvl(name, "?") AS name, date_add(CAST(@start_ds AS DATE), 1) AS d,',
      '  collect_list(region) AS regions',
      'FROM raw.customers WHERE region BETWEEN @start_ds AND @end_ds AND nope > 1',
      'GROUP BY id, name',
    ].join('\n');
    const models = await ModelProject.fromTexts(dir, [{ file: 'models/spark_daily.sql', text }], inputs);
    const errors = problems(models, 'error').map((d) => [d.start.line, d.start.column, d.message]);
    const lines = text.split('\n');
    assert.deepEqual(errors.map(([line, column]) => [line, column]), [
      [3, lines[2].indexOf('collect_list') + 1],
      [4, lines[3].indexOf('nope') + 1],
    ]);
    assert.match(String(errors[0][2]), /^collect_list is not a DuckDB function, and Sluice has no translation of it from spark/);
    assert.match(String(errors[1][2]), /nope/);
  });

  it('reads a model in an unknown dialect as DuckDB SQL, with a warning', async () => {
    const oracle = 'MODEL (name shop.plain, dialect oracle);\nSELECT id, name FROM raw.customers\n';
    const models = await ModelProject.fromTexts(dir, [{ file: 'models/plain.sql', text: oracle }], inputs);
    assert.deepEqual(problems(models, 'error'), []);
    assert.ok(problems(models, 'warning').some((d) => /oracle/.test(d.message)));
    assert.deepEqual(models.columnLineage('shop.plain', 'name')?.sources, ['raw.customers.name']);
  });
});
