import { strict as assert } from 'node:assert';
import { parseTestFile } from '../../core/quality/testFile';
import { indexModels, runUnitTest, TestSandbox } from '../../core/quality/unitTest';
import type { TestResult } from '../../core/quality/types';
import { describeDiagnostics, model, tempProject } from './helpers';

const REVENUE = model(
  `MODEL (name analytics.daily_revenue, kind FULL);

@DEF(min_amount, 0);

WITH paid_orders AS (
  SELECT id, amount, ordered_at
  FROM shop.orders
  WHERE status = 'paid' AND amount >= @min_amount
)
SELECT ordered_at AS day, SUM(amount) AS revenue, COUNT(*) AS orders
FROM paid_orders
GROUP BY ordered_at`,
  'models/daily_revenue.sql',
);

const ORDERS_INPUT = `
  inputs:
    shop.orders:
      rows:
        - { id: 1, amount: 10.5, status: paid, ordered_at: 2024-01-01 }
        - { id: 2, amount: 4.5, status: paid, ordered_at: 2024-01-01 }
        - { id: 3, amount: 20, status: open, ordered_at: 2024-01-02 }
        - { id: 4, amount: 7, status: paid, ordered_at: 2024-01-02 }`;

describe('quality: model unit tests', () => {
  let sandbox: TestSandbox;
  before(async () => {
    sandbox = await TestSandbox.open();
  });
  after(() => sandbox.close());

  /** Runs the only test in `yaml` against the given models. */
  async function run(yaml: string, models = [REVENUE], baseDir = '/nonexistent'): Promise<TestResult> {
    const parsed = parseTestFile(yaml, 'tests/test_it.yaml', baseDir);
    assert.deepEqual(describeDiagnostics(parsed.diagnostics), []);
    assert.equal(parsed.tests.length, 1);
    return runUnitTest(parsed.tests[0], indexModels(models), { sandbox });
  }

  function passed(result: TestResult): void {
    assert.equal(result.status, 'passed', `${result.message}\n${result.mismatches.map((m) => m.diff).join('\n')}`);
  }

  it('passes when the query returns the expected rows, in any order', async () => {
    const result = await run(`
test_revenue:
  model: analytics.daily_revenue
${ORDERS_INPUT}
  outputs:
    query:
      rows:
        - { day: 2024-01-02, revenue: 7, orders: 1 }
        - { day: 2024-01-01, revenue: 15.0, orders: 2 }`);
    passed(result);
    assert.equal(result.mismatches.length, 0);
  });

  it('fails with a readable row diff', async () => {
    const result = await run(`
test_revenue:
  model: analytics.daily_revenue
${ORDERS_INPUT}
  outputs:
    query:
      - { day: 2024-01-01, revenue: 16, orders: 2 }
      - { day: 2024-01-03, revenue: 1, orders: 1 }`);
    assert.equal(result.status, 'failed');
    assert.equal(result.message, 'test test_revenue (tests/test_it.yaml:2:1): query did not match');
    assert.equal(
      result.mismatches[0].diff,
      [
        'outputs.query: 1 row differs, 1 missing, 1 unexpected (2 expected rows, 2 actual; order ignored)',
        '  row with day=2024-01-01, orders=2: revenue: expected 16, actual 15',
        '  missing row:    day=2024-01-03, revenue=1, orders=1',
        '  unexpected row: day=2024-01-02, revenue=7, orders=1',
      ].join('\n'),
    );
  });

  it('checks CTE outputs, on their own or with the query', async () => {
    const result = await run(`
test_ctes:
  model: analytics.daily_revenue
${ORDERS_INPUT}
  outputs:
    ctes:
      paid_orders:
        rows:
          - { id: 1, amount: 10.5, ordered_at: 2024-01-01 }
          - { id: 2, amount: 4.5, ordered_at: 2024-01-01 }
          - { id: 4, amount: 7, ordered_at: 2024-01-02 }`);
    passed(result);

    const wrong = await run(`
test_ctes:
  model: analytics.daily_revenue
${ORDERS_INPUT}
  outputs:
    ctes:
      PAID_ORDERS:
        partial: true
        rows: [{ id: 1 }, { id: 3 }]
    query:
      partial: true
      rows: [{ day: 2024-01-01 }, { day: 2024-01-02 }]`);
    assert.equal(wrong.status, 'failed');
    assert.deepEqual(wrong.mismatches.map((m) => m.output), ['cte PAID_ORDERS']);
    assert.equal(
      wrong.mismatches[0].diff,
      [
        'outputs.ctes.PAID_ORDERS: 1 missing, 2 unexpected (2 expected rows, 3 actual; order ignored)',
        '  missing row:    id=3',
        '  unexpected row: id=2',
        '  unexpected row: id=4',
      ].join('\n'),
    );
  });

  it('an unknown CTE name is an error naming the CTEs there are', async () => {
    const result = await run(`
test_ctes:
  model: analytics.daily_revenue
${ORDERS_INPUT}
  outputs:
    ctes:
      nope: { rows: [] }`);
    assert.equal(result.status, 'error');
    assert.match(result.message ?? '', /model analytics\.daily_revenue has no CTE named nope \(its CTEs: paid_orders\)$/);
  });

  it('vars feed @VAR(...) and macro variables; start and end feed @start_ds and @end_ds', async () => {
    const withVar = model(
      `MODEL (name analytics.big_orders);
SELECT id FROM shop.orders WHERE amount >= @VAR('min_amount', 0) AND ordered_at BETWEEN @start_ds AND @end_ds`,
    );
    const result = await run(
      `
test_vars:
  model: analytics.big_orders
  vars: { min_amount: 10, start: 2024-01-02, end: 2024-01-02 }
${ORDERS_INPUT}
  outputs:
    query: [{ id: 3 }]`,
      [withVar],
    );
    passed(result);

    const predefinedNames = await run(
      `
test_vars:
  model: analytics.big_orders
  vars: { min_amount: 5, start_ds: 2024-01-01, end_ds: 2024-01-01 }
${ORDERS_INPUT}
  outputs:
    query: [{ id: 1 }]`,
      [withVar],
    );
    passed(predefinedNames);
  });

  it('without partial, columns left out of the expected rows must be NULL; with partial they are ignored', async () => {
    const strict = await run(`
test_omitted:
  model: analytics.daily_revenue
${ORDERS_INPUT}
  outputs:
    query:
      - { day: 2024-01-01, revenue: 15 }
      - { day: 2024-01-02, revenue: 7 }`);
    assert.equal(strict.status, 'failed');
    assert.match(strict.mismatches[0].diff, /row with day=2024-01-01, revenue=15: orders: expected NULL, actual 2/);

    const partial = await run(`
test_partial:
  model: analytics.daily_revenue
${ORDERS_INPUT}
  outputs:
    partial: true
    query:
      - { day: 2024-01-01, revenue: 15 }
      - { day: 2024-01-02, revenue: 7 }`);
    passed(partial);
  });

  it('an expected column the query does not return fails with the columns it has', async () => {
    const result = await run(`
test_typo:
  model: analytics.daily_revenue
${ORDERS_INPUT}
  outputs:
    query: [{ day: 2024-01-01, revenu: 15, orders: 2 }]`);
    assert.equal(result.status, 'failed');
    assert.equal(result.mismatches[0].diff, 'outputs.query: expected column revenu is not in the result (its columns are day, revenue, orders)');
  });

  it('compares dates, timestamps, decimals and doubles by value', async () => {
    const typed = model(
      `MODEL (name analytics.typed);
SELECT
  CAST(ordered_at AS DATE) AS day,
  ordered_at AS at,
  CAST(amount AS DECIMAL(10, 2)) AS amount,
  amount / 3 AS third,
  CAST(ordered_at AS TIMESTAMPTZ) AS at_utc
FROM shop.orders`,
    );
    const result = await run(
      `
test_types:
  model: analytics.typed
  inputs:
    shop.orders:
      rows:
        - { ordered_at: 2024-01-01 10:30:00, amount: 10 }
  outputs:
    query:
      - day: "2024-01-01"
        at: 2024-01-01T10:30:00
        amount: 10.0
        third: 3.3333333
        at_utc: 2024-01-01 10:30:00+00:00`,
      [typed],
    );
    passed(result);

    const off = await run(
      `
test_types:
  model: analytics.typed
  inputs:
    shop.orders:
      rows:
        - { ordered_at: 2024-01-01 10:30:00, amount: 10 }
  outputs:
    query:
      - { day: 2024-01-02, at: 2024-01-01 10:30:01, amount: 10.01, third: 3.34, at_utc: 2024-01-01 10:30:00 }`,
      [typed],
    );
    assert.equal(off.status, 'failed');
    assert.equal(
      off.mismatches[0].diff.split('\n')[1],
      '  row with at_utc=2024-01-01 10:30:00+00: day: expected 2024-01-02, actual 2024-01-01; at: expected 2024-01-01 10:30:01, actual 2024-01-01 10:30:00; amount: expected 10.01, actual 10.00; third: expected 3.34, actual 3.3333333333333335',
    );
  });

  it('uses declared column types from columns:, else from the upstream model', async () => {
    const upstream = model('MODEL (name shop.orders, kind FULL, columns (id BIGINT, amount DECIMAL(12, 3)));\nSELECT 1 AS id, 1.0 AS amount');
    const typeOf = model('MODEL (name analytics.types);\nSELECT typeof(id) AS id_type, typeof(amount) AS amount_type, typeof(note) AS note_type FROM shop.orders');
    const result = await run(
      `
test_types:
  model: analytics.types
  inputs:
    shop.orders:
      columns: { note: VARCHAR }
      rows:
        - { id: 1, amount: 2.5 }
  outputs:
    query: [{ id_type: BIGINT, amount_type: "DECIMAL(12,3)", note_type: VARCHAR }]`,
      [typeOf, upstream],
    );
    passed(result);
  });

  it('a model that is not defined is a clear error', async () => {
    const result = await run(`
test_missing:
  model: analytics.nope
  outputs:
    query: []`);
    assert.equal(result.status, 'error');
    assert.equal(result.message, 'test test_missing (tests/test_it.yaml:2:1): model analytics.nope is not defined in models/');
  });

  it('a table the model reads without an input, or an input it does not read, is an error', async () => {
    const missing = await run(`
test_no_input:
  model: analytics.daily_revenue
  outputs:
    query: []`);
    assert.equal(missing.status, 'error');
    assert.match(missing.message ?? '', /model analytics\.daily_revenue reads shop\.orders, but the test has no input for it; add it under inputs:$/);

    const extra = await run(`
test_extra_input:
  model: analytics.daily_revenue
${ORDERS_INPUT}
    shop.ordrs:
      rows: [{ id: 1 }]
  outputs:
    query: []`);
    assert.equal(extra.status, 'error');
    assert.match(extra.message ?? '', /input shop\.ordrs is not read by model analytics\.daily_revenue \(it reads shop\.orders\)$/);
  });

  it('ORDER BY makes row order part of the expectation', async () => {
    const ordered = model('MODEL (name analytics.ranked);\nSELECT id FROM shop.orders ORDER BY id DESC');
    const unordered = model('MODEL (name analytics.unranked);\nSELECT id FROM shop.orders WHERE id IN (SELECT id FROM shop.orders ORDER BY id)');
    const test = (name: string) => `
test_order:
  model: ${name}
${ORDERS_INPUT}
  outputs:
    query: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]`;
    const wrongOrder = await run(test('analytics.ranked'), [ordered]);
    assert.equal(wrongOrder.status, 'failed');
    assert.equal(
      wrongOrder.mismatches[0].diff,
      [
        'outputs.query: 4 rows differ (4 expected rows, 4 actual; compared in ORDER BY order)',
        '  row 1: id: expected 1, actual 4',
        '  row 2: id: expected 2, actual 3',
        '  row 3: id: expected 3, actual 2',
        '  row 4: id: expected 4, actual 1',
      ].join('\n'),
    );
    passed(await run(test('analytics.unranked'), [unordered]));
  });

  it('execution_time freezes CURRENT_DATE, now() and @execution_ds', async () => {
    const clock = model("MODEL (name analytics.clock);\nSELECT CURRENT_DATE AS today, now() AS right_now, @execution_ds AS ds, 'CURRENT_DATE' AS text");
    const result = await run(
      `
test_clock:
  model: analytics.clock
  vars: { execution_time: "2023-01-01 12:05:03+02:00" }
  outputs:
    query: [{ today: 2023-01-01, right_now: 2023-01-01 10:05:03, ds: "2023-01-01", text: CURRENT_DATE }]`,
      [clock],
    );
    passed(result);
  });

  it('reads CSV rows and query inputs', async () => {
    const result = await run(`
test_formats:
  model: analytics.daily_revenue
  inputs:
    shop.orders:
      format: csv
      rows: |
        id,amount,status,ordered_at
        1,10.5,paid,2024-01-01
        2,"4.5",paid,2024-01-01
  outputs:
    query:
      query: SELECT DATE '2024-01-01' AS day, 15 AS revenue, 2 AS orders`);
    passed(result);

    const fromQuery = await run(`
test_formats:
  model: analytics.daily_revenue
  inputs:
    shop.orders:
      query: SELECT 1 AS id, 3.5 AS amount, 'paid' AS status, DATE '2024-03-01' AS ordered_at
  outputs:
    query: [{ day: 2024-03-01, revenue: 3.5, orders: 1 }]`);
    passed(fromQuery);
  });

  it('reads rows from a file given by path, relative to the project', async () => {
    const project = tempProject({ 'tests/data/orders.csv': 'id,amount,status,ordered_at\n1,2,paid,2024-01-05\n' });
    try {
      const result = await run(
        `
test_path:
  model: analytics.daily_revenue
  inputs:
    shop.orders: { format: csv, path: tests/data/orders.csv }
  outputs:
    query: [{ day: 2024-01-05, revenue: 2, orders: 1 }]`,
        [REVENUE],
        project.dir,
      );
      passed(result);
    } finally {
      project.cleanup();
    }
  });

  it('values that do not fit their column type are reported with row and column', async () => {
    const result = await run(`
test_bad_value:
  model: analytics.daily_revenue
  inputs:
    shop.orders:
      columns: { ordered_at: DATE }
      rows:
        - { id: 1, amount: 1, status: paid, ordered_at: 2024-01-01 }
        - { id: 2, amount: 1, status: paid, ordered_at: yesterday }
  outputs:
    query: []`);
    assert.equal(result.status, 'error');
    assert.match(result.message ?? '', /input shop\.orders, row 2, column ordered_at: "yesterday" is not a valid DATE \(/);

    const mixed = await run(`
test_mixed:
  model: analytics.daily_revenue
  inputs:
    shop.orders:
      rows:
        - { id: 1, amount: 1, status: paid, ordered_at: 2024-01-01 }
        - { id: "two", amount: 1, status: paid, ordered_at: 2024-01-01 }
  outputs:
    query: []`);
    assert.equal(mixed.status, 'error');
    assert.match(mixed.message ?? '', /input shop\.orders: column id mixes INTEGER \(row 1\) and VARCHAR \(row 2\); give its type under columns:$/);
  });

  it('a model with macro errors is reported at the model file position', async () => {
    const broken = model('MODEL (name analytics.broken);\nSELECT @undefined_thing AS x FROM shop.orders', 'models/broken.sql');
    const result = await run(
      `
test_broken:
  model: analytics.broken
${ORDERS_INPUT}
  outputs:
    query: []`,
      [broken],
    );
    assert.equal(result.status, 'error');
    assert.match(result.message ?? '', /models\/broken\.sql:2:8: macro variable @undefined_thing is not defined/);
  });
});

describe('quality: test file structure', () => {
  const diagnostics = (text: string) => describeDiagnostics(parseTestFile(text, 'tests/test_x.yaml', '/p').diagnostics);

  it('YAML syntax errors have positions', () => {
    assert.deepEqual(diagnostics('test_a:\n  model: a.b\n  outputs:\n    query: [{ a: 1 }\n  inputs: {}\n'), [
      'tests/test_x.yaml:5:3 error YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    assert.deepEqual(diagnostics('test_a:\n  model: a.b\n   bad: indent\n  outputs: { query: [] }\n')[0], 'tests/test_x.yaml:2:10 error YAML: Nested mappings are not allowed in compact mappings');
    assert.deepEqual(diagnostics('test_a:\n  model: a.b\n  model: c.d\n  outputs: { query: [] }\n').map((d) => d.split(' error ')[0]), ['tests/test_x.yaml:3:3']);
  });

  it('structural problems are reported where they are, and the test is left out', () => {
    const parsed = parseTestFile(
      [
        'test_a:',
        '  inputs:',
        '    shop.orders:',
        '      rows: [{ id: 1 }]',
        '      query: SELECT 1',
        '  outputs: { query: [] }',
        'test_b:',
        '  model: a.b',
        'test_c:',
        '  model: a.b',
        '  outputs:',
        '    query:',
        '      - 5',
        '  colour: red',
      ].join('\n'),
      'tests/test_x.yaml',
      '/p',
    );
    assert.deepEqual(parsed.tests, []);
    assert.deepEqual(describeDiagnostics(parsed.diagnostics), [
      'tests/test_x.yaml:3:5 error inputs.shop.orders: use only one of rows, query and path',
      'tests/test_x.yaml:1:1 error test test_a has no model; add model: schema.table',
      'tests/test_x.yaml:7:1 error test test_b has no outputs; add outputs: query: rows: [...]',
      'tests/test_x.yaml:13:9 error outputs.query row 1 must be a mapping of column to value',
      "tests/test_x.yaml:14:3 warning unknown key 'colour' in test test_c (expected one of model, description, inputs, outputs, vars, schema, gateway)",
    ]);
  });
});
