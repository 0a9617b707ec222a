// TypeScript macros through the built CLI on a real project directory: render, plan, apply (the DuckDB
// file checked), unit tests and lineage of a model calling @MASK and @ADD_ONE, and a throwing macro.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { makeProject, query, runCli, runCliJson, type TempProject } from '../helpers/project';
import { macroProjectFiles } from './fixture';

const UNIT_TEST = `test_customer_report:
  model: shop.customer_report
  inputs:
    shop.customers:
      rows:
        - { id: 7, email: x@y.io, spend: 1.5 }
        - { id: 8, email: null, spend: null }
  outputs:
    query:
      rows:
        - { id: 7, masked_email: "#@#.##", spend_score: 4.0, built_by: "shop.customer_report@prod" }
        - { id: 8, masked_email: null, spend_score: null, built_by: "shop.customer_report@prod" }
`;

describe('TypeScript macros through the CLI', function () {
  this.timeout(120_000);
  let project: TempProject;
  before(() => {
    project = makeProject({ ...macroProjectFiles, 'tests/test_customer_report.yaml': UNIT_TEST });
  });
  after(() => project.cleanup());

  it('sluice render prints the SQL the macros returned', () => {
    const run = runCli(['render', 'shop.customer_report'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /regexp_replace\(email, '\[\^@\.\]', '#', 'g'\) AS masked_email,\n {2}\(spend \* 2\) \+ 1 AS spend_score,\n {2}'shop\.customer_report@prod' AS built_by/);
  });

  it('sluice plan and apply build the table with the macros\' SQL', async () => {
    const plan = runCliJson(['plan', 'dev'], project.dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(plan.json.build.sort(), ['shop.customer_report', 'shop.customers']);
    const apply = runCli(['apply', 'prod'], project.dir);
    assert.equal(apply.code, 0, apply.stderr);
    const rows = await query(project.warehouse, 'SELECT id, masked_email, spend_score, built_by FROM shop.customer_report ORDER BY id');
    assert.deepEqual(rows, [
      { id: 1, masked_email: '###@#######.###', spend_score: 22, built_by: 'shop.customer_report@prod' },
      { id: 2, masked_email: null, spend_score: 7, built_by: 'shop.customer_report@prod' },
      { id: 3, masked_email: '#####.######@####.###', spend_score: null, built_by: 'shop.customer_report@prod' },
    ]);
  });

  it('sluice test renders the model with the macros', () => {
    const run = runCli(['test'], project.dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /1 passed/);
  });

  it('sluice lineage follows a column through a macro call', () => {
    const run = runCliJson(['lineage', 'shop.customer_report.masked_email'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.json.models['shop.customer_report'].columns.masked_email, { sources: ['shop.customers.email'], filters: [] });
    assert.deepEqual(run.json.tree.children.map((c: any) => c.column), ['shop.customers.email']);
  });

  it('a macro that throws: the model is held back with file:line:col and the macro\'s message, no stack', () => {
    project.write('models/customer_report.sql', macroProjectFiles['models/customer_report.sql'].replace("@MASK(email, '#')", "@MASK(email, '##')"));
    // The project's unit test runs the broken macro too, and would stop the plan first.
    const plan = runCliJson(['plan', 'prod', '--skip-tests'], project.dir);
    assert.equal(plan.code, 0, plan.stderr);
    const held = plan.json.held_back.find((h: any) => h.model === 'shop.customer_report');
    assert.equal(held?.reason, "models/customer_report.sql:5:3: @MASK (macros/utils.ts:12:11) failed: the mask must be one character in quotes, got '##'");
    const render = runCli(['render', 'shop.customer_report'], project.dir);
    assert.equal(render.code, 1);
    assert.match(render.stderr, /customer_report\.sql:5:3: .*@MASK \(macros\/utils\.ts:12:11\) failed: the mask must be one character in quotes, got '##'/);
    assert.doesNotMatch(render.stderr + plan.stderr, /\n\s+at /);
  });
});

describe('macros and project variables in audit arguments, through the CLI', function () {
  this.timeout(120_000);
  let project: TempProject;
  before(() => {
    project = makeProject({
      'sluice.yaml': 'name: waiters\nvariables:\n  max_id: 10\n',
      // As in SQLMesh's sushi example: an audit whose threshold comes from a macro call.
      'macros/thresholds.ts': "export function waiter_names_threshold(): string {\n  return '200';\n}\n",
      'audits/threshold.sql': 'AUDIT (name does_not_exceed_threshold);\nSELECT * FROM @this_model WHERE @column >= @threshold;\n',
      'models/waiters.sql': `MODEL (
  name shop.waiters,
  kind FULL,
  audits (
    does_not_exceed_threshold(column := id, threshold := @waiter_names_threshold()),
    does_not_exceed_threshold(column := id, threshold := @max_id)
  )
);

SELECT range AS id FROM range(5)
`,
    });
  });
  after(() => project.cleanup());

  it('plans without errors and runs both audits with the values they stand for', async () => {
    const plan = runCliJson(['plan'], project.dir);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(plan.json.held_back, []);
    const apply = runCliJson(['apply'], project.dir);
    assert.equal(apply.code, 0, apply.stderr);
    assert.deepEqual(await query(project.warehouse, 'SELECT count(*)::INT AS n FROM shop.waiters'), [{ n: 5 }]);
    const results = await query<{ audit: string; passed: boolean }>(project.warehouse, 'SELECT "audit", "passed" FROM _sluice.audit_results ORDER BY 1');
    assert.equal(results.length, 2);
    assert.ok(results.every((r) => r.passed), JSON.stringify(results));
  });

  it('the variable sets the threshold: ids from 10 on fail the blocking audit', () => {
    project.write('models/waiters.sql', fsText(project, 'models/waiters.sql').replace('range(5)', 'range(12)'));
    const apply = runCli(['apply'], project.dir);
    assert.equal(apply.code, 1);
    assert.match(apply.stderr, /blocking audit failed on shop\.waiters: does_not_exceed_threshold\(column := id, threshold := @max_id\): 2 rows/);
  });
});

function fsText(project: TempProject, file: string): string {
  return readFileSync(`${project.dir}/${file}`, 'utf8');
}
