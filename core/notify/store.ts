// What alerting keeps in the warehouse, beside the loads: every delivery attempt's outcome
// (_sluice.notifications), the PagerDuty incidents still open (notification_incidents), events waiting for
// working hours (notification_queue) and the freshness breaches already announced (notification_breaches).

import type { Warehouse } from '../warehouse/connection';
import { qualified, quoteIdent } from '../warehouse/quote';
import { SYSTEM_SCHEMA } from '../warehouse/system';
import type { NotificationEvent } from './types';

export const NOTIFICATIONS_TABLE = qualified(SYSTEM_SCHEMA, 'notifications');
const INCIDENTS_TABLE = qualified(SYSTEM_SCHEMA, 'notification_incidents');
const QUEUE_TABLE = qualified(SYSTEM_SCHEMA, 'notification_queue');
const BREACHES_TABLE = qualified(SYSTEM_SCHEMA, 'notification_breaches');

/** Idempotent: made on first use, so a warehouse that never alerted has none of these. */
export async function ensureNotificationTables(wh: Warehouse): Promise<void> {
  await wh.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(SYSTEM_SCHEMA)}`);
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${NOTIFICATIONS_TABLE} (
      "at" TIMESTAMPTZ NOT NULL,
      "event" VARCHAR NOT NULL,
      "target" VARCHAR NOT NULL,
      "type" VARCHAR NOT NULL,
      "action" VARCHAR NOT NULL,
      "status" VARCHAR NOT NULL,
      "dedup_key" VARCHAR,
      "attempts" INTEGER NOT NULL,
      "http_status" INTEGER,
      "duration_ms" INTEGER,
      "error" VARCHAR,
      "summary" VARCHAR
    )`,
  );
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${INCIDENTS_TABLE} (
      "dedup_key" VARCHAR NOT NULL,
      "target" VARCHAR NOT NULL,
      "event" VARCHAR NOT NULL,
      "opened_at" TIMESTAMPTZ NOT NULL
    )`,
  );
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${QUEUE_TABLE} (
      "target" VARCHAR NOT NULL,
      "dedup_key" VARCHAR NOT NULL,
      "queued_at" TIMESTAMPTZ NOT NULL,
      "event" JSON NOT NULL
    )`,
  );
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${BREACHES_TABLE} (
      "key" VARCHAR NOT NULL,
      "breach" VARCHAR NOT NULL,
      "since" TIMESTAMPTZ NOT NULL
    )`,
  );
}

export interface DeliveryRecord {
  at: string;
  event: string;
  target: string;
  type: string;
  /** send, trigger, resolve, digest, queue or test. */
  action: string;
  /** sent, failed or queued. */
  status: string;
  dedupKey?: string;
  attempts: number;
  httpStatus?: number;
  durationMs?: number;
  error?: string;
  summary?: string;
}

export async function recordDeliveries(wh: Warehouse, records: readonly DeliveryRecord[]): Promise<void> {
  for (const r of records) {
    await wh.run(
      `INSERT INTO ${NOTIFICATIONS_TABLE} ("at", "event", "target", "type", "action", "status", "dedup_key", "attempts", "http_status", "duration_ms", "error", "summary")
       VALUES (CAST($1 AS TIMESTAMPTZ), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [r.at, r.event, r.target, r.type, r.action, r.status, r.dedupKey ?? null, r.attempts, r.httpStatus ?? null, r.durationMs ?? null, r.error ?? null, r.summary ?? null],
    );
  }
}

export interface Incident {
  key: string;
  target: string;
}

/** Open incidents whose key is one of keys or starts with one of prefixes. */
export async function openIncidents(wh: Warehouse, keys: readonly string[], prefixes: readonly string[] = []): Promise<Incident[]> {
  const rows = await wh.all<{ dedup_key: string; target: string }>(`SELECT DISTINCT "dedup_key", "target" FROM ${INCIDENTS_TABLE} ORDER BY "dedup_key", "target"`);
  return rows
    .filter((r) => keys.includes(r.dedup_key) || prefixes.some((p) => r.dedup_key.startsWith(p)))
    .map((r) => ({ key: r.dedup_key, target: r.target }));
}

export async function openIncident(wh: Warehouse, incident: Incident, event: string, at: string): Promise<void> {
  await closeIncident(wh, incident);
  await wh.run(`INSERT INTO ${INCIDENTS_TABLE} ("dedup_key", "target", "event", "opened_at") VALUES ($1, $2, $3, CAST($4 AS TIMESTAMPTZ))`, [incident.key, incident.target, event, at]);
}

export async function closeIncident(wh: Warehouse, incident: Incident): Promise<void> {
  await wh.run(`DELETE FROM ${INCIDENTS_TABLE} WHERE "dedup_key" = $1 AND "target" = $2`, [incident.key, incident.target]);
}

export async function queueEvent(wh: Warehouse, target: string, event: NotificationEvent): Promise<void> {
  await wh.run(`INSERT INTO ${QUEUE_TABLE} ("target", "dedup_key", "queued_at", "event") VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ), CAST($4 AS JSON))`, [
    target, event.key, event.at, JSON.stringify(event),
  ]);
}

export interface Queued {
  target: string;
  events: NotificationEvent[];
}

/** Queued events per target, oldest first. */
export async function readQueue(wh: Warehouse): Promise<Queued[]> {
  const rows = await wh.all<{ target: string; event: string }>(`SELECT "target", CAST("event" AS VARCHAR) AS "event" FROM ${QUEUE_TABLE} ORDER BY "queued_at", "target"`);
  const byTarget = new Map<string, NotificationEvent[]>();
  for (const r of rows) {
    if (!byTarget.has(r.target)) byTarget.set(r.target, []);
    byTarget.get(r.target)!.push(JSON.parse(r.event) as NotificationEvent);
  }
  return [...byTarget].map(([target, events]) => ({ target, events }));
}

/** Removes a target's queued events up to the given time (those just sent in a digest). */
export async function clearQueue(wh: Warehouse, target: string, upTo: string): Promise<void> {
  await wh.run(`DELETE FROM ${QUEUE_TABLE} WHERE "target" = $1 AND "queued_at" <= CAST($2 AS TIMESTAMPTZ)`, [target, upTo]);
}

/** Drops a target's queued pages for a key that has since succeeded: nobody needs paging about it any more. */
export async function dropQueued(wh: Warehouse, target: string, key: string): Promise<void> {
  await wh.run(`DELETE FROM ${QUEUE_TABLE} WHERE "target" = $1 AND "dedup_key" = $2`, [target, key]);
}

/** The breaches already announced, by key. */
export async function readBreaches(wh: Warehouse): Promise<Map<string, string>> {
  const rows = await wh.all<{ key: string; breach: string }>(`SELECT "key", "breach" FROM ${BREACHES_TABLE}`);
  return new Map(rows.map((r) => [r.key, r.breach]));
}

export async function saveBreaches(wh: Warehouse, breaches: ReadonlyMap<string, string>, at: string): Promise<void> {
  const known = await readBreaches(wh);
  for (const key of known.keys()) if (!breaches.has(key)) await wh.run(`DELETE FROM ${BREACHES_TABLE} WHERE "key" = $1`, [key]);
  for (const [key, breach] of breaches) {
    if (known.get(key) === breach) continue;
    await wh.run(`DELETE FROM ${BREACHES_TABLE} WHERE "key" = $1`, [key]);
    await wh.run(`INSERT INTO ${BREACHES_TABLE} ("key", "breach", "since") VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ))`, [key, breach, at]);
  }
}
