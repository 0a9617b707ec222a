// What the warehouse's environments are: the models each shows differently from prod, who made it, and
// when a dev environment expires (its last apply plus the project's environment_ttl; prod never does).
// Shared by `sluice environments`, the janitor and the editor's Environments view.

import { formatDuration, parseDuration } from '../health/settings';
import type { Actor } from './actor';
import { PROD } from './names';
import type { EnvironmentRecord } from './types';

/** A week, as SQLMesh: a dev environment nobody applied for that long is removed by the janitor. */
export const DEFAULT_ENVIRONMENT_TTL_MS = 7 * 86_400_000;

/** A model an environment shows differently from prod. */
export interface ModelOverride {
  model: string;
  /** added: not in prod; changed: another version than prod's; removed: in prod, not here. */
  change: 'added' | 'changed' | 'removed';
}

/** The models an environment shows differently from prod: added, another version, or removed; by name. */
export function overridesVsProd(env: Pick<EnvironmentRecord, 'snapshots'>, prod: Pick<EnvironmentRecord, 'snapshots'> | undefined): ModelOverride[] {
  const inProd = new Map((prod?.snapshots ?? []).map((s) => [s.name, s.fingerprint]));
  const here = new Set(env.snapshots.map((s) => s.name));
  const out: ModelOverride[] = [];
  for (const s of env.snapshots) {
    const fingerprint = inProd.get(s.name);
    if (fingerprint === undefined) out.push({ model: s.name, change: 'added' });
    else if (fingerprint !== s.fingerprint) out.push({ model: s.name, change: 'changed' });
  }
  for (const name of inProd.keys()) if (!here.has(name)) out.push({ model: name, change: 'removed' });
  return out.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}

/** When an environment expires (epoch ms); undefined for prod, or when environments never expire (ttl null). */
export function expiryMs(record: Pick<EnvironmentRecord, 'name' | 'updatedAt'>, ttlMs: number | null): number | undefined {
  if (record.name === PROD || ttlMs === null) return undefined;
  return Date.parse(record.updatedAt) + ttlMs;
}

/** The non-prod environments last applied longer ago than the TTL. */
export function expiredEnvironments<T extends Pick<EnvironmentRecord, 'name' | 'updatedAt'>>(records: readonly T[], ttlMs: number | null, nowMs: number): T[] {
  return records.filter((r) => {
    const expiry = expiryMs(r, ttlMs);
    return expiry !== undefined && expiry <= nowMs;
  });
}

export interface EnvironmentSummary {
  name: string;
  /** ISO time of the first apply, when recorded. */
  createdAt?: string;
  createdBy?: Actor;
  /** ISO time of the last apply. */
  updatedAt: string;
  appliedBy?: Actor;
  models: number;
  /** Non-prod environments: what they show differently from prod. */
  overrides?: ModelOverride[];
  /** ISO time the janitor may remove it; absent for prod and when environments never expire. */
  expiresAt?: string;
  expired: boolean;
}

export function summarizeEnvironments(records: readonly EnvironmentRecord[], ttlMs: number | null, nowMs: number): EnvironmentSummary[] {
  const prod = records.find((r) => r.name === PROD);
  return records.map((r) => {
    const summary: EnvironmentSummary = { name: r.name, updatedAt: r.updatedAt, models: r.snapshots.length, expired: false };
    if (r.createdAt) summary.createdAt = r.createdAt;
    if (r.createdBy) summary.createdBy = r.createdBy;
    if (r.appliedBy) summary.appliedBy = r.appliedBy;
    if (r.name !== PROD) summary.overrides = overridesVsProd(r, prod);
    const expiry = expiryMs(r, ttlMs);
    if (expiry !== undefined) {
      summary.expiresAt = new Date(expiry).toISOString();
      summary.expired = expiry <= nowMs;
    }
    return summary;
  });
}

/** "2 h ago", "in 6.5 d". */
export function relativeTime(atMs: number, nowMs: number): string {
  const delta = atMs - nowMs;
  if (Math.abs(delta) < 1000) return 'now';
  return delta < 0 ? `${formatDuration(delta)} ago` : `in ${formatDuration(delta)}`;
}

/**
 * environment_ttl as written in sluice.yaml (`7d`, `12h`, `2w`) or in SQLMesh's config (`in 1 week`,
 * `2 days`); `never` keeps environments until they are invalidated. Undefined when it cannot be read.
 */
export function parseEnvironmentTtl(text: string): number | null | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'never') return null;
  const short = parseDuration(trimmed);
  if (short !== undefined) return short;
  const words = /^(?:in\s+)?(\d+(?:\.\d+)?)\s*(second|minute|hour|day|week|month|year)s?$/.exec(trimmed);
  if (!words) return undefined;
  const unitMs: Record<string, number> = {
    second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000, month: 30 * 86_400_000, year: 365 * 86_400_000,
  };
  const ms = Number(words[1]) * unitMs[words[2]];
  return ms > 0 ? ms : undefined;
}
