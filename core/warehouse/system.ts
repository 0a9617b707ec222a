// Sluice's own bookkeeping inside the warehouse, in schema _sluice: one row per load attempt, every
// schema version of every source, the resource state committed with the latest load, and each source's
// next free row id.
// Read functions work on a warehouse that has never been loaded (and on read-only connections).

import { now } from '../clock';
import type { ResourceState } from '../ingest/package';
import type { SourceSchema } from '../schema/types';
import type { Warehouse } from './connection';
import type { SqlSession } from '../engine/types';
import { qualified, quoteIdent } from './quote';

export const SYSTEM_SCHEMA = '_sluice';
export const LOADS_TABLE = qualified(SYSTEM_SCHEMA, 'loads');
export const SCHEMAS_TABLE = qualified(SYSTEM_SCHEMA, 'schemas');
export const STATE_TABLE = qualified(SYSTEM_SCHEMA, 'state');
export const ROW_IDS_TABLE = qualified(SYSTEM_SCHEMA, 'row_ids');

export interface LoadRecord {
  loadId: string;
  source: string;
  status: 'loaded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  rows: Record<string, number>;
  error: string | null;
  schemaVersion: number | null;
}

/** Idempotent; safe inside a caller's transaction. */
export async function ensureSystemTables(wh: Warehouse): Promise<void> {
  await wh.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(SYSTEM_SCHEMA)}`);
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${LOADS_TABLE} (
      "load_id" VARCHAR NOT NULL,
      "source" VARCHAR NOT NULL,
      "status" VARCHAR NOT NULL,
      "started_at" TIMESTAMPTZ NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "rows" JSON,
      "schema_version" INTEGER,
      "error" VARCHAR
    )`,
  );
  // Added later: the resources a load ran (failed loads record it, so that a failure is held against
  // those resources only). Older warehouses gain the column on their next write.
  await wh.run(`ALTER TABLE ${LOADS_TABLE} ADD COLUMN IF NOT EXISTS "resources" JSON`);
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${SCHEMAS_TABLE} (
      "source" VARCHAR NOT NULL,
      "version" INTEGER NOT NULL,
      "schema" JSON NOT NULL,
      "load_id" VARCHAR,
      "created_at" TIMESTAMPTZ NOT NULL
    )`,
  );
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (
      "source" VARCHAR NOT NULL,
      "resource" VARCHAR NOT NULL,
      "state" JSON NOT NULL,
      "load_id" VARCHAR
    )`,
  );
  await wh.run(
    `CREATE TABLE IF NOT EXISTS ${ROW_IDS_TABLE} (
      "source" VARCHAR NOT NULL,
      "next_id" BIGINT NOT NULL
    )`,
  );
}

/** The most recently stored schema of a source, or undefined when it was never loaded. */
export async function readSchema(wh: Warehouse, source: string): Promise<SourceSchema | undefined> {
  if (!(await systemTableExists(wh, 'schemas'))) return undefined;
  const rows = await wh.all<{ schema: string }>(
    `SELECT CAST("schema" AS VARCHAR) AS "schema" FROM ${SCHEMAS_TABLE}
     WHERE "source" = $1 ORDER BY "created_at" DESC, "version" DESC LIMIT 1`,
    [source],
  );
  return rows.length > 0 ? (JSON.parse(rows[0].schema) as SourceSchema) : undefined;
}

/** The first row id the next load of a source hands out (1 for a source never loaded). */
export async function readNextRowId(wh: Warehouse, source: string): Promise<number> {
  if (!(await systemTableExists(wh, 'row_ids'))) return 1;
  const rows = await wh.all<{ next_id: bigint }>(`SELECT "next_id" FROM ${ROW_IDS_TABLE} WHERE "source" = $1`, [source]);
  return rows.length > 0 ? Number(rows[0].next_id) : 1;
}

export async function readState(wh: Warehouse, source: string): Promise<Record<string, ResourceState>> {
  const state: Record<string, ResourceState> = {};
  if (!(await systemTableExists(wh, 'state'))) return state;
  const rows = await wh.all<{ resource: string; state: string }>(
    `SELECT "resource", CAST("state" AS VARCHAR) AS "state" FROM ${STATE_TABLE} WHERE "source" = $1 ORDER BY "resource"`,
    [source],
  );
  for (const row of rows) state[row.resource] = JSON.parse(row.state) as ResourceState;
  return state;
}

/** Records a load that did not commit. Replaces an earlier failure record of the same load id. */
export async function recordFailedLoad(
  wh: Warehouse,
  info: { loadId: string; source: string; startedAt: Date; error: string; resources?: readonly string[] },
): Promise<void> {
  await wh.transaction(async () => {
    await ensureSystemTables(wh);
    await wh.run(`DELETE FROM ${LOADS_TABLE} WHERE "load_id" = $1 AND "status" = 'failed'`, [info.loadId]);
    await wh.run(
      `INSERT INTO ${LOADS_TABLE} ("load_id", "source", "status", "started_at", "finished_at", "rows", "schema_version", "error", "resources")
       VALUES ($1, $2, 'failed', CAST($3 AS TIMESTAMPTZ), CAST($4 AS TIMESTAMPTZ), CAST('{}' AS JSON), NULL, $5, CAST($6 AS JSON))`,
      [info.loadId, info.source, info.startedAt.toISOString(), now().toISOString(), info.error, info.resources ? JSON.stringify(info.resources) : null],
    );
  });
}

/** Load records, newest first. */
export async function listLoads(wh: Warehouse, options: { source?: string; limit?: number } = {}): Promise<LoadRecord[]> {
  if (!(await systemTableExists(wh, 'loads'))) return [];
  const params: string[] = [];
  let where = '';
  if (options.source !== undefined) {
    params.push(options.source);
    where = `WHERE "source" = $1`;
  }
  // A plain integer built here, never text from the caller.
  const limit = options.limit !== undefined && Number.isFinite(options.limit) ? `LIMIT ${Math.max(0, Math.floor(options.limit))}` : '';
  const rows = await wh.all<{
    load_id: string;
    source: string;
    status: string;
    started_ms: bigint;
    finished_ms: bigint | null;
    rows: string | null;
    schema_version: number | null;
    error: string | null;
  }>(
    `SELECT "load_id", "source", "status", epoch_ms("started_at") AS "started_ms", epoch_ms("finished_at") AS "finished_ms",
            CAST("rows" AS VARCHAR) AS "rows", "schema_version", "error"
     FROM ${LOADS_TABLE} ${where}
     ORDER BY "started_at" DESC, "load_id" DESC ${limit}`,
    params,
  );
  return rows.map((r) => ({
    loadId: r.load_id,
    source: r.source,
    status: r.status === 'loaded' ? 'loaded' : 'failed',
    startedAt: new Date(Number(r.started_ms)).toISOString(),
    finishedAt: r.finished_ms === null ? null : new Date(Number(r.finished_ms)).toISOString(),
    rows: r.rows ? (JSON.parse(r.rows) as Record<string, number>) : {},
    error: r.error,
    schemaVersion: r.schema_version,
  }));
}

/** Whether _sluice.<name> exists in the warehouse's own database (not an attached one). */
export async function systemTableExists(wh: Pick<Warehouse, 'all'> | SqlSession, name: string): Promise<boolean> {
  const rows = await wh.all(
    `SELECT 1 FROM information_schema.tables
     WHERE table_catalog = current_database() AND table_schema = $1 AND table_name = $2`,
    [SYSTEM_SCHEMA, name],
  );
  return rows.length > 0;
}
