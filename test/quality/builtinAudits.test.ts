import { strict as assert } from 'node:assert';
import { resolveAudits } from '../../core/quality/resolveAudits';
import { runAudits } from '../../core/quality/runAudits';
import type { AuditResult } from '../../core/quality/types';
import { Warehouse } from '../../core/warehouse/connection';
import { describeDiagnostics, model } from './helpers';

// One table whose rows make every built-in audit pass with one set of arguments and fail with another.
const ITEMS = `
CREATE SCHEMA q;
CREATE TABLE q.items AS SELECT * FROM (VALUES
  (1, 'Hamachi', 10.0, 'paid', 'a@b.com', 'https://x.io/a', '123e4567-e89b-12d3-a456-426614174000', 'GET', 1, 2, 2, 1, 'abc12', NULL, NULL, 1, 7, 'x'),
  (2, 'Unagi',   20.0, 'open', 'c@d.org', 'ftp://files.org/x', '123e4567-e89b-42d3-a456-426614174001', 'POST', 3, 4, 6, 2, 'abc34', 5, NULL, 1, 7, ''),
  (3, 'Sake',    30.0, 'paid', 'e@f.net', 'http://y.com', '123e4567-e89b-12d3-8456-426614174002', 'PUT', 5, 6, 7, 3, 'xyz56', NULL, NULL, 2, 7, 'y')
) AS t(id, name, price, status, email, url, uid, method, lo, hi, hi2, seq, code, maybe, nothing, dup, const, empty)
`;

async function run(wh: Warehouse, call: string): Promise<AuditResult> {
  const parsed = model(`MODEL (name q.items, audits (${call}));\nSELECT 1 AS id`);
  const resolved = resolveAudits(parsed, []);
  assert.deepEqual(describeDiagnostics(resolved.diagnostics), [], call);
  assert.equal(resolved.audits.length, 1);
  const [result] = await runAudits(wh, { schema: 'q', table: 'items' }, resolved.audits);
  assert.equal(result.error, undefined, `${call}: ${result.error}\n${result.sql}`);
  return result;
}

/** [passing call, failing call, violations of the failing call] */
const CASES: Array<[string, string, number]> = [
  ['not_null(columns := (id, name))', 'not_null(columns := [id, maybe])', 2],
  ['unique_values(columns := (id, name))', 'unique_values(columns := (dup))', 1],
  ['unique_combination_of_columns(columns := (id, dup))', 'unique_combination_of_columns(columns := (dup, const))', 1],
  ["accepted_values(column := status, is_in := ('paid', 'open'))", "accepted_values(column := status, is_in := ['paid'])", 1],
  ["not_accepted_values(column := status, is_in := ('void'))", "not_accepted_values(column := status, is_in := ('open'))", 1],
  ['number_of_rows(threshold := 2)', 'number_of_rows(threshold := 3)', 1],
  ['forall(criteria := (price > 0, length(name) > 0))', 'forall(criteria := (price > 15, id IS NOT NULL))', 1],
  ['not_constant(column := id)', 'not_constant(column := const)', 1],
  ['accepted_range(column := price, min_v := 10, max_v := 30)', 'accepted_range(column := price, min_v := 10, max_v := 30, inclusive := false)', 2],
  ['at_least_one(column := maybe)', 'at_least_one(column := nothing)', 1],
  ['not_null_proportion(column := maybe, threshold := 0.2)', 'not_null_proportion(column := maybe, threshold := 0.5)', 1],
  ['not_empty_string(column := name)', 'not_empty_string(column := empty)', 1],
  ['string_length_equal(column := code, v := 5)', 'string_length_equal(column := code, v := 4)', 3],
  ['string_length_between(column := name, min_v := 4, max_v := 7)', 'string_length_between(column := name, min_v := 4, max_v := 7, inclusive := false)', 2],
  ['valid_uuid(column := uid)', 'valid_uuid(column := name)', 3],
  ['valid_email(column := email)', 'valid_email(column := url)', 3],
  ['valid_url(column := url)', 'valid_url(column := email)', 3],
  ['valid_http_method(column := method)', 'valid_http_method(column := name)', 3],
  ["match_regex_pattern_list(column := code, patterns := ('^[a-z]+[0-9]+$'))", "match_regex_pattern_list(column := code, patterns := ('^abc'))", 1],
  ["not_match_regex_pattern_list(column := code, patterns := ('^zzz'))", "not_match_regex_pattern_list(column := code, patterns := ('^abc', '6$'))", 3],
  ["match_like_pattern_list(column := name, patterns := ('%a%', '%e'))", "match_like_pattern_list(column := name, patterns := ('H%'))", 2],
  ["not_match_like_pattern_list(column := name, patterns := ('Z%'))", "not_match_like_pattern_list(column := name, patterns := ('H%', 'U%'))", 2],
  ['mean_in_range(column := price, min_v := 19, max_v := 21)', 'mean_in_range(column := price, min_v := 25)', 1],
  ['stddev_in_range(column := price, min_v := 9, max_v := 11)', 'stddev_in_range(column := price, max_v := 5)', 1],
  ['z_score(column := price, threshold := 3)', 'z_score(column := price, threshold := 0.5)', 2],
  ['sequential_values(column := seq)', 'sequential_values(column := lo, interval := 1)', 2],
  ['mutually_exclusive_ranges(lower_bound_column := lo, upper_bound_column := hi)', 'mutually_exclusive_ranges(lower_bound_column := lo, upper_bound_column := hi2)', 1],
];

describe('quality: built-in audits on DuckDB', () => {
  let wh: Warehouse;
  before(async () => {
    wh = await Warehouse.open(':memory:');
    await wh.run(ITEMS);
  });
  after(() => wh.close());

  for (const [passing, failing, violations] of CASES) {
    const name = passing.slice(0, passing.indexOf('('));
    it(`${name}: passes on good data and reports the violating rows otherwise`, async () => {
      const ok = await run(wh, passing);
      assert.equal(ok.passed, true, `${passing}\n${ok.sql}`);
      assert.equal(ok.violations, 0);
      assert.deepEqual(ok.sample, []);
      const bad = await run(wh, failing);
      assert.equal(bad.passed, false, `${failing}\n${bad.sql}`);
      assert.equal(bad.violations, violations, `${failing}\n${bad.sql}`);
      assert.equal(bad.sample.length, Math.min(violations, 5));
      assert.equal(bad.blocking, true);
    });
  }

  it('not_null returns the offending rows themselves as the sample', async () => {
    const result = await run(wh, 'not_null(columns := (maybe))');
    assert.deepEqual(result.sample.map((r) => r.id).sort(), [1, 3]);
    assert.equal(result.sample[0].name !== undefined, true);
  });

  it('at_least_one passes on an empty table, as in SQLMesh (number_of_rows is the audit for emptiness)', async () => {
    assert.equal((await run(wh, 'at_least_one(column := nothing, condition := id > 100)')).passed, true);
    assert.equal((await run(wh, 'number_of_rows(threshold := 0, condition := id > 100)')).passed, false);
  });

  it('condition limits the audited rows', async () => {
    assert.equal((await run(wh, 'not_null(columns := (maybe), condition := id = 2)')).passed, true);
    assert.equal((await run(wh, 'not_null(columns := (maybe), condition := id <> 2)')).violations, 2);
  });

  it('_non_blocking variants fail without blocking; blocking := false does the same for any audit', async () => {
    const variant = await run(wh, 'not_null_non_blocking(columns := (maybe))');
    assert.equal(variant.name, 'not_null_non_blocking');
    assert.equal(variant.passed, false);
    assert.equal(variant.blocking, false);
    const overridden = await run(wh, 'accepted_values(column := status, is_in := (\'paid\'), blocking := false)');
    assert.equal(overridden.blocking, false);
    assert.equal(overridden.passed, false);
    const forced = await run(wh, 'number_of_rows_non_blocking(threshold := 1, blocking := true)');
    assert.equal(forced.blocking, true);
  });

  it('the sample is capped at five rows while violations counts them all', async () => {
    await wh.run('CREATE TABLE q.many AS SELECT range AS id, NULL::INTEGER AS v FROM range(12)');
    const parsed = model('MODEL (name q.many, audits (not_null(columns := (v))));\nSELECT 1');
    const [result] = await runAudits(wh, { schema: 'q', table: 'many' }, resolveAudits(parsed, []).audits);
    assert.equal(result.violations, 12);
    assert.equal(result.sample.length, 5);
  });

  it('hostile column names are quoted, never pasted', async () => {
    await wh.run(`CREATE TABLE q.odd ("we""ird; DROP TABLE q.items; --" INTEGER, "select" INTEGER)`);
    await wh.run(`INSERT INTO q.odd VALUES (1, NULL), (NULL, 2)`);
    const parsed = model(`MODEL (name q.odd, audits (not_null(columns := ("we""ird; DROP TABLE q.items; --", "select"))));\nSELECT 1`);
    const resolved = resolveAudits(parsed, []);
    assert.deepEqual(resolved.diagnostics, []);
    const [result] = await runAudits(wh, { schema: 'q', table: 'odd' }, resolved.audits);
    assert.equal(result.error, undefined);
    assert.equal(result.violations, 2);
    assert.match(result.sql, /"we""ird; DROP TABLE q\.items; --" IS NULL OR "select" IS NULL/);
    const [{ n }] = await wh.json<{ n: number | string }>('SELECT count(*) AS n FROM q.items');
    assert.equal(Number(n), 3);
  });

  it('a hostile relation name is quoted too', async () => {
    await wh.run(`CREATE SCHEMA "x""y"; CREATE TABLE "x""y"."t; --" AS SELECT 1 AS id`);
    const parsed = model('MODEL (name q.t, audits (not_null(columns := (id))));\nSELECT 1');
    const [result] = await runAudits(wh, { schema: 'x"y', table: 't; --' }, resolveAudits(parsed, []).audits);
    assert.equal(result.error, undefined);
    assert.equal(result.passed, true);
    assert.match(result.sql, /FROM "x""y"\."t; --"/);
  });

  it('arguments that are expressions where a column name is needed are refused', () => {
    const definition = model('MODEL (name q.items);\nSELECT 1').definition!;
    definition.audits = [
      { name: 'not_null', args: { columns: '(id) OR 1=1' } },
      { name: 'accepted_values', args: { column: 'status', is_in: "('a'); DROP TABLE q.items" } },
      { name: 'not_constant', args: { column: 'lower(name)' } },
    ];
    const resolved = resolveAudits(definition, [], { modelFile: 'models/items.sql' });
    assert.equal(resolved.audits.length, 0);
    const messages = resolved.diagnostics.map((d) => d.message);
    assert.match(messages[0], /not_null: columns must be a column name or a list of them like \(a, b\); \(id\) OR 1=1 is not a column name/);
    assert.match(messages[1], /accepted_values: is_in must be a list like \(x, y\): a value cannot contain ";"/);
    assert.match(messages[2], /not_constant: column must be one column name, found lower\(name\)/);
  });

  it('an audit whose query fails reports the error on its result and the others still run', async () => {
    const parsed = model('MODEL (name q.items, audits (not_null(columns := (no_such_column)), not_null(columns := (id))));\nSELECT 1');
    const results = await runAudits(wh, { schema: 'q', table: 'items' }, resolveAudits(parsed, []).audits);
    assert.equal(results[0].passed, false);
    assert.match(results[0].error ?? '', /audit not_null\(columns := \(no_such_column\)\) on q\.items could not run: .*no_such_column/);
    assert.equal(results[1].passed, true);
  });

  it('macros in built-in arguments are rendered with the run context', async () => {
    await wh.run(`CREATE TABLE q.events AS SELECT * FROM (VALUES (DATE '2024-01-01', NULL), (DATE '2024-02-01', 1)) AS t(ds, v)`);
    const parsed = model('MODEL (name q.events, audits (not_null(columns := (v), condition := ds BETWEEN @start_ds AND @end_ds)));\nSELECT 1');
    const audits = resolveAudits(parsed, []).audits;
    const relation = { schema: 'q', table: 'events' };
    const [february] = await runAudits(wh, relation, audits, { start: '2024-02-01', end: '2024-02-28' });
    assert.equal(february.passed, true);
    const [january] = await runAudits(wh, relation, audits, { start: '2024-01-01', end: '2024-01-31' });
    assert.equal(january.violations, 1);
    assert.match(january.sql, /ds BETWEEN '2024-01-01' AND '2024-01-31'/);
  });
});
