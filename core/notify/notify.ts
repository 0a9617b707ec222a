// Sends a command's events to the project's targets and records what happened. Never throws and never holds
// the warehouse while waiting on the network: it reads and queues in one short visit, delivers (each attempt
// bounded by a timeout, retried a bounded number of times), then records the outcomes in a second visit.

import { nowMs } from '../clock';
import { describeError } from '../errors';
import type { Project } from '../project/config';
import { Warehouse } from '../warehouse/connection';
import { postJson, type Delivery } from './deliver';
import type { Breach } from './events';
import { digestPayload, PAGERDUTY_URL, pagerdutyPayload, slackPayload, webhookPayload } from './payloads';
import { inWorkingHours, routeEvent } from './route';
import { masked, resolveTarget } from './secrets';
import {
  clearQueue, closeIncident, dropQueued, ensureNotificationTables, openIncident, openIncidents, queueEvent, readBreaches, readQueue,
  recordDeliveries, saveBreaches, type DeliveryRecord,
} from './store';
import type { NotificationEvent, NotificationTarget, Resolution } from './types';

export interface NotifyRequest {
  events?: NotificationEvent[];
  /** What a success closes: PagerDuty incidents under these keys get a resolve, on every target that was triggered. */
  resolve?: Resolution;
  /** Every breach health sees now: only new (or worse) ones are announced; the others are remembered. */
  breaches?: Breach[];
  /** The keys health judged (a targeted run judges only some): a remembered breach outside them stays as it is. */
  judged?: string[];
  /** Sends the events to these targets as they are, without routing (`sluice notify test`). */
  test?: NotificationTarget[];
}

interface Job {
  target: NotificationTarget;
  event: string;
  action: 'send' | 'trigger' | 'resolve' | 'digest' | 'test';
  key?: string;
  summary: string;
  body: (routingKey: string | undefined) => unknown;
  /** After a successful send: open or close the incident under key, or clear the target's queue up to a time. */
  after?: { incident: 'open' | 'close' } | { clearQueueUpTo: string };
}

export interface NotifyOutcome {
  sent: string[];
  queued: string[];
  failed: string[];
  /** The one line the command prints (undefined when nothing was due). */
  line?: string;
}

/** Waits for the warehouse no longer than this: alerts are not worth stalling a command for. */
const LOCK_WAIT_MS = 15_000;

export async function notify(project: Project, request: NotifyRequest): Promise<NotifyOutcome> {
  const outcome: NotifyOutcome = { sent: [], queued: [], failed: [] };
  const targets = project.notifications ?? [];
  if (targets.length === 0) return outcome;
  try {
    const atMs = nowMs();
    const at = new Date(atMs).toISOString();
    const records: DeliveryRecord[] = [];
    const jobs = await withWarehouse(project, (wh) => plan(wh, targets, request, atMs, records, outcome));
    const done = await deliverAll(project, jobs);
    await withWarehouse(project, async (wh) => {
      for (const [i, job] of jobs.entries()) {
        const d = done[i];
        records.push({
          at, event: job.event, target: job.target.name, type: job.target.type, action: job.action, status: d.ok ? 'sent' : 'failed',
          ...(job.key ? { dedupKey: job.key } : {}), attempts: d.attempts, ...(d.status === undefined ? {} : { httpStatus: d.status }),
          durationMs: d.durationMs, ...(d.error ? { error: d.error } : {}), summary: job.summary,
        });
        if (d.ok) outcome.sent.push(job.target.name);
        else outcome.failed.push(`${job.target.name} (${d.error}${d.attempts > 1 ? ` after ${d.attempts} attempts` : ''})`);
        if (!d.ok || !job.after) continue;
        if ('clearQueueUpTo' in job.after) await clearQueue(wh, job.target.name, job.after.clearQueueUpTo);
        else if (job.after.incident === 'open') await openIncident(wh, { key: job.key!, target: job.target.name }, job.event, at);
        else await closeIncident(wh, { key: job.key!, target: job.target.name });
      }
      await recordDeliveries(wh, records);
    });
  } catch (err) {
    outcome.failed.push(`not delivered: ${describeError(err).split('\n')[0]}`);
  }
  outcome.line = summaryLine(outcome);
  return outcome;
}

/** The first visit: decides who gets what, queues what must wait, and remembers breaches. */
async function plan(wh: Warehouse, targets: NotificationTarget[], request: NotifyRequest, atMs: number, records: DeliveryRecord[], outcome: NotifyOutcome): Promise<Job[]> {
  await ensureNotificationTables(wh);
  const at = new Date(atMs).toISOString();
  const byName = new Map(targets.map((t) => [t.name, t]));
  const jobs: Job[] = [];
  if (request.test) {
    for (const target of request.test) for (const event of request.events ?? []) jobs.push(...testJobs(target, event));
    return jobs;
  }
  const events = [...(request.events ?? [])];
  const resolve: Resolution = { keys: [...(request.resolve?.keys ?? [])], prefixes: [...(request.resolve?.prefixes ?? [])] };
  if (request.breaches) {
    // Announced once per breach: again only when it gets worse, or after it recovered and broke again.
    const known = await readBreaches(wh);
    const rank = (b: string | undefined) => ['warn_after', 'stale', 'error_after', 'failing'].indexOf(b ?? '');
    for (const b of request.breaches) if (!known.has(b.key) || rank(b.breach) > rank(known.get(b.key))) events.push(b.event);
    const current = new Map(request.breaches.map((b) => [b.key, b.breach]));
    const judged = request.judged ? new Set(request.judged) : undefined;
    for (const [key, breach] of known) {
      if (current.has(key)) continue;
      if (judged && !judged.has(key)) current.set(key, breach);
      else resolve.keys.push(key);
    }
    await saveBreaches(wh, current, at);
  }
  for (const incident of await openIncidents(wh, resolve.keys, resolve.prefixes)) {
    const target = byName.get(incident.target);
    if (!target) continue;
    jobs.push({ target, event: 'resolve', action: 'resolve', key: incident.key, summary: `resolved ${incident.key}`, body: (rk) => pagerdutyPayload({ key: incident.key } as NotificationEvent, rk ?? '', 'resolve'), after: { incident: 'close' } });
  }
  // A page that waited for working hours is dropped once what it was about has succeeded.
  for (const target of targets) if (target.type === 'pagerduty') for (const key of resolve.keys) await dropQueued(wh, target.name, key);
  for (const event of events) {
    for (const target of targets) {
      const route = routeEvent(target, event, atMs);
      if (route === 'skip') continue;
      if (route === 'queue') {
        await queueEvent(wh, target.name, event);
        records.push({ at, event: event.event, target: target.name, type: target.type, action: 'queue', status: 'queued', dedupKey: event.key, attempts: 0, summary: event.summary });
        outcome.queued.push(target.name);
        continue;
      }
      jobs.push(eventJob(target, event));
    }
  }
  // Digests: what waited for a target's working hours goes out at the first command inside them.
  for (const { target: name, events: waiting } of await readQueue(wh)) {
    const target = byName.get(name);
    if (!target || !inWorkingHours(target, atMs)) continue;
    const flushed = waiting.filter((e) => e.at <= at);
    if (flushed.length === 0) continue;
    if (target.type === 'pagerduty') {
      for (const e of flushed) jobs.push({ ...eventJob(target, e), after: { incident: 'open' } });
      await clearQueue(wh, name, at);
    } else {
      jobs.push({ target, event: 'digest', action: 'digest', summary: `digest of ${flushed.length} notification${flushed.length === 1 ? '' : 's'}`, body: () => digestPayload(target.type, flushed), after: { clearQueueUpTo: at } });
    }
  }
  return jobs;
}

function eventJob(target: NotificationTarget, event: NotificationEvent): Job {
  if (target.type === 'pagerduty') {
    return { target, event: event.event, action: 'trigger', key: event.key, summary: event.summary, body: (rk) => pagerdutyPayload(event, rk ?? '', 'trigger'), after: { incident: 'open' } };
  }
  return { target, event: event.event, action: 'send', key: event.key, summary: event.summary, body: () => (target.type === 'slack' ? slackPayload(event) : webhookPayload(event)) };
}

/** A sample to one target; on PagerDuty a trigger and its resolve, so that nobody stays paged. */
function testJobs(target: NotificationTarget, event: NotificationEvent): Job[] {
  const job = { ...eventJob(target, event), action: 'test' as const, after: undefined };
  if (target.type !== 'pagerduty') return [job];
  return [job, { target, event: event.event, action: 'test', key: event.key, summary: `resolve ${event.key}`, body: (rk) => pagerdutyPayload(event, rk ?? '', 'resolve') }];
}

/**
 * Everything at once, except that the jobs of one target under one key go in order: a trigger must reach
 * PagerDuty before the resolve that follows it.
 */
async function deliverAll(project: Project, jobs: Job[]): Promise<Delivery[]> {
  const chains = new Map<string, Promise<unknown>>();
  return Promise.all(jobs.map((job, i) => {
    const chain = `${job.target.name}\u0000${job.key ?? `#${i}`}`;
    const previous = chains.get(chain) ?? Promise.resolve();
    const delivery = previous.then(() => deliver(project, job));
    chains.set(chain, delivery);
    return delivery;
  }));
}

async function deliver(project: Project, job: Job): Promise<Delivery> {
  let secrets: Record<string, string> = {};
  try {
    const resolved = resolveTarget(project, job.target);
    secrets = resolved.secrets;
    const url = job.target.type === 'pagerduty' ? resolved.url ?? PAGERDUTY_URL : resolved.url!;
    const d = await postJson(url, job.body(resolved.routingKey), job.target.timeoutMs);
    return d.error ? { ...d, error: masked(d.error, resolved) } : d;
  } catch (err) {
    return { ok: false, attempts: 0, error: masked(describeError(err).split('\n')[0], { secrets }), durationMs: 0 };
  }
}

async function withWarehouse<T>(project: Project, fn: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await Warehouse.open(project.warehouse, { lockWaitMs: LOCK_WAIT_MS });
  try {
    return await wh.transaction(() => fn(wh));
  } finally {
    wh.close();
  }
}

function summaryLine(outcome: NotifyOutcome): string | undefined {
  const list = (names: string[]) => [...new Set(names)].join(', ');
  const parts: string[] = [];
  if (outcome.sent.length > 0) parts.push(`sent to ${list(outcome.sent)}`);
  if (outcome.queued.length > 0) parts.push(`queued for working hours: ${list(outcome.queued)}`);
  if (outcome.failed.length > 0) parts.push(`failed: ${list(outcome.failed)}`);
  return parts.length > 0 ? `Notifications: ${parts.join('; ')}.` : undefined;
}
