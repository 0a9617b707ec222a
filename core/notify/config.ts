// `notifications:` in sluice.yaml: a list of targets, each checked here so that a typo is reported with the
// file, line and key path instead of an alert that silently never comes.

import { parseDuration } from '../health/settings';
import { parseWorkingHours } from './hours';
import { EVENT_KINDS, TARGET_TYPES, type EventKind, type NotificationTarget, type TargetType } from './types';

/** Throws a SluiceError naming the line and column of a key path of sluice.yaml. */
export type ConfigFail = (at: string[], message: string, place?: 'key' | 'value') => never;

const TARGET_KEYS = ['name', 'type', 'url', 'routing_key', 'events', 'when', 'timeout'];
const WHEN_KEYS = ['tags', 'owner', 'working_hours'];

export function readNotifications(value: unknown, fail: ConfigFail): NotificationTarget[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(['notifications'], 'notifications must be a list of targets, e.g. - { type: slack, url: "${secrets.SLACK_WEBHOOK}", events: [ingest_failed] }');
  const targets = (value as unknown[]).map((entry, i) => readTarget(entry, ['notifications', String(i)], fail));
  // Names must be unique: `sluice notify test NAME` and the records name a target by it.
  const counts = new Map<string, number>();
  for (const t of targets) counts.set(t.type, (counts.get(t.type) ?? 0) + 1);
  // An unnamed target is called by its type, or `<type>-<n>` by its place among the targets of that type.
  const seen = new Map<string, number>();
  for (const t of targets) {
    const n = (seen.get(t.type) ?? 0) + 1;
    seen.set(t.type, n);
    if (t.name === '') t.name = counts.get(t.type) === 1 ? t.type : `${t.type}-${n}`;
  }
  const names = new Set<string>();
  targets.forEach((t, i) => {
    if (names.has(t.name)) fail(['notifications', String(i)], `notifications.${i}: another target is already named ${JSON.stringify(t.name)}; give each a distinct name`);
    names.add(t.name);
  });
  return targets;
}

function readTarget(entry: unknown, at: string[], fail: ConfigFail): NotificationTarget {
  const path = at.join('.');
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(at, `${path} must be a mapping with type, url and events`);
  const s = entry as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!TARGET_KEYS.includes(key)) fail([...at, key], `${path}.${key} is not a notification setting; use one of ${TARGET_KEYS.join(', ')}`, 'key');
  }
  if (!TARGET_TYPES.includes(s.type as TargetType)) {
    fail(s.type === undefined ? at : [...at, 'type'], `${path}.type must be one of ${TARGET_TYPES.join(', ')}; found ${JSON.stringify(s.type ?? null)}`);
  }
  const type = s.type as TargetType;
  const text = (key: string): string | undefined => {
    if (s[key] === undefined || s[key] === null) return undefined;
    if (typeof s[key] !== 'string' || (s[key] as string).trim() === '') fail([...at, key], `${path}.${key} must be text`);
    return (s[key] as string).trim();
  };
  const name = text('name') ?? '';
  const url = text('url');
  const routingKey = text('routing_key');
  if (type === 'pagerduty' && routingKey === undefined) fail(at, `${path}: a pagerduty target needs routing_key (its Events v2 integration key), e.g. routing_key: \${secrets.PAGERDUTY_KEY}`);
  if (type !== 'pagerduty' && url === undefined) fail(at, `${path}: a ${type} target needs url, e.g. url: \${secrets.${type === 'slack' ? 'SLACK_WEBHOOK' : 'ALERT_WEBHOOK'}}`);
  if (type !== 'pagerduty' && routingKey !== undefined) fail([...at, 'routing_key'], `${path}.routing_key is for pagerduty targets only`);
  for (const key of ['url', 'routing_key']) {
    const value = s[key];
    if (typeof value === 'string' && /\$\{(?!secrets\.[A-Za-z_][\w.-]*\})/.test(value)) {
      fail([...at, key], `${path}.${key}: write a secret as \${secrets.NAME} (NAME from the environment or .env)`);
    }
  }
  const events = readEvents(s.events, [...at, 'events'], fail);
  const when = readWhen(s.when, [...at, 'when'], fail);
  const timeout = text('timeout');
  const timeoutMs = timeout === undefined ? undefined : parseDuration(timeout);
  if (timeout !== undefined && (timeoutMs === undefined || timeoutMs > 60_000)) fail([...at, 'timeout'], `${path}.timeout must be a duration of at most 60s such as 5s; found ${JSON.stringify(timeout)}`);
  return {
    name, type, ...(url === undefined ? {} : { url }), ...(routingKey === undefined ? {} : { routingKey }), events, when,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}

function readEvents(value: unknown, at: string[], fail: ConfigFail): EventKind[] {
  const path = at.join('.');
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) fail(at, `${path} must list the events to send, from ${EVENT_KINDS.join(', ')}`);
  (list as unknown[]).forEach((e, i) => {
    if (!EVENT_KINDS.includes(e as EventKind)) fail(Array.isArray(value) ? [...at, String(i)] : at, `${path}: ${JSON.stringify(e)} is not an event; use ${EVENT_KINDS.join(', ')}`);
  });
  return [...new Set(list as EventKind[])];
}

function readWhen(value: unknown, at: string[], fail: ConfigFail): NotificationTarget['when'] {
  const path = at.join('.');
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) fail(at, `${path} must be a mapping of tags, owner and working_hours`);
  const s = value as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!WHEN_KEYS.includes(key)) fail([...at, key], `${path}.${key} is not a routing setting; use one of ${WHEN_KEYS.join(', ')}`, 'key');
  }
  const names = (key: string, example: string): string[] | undefined => {
    if (s[key] === undefined || s[key] === null) return undefined;
    const list = typeof s[key] === 'string' ? [s[key]] : s[key];
    if (!Array.isArray(list) || list.length === 0 || list.some((t) => typeof t !== 'string' || t.trim() === '')) fail([...at, key], `${path}.${key} must be a name or a list of names, e.g. ${key}: ${example}`);
    return list as string[];
  };
  const out: NotificationTarget['when'] = {};
  const tags = names('tags', '[customer_facing]');
  const owners = names('owner', 'finance');
  if (tags) out.tags = tags;
  if (owners) out.owners = owners;
  if (s.working_hours !== undefined && s.working_hours !== null) {
    const hours = typeof s.working_hours === 'string' ? parseWorkingHours(s.working_hours) : 'must be text such as Mon-Fri 09:00-18:00 Europe/London';
    if (typeof hours === 'string') fail([...at, 'working_hours'], `${path}.working_hours: ${hours}`);
    out.workingHours = hours;
  }
  return out;
}
