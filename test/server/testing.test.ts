import { strict as assert } from 'node:assert';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ListTests, RunTests, SluiceErrorCodes } from '../../core/protocol';
import { makeProject, type TempProject } from '../helpers/project';
import { lineOf } from './demo';
import { LspTestClient } from './lspClient';

const MODEL = `MODEL (
  name analytics.totals,
  kind FULL,
  audits (not_null(columns := (customer)))
);

SELECT customer, sum(amount) AS total
FROM shop.orders
GROUP BY customer
`;

const TESTS = `test_totals:
  model: analytics.totals
  inputs:
    shop.orders:
      rows:
        - { customer: a, amount: 1 }
        - { customer: a, amount: 2 }
        - { customer: b, amount: 5 }
  outputs:
    query:
      rows:
        - { customer: a, total: 3 }
        - { customer: b, total: 5 }

test_totals_wrong:
  model: analytics.totals
  inputs:
    shop.orders:
      rows:
        - { customer: a, amount: 1 }
  outputs:
    query:
      rows:
        - { customer: a, total: 2 }
`;

const EXTERNAL = `- name: shop.orders
  columns:
    customer: VARCHAR
    amount: INTEGER
`;

describe('language server: unit tests and audits for the Testing view', function () {
  let project: TempProject;
  let client: LspTestClient;

  before(async () => {
    project = makeProject({ 'models/totals.sql': MODEL, 'tests/test_totals.yaml': TESTS, 'external_models.yaml': EXTERNAL });
    client = await LspTestClient.start({ folders: [project.dir], trusted: true });
  });

  after(async () => {
    await client?.stop();
    project?.cleanup();
  });

  it('lists unit tests and audits with where they are written', async () => {
    const { projects } = await client.request(ListTests.type, {});
    const [{ tests, audits, problems }] = projects;
    assert.deepEqual(problems, []);
    const file = path.join(project.dir, 'tests', 'test_totals.yaml');
    assert.deepEqual(
      tests.map((t) => [t.id, t.name, t.model, t.location.file, t.location.line]),
      [
        ['tests/test_totals.yaml::test_totals', 'test_totals', 'analytics.totals', file, lineOf(TESTS, 'test_totals:')],
        ['tests/test_totals.yaml::test_totals_wrong', 'test_totals_wrong', 'analytics.totals', file, lineOf(TESTS, 'test_totals_wrong:')],
      ],
    );
    assert.equal(audits.length, 1);
    assert.equal(audits[0].id, 'audit:analytics.totals::not_null(columns := (customer))');
    assert.equal(audits[0].blocking, true);
    assert.equal(audits[0].location.file, path.join(project.dir, 'models', 'totals.sql'));
    assert.equal(audits[0].location.line, lineOf(MODEL, 'audits ('));
  });

  it('runs unit tests: a pass, and a failure with its row diff', async () => {
    const result = await client.request(RunTests.type, {
      projectDir: project.dir,
      ids: ['tests/test_totals.yaml::test_totals', 'tests/test_totals.yaml::test_totals_wrong'],
    });
    const byId = new Map(result.outcomes.map((o) => [o.id, o]));
    assert.equal(byId.get('tests/test_totals.yaml::test_totals')?.status, 'passed');
    const wrong = byId.get('tests/test_totals.yaml::test_totals_wrong')!;
    assert.equal(wrong.status, 'failed');
    assert.match(wrong.message ?? '', /query did not match/);
    assert.match(wrong.mismatches[0].diff, /total: expected 2, actual 1/);
  });

  it('runs an audit against the model table in the warehouse', async () => {
    const id = 'audit:analytics.totals::not_null(columns := (customer))';
    const before = await client.request(RunTests.type, { projectDir: project.dir, ids: [id] });
    assert.equal(before.outcomes[0].status, 'error');
    assert.match(before.outcomes[0].message ?? '', /warehouse does not exist yet/);

    const instance = await DuckDBInstance.create(project.warehouse);
    const connection = await instance.connect();
    await connection.run('CREATE SCHEMA analytics');
    await connection.run("CREATE TABLE analytics.totals AS SELECT * FROM (VALUES ('a', 3), (NULL, 5)) AS t(customer, total)");
    connection.closeSync();
    instance.closeSync();

    const failed = await client.request(RunTests.type, { projectDir: project.dir, ids: [id] });
    assert.equal(failed.outcomes[0].status, 'failed');
    assert.equal(failed.outcomes[0].violations, 1);
    assert.match(failed.outcomes[0].mismatches[0].diff, /"total":5/);
  });

  it('refuses to run tests in an untrusted workspace', async () => {
    const untrusted = await LspTestClient.start({ folders: [project.dir], trusted: false });
    try {
      await assert.rejects(untrusted.request(RunTests.type, { projectDir: project.dir }), (err: { code: number; message: string }) => {
        assert.equal(err.code, SluiceErrorCodes.Untrusted);
        assert.match(err.message, /^Running tests runs code from this workspace/);
        return true;
      });
    } finally {
      await untrusted.stop();
    }
  });
});
