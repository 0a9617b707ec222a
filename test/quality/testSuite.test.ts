import { strict as assert } from 'node:assert';
import { discoverTests } from '../../core/quality/testFile';
import { indexModels, runUnitTest, runUnitTests, TestSandbox } from '../../core/quality/unitTest';
import { parseTestFile } from '../../core/quality/testFile';
import { describeDiagnostics, model, tempProject } from './helpers';

const MODEL = `MODEL (name analytics.totals);
SELECT customer, SUM(amount) AS total FROM raw.payments GROUP BY customer`;

function testYaml(name: string, total: number): string {
  return `${name}:
  model: analytics.totals
  inputs:
    raw.payments:
      rows:
        - { customer: a, amount: 1 }
        - { customer: a, amount: 2 }
  outputs:
    query: [{ customer: a, total: ${total} }]
`;
}

describe('quality: running a project\'s tests', () => {
  it('discovers tests/**/test*.yaml and .yml, runs them and counts the results', async () => {
    const project = tempProject({
      'models/totals.sql': MODEL,
      'tests/test_totals.yaml': testYaml('test_ok', 3) + testYaml('test_wrong', 4),
      'tests/more/test_more.yml': testYaml('test_more', 3),
      'tests/helpers.yaml': testYaml('not_a_test_file', 3),
      'tests/test_broken.yaml': 'test_x:\n  model: [unclosed\n',
    });
    try {
      const summary = await runUnitTests(project.dir);
      assert.deepEqual(summary.results.map((r) => [r.name, r.status]), [
        ['test_more', 'passed'],
        ['test_ok', 'passed'],
        ['test_wrong', 'failed'],
      ]);
      assert.deepEqual([summary.passed, summary.failed, summary.errors], [2, 1, 0]);
      assert.equal(summary.diagnostics.length, 1);
      assert.match(describeDiagnostics(summary.diagnostics)[0], /tests\/test_broken\.yaml:\d+:\d+ error YAML: /);
    } finally {
      project.cleanup();
    }
  });

  it('filters by test name, file::name or a * pattern', async () => {
    const project = tempProject({
      'models/totals.sql': MODEL,
      'tests/test_totals.yaml': testYaml('test_ok', 3) + testYaml('test_wrong', 4),
    });
    try {
      const names = async (filter: string) => (await runUnitTests(project.dir, filter)).results.map((r) => r.name);
      assert.deepEqual(await names('test_wrong'), ['test_wrong']);
      assert.deepEqual(await names('tests/test_totals.yaml::test_ok'), ['test_ok']);
      assert.deepEqual(await names('test_*'), ['test_ok', 'test_wrong']);
      assert.deepEqual(await names('nothing'), []);
    } finally {
      project.cleanup();
    }
  });

  it('a test name used in two files is reported on the later one', async () => {
    const project = tempProject({
      'tests/test_a.yaml': testYaml('test_same', 3),
      'tests/test_b.yaml': testYaml('test_same', 3),
    });
    try {
      const found = await discoverTests(project.dir);
      assert.equal(found.tests.length, 1);
      assert.match(describeDiagnostics(found.diagnostics)[0], /test_b\.yaml:1:1 error test test_same is also defined in .*test_a\.yaml:1:1/);
    } finally {
      project.cleanup();
    }
  });

  it('external_models.yaml gives input column types', async () => {
    const project = tempProject({
      'models/kinds.sql': 'MODEL (name analytics.kinds);\nSELECT typeof(amount) AS t FROM raw.payments',
      'external_models.yaml': '- name: raw.payments\n  columns:\n    customer: VARCHAR\n    amount: DECIMAL(9, 4)\n',
      'tests/test_kinds.yaml': 'test_kinds:\n  model: analytics.kinds\n  inputs:\n    raw.payments: [{ customer: a, amount: 1 }]\n  outputs:\n    query: [{ t: "DECIMAL(9,4)" }]\n',
    });
    try {
      const summary = await runUnitTests(project.dir);
      assert.equal(summary.results[0].status, 'passed', summary.results[0].message);
    } finally {
      project.cleanup();
    }
  });

  it('each test starts from an empty database, and three-part names get their own database', async () => {
    const sandbox = await TestSandbox.open();
    try {
      const threePart = model('MODEL (name analytics.lake_totals);\nSELECT count(*) AS n FROM lake.raw.payments');
      const parsed = parseTestFile(
        'test_lake:\n  model: analytics.lake_totals\n  inputs:\n    lake.raw.payments: [{ id: 1 }, { id: 2 }]\n  outputs:\n    query: [{ n: 2 }]\n',
        'tests/test_lake.yaml',
        '/p',
      );
      const result = await runUnitTest(parsed.tests[0], indexModels([threePart]), { sandbox });
      assert.equal(result.status, 'passed', result.message);
      const leftovers = await sandbox.isolated((wh) => wh.json<{ n: number | string }>("SELECT count(*) AS n FROM duckdb_tables() WHERE database_name <> 'system'"));
      assert.equal(Number(leftovers[0].n), 0);
      const databases = await sandbox.isolated((wh) => wh.json<{ name: string }>('SELECT database_name AS name FROM duckdb_databases() WHERE NOT internal ORDER BY 1'));
      assert.deepEqual(databases.map((d) => d.name).filter((n) => n === 'lake'), []);
    } finally {
      sandbox.close();
    }
  });

  it('hostile table names, column names and values go through quoting and parameters', async () => {
    const hostile = model(`MODEL (name analytics.odd);\nSELECT "we""ird; --" AS v FROM "my shop"."order's"`);
    const parsed = parseTestFile(
      [
        'test_odd:',
        '  model: analytics.odd',
        '  inputs:',
        '    \'"my shop"."order\'\'s"\':',
        '      - { \'we"ird; --\': "x\'); DROP TABLE t; --" }',
        '  outputs:',
        '    query: [{ v: "x\'); DROP TABLE t; --" }]',
      ].join('\n'),
      'tests/test_odd.yaml',
      '/p',
    );
    assert.deepEqual(parsed.diagnostics, []);
    const result = await runUnitTest(parsed.tests[0], indexModels([hostile]));
    assert.equal(result.status, 'passed', result.message);
  });

  it('runs fifty tests in one suite, each isolated', async function () {
    this.timeout(20_000);
    const tests = Array.from({ length: 50 }, (_, i) => testYaml(`test_${i}`, 3)).join('');
    const project = tempProject({ 'models/totals.sql': MODEL, 'tests/test_many.yaml': tests });
    try {
      const summary = await runUnitTests(project.dir);
      assert.equal(summary.passed, 50);
    } finally {
      project.cleanup();
    }
  });
});
