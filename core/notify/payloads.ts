// The bodies each kind of target receives: Slack incoming-webhook blocks, PagerDuty Events v2, or the event
// itself as JSON for a generic webhook.

import type { NotificationEvent, TargetType } from './types';

export const PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';

const TITLES: Record<NotificationEvent['event'], string> = {
  ingest_succeeded: 'Ingest succeeded',
  ingest_failed: 'Ingest failed',
  plan_applied: 'Plan applied',
  apply_failed: 'Apply failed',
  audit_failed: 'Audit failed',
  freshness_breached: 'Freshness breached',
  test_failed: 'Unit test failed',
};

/** Slack's mrkdwn treats <, > and & as markup: values are escaped so an error cannot inject links or mentions. */
function slackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackPayload(event: NotificationEvent): Record<string, unknown> {
  const title = `${event.failure ? ':red_circle:' : ':large_green_circle:'} ${TITLES[event.event]}: ${event.subjects[0]?.name ?? event.project}`;
  const fields: string[] = [];
  const names = event.subjects.map((s) => s.name);
  if (names.length > 0) fields.push(`*${event.subjects[0].kind === 'model' ? 'Models' : 'Resources'}*\n${slackText(shortList(names))}`);
  if (event.rows !== undefined) fields.push(`*Rows*\n${event.rows.toLocaleString('en-US')}`);
  if (event.duration_ms !== undefined) fields.push(`*Duration*\n${(event.duration_ms / 1000).toFixed(1)} s`);
  if (event.environment) fields.push(`*Environment*\n${slackText(event.environment)}`);
  if (event.load_id) fields.push(`*Load*\n${slackText(event.load_id)}`);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: slackText(event.summary) } },
  ];
  if (fields.length > 0) blocks.push({ type: 'section', fields: fields.slice(0, 10).map((text) => ({ type: 'mrkdwn', text })) });
  if (event.error) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Error*\n\`\`\`${slackText(event.error)}\`\`\`` } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Reproduce: \`${slackText(event.command)}\` · project ${slackText(event.project)} · ${event.at}` }] });
  return { text: `${TITLES[event.event]}: ${event.summary}`, blocks };
}

/** Many events in one Slack message: what waited outside working hours. */
export function slackDigest(events: NotificationEvent[]): Record<string, unknown> {
  const lines = events.map((e) => `• ${e.at} *${TITLES[e.event]}*: ${slackText(e.summary)}${e.error ? ` — ${slackText(e.error)}` : ''}`);
  return {
    text: `Sluice digest: ${events.length} notification${events.length === 1 ? '' : 's'} from outside working hours`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `Sluice digest (${events.length})` } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 2900) } },
    ],
  };
}

export function pagerdutyPayload(event: NotificationEvent, routingKey: string, action: 'trigger' | 'resolve'): Record<string, unknown> {
  if (action === 'resolve') return { routing_key: routingKey, event_action: 'resolve', dedup_key: event.key };
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: event.key,
    payload: {
      summary: `${TITLES[event.event]}: ${event.summary}`.slice(0, 1024),
      source: event.project,
      severity: isCustomerFacing(event) ? 'critical' : 'error',
      timestamp: event.at,
      component: event.subjects[0]?.name,
      group: event.environment,
      class: event.event,
      custom_details: webhookPayload(event),
    },
  };
}

export function webhookPayload(event: NotificationEvent): Record<string, unknown> {
  return { ...event };
}

/** A generic webhook's digest: the events as they would have come one by one. */
export function webhookDigest(events: NotificationEvent[]): Record<string, unknown> {
  return { event: 'digest', count: events.length, events };
}

export function digestPayload(type: TargetType, events: NotificationEvent[]): Record<string, unknown> {
  return type === 'slack' ? slackDigest(events) : webhookDigest(events);
}

export function isCustomerFacing(event: NotificationEvent): boolean {
  return event.subjects.some((s) => s.tags?.includes('customer_facing'));
}

function shortList(names: string[]): string {
  return names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
}
