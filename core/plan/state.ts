// Plan state in the warehouse, schema _sluice, next to the ingest tables: snapshots (one row per model
// version whose table is complete), environments (which snapshot each model shows), processed intervals,
// audit results, and the apply lock. A format version guards against a newer Sluice's state.

import { now } from '../clock';
import { SluiceError } from '../errors';
import { engineOf, type EngineConnection } from '../engine';
import { qualified, quoteIdent } from '../warehouse/quote';
import { SYSTEM_SCHEMA, systemTableExists } from '../warehouse/system';
import { currentActor, parseActor, type Actor } from './actor';
import { mergeIntervals } from './intervals';
import { tableId } from './names';
import type { AuditResult } from '../quality/types';
import type { EnvironmentEntry, EnvironmentRecord, Interval, PlanState, SnapshotRecord } from './types';

export const PLAN_FORMAT_VERSION = 1;
export const META_TABLE = qualified(SYSTEM_SCHEMA, 'plan_meta');
export const SNAPSHOTS_TABLE = qualified(SYSTEM_SCHEMA, 'snapshots');
export const ENVIRONMENTS_TABLE = qualified(SYSTEM_SCHEMA, 'environments');
export const INTERVALS_TABLE = qualified(SYSTEM_SCHEMA, 'intervals');
export const AUDIT_RESULTS_TABLE = qualified(SYSTEM_SCHEMA, 'audit_results');
export const LOCK_TABLE = qualified(SYSTEM_SCHEMA, 'apply_lock');
const ENVIRONMENT_ACTOR_COLUMNS = [['created_at', 'TIMESTAMPTZ'], ['created_by', 'JSON'], ['applied_by', 'JSON']] as const;

/** Creates the plan tables when missing and checks the format version. Safe inside a transaction. */
export async function ensurePlanTables(wh: EngineConnection): Promise<void> {
  await wh.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(SYSTEM_SCHEMA)}`);
  await wh.run(`CREATE TABLE IF NOT EXISTS ${META_TABLE} ("key" VARCHAR NOT NULL, "value" VARCHAR NOT NULL)`);
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${SNAPSHOTS_TABLE} (
      "name" VARCHAR NOT NULL, "fingerprint" VARCHAR NOT NULL, "version" VARCHAR NOT NULL,
      "data_fingerprint" VARCHAR NOT NULL, "record" JSON NOT NULL, "created_at" TIMESTAMPTZ NOT NULL)`,
  );
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${ENVIRONMENTS_TABLE} (
      "name" VARCHAR NOT NULL, "snapshots" JSON NOT NULL, "previous" JSON NOT NULL,
      "plan_id" VARCHAR NOT NULL, "updated_at" TIMESTAMPTZ NOT NULL)`,
  );
  // Who made and who last applied an environment; warehouses planned before this get the columns empty.
  for (const [column, type] of ENVIRONMENT_ACTOR_COLUMNS) {
    await wh.run(`ALTER TABLE ${ENVIRONMENTS_TABLE} ADD COLUMN IF NOT EXISTS ${quoteIdent(column)} ${type}`);
  }
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${INTERVALS_TABLE} (
      "name" VARCHAR NOT NULL, "version" VARCHAR NOT NULL, "start_ms" BIGINT NOT NULL, "end_ms" BIGINT NOT NULL,
      "recorded_at" TIMESTAMPTZ NOT NULL)`,
  );
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${AUDIT_RESULTS_TABLE} (
      "apply_id" VARCHAR NOT NULL, "model" VARCHAR NOT NULL, "version" VARCHAR NOT NULL, "audit" VARCHAR NOT NULL,
      "blocking" BOOLEAN NOT NULL, "passed" BOOLEAN NOT NULL, "violations" BIGINT NOT NULL, "error" VARCHAR,
      "interval_start_ms" BIGINT, "interval_end_ms" BIGINT, "ran_at" TIMESTAMPTZ NOT NULL)`,
  );
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${LOCK_TABLE} (
      "token" VARCHAR NOT NULL, "pid" INTEGER NOT NULL, "command" VARCHAR NOT NULL, "environment" VARCHAR,
      "started_at" TIMESTAMPTZ NOT NULL)`,
  );
  const rows = await wh.all<{ value: string }>(`SELECT "value" FROM ${META_TABLE} WHERE "key" = 'format_version'`);
  if (rows.length === 0) {
    await wh.run(`INSERT INTO ${META_TABLE} VALUES ('format_version', $1)`, [String(PLAN_FORMAT_VERSION)]);
  } else {
    checkFormat(rows[0].value);
  }
}

function checkFormat(value: string): void {
  const version = Number(value);
  if (version > PLAN_FORMAT_VERSION) {
    throw new SluiceError(`the warehouse's plan state has format ${version}, newer than this Sluice understands (${PLAN_FORMAT_VERSION}); upgrade Sluice`);
  }
}

export function emptyState(): PlanState {
  return { snapshots: new Map(), stored: new Map(), environments: new Map(), intervals: new Map() };
}

/**
 * Reads what planning needs: every environment, the identity of every stored snapshot, the full records the
 * environments show, and processed intervals. Works on read-only connections and on warehouses that have
 * never been planned.
 */
export async function readPlanState(wh: EngineConnection): Promise<PlanState> {
  const state = emptyState();
  if (!(await systemTableExists(wh, 'snapshots')) || !(await systemTableExists(wh, 'environments'))) return state;
  if (await systemTableExists(wh, 'plan_meta')) {
    const meta = await wh.all<{ value: string }>(`SELECT "value" FROM ${META_TABLE} WHERE "key" = 'format_version'`);
    if (meta.length > 0) checkFormat(meta[0].value);
  }
  for (const env of await readEnvironments(wh)) state.environments.set(env.name, env);
  const stored = await wh.all<{ name: string; fingerprint: string; version: string; data_fingerprint: string }>(
    `SELECT "name", "fingerprint", "version", "data_fingerprint" FROM ${SNAPSHOTS_TABLE}`,
  );
  for (const s of stored) state.stored.set(s.fingerprint, { name: s.name, version: s.version, dataFingerprint: s.data_fingerprint });
  const wanted = new Set<string>();
  for (const env of state.environments.values()) for (const e of [...env.snapshots, ...env.previous]) wanted.add(e.fingerprint);
  for (const record of await readSnapshots(wh, [...wanted])) state.snapshots.set(record.fingerprint, record);
  if (await systemTableExists(wh, 'intervals')) {
    const rows = await wh.all<{ name: string; version: string; start_ms: bigint; end_ms: bigint }>(
      `SELECT "name", "version", "start_ms", "end_ms" FROM ${INTERVALS_TABLE} ORDER BY "start_ms"`,
    );
    for (const r of rows) {
      const key = tableId(r.name, r.version);
      const list = state.intervals.get(key) ?? [];
      list.push({ startMs: Number(r.start_ms), endMs: Number(r.end_ms) });
      state.intervals.set(key, list);
    }
    for (const [key, list] of state.intervals) state.intervals.set(key, mergeIntervals(list));
  }
  return state;
}

export async function readEnvironments(wh: EngineConnection): Promise<EnvironmentRecord[]> {
  if (!(await systemTableExists(wh, 'environments'))) return [];
  // A read-only connection cannot add the actor columns to an older warehouse: read them only when there.
  const hasActors = await environmentsHaveActors(wh);
  const actors = hasActors
    ? `, ${engineOf(wh).epochMs('"created_at"')} AS "created_ms", CAST("created_by" AS VARCHAR) AS "created_by", CAST("applied_by" AS VARCHAR) AS "applied_by"`
    : '';
  const rows = await wh.all<{
    name: string; snapshots: string; previous: string; plan_id: string; updated_ms: bigint;
    created_ms?: bigint | null; created_by?: string | null; applied_by?: string | null;
  }>(
    `SELECT "name", CAST("snapshots" AS VARCHAR) AS "snapshots", CAST("previous" AS VARCHAR) AS "previous", "plan_id",
            ${engineOf(wh).epochMs('"updated_at"')} AS "updated_ms"${actors}
     FROM ${ENVIRONMENTS_TABLE} ORDER BY "name"`,
  );
  return rows.map((r) => {
    const record: EnvironmentRecord = {
      name: r.name,
      snapshots: JSON.parse(r.snapshots) as EnvironmentEntry[],
      previous: JSON.parse(r.previous) as EnvironmentEntry[],
      planId: r.plan_id,
      updatedAt: new Date(Number(r.updated_ms)).toISOString(),
    };
    if (r.created_ms !== null && r.created_ms !== undefined) record.createdAt = new Date(Number(r.created_ms)).toISOString();
    const createdBy = parseActor(r.created_by);
    if (createdBy) record.createdBy = createdBy;
    const appliedBy = parseActor(r.applied_by);
    if (appliedBy) record.appliedBy = appliedBy;
    return record;
  });
}

async function environmentsHaveActors(wh: EngineConnection): Promise<boolean> {
  const columns = await engineOf(wh).columns({ schema: SYSTEM_SCHEMA, table: 'environments' });
  return columns.some((c) => c.name === 'applied_by');
}

export async function readSnapshots(wh: EngineConnection, fingerprints: readonly string[]): Promise<SnapshotRecord[]> {
  if (fingerprints.length === 0) return [];
  const engine = engineOf(wh);
  const rows = await engine.all<{ record: string }>(
    `SELECT CAST("record" AS VARCHAR) AS "record" FROM ${SNAPSHOTS_TABLE}
     WHERE "fingerprint" IN (SELECT unnest($1::VARCHAR[]))`,
    [engine.textList(fingerprints)],
  );
  return rows.map((r) => JSON.parse(r.record) as SnapshotRecord);
}

/** Stores a snapshot row unless it is there already (call inside the transaction that built its table). */
export async function storeSnapshot(wh: EngineConnection, record: SnapshotRecord): Promise<void> {
  await wh.run(
    `INSERT INTO ${SNAPSHOTS_TABLE} ("name", "fingerprint", "version", "data_fingerprint", "record", "created_at")
     SELECT CAST($1 AS VARCHAR), CAST($2 AS VARCHAR), CAST($3 AS VARCHAR), CAST($4 AS VARCHAR), CAST($5 AS JSON), CAST($6 AS TIMESTAMPTZ)
     WHERE NOT EXISTS (SELECT 1 FROM ${SNAPSHOTS_TABLE} WHERE "fingerprint" = CAST($2 AS VARCHAR))`,
    [record.name, record.fingerprint, record.version, record.dataFingerprint, JSON.stringify(record), now().toISOString()],
  );
}

/**
 * Writes an environment's row (call inside the swap's transaction, after ensurePlanTables). Its creation
 * time and creator are kept from the row it replaces; `actor` is who applies it now.
 */
export async function writeEnvironment(
  wh: EngineConnection,
  name: string,
  snapshots: EnvironmentEntry[],
  previous: EnvironmentEntry[],
  planId: string,
  actor: Actor = currentActor(),
): Promise<void> {
  const at = now().toISOString();
  const existing = await wh.all<{ created_at: string | null; created_by: string | null }>(
    `SELECT CAST("created_at" AS VARCHAR) AS "created_at", CAST("created_by" AS VARCHAR) AS "created_by" FROM ${ENVIRONMENTS_TABLE} WHERE "name" = $1`,
    [name],
  );
  // A row from before creators were recorded keeps them unknown rather than claiming this apply made it.
  const created = existing.length > 0 ? { at: existing[0].created_at, by: existing[0].created_by } : { at, by: JSON.stringify(actor) };
  await wh.run(`DELETE FROM ${ENVIRONMENTS_TABLE} WHERE "name" = $1`, [name]);
  await wh.run(
    `INSERT INTO ${ENVIRONMENTS_TABLE} ("name", "snapshots", "previous", "plan_id", "updated_at", "created_at", "created_by", "applied_by")
     VALUES ($1, CAST($2 AS JSON), CAST($3 AS JSON), $4, CAST($5 AS TIMESTAMPTZ), CAST($6 AS TIMESTAMPTZ), CAST($7 AS JSON), CAST($8 AS JSON))`,
    [name, JSON.stringify(snapshots), JSON.stringify(previous), planId, at, created.at, created.by, JSON.stringify(actor)],
  );
}

export async function deleteEnvironment(wh: EngineConnection, name: string): Promise<void> {
  await wh.run(`DELETE FROM ${ENVIRONMENTS_TABLE} WHERE "name" = $1`, [name]);
}

export async function readIntervals(wh: EngineConnection, name: string, version: string): Promise<Interval[]> {
  const rows = await wh.all<{ start_ms: bigint; end_ms: bigint }>(
    `SELECT "start_ms", "end_ms" FROM ${INTERVALS_TABLE} WHERE "name" = $1 AND "version" = $2`,
    [name, version],
  );
  return mergeIntervals(rows.map((r) => ({ startMs: Number(r.start_ms), endMs: Number(r.end_ms) })));
}

/**
 * When a whole-table version (FULL, materialized VIEW) last got its data: the end of the range a rebuild in
 * place recorded, else when its table was first stored. Undefined when the warehouse knows neither.
 */
export async function lastRefreshMs(wh: EngineConnection, name: string, version: string): Promise<number | undefined> {
  const rows = await wh.all<{ refreshed: bigint | null; built: bigint | null }>(
    `SELECT (SELECT max("end_ms") FROM ${INTERVALS_TABLE} WHERE "name" = $1 AND "version" = $2) AS "refreshed",
            (SELECT ${engineOf(wh).epochMs('min("created_at")')} FROM ${SNAPSHOTS_TABLE} WHERE "name" = $1 AND "version" = $2) AS "built"`,
    [name, version],
  );
  const times = [rows[0]?.refreshed, rows[0]?.built].filter((v): v is bigint => v !== null && v !== undefined).map(Number);
  return times.length === 0 ? undefined : Math.max(...times);
}

/** Replaces a table's processed intervals (merged). */
export async function writeIntervals(wh: EngineConnection, name: string, version: string, intervals: readonly Interval[]): Promise<void> {
  await wh.run(`DELETE FROM ${INTERVALS_TABLE} WHERE "name" = $1 AND "version" = $2`, [name, version]);
  const recordedAt = now().toISOString();
  for (const i of mergeIntervals(intervals)) {
    await wh.run(`INSERT INTO ${INTERVALS_TABLE} VALUES ($1, $2, $3, $4, CAST($5 AS TIMESTAMPTZ))`, [name, version, i.startMs, i.endMs, recordedAt]);
  }
}

export async function recordAuditResults(
  wh: EngineConnection,
  applyId: string,
  record: Pick<SnapshotRecord, 'name' | 'version'>,
  results: readonly AuditResult[],
  interval?: Interval,
): Promise<void> {
  const ranAt = now().toISOString();
  for (const r of results) {
    await wh.run(
      `INSERT INTO ${AUDIT_RESULTS_TABLE} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CAST($11 AS TIMESTAMPTZ))`,
      [applyId, record.name, record.version, r.label, r.blocking, r.passed, r.violations, r.error ?? null, interval?.startMs ?? null, interval?.endMs ?? null, ranAt],
    );
  }
}
