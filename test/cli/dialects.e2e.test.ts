// A SQLMesh-shaped project whose models are written in Hive (the project's default dialect, as in SQLMesh's
// sushi example), Spark, BigQuery and Snowflake SQL, planned and applied through the built CLI: the tables
// in the DuckDB file hold what the dialects compute, lineage crosses the translated models, and a construct
// with no DuckDB translation is reported at its file:line:col with the model left out.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { query, repoRoot, runCli, runCliJson } from '../helpers/project';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'sqlmesh-dialects');

describe('models in Hive, Spark, BigQuery and Snowflake SQL, through the CLI', function () {
  this.timeout(120_000);
  let dir: string;
  let warehouse: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-dialects-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    warehouse = path.join(dir, 'warehouse.duckdb');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('plans every model with nothing left out', () => {
    const plan = runCliJson(['plan', '--strict'], dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(plan.json.held_back ?? [], []);
    assert.deepEqual([...plan.json.build].sort(), [
      'marts.customer_report', 'marts.top_waiters', 'raw.items', 'raw.order_items', 'raw.orders',
      'sushi.customer_revenue_by_day', 'sushi.item_prices', 'sushi.orders_enriched',
    ]);
    assert.doesNotMatch(plan.stderr, /error|syntax/i);
  });

  it('applies them, and the tables hold what the dialects compute', async () => {
    const apply = runCliJson(['apply', '--execution-time', '2024-01-04'], dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.deepEqual(apply.json.result.processed.map((p: any) => [p.model, p.intervals]), [['sushi.customer_revenue_by_day', [['2024-01-01', '2024-01-03']]]]);

    // Hive: x::INT, "country code" (a string, used as the alias), a trailing comma, datediff(end, start).
    assert.deepEqual(
      await query(warehouse, 'SELECT customer_id, revenue, "country code" AS cc, days_open::INT AS days, CAST(event_date AS VARCHAR) AS day FROM sushi.customer_revenue_by_day ORDER BY day, customer_id'),
      [
        { customer_id: 1, revenue: 15, cc: 0, days: 0, day: '2024-01-01' },
        { customer_id: 2, revenue: 18, cc: 0, days: 0, day: '2024-01-01' },
        { customer_id: 1, revenue: 4.5, cc: 0, days: 1, day: '2024-01-02' },
        { customer_id: 3, revenue: 37, cc: 0, days: 2, day: '2024-01-03' },
      ],
    );
    // Spark: * EXCEPT drops the column; date_format's Java pattern, nvl with a "string", date_add in days.
    const enriched = await query(warehouse, 'SELECT * FROM sushi.orders_enriched ORDER BY id');
    assert.deepEqual(Object.keys(enriched[0]), ['id', 'customer_id', 'waiter_id', 'event_date', 'month', 'note', 'follow_up_on']);
    assert.deepEqual(enriched.map((r) => [r.month, r.note, String(r.follow_up_on)]), [
      ['2024-01', 'vip', '2024-01-08'],
      ['2024-01', 'none', '2024-01-08'],
      ['2024-01', 'late', '2024-01-09'],
      ['2024-01', 'none', '2024-01-10'],
    ]);
    // BigQuery: `project.dataset.table`, SAFE_CAST, DATE_TRUNC(d, MONTH) as a DATE, FORMAT_DATE, QUALIFY.
    assert.deepEqual(
      await query(warehouse, 'SELECT item_id::INT AS item_id, price, CAST(added_month AS VARCHAR) AS month, added_label, typeof(added_month) AS t FROM sushi.item_prices ORDER BY item_id'),
      [
        { item_id: 1, price: 4.5, month: '2023-12-01', added_label: '2023/12/01', t: 'DATE' },
        { item_id: 2, price: 6, month: '2023-12-01', added_label: '2023/12/15', t: 'DATE' },
        { item_id: 3, price: 9.25, month: '2024-01-01', added_label: '2024/01/02', t: 'DATE' },
      ],
    );
    // Snowflake: IFF, DATEADD(day, ...), DATEDIFF(day, ...), QUALIFY.
    assert.deepEqual(
      await query(warehouse, 'SELECT waiter_id, orders::INT AS orders, "load", CAST(next_shift AS DATE)::VARCHAR AS next_shift, span_days::INT AS span FROM marts.top_waiters ORDER BY waiter_id'),
      [
        { waiter_id: 10, orders: 2, load: 'busy', next_shift: '2024-01-02', span: 0 },
        { waiter_id: 11, orders: 2, load: 'busy', next_shift: '2024-01-04', span: 1 },
      ],
    );
    // DuckDB SQL over the translated models.
    assert.deepEqual(await query(warehouse, 'SELECT customer_id, revenue, note FROM marts.customer_report ORDER BY customer_id'), [
      { customer_id: 1, revenue: 39, note: 'vip' },
      { customer_id: 2, revenue: 18, note: 'none' },
      { customer_id: 3, revenue: 37, note: 'none' },
    ]);
  });

  it('traces lineage through the translated models down to the seeds', () => {
    const run = runCliJson(['lineage'], dir);
    assert.equal(run.code, 0, run.stderr);
    const sources = (model: string, column: string) => run.json.models[model].columns[column].sources;
    assert.deepEqual(sources('sushi.customer_revenue_by_day', 'revenue'), ['raw.items.price', 'raw.order_items.quantity']);
    assert.deepEqual(sources('sushi.customer_revenue_by_day', 'days_open'), ['raw.orders.event_date']);
    assert.deepEqual(sources('sushi.orders_enriched', 'note'), ['raw.orders.internal_note']);
    assert.deepEqual(sources('sushi.orders_enriched', 'month'), ['raw.orders.event_date']);
    assert.equal(run.json.models['sushi.orders_enriched'].columns.internal_note, undefined);
    assert.deepEqual(sources('sushi.item_prices', 'added_month'), ['raw.items.added_at']);
    assert.deepEqual(sources('marts.top_waiters', 'next_shift'), ['sushi.orders_enriched.event_date']);
    const deep = runCliJson(['lineage', 'marts.top_waiters.span_days', '--deep'], dir);
    assert.equal(deep.code, 0, deep.stderr);
    assert.match(JSON.stringify(deep.json), /raw\.orders\.event_date/);
  });

  it('sluice render prints the DuckDB translation apply runs, and --dialect renders it for another engine', () => {
    const run = runCli(['render', 'sushi.orders_enriched'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      [
        'SELECT',
        '  * EXCLUDE (internal_note),',
        `  strftime("event_date", '%Y-%m') AS "month",`,
        "  coalesce(internal_note, 'none') AS note,",
        '  (CAST(event_date AS DATE) + CAST(7 AS INTEGER)) AS follow_up_on',
        'FROM raw.orders',
        '',
      ].join('\n'),
    );
    const postgres = runCli(['render', 'marts.top_waiters', '--dialect', 'postgres'], dir);
    assert.equal(postgres.code, 0, postgres.stderr);
    assert.match(postgres.stdout, /FROM "sushi"\."orders_enriched" AS "o"/);
    // What PostgreSQL lacks is reported where it is written, through the translation: SAFE_CAST on line 10.
    const refused = runCli(['render', 'sushi.item_prices', '--dialect', 'postgres'], dir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /models\/item_prices\.sql:10:3: PostgreSQL has no TRY_CAST/);
  });

  it('reports what cannot be translated at its file:line:col and leaves the model and its readers out', () => {
    fs.writeFileSync(
      path.join(dir, 'models', 'marts', 'waiter_tags.sql'),
      'MODEL (\n  name marts.waiter_tags,\n  dialect snowflake\n);\n\nSELECT\n  waiter_id,\n  tags:favourite AS favourite\nFROM marts.top_waiters\n',
    );
    fs.writeFileSync(
      path.join(dir, 'models', 'marts', 'months.sql'),
      "MODEL (name marts.months);\n\nSELECT id,\n  months_between(event_date, '2024-01-01') AS age\nFROM raw.orders\n",
    );
    fs.writeFileSync(path.join(dir, 'models', 'marts', 'tag_report.sql'), 'MODEL (name marts.tag_report, dialect duckdb);\nSELECT * FROM marts.waiter_tags\n');
    const plan = runCliJson(['plan'], dir);
    assert.equal(plan.code, 0, plan.stderr);
    const held = Object.fromEntries(plan.json.held_back.map((h: any) => [h.model, h]));
    assert.deepEqual(Object.keys(held).sort(), ['marts.months', 'marts.tag_report', 'marts.waiter_tags']);
    assert.match(held['marts.waiter_tags'].reason, /^models\/marts\/waiter_tags\.sql:8:7: Snowflake's value:path access of semi-structured data has no DuckDB translation/);
    // The project's default dialect is hive; DuckDB has no months_between.
    assert.match(held['marts.months'].reason, /^models\/marts\/months\.sql:4:3: months_between is not a DuckDB function, and Sluice has no translation of it from hive/);
    assert.equal(held['marts.tag_report'].reason, 'reads marts.waiter_tags, which is left out');

    const strict = runCli(['plan', '--strict'], dir);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr + strict.stdout, /models\/marts\/waiter_tags\.sql:8:7/);
  });
});
