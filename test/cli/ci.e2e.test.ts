// `sluice ci` through the built CLI on a copy of the demo project with prod applied: the pull-request
// comment for a non-breaking change (exit 0), a breaking one (exit 1, 0 when allowed for that model), a
// destructive one with its downstream impact and lineage, a failing unit test, the JSON shape, and a pull
// request's environment applied, updated and closed.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import { query, runCli, runCliJson } from '../helpers/project';
import { copyDemo, type DemoCopy } from '../server/demo';

function ok(run: { code: number; stderr: string; stdout: string }, what: string): void {
  assert.equal(run.code, 0, `${what} failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
}

/** The `### Heading` sections of a comment, in order. */
function sections(markdown: string): string[] {
  return [...markdown.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
}

/** The body of one section (up to the next heading). */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`### ${heading}\n`);
  assert.ok(start >= 0, `no section ${heading} in:\n${markdown}`);
  const rest = markdown.slice(start + heading.length + 5);
  const end = rest.search(/^(### |<details>)/m);
  return (end < 0 ? rest : rest.slice(0, end)).trim();
}

describe('sluice ci (end to end on the demo project)', function () {
  this.timeout(300_000);
  let demo: DemoCopy;
  const originals = new Map<string, string>();

  /** Edits files of the demo for one test; restored after it. */
  const edit = (file: string, change: (text: string) => string) => {
    if (!originals.has(file)) originals.set(file, demo.text(file));
    const next = change(demo.text(file));
    assert.notEqual(next, demo.text(file), `the edit of ${file} changed nothing: update this test`);
    fs.writeFileSync(demo.file(file), next);
  };

  before(() => {
    demo = copyDemo();
    for (const source of ['github', 'shop', 'legacy_crm']) ok(runCli(['ingest', source], demo.dir), `ingest ${source}`);
    ok(runCli(['apply'], demo.dir), 'apply prod');
  });
  afterEach(() => {
    for (const [file, text] of originals) fs.writeFileSync(demo.file(file), text);
    originals.clear();
    for (const extra of ['models/marts/tiers.sql']) fs.rmSync(demo.file(extra), { force: true });
  });
  after(() => demo.cleanup());

  it('a non-breaking change passes (exit 0) with the sticky marker, summary, changes, columns, lineage, tests and audits', () => {
    edit('models/marts/customer_summary.sql', (t) => t.replace('  count(*) AS order_count,', '  count(*) AS order_count,\n  count(DISTINCT order_date) AS order_days,'));
    const run = runCli(['ci', '--base', 'prod'], demo.dir);
    ok(run, 'ci');
    const md = run.stdout;
    assert.ok(md.startsWith('<!-- sluice-ci -->\n## Sluice plan: `prod`\n'), md.slice(0, 200));
    assert.match(md, /^\*\*✅ Passed:\*\* no breaking or destructive changes, 1 unit test passed\.$/m);
    assert.deepEqual(sections(md), ['Summary', 'Changes', 'Column changes', 'Lineage of changed columns', 'Unit tests', 'Audits']);
    assert.match(section(md, 'Summary'), /^1 directly modified\.\nTables to build: `analytics\.customer_summary` \(11 reused as they are\)\.$/);
    assert.match(section(md, 'Changes'), /\| `analytics\.customer_summary` \| directly modified \| non-breaking \| \+order_days \| 0 \| rebuild \|/);
    assert.match(section(md, 'Column changes'), /\| `analytics\.customer_summary\.order_days` \| added \| none \|/);
    assert.equal(section(md, 'Lineage of changed columns'), '```text\nanalytics.customer_summary.order_days  (added)\n└── (no model column reads it)\n```');
    assert.equal(section(md, 'Unit tests'), '1 passed, 0 failed, 0 errors.');
    assert.equal(section(md, 'Audits'), 'No audits on the models this plan builds.');
    assert.match(md, /<details><summary>Model diffs<\/summary>\n\n```diff\n--- a\/models\/marts\/customer_summary\.sql\n\+\+\+ b\/models\/marts\/customer_summary\.sql\n[\s\S]*\n\+  count\(DISTINCT order_date\) AS order_days,\n/);
    assert.doesNotMatch(md, /https?:\/\/|\]\(/, 'the comment has no links');
    assert.equal(run.stderr, '');
  });

  it('a breaking change fails (exit 1) naming the model; --allow-breaking for that model passes (exit 0)', () => {
    edit('models/intermediate/orders_enriched.sql', (t) => t.replace(/\n*$/, "\nWHERE o.status <> 'cancelled'\n"));
    const run = runCli(['ci', '--base', 'prod', '--skip-tests'], demo.dir);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^\*\*❌ Failed:\*\* 1 breaking or destructive change not allowed: intermediate\.orders_enriched\.$/m);
    assert.equal(
      section(run.stdout, 'Breaking and destructive changes'),
      '- `intermediate.orders_enriched` — breaking: the query changed outside its select list (FROM, JOIN, WHERE, GROUP BY, ...). **Blocks the merge**; accept it with `--allow-breaking intermediate.orders_enriched`.',
    );
    // Its readers are rebuilt: indirectly breaking, not blocking on their own.
    assert.match(section(run.stdout, 'Changes'), /\| `analytics\.daily_revenue` \| indirectly modified \| breaking \| {2}\| 0 \| rebuild \|/);
    assert.equal(section(run.stdout, 'Unit tests'), 'Skipped (`--skip-tests`).');
    assert.match(section(run.stdout, 'Audits'), /^Run when the plan is applied[^\n]*\n- `analytics\.daily_revenue`: `not_null\(columns := \(order_date, revenue\)\)`, `unique_values\(columns := \(order_date\)\)`$/);
    assert.equal(run.stderr.trim(), 'sluice: 1 breaking or destructive change not allowed: intermediate.orders_enriched');

    const other = runCli(['ci', '--allow-breaking', 'analytics.daily_revenue', '--skip-tests'], demo.dir);
    assert.equal(other.code, 1, 'allowing another model does not allow this one');
    assert.match(other.stdout, /Allowed but not breaking in this plan: `analytics\.daily_revenue`\./);

    const allowed = runCli(['ci', '--allow-breaking', 'Intermediate.Orders_Enriched', '--skip-tests'], demo.dir);
    ok(allowed, 'ci --allow-breaking');
    assert.match(allowed.stdout, /^\*\*✅ Passed:\*\* 1 breaking or destructive change allowed, unit tests skipped\.$/m);
    assert.match(allowed.stdout, /- `intermediate\.orders_enriched` — breaking: .* Allowed with `--allow-breaking`\./);
  });

  it('a destructive change shows the removed column, what read it, its lineage, and the model left out', () => {
    edit('models/intermediate/orders_enriched.sql', (t) => t.replace('  c.customer_name,\n', ''));
    const run = runCli(['ci', '--allow-breaking', 'intermediate.orders_enriched'], demo.dir);
    // Allowed, but the reader of the removed column now has an error: still a failure.
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^\*\*❌ Failed:\*\* 1 model left out because of errors\.$/m);
    assert.match(section(run.stdout, 'Breaking and destructive changes'), /^- `intermediate\.orders_enriched` — breaking, destructive: column customer_name was removed\. Allowed/);
    assert.match(section(run.stdout, 'Column changes'), /\| `intermediate\.orders_enriched\.customer_name` \| removed \| `analytics\.customer_summary\.customer_name` \|/);
    assert.equal(section(run.stdout, 'Lineage of changed columns'), '```text\nintermediate.orders_enriched.customer_name  (removed)\n└── analytics.customer_summary.customer_name\n```');
    assert.match(section(run.stdout, 'Left out because of errors'), /^- `analytics\.customer_summary`: models\/marts\/customer_summary\.sql:10:\d+: column "customer_name" not found/);
  });

  it('a removed model is destructive; a failing unit test fails the check with its name and place', () => {
    edit('models/marts/issue_activity.sql', () => '');
    fs.rmSync(demo.file('models/marts/issue_activity.sql'));
    edit('tests/test_daily_revenue.yaml', (t) => t.replace('revenue: 15.5', 'revenue: 16.5'));
    const run = runCli(['ci'], demo.dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^\*\*❌ Failed:\*\* 1 breaking or destructive change not allowed: analytics\.issue_activity; 1 unit test did not pass\.$/m);
    assert.match(section(run.stdout, 'Breaking and destructive changes'), /^- `analytics\.issue_activity` — destructive: the model file is gone\./);
    assert.match(section(run.stdout, 'Unit tests'), /^0 passed, 1 failed, 0 errors\.\n- FAIL `test_daily_revenue_counts_placed_and_shipped_orders` \(`analytics\.daily_revenue`, tests\/test_daily_revenue\.yaml:2\)/);
  });

  it('--format json (and --json): one object with the report, the blocking changes and the comment', () => {
    edit('models/intermediate/orders_enriched.sql', (t) => t.replace(/\n*$/, "\nWHERE o.status <> 'cancelled'\n"));
    for (const args of [['ci', '--format', 'json'], ['ci', '--json']]) {
      const run = runCli(args, demo.dir);
      assert.equal(run.code, 1);
      const report = JSON.parse(run.stdout);
      assert.deepEqual(Object.keys(report), [
        'status', 'base', 'environment', 'failures', 'summary', 'changes', 'blocking', 'unused_allowances', 'held_back', 'build', 'reuse', 'backfill',
        'tests', 'audits', 'apply', 'lineage', 'comment',
      ]);
      assert.equal(report.status, 'failed');
      assert.equal(report.base, 'prod');
      assert.equal(report.environment, 'prod');
      assert.deepEqual(report.summary, { added: 0, removed: 0, directly_modified: 1, indirectly_modified: 2, metadata: 0 });
      assert.deepEqual(report.blocking, [{
        model: 'intermediate.orders_enriched', change: 'directly_modified', category: 'breaking', destructive: false,
        reason: 'the query changed outside its select list (FROM, JOIN, WHERE, GROUP BY, ...)', allowed: false,
      }]);
      assert.deepEqual(report.tests, { passed: 1, failed: 0, errors: 0, failures: [], problems: [] });
      assert.equal(report.audits.ran, false);
      assert.deepEqual(report.audits.pending.map((p: { model: string }) => p.model), ['analytics.daily_revenue']);
      assert.equal(report.apply, null);
      assert.ok(report.comment.startsWith('<!-- sluice-ci -->\n'));
    }
  });

  it('--env pr_1 --apply builds the pull request environment (audits run) judged against prod; --close removes it', async () => {
    edit('models/marts/customer_summary.sql', (t) => t.replace('  count(*) AS order_count,', '  count(*) AS order_count,\n  count(DISTINCT order_date) AS order_days,'));
    fs.writeFileSync(demo.file('models/marts/tiers.sql'), 'MODEL (name analytics.tiers, kind FULL, audits (not_null(columns := (tier))));\n\nSELECT tier, count(*) AS customers FROM staging.customers GROUP BY tier\n');
    const first = runCliJson(['ci', '--env', 'pr_1', '--apply'], demo.dir, { GITHUB_ACTOR: 'octocat' });
    ok(first, 'ci --apply');
    assert.equal(first.json.environment, 'pr_1');
    assert.deepEqual(first.json.summary, { added: 1, removed: 0, directly_modified: 1, indirectly_modified: 0, metadata: 0 });
    assert.deepEqual(first.json.apply.built.sort(), ['analytics.customer_summary', 'analytics.tiers']);
    assert.equal(first.json.apply.swapped, true);
    assert.deepEqual({ ran: first.json.audits.ran, run: first.json.audits.run, failed: first.json.audits.failed }, { ran: true, run: 1, failed: 0 });
    assert.match(first.json.comment, /^## Sluice plan: `pr_1` vs `prod`$/m);
    assert.match(first.json.comment, /### Environment\n\n`pr_1` now shows this pull request: built 2, reused 11\./);
    const tiers = await query<{ n: number }>(demo.warehouse, 'SELECT count(*)::INT AS n FROM analytics__pr_1.tiers');
    assert.ok(tiers[0].n > 0);

    // Applied again: still compared with prod (not with what pr_1 shows already), nothing rebuilt.
    const again = runCliJson(['ci', '--env', 'pr_1', '--apply'], demo.dir);
    ok(again, 'ci --apply again');
    assert.deepEqual(again.json.summary, first.json.summary);
    assert.deepEqual(again.json.apply.built, []);
    assert.equal(again.json.apply.swapped, false);
    assert.match(again.json.comment, /`pr_1` was already up to date/);
    const listed = runCliJson(['environments'], demo.dir);
    const pr = listed.json.environments.find((e: { name: string }) => e.name === 'pr_1');
    assert.deepEqual(pr.created_by.ci, 'github:octocat');

    const closed = runCli(['ci', '--close', '--env', 'pr_1'], demo.dir);
    ok(closed, 'ci --close');
    assert.match(closed.stdout, /^<!-- sluice-ci -->\n## Sluice: pull request closed\n\nEnvironment `pr_1` was removed: 13 views dropped, and \d+ tables? no other environment needs\.\n$/);
    const views = await query<{ n: number }>(demo.warehouse, `SELECT count(*)::INT AS n FROM duckdb_views() WHERE schema_name LIKE '%__pr_1'`);
    assert.equal(views[0].n, 0);
    assert.ok((await query<{ n: number }>(demo.warehouse, 'SELECT count(*)::INT AS n FROM analytics.customer_summary'))[0].n > 0, 'prod is intact');
    const twice = runCliJson(['ci', '--close', '--env', 'pr_1'], demo.dir);
    ok(twice, 'ci --close again');
    assert.equal(twice.json.existed, false);
  });

  it('usage errors exit 2: --apply or --close without --env, --env prod, a base that does not exist', () => {
    for (const [args, message] of [
      [['ci', '--apply'], /--apply needs --env/],
      [['ci', '--close'], /--close needs --env/],
      [['ci', '--env', 'prod', '--apply'], /--env names the pull request's own environment, not prod/],
      [['ci', '--base', 'staging'], /there is no environment staging to compare with/],
      [['ci', '--format', 'html'], /argument 'html' is invalid/],
    ] as [string[], RegExp][]) {
      const run = runCli(args, demo.dir);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });
});
