// `sluice render MODEL --dialect ...` on a real project directory with the built CLI: the query printed for
// another engine, stars spelled out from the columns the project knows, and a construct with no equivalent
// reported at its line and column in the model file (after macros were expanded), with exit code 1.

import { strict as assert } from 'node:assert';
import { makeProject, runCli, runCliJson, type TempProject } from '../helpers/project';

const externalModels = `- name: raw.events
  columns:
    id: BIGINT
    user_id: BIGINT
    happened_at: TIMESTAMPTZ
    secret: VARCHAR
`;

const cleanModel = `MODEL (
  name staging.events,
  kind VIEW
);

SELECT * EXCLUDE (secret), date_trunc('day', happened_at) AS day
FROM raw.events
QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY happened_at DESC) = 1
`;

// @start_ds is longer once rendered ('2024-03-01'): the position must still be the one in the file.
const refusedModel = `MODEL (
  name analytics.event_times,
  kind INCREMENTAL_BY_TIME_RANGE (time_column day)
);

SELECT id, @start_ds AS day, epoch_ms(happened_at) AS ms,
  levenshtein(secret, 'x') AS distance
FROM raw.events
`;

describe('sluice render --dialect (end to end)', function () {
  this.timeout(120_000);
  let project: TempProject;
  before(() => {
    project = makeProject({
      'external_models.yaml': externalModels,
      'models/staging/events.sql': cleanModel,
      'models/analytics/event_times.sql': refusedModel,
    });
  });
  after(() => project.cleanup());

  it('prints the model for PostgreSQL with the star spelled out and QUALIFY as a filtered subquery', () => {
    const run = runCli(['render', 'staging.events', '--dialect', 'postgres'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout.trim(),
      'SELECT "id", "user_id", "happened_at", "day" FROM (SELECT "events"."id", "events"."user_id", "events"."happened_at", date_trunc(\'day\', "happened_at") AS "day", ' +
        'row_number() OVER (PARTITION BY "user_id" ORDER BY "happened_at" DESC NULLS LAST) AS "_sluice_q1" FROM "raw"."events") AS "_sluice_qualified" WHERE ("_sluice_q1" = 1)',
    );
  });

  it('prints BigQuery with --json as one object', () => {
    const run = runCliJson(['render', 'staging.events', '--dialect', 'bigquery'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.dialect, 'bigquery');
    assert.equal(run.json.model, 'staging.events');
    assert.deepEqual(run.json.diagnostics, []);
    assert.match(run.json.sql, /^SELECT \* EXCEPT \(`secret`\), DATE_TRUNC\(`happened_at`, DAY\) AS `day` FROM `raw`\.`events` QUALIFY /);
  });

  it('without --dialect prints the DuckDB query apply runs', () => {
    const run = runCli(['render', 'staging.events'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^SELECT \* EXCLUDE \(secret\), date_trunc\('day', happened_at\) AS day/);
  });

  it('reports each construct with no equivalent at its file position and exits 1', () => {
    const run = runCli(['render', 'analytics.event_times', '--dialect', 'postgres', '--start', '2024-03-01'], project.dir);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trim().split('\n');
    assert.match(lines[0], /^models\/analytics\/event_times\.sql:6:30: epoch_ms: cannot tell whether the argument is milliseconds or a timestamp/);
    assert.match(lines[1], /^models\/analytics\/event_times\.sql:7:3: levenshtein is not a function Sluice can render for PostgreSQL/);
    assert.match(lines[2], /cannot render analytics\.event_times for postgres/);

    const json = runCliJson(['render', 'analytics.event_times', '--dialect', 'snowflake'], project.dir);
    assert.equal(json.code, 1);
    assert.equal(json.json.sql, null);
    assert.deepEqual(json.json.diagnostics.map((d: { line: number; column: number }) => [d.line, d.column]), [[6, 30], [7, 3]]);
  });

  it('rejects an unknown dialect as a usage error', () => {
    const run = runCli(['render', 'staging.events', '--dialect', 'oracle'], project.dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown dialect oracle: use one of duckdb, postgres, bigquery, snowflake/);
  });
});
