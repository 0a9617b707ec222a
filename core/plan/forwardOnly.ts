// Forward-only changes, as SQLMesh has them: a changed model keeps its physical table instead of being
// rebuilt. History stays as it was computed; only intervals processed from then on use the new query. The
// table's schema follows the new query in place: added columns are added (NULL in existing rows), and
// dropped or retyped columns follow the kind's on_destructive_change (error by default, warn, allow, or
// ignore: leave them). A model is forward-only with `forward_only true` on its kind, as an SCD type 2 model
// (its history cannot be computed again), or for every FULL or incremental model with `plan --forward-only`.
//
// Only prod changes a table in place. Another environment previews the change on a table of its own
// (a preview version) built over the model's last interval only, so prod's table is untouched until the
// change is promoted. A preview version is never reused by another environment.

import crypto from 'node:crypto';
import { SluiceError } from '../errors';
import { isScd2 } from '../models/scd2';
import type { DestructiveChangePolicy, ModelKind } from '../models/types';
import { quoteIdent } from '../warehouse/quote';
import type { SqlSession } from '../engine/types';
import { dueRange, floorToUnit, intervalUnit, isoTimestamp } from './intervals';
import { physicalSql } from './names';
import type { SnapshotRecord } from './types';

/** The kind without its forward-only options, which are metadata: switching them rebuilds nothing. */
export function dataKind(kind: ModelKind): ModelKind {
  if (!('forwardOnly' in kind) && !('onDestructiveChange' in kind)) return kind;
  const { forwardOnly: _f, onDestructiveChange: _d, ...rest } = kind as ModelKind & { forwardOnly?: boolean; onDestructiveChange?: string };
  return rest as ModelKind;
}

/** The forward-only options as written, undefined when none is (they count as metadata). */
export function forwardOnlyOptions(kind: ModelKind): { forwardOnly?: boolean; onDestructiveChange?: string } | undefined {
  if (!('forwardOnly' in kind) && !('onDestructiveChange' in kind)) return undefined;
  return { forwardOnly: kind.forwardOnly, onDestructiveChange: kind.onDestructiveChange };
}

/** Whether a change to a model of this kind keeps its table (planForwardOnly: the plan's --forward-only). */
export function isForwardOnly(kind: ModelKind, planForwardOnly: boolean): boolean {
  const wholeQuery = kind.name === 'INCREMENTAL_BY_PARTITION' || kind.name === 'INCREMENTAL_UNMANAGED';
  const stored = kind.name === 'FULL' || kind.name === 'INCREMENTAL_BY_TIME_RANGE' || kind.name === 'INCREMENTAL_BY_UNIQUE_KEY' || wholeQuery || isScd2(kind);
  if (!stored) return false;
  if (planForwardOnly) return true;
  const own = 'forwardOnly' in kind ? kind.forwardOnly : undefined;
  // As in SQLMesh, these kinds keep their table through a change by default: their query cannot give back
  // the history (SCD type 2), the rows of earlier runs (unmanaged) or partitions it no longer returns.
  return own ?? (isScd2(kind) || wholeQuery);
}

/**
 * Whether the new version can be written into the old one's table: the same kind, and the same options
 * except those that only steer later batches (batch size; for SCD type 2 which columns are compared and
 * how deletes and validity start are handled). A changed key, time column or validity column changes what
 * the table holds, so the model is rebuilt.
 */
export function sameTableKind(before: ModelKind, after: ModelKind): boolean {
  const LATER_BATCHES = ['batchSize', 'lookback', 'whenMatched', 'columns', 'invalidateHardDeletes', 'executionTimeAsValidFrom', 'updatedAtAsValidFrom'];
  const strip = (kind: ModelKind) => {
    const rest: Record<string, unknown> = { ...dataKind(kind) };
    for (const key of LATER_BATCHES) if (key !== 'columns' || isScd2(kind)) delete rest[key];
    return JSON.stringify(rest);
  };
  return strip(before) === strip(after);
}

/** on_destructive_change: error by default for incremental kinds (SQLMesh's default), allow for FULL (rebuilt on every refresh). */
export function destructivePolicy(kind: ModelKind): DestructiveChangePolicy {
  const own = 'onDestructiveChange' in kind ? kind.onDestructiveChange : undefined;
  return own ?? (kind.name === 'FULL' ? 'allow' : 'error');
}

/** What a destructive in-place change is, in words; undefined when there is none. */
export function describeDestructive(change: { dropped: string[]; retyped: string[] }): string | undefined {
  const parts: string[] = [];
  if (change.dropped.length > 0) parts.push(`drops column${change.dropped.length === 1 ? '' : 's'} ${change.dropped.join(', ')}`);
  if (change.retyped.length > 0) parts.push(`changes the type of ${change.retyped.join(', ')}`);
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

/** The plan error for a destructive forward-only change its model does not allow. */
/** A forward-only change that would drop or retype columns of a model whose on_destructive_change is error. */
export class DestructiveChangeError extends SluiceError {}

export function destructiveError(record: Pick<SnapshotRecord, 'name' | 'file'>, what: string, planForwardOnly: boolean): DestructiveChangeError {
  const rebuild = planForwardOnly ? 'plan without --forward-only to rebuild the table' : 'set forward_only false to rebuild the table';
  return new DestructiveChangeError(
    `model ${record.name} (${record.file}): this forward-only change ${what} in its existing table, and on_destructive_change is error; ` +
      `set on_destructive_change warn or allow in its kind, or plan with --allow-destructive-model ${record.name}, to do it in place (the data of those columns is lost), or ${rebuild}`,
  );
}

const PREVIEW_PREFIX = 'p';

/** A preview version's id: its own table, never a hex data fingerprint (so never taken for a reusable one). */
export function previewVersion(dataFingerprint: string, environment: string): string {
  return PREVIEW_PREFIX + crypto.createHash('sha256').update(`preview:${environment}:${dataFingerprint}`).digest('hex').slice(0, 40);
}

export function isPreviewVersion(version: string): boolean {
  return version.startsWith(PREVIEW_PREFIX);
}

/**
 * The record of a preview: its own fingerprint (the snapshot row of the version prod will get stays free)
 * and a start at the model's last due interval, so the preview computes a sample of recent data and a
 * `sluice run` of the environment goes on from there.
 */
export function previewRecord(record: SnapshotRecord, environment: string, nowMs: number, start?: string): SnapshotRecord {
  const due = dueRange(record, nowMs);
  const last = Math.max(due.startMs, floorToUnit(Math.max(due.startMs, due.endMs - 1), intervalUnit(record)));
  return {
    ...record,
    fingerprint: crypto.createHash('sha256').update(`preview:${environment}:${record.fingerprint}`).digest('hex'),
    previewOf: record.fingerprint,
    start: start ?? isoTimestamp(last),
  };
}

interface Column {
  name: string;
  type: string;
}

async function describe(wh: SqlSession, relation: string): Promise<Column[]> {
  const rows = await wh.all<{ column_name: string; column_type: string }>(`DESCRIBE ${relation}`);
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

/**
 * Brings a kept table's columns to the shape of the new query (`shape`: a SELECT of it without rows), in
 * the caller's transaction: added columns are added (NULL in existing rows); dropped and retyped ones follow
 * the policy. Returns what was done, in words, for the log.
 */
export async function migrateInPlace(wh: SqlSession, record: SnapshotRecord, shape: string, warn?: (message: string) => void, allowDestructive = false): Promise<string[]> {
  const table = physicalSql(record.name, record.version);
  const current = await describe(wh, table);
  const wanted = await describe(wh, `(${shape})`);
  const have = new Map(current.map((c) => [c.name.toLowerCase(), c]));
  const want = new Map(wanted.map((c) => [c.name.toLowerCase(), c]));
  const done: string[] = [];
  for (const c of wanted) {
    if (have.has(c.name.toLowerCase())) continue;
    await wh.run(`ALTER TABLE ${table} ADD COLUMN ${quoteIdent(c.name)} ${c.type}`);
    done.push(`added column ${c.name} ${c.type}`);
  }
  const dropped = current.filter((c) => !want.has(c.name.toLowerCase()));
  const retyped = current.filter((c) => want.has(c.name.toLowerCase()) && want.get(c.name.toLowerCase())!.type !== c.type);
  const what = describeDestructive({ dropped: dropped.map((c) => c.name), retyped: retyped.map((c) => c.name) });
  if (!what) return done;
  const policy = allowDestructive ? 'allow' : destructivePolicy(record.kind);
  if (policy === 'error') throw destructiveError(record, what, false);
  if (policy === 'ignore') {
    warn?.(`${record.name}: forward-only change ${what}; on_destructive_change is ignore, so the table keeps them as they are`);
    return done;
  }
  for (const c of dropped) await wh.run(`ALTER TABLE ${table} DROP COLUMN ${quoteIdent(c.name)}`);
  for (const c of retyped) await wh.run(`ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(c.name)} SET DATA TYPE ${want.get(c.name.toLowerCase())!.type}`);
  if (policy === 'warn') warn?.(`${record.name}: forward-only change ${what} in place (on_destructive_change warn); the data of those columns is gone`);
  done.push(what);
  return done;
}
