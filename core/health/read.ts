// Reads what health needs from the warehouse's _sluice tables in a handful of set-based queries: the latest
// schema versions, recent load attempts (and, only where they do not have them, the latest success per
// resource and failure per source further back), and for one environment each model's build time and latest
// audit results. Works read-only and on a warehouse that was never loaded or planned.

import { listValue } from '@duckdb/node-api';
import type { Warehouse } from '../warehouse/connection';
import { qualified } from '../warehouse/quote';
import { SYSTEM_SCHEMA } from '../warehouse/system';
import type { SourceSchema } from '../schema/types';
import { ANOMALY_WINDOW_MS } from './anomaly';
import type { AuditFact, LoadFact, ModelBuildFact, SchemaVersionFact, WarehouseFacts } from './types';

/** Load attempts read per source besides those of the anomaly window: enough for the volume chart. */
const RECENT_LOADS = 60;
/** Schema versions read per source: the changes of the last few. */
const SCHEMA_VERSIONS = 11;

const table = (name: string) => qualified(SYSTEM_SCHEMA, name);

export function emptyFacts(): WarehouseFacts {
  return { loads: [], lastSuccessByTable: new Map(), lastFailureBySource: new Map(), schemas: [], environment: { exists: false, models: new Map() } };
}

export async function readHealthFacts(wh: Warehouse, environment: string): Promise<WarehouseFacts> {
  const facts = emptyFacts();
  const present = new Set(
    (await wh.all<{ name: string }>(
      `SELECT table_name AS "name" FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = $1`,
      [SYSTEM_SCHEMA],
    )).map((r) => r.name),
  );
  if (present.has('schemas')) facts.schemas = await readSchemas(wh);
  if (present.has('loads')) await readLoads(wh, facts, await hasResourcesColumn(wh));
  if (['environments', 'snapshots', 'intervals', 'audit_results'].every((t) => present.has(t))) {
    facts.environment = await readEnvironment(wh, environment);
  }
  return facts;
}

interface LoadRow {
  load_id: string;
  source: string;
  status: string;
  started_ms: bigint;
  finished_ms: bigint | null;
  rows: string | null;
  error: string | null;
  resources: string | null;
}

/** Whether the loads table records each load's resources (warehouses written by older versions do not, until their next write). */
async function hasResourcesColumn(wh: Warehouse): Promise<boolean> {
  // pragma_table_info looks at the one table (duckdb_columns() would list every column of the warehouse).
  const found = await wh.all(`SELECT 1 FROM pragma_table_info($1) WHERE "name" = 'resources'`, [table('loads')]);
  return found.length > 0;
}

async function readLoads(wh: Warehouse, facts: WarehouseFacts, withResources: boolean): Promise<void> {
  const loads = table('loads');
  /** The columns of a load row, from the loads table as `l`. */
  const LOAD_COLUMNS = `l."load_id", l."source", l."status", epoch_ms(l."started_at") AS "started_ms", epoch_ms(l."finished_at") AS "finished_ms",
    CAST(l."rows" AS VARCHAR) AS "rows", l."error", ${withResources ? 'CAST(l."resources" AS VARCHAR)' : 'NULL'} AS "resources"`;
  // Rows are picked by position first, so that only the picked ones have their JSON read.
  const recent = await wh.all<LoadRow & { total: bigint }>(
    `SELECT ${LOAD_COLUMNS}, picked."total"
     FROM ${loads} AS l JOIN (
       SELECT rowid AS "position", count(*) OVER (PARTITION BY "source") AS "total" FROM ${loads}
       QUALIFY row_number() OVER (PARTITION BY "source" ORDER BY "started_at" DESC, "load_id" DESC) <= $1
            OR epoch_ms("started_at") >= max(epoch_ms("started_at")) OVER (PARTITION BY "source") - $2
     ) AS picked ON l.rowid = picked."position"
     ORDER BY l."started_at" DESC, l."load_id" DESC`,
    [RECENT_LOADS, ANOMALY_WINDOW_MS],
  );
  facts.loads = recent.map(toLoad);
  const read = new Map<string, number>();
  const total = new Map<string, number>();
  for (const row of recent) {
    read.set(row.source, (read.get(row.source) ?? 0) + 1);
    total.set(row.source, Number(row.total));
  }
  /** Whether every load of the source was read. */
  const complete = (source: string) => total.get(source) === read.get(source);
  // The newest success per table and failure per source are nearly always among the recent loads.
  for (const load of facts.loads) {
    if (load.status === 'loaded') {
      for (const t of Object.keys(load.rows)) if (!facts.lastSuccessByTable.has(`${load.source}.${t}`)) facts.lastSuccessByTable.set(`${load.source}.${t}`, load);
    } else if (!facts.lastFailureBySource.has(load.source)) {
      facts.lastFailureBySource.set(load.source, load);
    }
  }
  // Where they are not, and older loads exist, look further back: for the root table of every resource in
  // the source's latest schema (every table it ever loaded), and for a failure of the sources without one.
  const missing = latestRootTables(facts).filter((t) => !facts.lastSuccessByTable.has(`${t.source}.${t.table}`) && !complete(t.source));
  if (missing.length > 0) {
    const older = await wh.all<LoadRow & { table: string }>(
      `SELECT wanted."table", ${LOAD_COLUMNS}
       FROM ${loads} AS l JOIN (SELECT unnest($1::VARCHAR[]) AS "source", unnest($2::VARCHAR[]) AS "table") AS wanted
         ON l."source" = wanted."source" AND list_contains(json_keys(l."rows"), wanted."table")
       WHERE l."status" = 'loaded'
       QUALIFY row_number() OVER (PARTITION BY wanted."source", wanted."table" ORDER BY l."started_at" DESC, l."load_id" DESC) = 1`,
      [listValue(missing.map((t) => t.source)), listValue(missing.map((t) => t.table))],
    );
    for (const row of older) facts.lastSuccessByTable.set(`${row.source}.${row.table}`, toLoad(row));
  }
  const unfailed = [...read.keys()].filter((source) => !facts.lastFailureBySource.has(source) && !complete(source));
  if (unfailed.length > 0) {
    const failures = await wh.all<LoadRow>(
      `SELECT ${LOAD_COLUMNS} FROM ${loads} AS l
       WHERE l.rowid IN (
         SELECT arg_max(rowid, ("started_at", "load_id")) FROM ${loads}
         WHERE "status" <> 'loaded' AND "source" IN (SELECT unnest($1::VARCHAR[]))
         GROUP BY "source"
       )`,
      [listValue(unfailed)],
    );
    for (const row of failures) facts.lastFailureBySource.set(row.source, toLoad(row));
  }
}

/** The table each resource of the latest schemas writes its items to. */
function latestRootTables(facts: WarehouseFacts): { source: string; table: string }[] {
  const seen = new Set<string>();
  const out: { source: string; table: string }[] = [];
  for (const version of facts.schemas) {
    if (seen.has(version.source)) continue;
    seen.add(version.source);
    for (const t of version.schema.tables) if (t.parent === undefined) out.push({ source: version.source, table: t.name });
  }
  return out;
}

function toLoad(row: LoadRow): LoadFact {
  let rows: Record<string, number> = {};
  if (row.rows) {
    const parsed = JSON.parse(row.rows) as Record<string, unknown>;
    for (const [t, n] of Object.entries(parsed ?? {})) if (typeof n === 'number') rows[t] = n;
  }
  return {
    loadId: row.load_id,
    source: row.source,
    status: row.status === 'loaded' ? 'loaded' : 'failed',
    startedMs: Number(row.started_ms),
    finishedMs: row.finished_ms === null ? null : Number(row.finished_ms),
    rows,
    error: row.error,
    resources: row.resources ? (JSON.parse(row.resources) as string[]) : null,
  };
}

async function readSchemas(wh: Warehouse): Promise<SchemaVersionFact[]> {
  const rows = await wh.all<{ source: string; version: number; load_id: string | null; created_ms: bigint; schema: string }>(
    `SELECT "source", "version", "load_id", epoch_ms("created_at") AS "created_ms", CAST("schema" AS VARCHAR) AS "schema"
     FROM ${table('schemas')}
     QUALIFY row_number() OVER (PARTITION BY "source" ORDER BY "created_at" DESC, "version" DESC) <= $1
     ORDER BY "source", "created_at" DESC, "version" DESC`,
    [SCHEMA_VERSIONS],
  );
  return rows.map((r) => ({
    source: r.source,
    version: Number(r.version),
    loadId: r.load_id,
    createdMs: Number(r.created_ms),
    schema: JSON.parse(r.schema) as SourceSchema,
  }));
}

/**
 * Each model of the environment with its version's build time (the first snapshot of that version, or the
 * latest processed interval) and the audit results of the latest run that audited that version.
 */
async function readEnvironment(wh: Warehouse, environment: string): Promise<WarehouseFacts['environment']> {
  const rows = await wh.all<{
    name: string;
    version: string;
    kind: string;
    created_ms: bigint | null;
    processed_ms: bigint | null;
    ran_ms: bigint | null;
    audits: bigint | null;
    failed: string | null;
  }>(
    `WITH env AS (
       SELECT unnest(from_json(CAST("snapshots" AS VARCHAR), '[{"name":"VARCHAR","version":"VARCHAR","kind":"VARCHAR"}]'), recursive := true)
       FROM ${table('environments')} WHERE "name" = $1
     ),
     built AS (
       SELECT s."name", s."version", min(s."created_at") AS "created"
       FROM ${table('snapshots')} AS s JOIN env ON env."name" = s."name" AND env."version" = s."version"
       GROUP BY ALL
     ),
     processed AS (
       SELECT i."name", i."version", max(i."recorded_at") AS "processed"
       FROM ${table('intervals')} AS i JOIN env ON env."name" = i."name" AND env."version" = i."version"
       GROUP BY ALL
     ),
     latest AS (
       SELECT a."model", a."version", arg_max(a."apply_id", a."ran_at") AS "apply_id", max(a."ran_at") AS "ran_at"
       FROM ${table('audit_results')} AS a JOIN env ON env."name" = a."model" AND env."version" = a."version"
       GROUP BY ALL
     ),
     audited AS (
       SELECT l."model", l."version", any_value(l."ran_at") AS "ran_at", count(*) AS "audits",
              to_json(list({'audit': a."audit", 'blocking': a."blocking", 'violations': a."violations", 'error': a."error"}) FILTER (WHERE NOT a."passed")) AS "failed"
       FROM latest AS l JOIN ${table('audit_results')} AS a
         ON a."apply_id" = l."apply_id" AND a."model" = l."model" AND a."version" = l."version"
       GROUP BY l."model", l."version"
     )
     SELECT env."name", env."version", env."kind", epoch_ms(built."created") AS "created_ms", epoch_ms(processed."processed") AS "processed_ms",
            epoch_ms(audited."ran_at") AS "ran_ms", audited."audits", CAST(audited."failed" AS VARCHAR) AS "failed"
     FROM env
     LEFT JOIN built ON built."name" = env."name" AND built."version" = env."version"
     LEFT JOIN processed ON processed."name" = env."name" AND processed."version" = env."version"
     LEFT JOIN audited ON audited."model" = env."name" AND audited."version" = env."version"`,
    [environment],
  );
  const exists = rows.length > 0 || (await wh.all(`SELECT 1 FROM ${table('environments')} WHERE "name" = $1`, [environment])).length > 0;
  const models = new Map<string, ModelBuildFact>();
  for (const r of rows) {
    const times = [r.created_ms, r.processed_ms].filter((t): t is bigint => t !== null).map(Number);
    const failed = r.failed ? (JSON.parse(r.failed) as AuditFact['failed'] | null) ?? [] : [];
    const audits: AuditFact = {
      state: r.audits === null || Number(r.audits) === 0 ? 'none' : failed.length > 0 ? 'failed' : 'passed',
      ranMs: r.ran_ms === null ? null : Number(r.ran_ms),
      failed: failed.map((f) => ({ audit: f.audit, blocking: f.blocking, violations: Number(f.violations), error: f.error })),
    };
    models.set(r.name, { name: r.name, version: r.version, kind: r.kind, builtMs: times.length > 0 ? Math.max(...times) : null, audits });
  }
  return { exists, models };
}

