// Alerts end to end: the built CLI on temporary projects, real ingests and applies into real warehouses, and a
// real HTTP receiver in this process standing in for Slack, PagerDuty and webhooks. The clock is moved with
// SLUICE_NOW (working hours, freshness), never by editing tables.
import { strict as assert } from 'node:assert';
import { makeProject, query, type TempProject } from '../helpers/project';
import { Receiver, runCliAsync, type AsyncRun } from './receiver';

/** A source whose API can be told to fail (FAIL_<NAME>=1); rows with a nullable note and an amount that switches type. */
function source(name: string): string {
  return `
import { defineSource } from 'sluice';
export default defineSource({
  name: '${name}',
  resources: [{
    name: 'orders',
    primaryKey: 'id',
    async *rows() {
      if (process.env.FAIL_${name.toUpperCase()}) throw new Error('the ${name} API answered 503 Service Unavailable\\n    at fetchPage (api.ts:12)');
      yield [{ id: 1, amount: 12.5, note: null }, { id: 2, amount: 3, note: 'gift' }, { id: 3, amount: '7.25' }];
    },
  }],
});
`;
}

const SATURDAY = '2026-12-05T10:00:00Z';
const MONDAY = '2026-12-07T10:00:00Z';

function ok(run: AsyncRun, what: string): void {
  assert.equal(run.code, 0, `${what} exited ${run.code}: ${run.stderr}`);
}

function notificationLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('Notifications:'));
}

async function records(project: TempProject): Promise<any[]> {
  return query(project.warehouse, `SELECT "event", "target", "type", "action", "status", "dedup_key", "attempts", "http_status", "error", "summary" FROM "_sluice"."notifications" ORDER BY "at", "target", "action"`);
}

describe('notifications (end to end)', function () {
  this.timeout(300_000);
  let receiver: Receiver;
  let project: TempProject;
  before(async () => (receiver = await new Receiver().start()));
  after(async () => receiver.stop());
  beforeEach(() => receiver.clear());
  afterEach(() => project?.cleanup());

  describe('ingest events to Slack and a webhook', () => {
    const TOKEN = 'T0KEN-s3cret-9f2c';
    beforeEach(() => {
      project = makeProject({
        'sources/shop.ts': source('shop'),
        '.env': `SLACK_TOKEN=${TOKEN}\n`,
        'sluice.yaml': `name: test
sources:
  shop:
    owner: sales-data
    tags: [customer_facing]
notifications:
  - type: slack
    url: ${receiver.url('/slack/')}\${secrets.SLACK_TOKEN}
    events: [ingest_succeeded, ingest_failed]
  - type: webhook
    url: ${receiver.url('/hook')}
    events: [ingest_failed]
`,
      });
    });

    it('posts Slack blocks on success (rows, duration, command), and only to targets that listed the event', async () => {
      const run = await runCliAsync(['ingest', 'shop'], project.dir);
      ok(run, 'ingest');
      assert.deepEqual(notificationLines(run.stderr), ['Notifications: sent to slack.']);
      const slack = receiver.on(`/slack/${TOKEN}`);
      assert.equal(slack.length, 1);
      assert.equal(receiver.on('/hook').length, 0, 'the webhook lists ingest_failed only');
      const body = slack[0].body;
      assert.match(body.text, /^Ingest succeeded: shop loaded 3 rows into 1 table in \d+\.\d s \(load \S+\)\.$/);
      assert.equal(body.blocks[0].type, 'header');
      assert.equal(body.blocks[0].text.text, ':large_green_circle: Ingest succeeded: shop');
      const fields = body.blocks[2].fields.map((f: any) => f.text);
      assert.ok(fields.includes('*Resources*\nshop, shop.orders'), fields.join(' | '));
      assert.ok(fields.includes('*Rows*\n3'), fields.join(' | '));
      assert.ok(fields.some((f: string) => /^\*Duration\*\n\d+\.\d s$/.test(f)), fields.join(' | '));
      assert.match(body.blocks.at(-1).elements[0].text, /^Reproduce: `sluice ingest shop` · project test · 20\d\d-/);
      const rows = await records(project);
      assert.deepEqual(rows.map((r) => [r.event, r.target, r.action, r.status, r.attempts, r.http_status]), [['ingest_succeeded', 'slack', 'send', 'sent', 1, 200]]);
    });

    it('sends the failure with the error\'s first line to both, and keeps the secret out of output and records', async () => {
      const run = await runCliAsync(['ingest', 'shop'], project.dir, { FAIL_SHOP: '1' });
      assert.equal(run.code, 1, run.stderr);
      assert.deepEqual(notificationLines(run.stderr), ['Notifications: sent to slack, webhook.']);
      const slack = receiver.on(`/slack/${TOKEN}`)[0].body;
      assert.equal(slack.blocks[0].text.text, ':red_circle: Ingest failed: shop');
      const error = slack.blocks.find((b: any) => b.text?.text?.startsWith('*Error*'));
      assert.ok(error, JSON.stringify(slack.blocks));
      assert.match(error.text.text, /^\*Error\*\n```resource "orders" failed after 0 items: the shop API answered 503 Service Unavailable \(at sources\/shop\.ts:\d+:\d+\)```$/);
      assert.doesNotMatch(error.text.text, /fetchPage/);
      const event = receiver.on('/hook')[0].body;
      assert.equal(event.event, 'ingest_failed');
      assert.equal(event.key, 'sluice/test/ingest/shop');
      assert.equal(event.failure, true);
      assert.match(event.error, /the shop API answered 503 Service Unavailable \(at sources\/shop\.ts:\d+:\d+\)$/);
      assert.equal(event.command, 'sluice ingest shop');
      assert.deepEqual(event.subjects[0], { kind: 'source', name: 'shop', owner: 'sales-data', tags: ['customer_facing'] });
      // The secret is in the URL only: never printed, never recorded.
      const stored = JSON.stringify(await records(project));
      for (const text of [run.stdout, run.stderr, stored]) assert.ok(!text.includes(TOKEN));
      assert.match(stored, /ingest_failed/);
    });

    it('a receiver answering 500 or never answering costs bounded time, fails nothing and is recorded', async () => {
      project.write('sluice.yaml', `name: test
notifications:
  - name: broken
    type: webhook
    url: ${receiver.url('/broken/')}\${secrets.SLACK_TOKEN}
    events: [ingest_succeeded]
    timeout: 1s
  - name: silent
    type: slack
    url: ${receiver.url('/silent')}
    events: [ingest_succeeded]
    timeout: 1s
`);
      receiver.modes = { [`/broken/${TOKEN}`]: 500, '/silent': 'hang' };
      const run = await runCliAsync(['ingest', 'shop'], project.dir);
      ok(run, 'ingest');
      // 3 attempts of at most 1 s each and 1.25 s of backoff, the two targets in parallel, plus the ingest itself.
      assert.ok(run.ms < 15_000, `took ${run.ms} ms`);
      assert.equal(receiver.on(`/broken/${TOKEN}`).length, 3);
      assert.equal(receiver.on('/silent').length, 3);
      const [line] = notificationLines(run.stderr);
      assert.match(line, /^Notifications: failed: broken \(HTTP 500: failure 500 at \/broken\/\*\*\* after 3 attempts\), silent \(no answer within 1 s after 3 attempts\)\.$/);
      const rows = await records(project);
      assert.deepEqual(rows.map((r) => [r.target, r.status, r.attempts, r.http_status]), [['broken', 'failed', 3, 500], ['silent', 'failed', 3, null]]);
      assert.ok(!JSON.stringify(rows).includes(TOKEN));
      const loads = await query(project.warehouse, `SELECT "status" FROM "_sluice"."loads"`);
      assert.deepEqual(loads, [{ status: 'loaded' }]);
    });

    it('notify test sends a sample to the named target, and names the targets when it does not know one', async () => {
      const run = await runCliAsync(['notify', 'test', 'webhook'], project.dir);
      ok(run, 'notify test');
      assert.equal(run.stdout.trim(), 'Notifications: sent to webhook.');
      assert.equal(receiver.on('/hook').length, 1);
      assert.equal(receiver.on('/hook')[0].body.details.sample, true);
      assert.equal(receiver.on(`/slack/${TOKEN}`).length, 0);
      const unknown = await runCliAsync(['notify', 'test', 'pager'], project.dir);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /no notification target named pager; the targets are slack, webhook/);
      receiver.modes = { '/hook': 503 };
      const failing = await runCliAsync(['notify', 'test', 'webhook'], project.dir);
      assert.equal(failing.code, 1, 'a test that cannot deliver says so by its exit code');
      assert.match(failing.stdout, /failed: webhook \(HTTP 503/);
    });
  });

  it('PagerDuty: a failure triggers under a dedup_key per source, the next success resolves it on every target triggered', async () => {
    project = makeProject({
      'sources/shop.ts': source('shop'),
      'sources/crm.ts': source('crm'),
      'sluice.yaml': `name: test
notifications:
  - name: pd-primary
    type: pagerduty
    url: ${receiver.url('/pd1')}
    routing_key: \${secrets.PD_KEY}
    events: [ingest_failed]
  - name: pd-secondary
    type: pagerduty
    url: ${receiver.url('/pd2')}
    routing_key: R0UTING-2
    events: [ingest_failed]
    when: { tags: [finance] }
`,
    });
    const env = { PD_KEY: 'pd-routing-key-123' };
    const failed = await runCliAsync(['ingest', 'shop'], project.dir, { ...env, FAIL_SHOP: '1' });
    assert.equal(failed.code, 1);
    assert.equal(receiver.on('/pd2').length, 0, 'pd-secondary routes finance only');
    const [trigger] = receiver.on('/pd1').map((r) => r.body);
    assert.equal(trigger.event_action, 'trigger');
    assert.equal(trigger.routing_key, 'pd-routing-key-123');
    assert.equal(trigger.dedup_key, 'sluice/test/ingest/shop');
    assert.equal(trigger.payload.severity, 'error');
    assert.equal(trigger.payload.source, 'test');
    assert.equal(trigger.payload.class, 'ingest_failed');
    assert.match(trigger.payload.summary, /^Ingest failed: the ingest of shop failed \(load \S+\): resource "orders" failed after 0 items: the shop API answered 503/);
    assert.ok(!JSON.stringify(await records(project)).includes('pd-routing-key-123'));

    // Another source's success resolves nothing; shop's success resolves shop's incident, once.
    ok(await runCliAsync(['ingest', 'crm'], project.dir, env), 'ingest crm');
    assert.equal(receiver.on('/pd1').length, 1);
    const success = await runCliAsync(['ingest', 'shop'], project.dir, env);
    ok(success, 'ingest shop');
    assert.deepEqual(notificationLines(success.stderr), ['Notifications: sent to pd-primary.']);
    const resolve = receiver.on('/pd1')[1].body;
    assert.deepEqual(resolve, { routing_key: 'pd-routing-key-123', event_action: 'resolve', dedup_key: 'sluice/test/ingest/shop' });
    ok(await runCliAsync(['ingest', 'shop'], project.dir, env), 'ingest shop again');
    assert.equal(receiver.on('/pd1').length, 2, 'no incident is open any more');
    const incidents = await query(project.warehouse, `SELECT * FROM "_sluice"."notification_incidents"`);
    assert.deepEqual(incidents, []);

    // A sample on PagerDuty triggers and then resolves, so that nobody stays paged.
    ok(await runCliAsync(['notify', 'test', 'pd-primary'], project.dir, env), 'notify test');
    const sample = receiver.on('/pd1').slice(2).map((r) => [r.body.event_action, r.body.dedup_key]);
    assert.deepEqual(sample, [['trigger', 'sluice/test/notify-test'], ['resolve', 'sluice/test/notify-test']]);
  });

  it('routes by owner and tags; outside working hours only customer_facing failures page, the rest wait for a digest', async () => {
    project = makeProject({
      'sources/shop.ts': source('shop'),
      'sources/crm.ts': source('crm'),
      'sluice.yaml': `name: test
sources:
  shop:
    owner: sales-data
    resources:
      orders: { enabled: true, tags: [customer_facing] }
  crm:
    owner: finance
notifications:
  - name: finance
    type: slack
    url: ${receiver.url('/finance')}
    events: [ingest_failed]
    when: { owner: finance, working_hours: 'Mon-Fri 09:00-18:00 Europe/London' }
  - name: oncall
    type: webhook
    url: ${receiver.url('/oncall')}
    events: [ingest_failed]
    when: { tags: [customer_facing], working_hours: 'Mon-Fri 09:00-18:00 Europe/London' }
`,
    });
    const crmSaturday = await runCliAsync(['ingest', 'crm'], project.dir, { FAIL_CRM: '1', SLUICE_NOW: SATURDAY });
    assert.equal(crmSaturday.code, 1);
    assert.deepEqual(notificationLines(crmSaturday.stderr), ['Notifications: queued for working hours: finance.']);
    const shopSaturday = await runCliAsync(['ingest', 'shop'], project.dir, { FAIL_SHOP: '1', SLUICE_NOW: '2026-12-05T10:05:00Z' });
    assert.deepEqual(notificationLines(shopSaturday.stderr), ['Notifications: sent to oncall.']);
    assert.equal(receiver.on('/finance').length, 0);
    assert.equal(receiver.on('/oncall').length, 1, 'a customer_facing failure pages at any hour');
    assert.deepEqual(receiver.on('/oncall')[0].body.subjects[1], { kind: 'resource', name: 'shop.orders', owner: 'sales-data', tags: ['customer_facing'] });

    // Sunday is still outside; Monday 10:00 in London is inside: flush sends the digest once.
    const sunday = await runCliAsync(['notify', 'flush'], project.dir, { SLUICE_NOW: '2026-12-06T12:00:00Z' });
    ok(sunday, 'flush on Sunday');
    assert.equal(sunday.stdout.trim(), 'Notifications: no digest is due.');
    const monday = await runCliAsync(['notify', 'flush'], project.dir, { SLUICE_NOW: MONDAY });
    ok(monday, 'flush on Monday');
    assert.equal(monday.stdout.trim(), 'Notifications: sent to finance.');
    const [digest] = receiver.on('/finance').map((r) => r.body);
    assert.equal(digest.text, 'Sluice digest: 1 notification from outside working hours');
    assert.match(digest.blocks[1].text.text, /^• 2026-12-05T10:00:\d\d\.\d+Z \*Ingest failed\*: the ingest of crm failed .*the crm API answered 503/);
    assert.equal((await runCliAsync(['notify', 'flush'], project.dir, { SLUICE_NOW: MONDAY })).stdout.trim(), 'Notifications: no digest is due.');

    // Inside working hours a failure goes out at once.
    const crmMonday = await runCliAsync(['ingest', 'crm'], project.dir, { FAIL_CRM: '1', SLUICE_NOW: '2026-12-07T11:00:00Z' });
    assert.deepEqual(notificationLines(crmMonday.stderr), ['Notifications: sent to finance.']);
    assert.equal(receiver.on('/finance')[1].body.blocks[0].text.text, ':red_circle: Ingest failed: crm');
    const rows = await records(project);
    assert.deepEqual(rows.map((r) => [r.event, r.target, r.action, r.status]), [
      ['ingest_failed', 'finance', 'queue', 'queued'],
      ['ingest_failed', 'oncall', 'send', 'sent'],
      ['digest', 'finance', 'digest', 'sent'],
      ['ingest_failed', 'finance', 'send', 'sent'],
    ]);
  });

  it('health --notify sends freshness_breached once per breach, again when it gets worse or breaks again after recovering', async () => {
    project = makeProject({
      'sources/shop.ts': source('shop'),
      'sluice.yaml': `name: test
sources:
  shop:
    owner: sales-data
    freshness: { warn_after: 1h, error_after: 3h }
notifications:
  - type: webhook
    url: ${receiver.url('/fresh')}
    events: [freshness_breached]
`,
    });
    const at = (hours: number) => new Date(Date.parse('2026-12-07T08:00:00Z') + hours * 3_600_000).toISOString();
    const health = (hours: number) => runCliAsync(['health', '--notify'], project.dir, { SLUICE_NOW: at(hours) });
    ok(await runCliAsync(['ingest', 'shop'], project.dir, { SLUICE_NOW: at(0) }), 'ingest');
    ok(await health(0.5), 'health while fresh');
    assert.equal(receiver.on('/fresh').length, 0);
    const stale = await health(2);
    ok(stale, 'health past warn_after');
    assert.deepEqual(notificationLines(stale.stderr), ['Notifications: sent to webhook.']);
    const event = receiver.on('/fresh')[0].body;
    assert.equal(event.event, 'freshness_breached');
    assert.equal(event.key, 'sluice/test/freshness/shop.orders');
    assert.equal(event.details.breach, 'warn_after');
    assert.match(event.summary, /^shop\.orders: /);
    assert.equal(event.command, 'sluice health shop.orders --env prod');
    const again = await health(2.5);
    assert.deepEqual(notificationLines(again.stderr), [], 'the same breach is not announced twice');
    assert.equal(receiver.on('/fresh').length, 1);
    const worse = await health(4);
    assert.equal(worse.code, 1, 'stale beyond error_after fails the check');
    assert.equal(receiver.on('/fresh').length, 2);
    assert.equal(receiver.on('/fresh')[1].body.details.breach, 'error_after');
    ok(await runCliAsync(['ingest', 'shop'], project.dir, { SLUICE_NOW: at(5) }), 'ingest again');
    ok(await health(5.2), 'health after recovering');
    assert.equal(receiver.on('/fresh').length, 2);
    ok(await health(6.5), 'health stale again');
    assert.equal(receiver.on('/fresh').length, 3, 'a recovered, then stale again resource alerts again');
  });

  it('apply sends plan_applied and audit_failed, a failing apply apply_failed, sluice test test_failed', async () => {
    const model = (blocking: boolean) => `MODEL (
  name analytics.orders,
  kind FULL,
  owner finance,
  tags (customer_facing),
  audits (accepted_range(column := amount, max_v := 10, blocking := ${blocking}))
);
SELECT id, CAST(amount AS DOUBLE) AS amount, note FROM shop.orders
`;
    project = makeProject({
      'sources/shop.ts': source('shop'),
      'models/orders.sql': model(false),
      'tests/test_orders.yaml': `test_orders_amounts:
  model: analytics.orders
  inputs:
    shop.orders:
      rows:
        - { id: 1, amount: 2.5, note: null }
  outputs:
    query:
      rows:
        - { id: 1, amount: 99.0, note: null }
`,
      'sluice.yaml': `name: test
notifications:
  - type: webhook
    url: ${receiver.url('/models')}
    events: [plan_applied, apply_failed, audit_failed, test_failed]
`,
    });
    ok(await runCliAsync(['ingest', 'shop'], project.dir), 'ingest');
    const apply = await runCliAsync(['apply'], project.dir);
    ok(apply, 'apply');
    assert.deepEqual(notificationLines(apply.stderr), ['Notifications: sent to webhook.']);
    const [applied, audit] = receiver.on('/models').map((r) => r.body);
    assert.equal(applied.event, 'plan_applied');
    assert.equal(applied.environment, 'prod');
    assert.deepEqual(applied.subjects, [{ kind: 'model', name: 'analytics.orders', owner: 'finance', tags: ['customer_facing'] }]);
    assert.equal(audit.event, 'audit_failed');
    assert.equal(audit.key, 'sluice/test/audit/prod/analytics.orders');
    assert.match(audit.summary, /^analytics\.orders in prod: accepted_range.* found 1 row\.$/);
    assert.equal(audit.details.audits[0].blocking, false);

    const test = await runCliAsync(['test'], project.dir);
    assert.equal(test.code, 1);
    const failedTest = receiver.on('/models')[2].body;
    assert.equal(failedTest.event, 'test_failed');
    assert.equal(failedTest.key, 'sluice/test/test/analytics.orders');
    assert.equal(failedTest.command, 'sluice test tests/test_orders.yaml::test_orders_amounts');
    assert.deepEqual(failedTest.subjects[0].tags, ['customer_facing']);

    project.write('models/orders.sql', model(true));
    const blocked = await runCliAsync(['apply'], project.dir);
    assert.equal(blocked.code, 1);
    const failedApply = receiver.on('/models').at(-1)!.body;
    assert.equal(failedApply.event, 'apply_failed');
    assert.equal(failedApply.key, 'sluice/test/apply/prod');
    assert.match(failedApply.error, /accepted_range/);
    assert.deepEqual(failedApply.subjects.map((s: any) => s.name), ['analytics.orders']);
  });

  it('run sends plan_applied and audit_failed when it processed intervals, apply_failed when it fails, nothing when nothing was due', async () => {
    project = makeProject({
      'models/daily.sql': `MODEL (
  name analytics.daily,
  kind INCREMENTAL_BY_TIME_RANGE (time_column d),
  start '2026-12-01',
  cron '@daily',
  audits (accepted_range(column := n, max_v := 0, blocking := false))
);
SELECT CAST(d AS DATE) AS d, 1 AS n FROM range(TIMESTAMP '2026-12-01', TIMESTAMP '2027-01-01', INTERVAL 1 DAY) AS t(d)
WHERE CAST(d AS DATE) BETWEEN @start_ds AND @end_ds
`,
      'sluice.yaml': `name: test
notifications:
  - type: webhook
    url: ${receiver.url('/run')}
    events: [plan_applied, apply_failed, audit_failed]
`,
    });
    ok(await runCliAsync(['apply'], project.dir, { SLUICE_NOW: '2026-12-03T06:00:00Z' }), 'apply');
    receiver.clear();
    const nothing = await runCliAsync(['run'], project.dir, { SLUICE_NOW: '2026-12-03T07:00:00Z' });
    ok(nothing, 'run with nothing due');
    assert.deepEqual(notificationLines(nothing.stderr), []);
    const run = await runCliAsync(['run'], project.dir, { SLUICE_NOW: '2026-12-05T07:00:00Z' });
    ok(run, 'run');
    const [processed, audit] = receiver.on('/run').map((r) => r.body);
    assert.equal(processed.event, 'plan_applied');
    assert.equal(processed.key, 'sluice/test/run/prod');
    assert.match(processed.summary, /^prod: run finished, 1 model built or processed\.$/);
    assert.equal(audit.event, 'audit_failed');
    assert.equal(audit.key, 'sluice/test/audit/prod/analytics.daily');
    const failed = await runCliAsync(['run', 'nowhere'], project.dir);
    assert.equal(failed.code, 1);
    const last = receiver.on('/run').at(-1)!.body;
    assert.equal(last.event, 'apply_failed');
    assert.match(last.error, /environment nowhere does not exist/);
  });
});

