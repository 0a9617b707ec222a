// notifications: in sluice.yaml (checked with the file, line and key path of each mistake), working hours in
// a time zone across its clock changes, and which targets an event goes to.
import { strict as assert } from 'node:assert';
import { loadProject } from '../../core/project/config';
import { parseWorkingHours, withinWorkingHours } from '../../core/notify/hours';
import { routeEvent } from '../../core/notify/route';
import { resolveTarget } from '../../core/notify/secrets';
import type { NotificationEvent, NotificationTarget, WorkingHours } from '../../core/notify/types';
import { makeProject, type TempProject } from '../helpers/project';

function load(yaml: string, files: Record<string, string> = {}): { project: TempProject; load: () => ReturnType<typeof loadProject> } {
  const project = makeProject({ ...files, 'sluice.yaml': yaml });
  return { project, load: () => loadProject(project.dir) };
}

function errorOf(yaml: string): string {
  const { project, load: run } = load(yaml);
  try {
    run();
    return '';
  } catch (err) {
    return (err as Error).message.replace(project.dir, '<dir>');
  } finally {
    project.cleanup();
  }
}

describe('notifications in sluice.yaml', () => {
  it('reads targets with default names, events, routing and timeout', () => {
    const { project, load: run } = load(`name: shop
notifications:
  - type: slack
    url: \${secrets.SLACK_WEBHOOK}
    events: [ingest_failed, freshness_breached]
    when: { owner: finance, working_hours: 'Mon-Fri 09:00-18:00 Europe/London' }
  - type: pagerduty
    routing_key: \${secrets.PD_KEY}
    events: ingest_failed
    when: { tags: customer_facing }
    timeout: 2s
  - name: audit-hook
    type: webhook
    url: https://example.com/hook
    events: [audit_failed]
  - type: webhook
    url: https://example.com/other
    events: [test_failed]
`);
    try {
      const targets = run().notifications!;
      assert.deepEqual(targets.map((t) => t.name), ['slack', 'pagerduty', 'audit-hook', 'webhook-2']);
      assert.deepEqual(targets[0].events, ['ingest_failed', 'freshness_breached']);
      assert.deepEqual(targets[0].when.owners, ['finance']);
      assert.equal(targets[0].when.workingHours?.timeZone, 'Europe/London');
      assert.equal(targets[0].url, '${secrets.SLACK_WEBHOOK}', 'secrets are resolved only when sending');
      assert.deepEqual(targets[1].when.tags, ['customer_facing']);
      assert.equal(targets[1].timeoutMs, 2000);
    } finally {
      project.cleanup();
    }
  });

  it('a project without notifications has none', () => {
    const { project, load: run } = load('name: shop\n');
    try {
      assert.equal(run().notifications, undefined);
    } finally {
      project.cleanup();
    }
  });

  it('reports each mistake with file, line, column and key path', () => {
    const head = 'name: shop\nnotifications:\n';
    assert.equal(errorOf(`${head}  - type: teams\n    url: https://x\n    events: [ingest_failed]\n`), '<dir>/sluice.yaml:3:11: notifications.0.type must be one of slack, webhook, pagerduty; found "teams"');
    assert.equal(errorOf(`${head}  - type: slack\n    url: https://x\n    events: [ingest_fail]\n`), '<dir>/sluice.yaml:5:14: notifications.0.events: "ingest_fail" is not an event; use ingest_succeeded, ingest_failed, plan_applied, apply_failed, audit_failed, freshness_breached, test_failed');
    assert.equal(errorOf(`${head}  - type: slack\n    url: https://x\n    event: [ingest_failed]\n`), '<dir>/sluice.yaml:5:5: notifications.0.event is not a notification setting; use one of name, type, url, routing_key, events, when, timeout');
    assert.equal(errorOf(`${head}  - type: pagerduty\n    events: [ingest_failed]\n`), '<dir>/sluice.yaml:3:5: notifications.0: a pagerduty target needs routing_key (its Events v2 integration key), e.g. routing_key: ${secrets.PAGERDUTY_KEY}');
    assert.equal(errorOf(`${head}  - type: slack\n    url: https://x/\${SLACK}\n    events: [ingest_failed]\n`), '<dir>/sluice.yaml:4:10: notifications.0.url: write a secret as ${secrets.NAME} (NAME from the environment or .env)');
    assert.equal(
      errorOf(`${head}  - type: slack\n    url: https://x\n    events: [ingest_failed]\n    when:\n      working_hours: Mon-Fri 9-18 Europe/London\n`),
      '<dir>/sluice.yaml:7:22: notifications.0.when.working_hours: hours must be written HH:MM-HH:MM such as 09:00-18:00; found "9-18"',
    );
    assert.equal(
      errorOf(`${head}  - type: slack\n    url: https://x\n    events: [ingest_failed]\n    when: { working_hours: Mon-Fri 09:00-18:00 Europe/Londn }\n`),
      '<dir>/sluice.yaml:6:28: notifications.0.when.working_hours: "Europe/Londn" is not a time zone; use an IANA name such as Europe/London or UTC',
    );
    assert.equal(
      errorOf(`${head}  - type: slack\n    url: https://x\n    events: [ingest_failed]\n  - type: slack\n    url: https://y\n    events: [ingest_failed]\n    name: slack-1\n`),
      '<dir>/sluice.yaml:6:5: notifications.1: another target is already named "slack-1"; give each a distinct name',
    );
    assert.match(errorOf(`${head}  type: slack\n`), /^<dir>\/sluice\.yaml:3:3: notifications must be a list of targets/);
  });

  it('fills ${secrets.X} from the environment first, then .env, and names a missing one without any value', () => {
    const { project, load: run } = load(
      `name: shop\nnotifications:\n  - type: pagerduty\n    url: https://events.example/\${secrets.PD_PATH}\n    routing_key: \${secrets.PD_KEY}\n    events: [ingest_failed]\n`,
      { '.env': 'PD_KEY=from-dotenv\nPD_PATH=v2/enqueue\n' },
    );
    try {
      const p = run();
      const target = p.notifications![0];
      assert.deepEqual(resolveTarget(p, target, { PD_KEY: 'from-env' }), {
        target, url: 'https://events.example/v2/enqueue', routingKey: 'from-env', secrets: { PD_PATH: 'v2/enqueue', PD_KEY: 'from-env' },
      });
      assert.equal(resolveTarget(p, target, {}).routingKey, 'from-dotenv');
      project.write('.env', 'PD_PATH=v2/enqueue\n');
      assert.throws(() => resolveTarget(p, target, {}), /^SluiceError: notification target pagerduty: routing_key needs the secret PD_KEY; set it in the environment or in \.env$/);
    } finally {
      project.cleanup();
    }
  });
});

describe('working hours', () => {
  const london = parseWorkingHours('Mon-Fri 09:00-18:00 Europe/London') as WorkingHours;

  it('judges by the wall clock of the zone, summer time included', () => {
    assert.deepEqual(london.days, [1, 2, 3, 4, 5]);
    // Winter: London is on UTC.
    assert.equal(withinWorkingHours(london, Date.parse('2026-12-07T09:00:00Z')), true);
    assert.equal(withinWorkingHours(london, Date.parse('2026-12-07T08:59:00Z')), false);
    assert.equal(withinWorkingHours(london, Date.parse('2026-12-07T17:59:00Z')), true);
    assert.equal(withinWorkingHours(london, Date.parse('2026-12-07T18:00:00Z')), false);
    // Summer: 08:30 UTC is 09:30 in London, 17:30 UTC is 18:30.
    assert.equal(withinWorkingHours(london, Date.parse('2026-07-06T08:30:00Z')), true);
    assert.equal(withinWorkingHours(london, Date.parse('2026-07-06T17:30:00Z')), false);
    // Saturday, and a Friday evening that is already Saturday in Tokyo.
    assert.equal(withinWorkingHours(london, Date.parse('2026-12-05T12:00:00Z')), false);
    const tokyo = parseWorkingHours('Mon-Fri 09:00-18:00 Asia/Tokyo') as WorkingHours;
    assert.equal(withinWorkingHours(tokyo, Date.parse('2026-12-04T16:00:00Z')), false);
    assert.equal(withinWorkingHours(tokyo, Date.parse('2026-12-04T01:00:00Z')), true);
  });

  it('reads day lists and ranges that wrap round the week; the zone defaults to UTC', () => {
    assert.deepEqual((parseWorkingHours('Sun-Thu 08:00-16:00 Asia/Jerusalem') as WorkingHours).days, [0, 1, 2, 3, 4]);
    assert.deepEqual((parseWorkingHours('Fri-Mon 10:00-12:00') as WorkingHours).days, [0, 1, 5, 6]);
    assert.deepEqual(parseWorkingHours('Mon,Wed,friday 07:30-24:00'), { text: 'Mon,Wed,friday 07:30-24:00', days: [1, 3, 5], startMinute: 450, endMinute: 1440, timeZone: 'UTC' });
    assert.equal(parseWorkingHours('Weekdays 09:00-18:00'), 'days must be written like Mon-Fri or Mon,Wed,Fri; found "Weekdays"');
    assert.equal(parseWorkingHours('Mon-Fri 18:00-09:00'), 'hours must end after they start; found "18:00-09:00"');
  });
});

describe('routing', () => {
  const hours = parseWorkingHours('Mon-Fri 09:00-18:00 Europe/London') as WorkingHours;
  const target = (t: Partial<NotificationTarget>): NotificationTarget => ({ name: 't', type: 'slack', url: 'x', events: ['ingest_failed', 'ingest_succeeded'], when: {}, ...t });
  const event = (e: Partial<NotificationEvent>): NotificationEvent => ({
    event: 'ingest_failed', at: '', project: 'p', summary: '', key: 'k', failure: true, command: '', subjects: [{ kind: 'source', name: 'crm', owner: 'finance' }], ...e,
  });
  const saturday = Date.parse('2026-12-05T12:00:00Z');
  const monday = Date.parse('2026-12-07T12:00:00Z');

  it('sends what a target lists, for the owners and tags it names', () => {
    assert.equal(routeEvent(target({}), event({}), saturday), 'send');
    assert.equal(routeEvent(target({ events: ['ingest_succeeded'] }), event({}), monday), 'skip');
    assert.equal(routeEvent(target({ when: { owners: ['finance'] } }), event({}), monday), 'send');
    assert.equal(routeEvent(target({ when: { owners: ['sales'] } }), event({}), monday), 'skip');
    assert.equal(routeEvent(target({ when: { tags: ['customer_facing'] } }), event({}), monday), 'skip');
    assert.equal(routeEvent(target({ when: { tags: ['customer_facing'] } }), event({ subjects: [{ kind: 'model', name: 'm', tags: ['pii', 'customer_facing'] }] }), monday), 'send');
  });

  it('pages customer_facing failures at any hour; queues the rest, successes included, outside working hours', () => {
    const withHours = target({ when: { workingHours: hours } });
    const customer = event({ subjects: [{ kind: 'resource', name: 'shop.orders', tags: ['customer_facing'] }] });
    assert.equal(routeEvent(withHours, customer, saturday), 'send');
    assert.equal(routeEvent(withHours, event({}), saturday), 'queue');
    assert.equal(routeEvent(withHours, event({ event: 'ingest_succeeded', failure: false, subjects: customer.subjects }), saturday), 'queue');
    assert.equal(routeEvent(withHours, event({}), monday), 'send');
  });

  it('PagerDuty pages on failures only (a success resolves instead)', () => {
    const pd = target({ type: 'pagerduty', routingKey: 'k' });
    assert.equal(routeEvent(pd, event({}), monday), 'send');
    assert.equal(routeEvent(pd, event({ event: 'ingest_succeeded', failure: false }), monday), 'skip');
  });
});
