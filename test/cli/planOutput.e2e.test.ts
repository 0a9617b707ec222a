// `sluice plan`'s output at SQLMesh's level, through the built CLI on a temporary project: the differences
// tree, the diff of the model without comments, the backfill list, --start/--end on a dev plan, unit tests
// before the plan, --verbose names, --yes and the Apply? question on a terminal, --categorize.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cliPath, makeProject, query, runCli, runCliJson, type TempProject } from '../helpers/project';

const ORDERS = `MODEL (name shop.orders, kind FULL);
WITH o AS (SELECT i AS id, i * 10 AS amount FROM range(1, 11) AS t(i))
SELECT id, amount FROM o
`;
const EVENTS = `MODEL (name shop.events, kind INCREMENTAL_BY_TIME_RANGE (time_column day), start '2024-01-01', end '2024-01-10', cron '@daily');
SELECT DATE '2024-01-01' + (id % 10)::INT AS day, id, amount FROM shop.orders WHERE day BETWEEN @start_ds AND @end_ds
`;
const BIG = `MODEL (name shop.big, kind VIEW);
SELECT id FROM shop.orders WHERE amount > 50
`;
const TOTALS = `MODEL (name shop.totals, kind FULL);
SELECT sum(amount) AS total FROM shop.orders
`;
const MISC = `MODEL (name shop.misc, kind FULL);
SELECT 1 AS one
`;
const TEST = `test_big:
  model: shop.big
  inputs:
    shop.orders:
      rows:
        - { id: 1, amount: 10 }
        - { id: 2, amount: 60 }
  outputs:
    query:
      rows:
        - { id: 2 }
`;

describe('sluice plan output (end to end)', function () {
  this.timeout(120_000);
  let project: TempProject;
  before(() => {
    project = makeProject({ 'models/orders.sql': ORDERS, 'models/events.sql': EVENTS, 'models/big.sql': BIG, 'models/totals.sql': TOTALS, 'models/misc.sql': MISC, 'tests/test_big.yaml': TEST });
    const apply = runCliJson(['apply'], project.dir);
    assert.equal(apply.code, 0, apply.stderr);
  });
  after(() => project.cleanup());

  it('groups the differences as SQLMesh does, shows the diff without comments or reformatting, and lists every model to build', () => {
    // A real change (a column inside the CTE and outside), a reformatting and a new comment elsewhere in the file.
    project.write('models/orders.sql', `-- orders, one row per id
MODEL (name shop.orders, kind FULL);
WITH o AS (SELECT i AS id,   i * 10 AS amount, i % 2 AS parity FROM range(1, 11) AS t(i))
select id, amount, parity from o  -- parity added
`);
    project.write('models/misc.sql', MISC.replace('kind FULL', 'kind FULL, owner ana'));
    project.write('models/new.sql', 'MODEL (name shop.new, kind FULL);\nSELECT 1 AS one\n');
    const run = runCli(['plan', 'dev', '--start', '2024-01-02', '--end', '2024-01-03'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    const out = run.stdout;
    assert.match(out, /^Unit tests: 1 passed$/m);
    assert.match(out, /Differences from `prod`:\n├── Added:\n│ {3}└── shop\.new\n├── Directly Modified:\n│ {3}└── shop\.orders \(non-breaking\)\n├── Indirectly Modified:\n│ {3}├── shop\.big \(indirect non-breaking\)\n│ {3}├── shop\.events \(indirect non-breaking\)\n│ {3}└── shop\.totals \(indirect non-breaking\)\n└── Metadata Updated:\n {4}└── shop\.misc\n/);
    // The diff is of the model's canonical text: the comments and the reformatted keywords do not show.
    assert.match(out, /^ {4}\+ {4}i % 2 AS parity$/m);
    assert.match(out, /^ {4}\+ {2}parity$/m);
    assert.doesNotMatch(out, /parity added|one row per id|select id/);
    // Every model to build, with what is done to it; the dev backfill is limited to --start .. --end.
    const backfill = out.slice(out.indexOf('Models needing backfill:'));
    assert.match(backfill, /├── shop\.orders: \[full refresh\]/);
    assert.match(backfill, /shop\.big: \[recreate view\]/);
    assert.match(backfill, /shop\.new: \[full refresh\]/);
    assert.doesNotMatch(backfill, /shop\.events/);
    const json = runCliJson(['plan', 'dev', '--start', '2024-01-02', '--end', '2024-01-03'], project.dir);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(json.json.tests, { passed: 1, failed: 0, errors: 0 });
    const orders = json.json.changes.find((c: any) => c.model === 'shop.orders');
    assert.match(orders.diff, /-- parity added/);
    assert.doesNotMatch(orders.rendered_diff, /parity added|one row per id/);
    assert.match(orders.rendered_diff, /^\+    i % 2 AS parity$/m);
  });

  it('--start/--end limit a dev environment\'s backfill; prod refuses them without --restate', () => {
    project.write('models/events.sql', EVENTS.replace('id, amount FROM', 'id, amount, 1 AS one FROM'));
    const limited = runCliJson(['plan', 'dev', '--start', '2024-01-02', '--end', '2024-01-03'], project.dir);
    assert.equal(limited.code, 0, limited.stderr);
    assert.deepEqual(limited.json.backfill.find((b: any) => b.model === 'shop.events').intervals, [['2024-01-02', '2024-01-03']]);
    const whole = runCliJson(['plan', 'dev'], project.dir);
    assert.deepEqual(whole.json.backfill.find((b: any) => b.model === 'shop.events').intervals, [['2024-01-01', '2024-01-10']]);
    const text = runCli(['plan', 'dev', '--start', '2024-01-02', '--end', '2024-01-03'], project.dir);
    assert.match(text.stdout, /shop\.events: 2024-01-02 \.\. 2024-01-03/);
    const prod = runCli(['plan', 'prod', '--start', '2024-01-02'], project.dir);
    assert.equal(prod.code, 2);
    assert.match(prod.stderr, /prod is always backfilled in full/);
  });

  it('--verbose names the physical table and the environment view of each change', () => {
    const run = runCli(['plan', 'dev', '--verbose', '--no-diff'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /shop\.orders \(non-breaking\) {2}"sluice__shop"\."orders__[0-9a-f]{10}" → "shop__dev"\."orders"/);
    assert.match(run.stdout, /shop\.new {2}"sluice__shop"\."new__[0-9a-f]{10}" → "shop__dev"\."new"/);
  });

  it('a failing unit test stops the plan; --skip-tests plans anyway', () => {
    project.write('tests/test_big.yaml', TEST.replace('- { id: 2 }', '- { id: 3 }'));
    try {
      const failed = runCli(['plan', 'dev'], project.dir);
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /FAIL test_big \(tests\/test_big\.yaml:1\)/);
      assert.match(failed.stderr, /1 of 1 unit tests did not pass; .* --skip-tests/);
      assert.equal(failed.stdout, '');
      const json = runCliJson(['plan', 'dev'], project.dir);
      assert.equal(json.code, 1);
      assert.deepEqual(json.json.tests, { passed: 0, failed: 1, errors: 0 });
      const skipped = runCli(['plan', 'dev', '--skip-tests'], project.dir);
      assert.equal(skipped.code, 0, skipped.stderr);
      assert.doesNotMatch(skipped.stdout, /Unit tests/);
      assert.match(skipped.stdout, /Differences from `prod`/);
    } finally {
      project.write('tests/test_big.yaml', TEST);
    }
  });

  it('--categorize strict counts the CTE change as breaking', () => {
    const strict = runCliJson(['plan', 'dev', '--categorize', 'strict'], project.dir);
    assert.equal(strict.code, 0, strict.stderr);
    assert.equal(strict.json.changes.find((c: any) => c.model === 'shop.orders').category, 'breaking');
    assert.equal(runCli(['plan', 'dev', '--categorize', 'loose'], project.dir).code, 1 + 1);
  });

  it('without a terminal the plan is only shown; on a terminal "n" keeps dev as it was and "y" applies it', async () => {
    const shown = runCli(['plan', 'dev'], project.dir);
    assert.equal(shown.code, 0, shown.stderr);
    assert.doesNotMatch(shown.stdout, /Apply the plan/);
    const devViews = async () => (await query<{ n: number }>(project.warehouse, "SELECT count(*)::INT AS n FROM duckdb_views() WHERE schema_name = 'shop__dev'"))[0].n;
    assert.equal(await devViews(), 0);
    const onTerminal = (answer: string) => spawnSync('script', ['-qec', `${process.execPath} ${cliPath} plan dev --no-diff`, '/dev/null'], { cwd: project.dir, input: `${answer}\n`, encoding: 'utf8', timeout: 90_000 });
    const no = onTerminal('n');
    assert.match(no.stdout, /Apply the plan to dev\? \[y\/N\]/);
    assert.equal(await devViews(), 0);
    const yes = onTerminal('y');
    assert.equal(yes.status, 0, yes.stdout);
    assert.match(yes.stdout, /Apply the plan to dev\? \[y\/N\]/);
    assert.equal(await devViews(), 6);
  });

  it('--yes applies without asking, through apply', async () => {
    project.write('models/totals.sql', TOTALS.replace('sum(amount) AS total', 'sum(amount) + 1 AS total'));
    const run = runCliJson(['plan', 'dev', '--yes'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.json.changes.map((c: any) => [c.model, c.category]), [['shop.totals', 'breaking']]);
    const rows = await query<{ total: number }>(project.warehouse, 'SELECT total::INT AS total FROM shop__dev.totals');
    assert.deepEqual(rows, [{ total: 551 }]);
  });
});
