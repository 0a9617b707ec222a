// Commits one load package in ONE transaction: schema changes, data for every table under its write
// disposition, resource state, the schema version and the load record. If any step fails the
// transaction rolls back and the warehouse shows no trace of the load.

import { now } from '../../clock';
import { SluiceError } from '../../errors';
import type { Warehouse } from '../../warehouse/connection';
import { ensureSystemTables, LOADS_TABLE, readNextRowId, ROW_IDS_TABLE, SCHEMAS_TABLE, STATE_TABLE } from '../../warehouse/system';
import type { PackageManifest } from '../package';
import { appendFamily } from './append';
import { convergeTables } from './ddl';
import { FamilyLoad } from './familyLoad';
import { mergeDeleteInsert } from './merge';
import { partColumns, partConstants } from './parts';
import { mergeScd2 } from './scd2';
import { doing, exec, withInsertionOrder } from './sql';
import { tableFamilies, type TableFamily } from './tableFamilies';

export interface LoadOutcome {
  loadId: string;
  /** table (no schema prefix) → rows loaded */
  rows: Record<string, number>;
}

/** What was loaded before the package was complete (see LoadSession); nothing, for a plain load. */
export interface EarlyLoaded {
  /** Per table: how many of its parts, a prefix of the manifest's list, are in already. */
  parts: Map<string, number>;
  /** Per table: the rows those parts inserted. */
  rows: Map<string, number>;
  /** Tables already emptied for replace or --full-refresh. */
  emptied: Set<string>;
}

export function nothingLoaded(): EarlyLoaded {
  return { parts: new Map(), rows: new Map(), emptied: new Set() };
}

export async function loadPackage(wh: Warehouse, dir: string, manifest: PackageManifest, startedAt: Date): Promise<LoadOutcome> {
  // Rows go in without a promised order, which lets DuckDB write row groups on every thread under a memory
  // limit; merge staging, which relies on file order, asks for it back. Set outside the transaction so
  // that the connection's own setting returns even after a rollback.
  return withInsertionOrder(wh, false, () => doing(loadFailed(manifest), () =>
    wh.transaction(() => loadInTransaction(wh, dir, manifest, startedAt, nothingLoaded())),
  ));
}

export function loadFailed(manifest: PackageManifest): string {
  return `load ${manifest.loadId} of source "${manifest.source}" failed`;
}

/**
 * Everything a load does inside its transaction, after whatever `early` says was loaded already in the
 * same transaction: schema changes, the remaining data of every table under its write disposition,
 * resource state, row ids, the schema version and the load record.
 */
export async function loadInTransaction(
  wh: Warehouse,
  dir: string,
  manifest: PackageManifest,
  startedAt: Date,
  early: EarlyLoaded,
): Promise<LoadOutcome> {
  const families = checkManifest(manifest);
  const extracted = new Set(manifest.resources);
  const loadTime = startedAt.toISOString();
  const rows: Record<string, number> = {};
  for (const name of Object.keys(manifest.tables)) rows[name] = early.rows.get(name) ?? 0;
  const remaining = withoutLoadedParts(manifest, early);

  await ensureSystemTables(wh);
  await refuseReload(wh, manifest);
  const physical = await convergeTables(wh, manifest.source, families);
  const loadedEarly = new Set([...early.parts].filter(([, parts]) => parts > 0).map(([name]) => name));
  const loads = families.map((f) => new FamilyLoad(wh, dir, remaining, f, physical, rows, loadTime, early.emptied, loadedEarly));
  if (manifest.fullRefresh) await fullRefresh(wh, manifest, loads.filter((l) => extracted.has(l.root.resource)));
  for (const load of loads) await loadFamily(load, extracted.has(load.root.resource));
  await commitState(wh, manifest);
  await commitRowIds(wh, manifest);
  await recordSchema(wh, manifest);
  await recordLoad(wh, manifest, loadTime, withExtractedRoots(rows, families, extracted));
  return { loadId: manifest.loadId, rows };
}

/**
 * The rows to record with the load: every table that got rows, and the root table of every resource that
 * ran, with 0 when it brought nothing, so that the load record tells "ran, no rows" from "did not run".
 */
function withExtractedRoots(rows: Record<string, number>, families: TableFamily[], extracted: Set<string>): Record<string, number> {
  const recorded = { ...rows };
  for (const { root } of families) if (extracted.has(root.resource)) recorded[root.name] ??= 0;
  return recorded;
}

/** The manifest with the parts loaded early taken out of each table's list. */
function withoutLoadedParts(manifest: PackageManifest, early: EarlyLoaded): PackageManifest {
  if (early.parts.size === 0) return manifest;
  const tables = Object.fromEntries(
    Object.entries(manifest.tables).map(([name, table]) => [name, { ...table, parts: table.parts.slice(early.parts.get(name) ?? 0) }]),
  );
  return { ...manifest, tables };
}

/** Applies the family root's write disposition to the root and all its child tables. */
async function loadFamily(load: FamilyLoad, extracted: boolean): Promise<void> {
  const { root } = load;
  const hasRows = load.tables.some((t) => load.hasRows(t) || load.hasEarlyRows(t));
  if (!extracted && !hasRows) return;
  switch (root.writeDisposition) {
    case 'append':
      return appendFamily(load);
    case 'replace':
      // Every table of the resource is emptied, including tables that got no rows this time.
      for (const table of load.tables) await load.empty(table);
      return appendFamily(load);
    case 'merge': {
      const strategy = root.mergeStrategy ?? 'delete-insert';
      if (strategy === 'scd2') return mergeScd2(load);
      if (strategy === 'delete-insert' || strategy === 'upsert') return mergeDeleteInsert(load, strategy);
      throw new SluiceError(`resource "${root.resource}" has unknown merge strategy "${String(strategy)}"`);
    }
    default:
      throw new SluiceError(`resource "${root.resource}" has unknown write disposition "${String(root.writeDisposition)}"`);
  }
}

/** --full-refresh: the extracted resources start over; their new state is written after the data. */
async function fullRefresh(wh: Warehouse, manifest: PackageManifest, loads: FamilyLoad[]): Promise<void> {
  for (const load of loads) {
    for (const table of load.tables) await load.empty(table);
  }
  for (const resource of manifest.resources) {
    await exec(wh, `DELETE FROM ${STATE_TABLE} WHERE "source" = $1 AND "resource" = $2`, [manifest.source, resource]);
  }
}

async function commitState(wh: Warehouse, manifest: PackageManifest): Promise<void> {
  for (const [resource, state] of Object.entries(manifest.state)) {
    await exec(wh, `DELETE FROM ${STATE_TABLE} WHERE "source" = $1 AND "resource" = $2`, [manifest.source, resource]);
    await exec(
      wh,
      `INSERT INTO ${STATE_TABLE} ("source", "resource", "state", "load_id") VALUES ($1, $2, CAST($3 AS JSON), $4)`,
      [manifest.source, resource, toJson(state, `state of resource "${resource}"`), manifest.loadId],
    );
  }
}

/**
 * Stores the source's next free row id. The package's ids start at the id that was free when it was
 * extracted; if another load of the source committed since, the two would share ids, so this one fails.
 */
async function commitRowIds(wh: Warehouse, manifest: PackageManifest): Promise<void> {
  if (manifest.rowIds === undefined) return;
  const { first, next } = manifest.rowIds;
  const free = await readNextRowId(wh, manifest.source);
  if (free !== first) {
    throw new SluiceError(
      `another load of source "${manifest.source}" committed while this one ran (its row ids would repeat); run the source again`,
    );
  }
  await exec(wh, `DELETE FROM ${ROW_IDS_TABLE} WHERE "source" = $1`, [manifest.source]);
  await exec(wh, `INSERT INTO ${ROW_IDS_TABLE} ("source", "next_id") VALUES ($1, CAST($2 AS BIGINT))`, [manifest.source, next]);
}

/** Stores the schema when its version differs from the latest stored one. */
async function recordSchema(wh: Warehouse, manifest: PackageManifest): Promise<void> {
  const latest = await wh.all<{ version: number }>(
    `SELECT "version" FROM ${SCHEMAS_TABLE} WHERE "source" = $1 ORDER BY "created_at" DESC, "version" DESC LIMIT 1`,
    [manifest.source],
  );
  if (latest.length > 0 && latest[0].version === manifest.schema.version) return;
  await exec(
    wh,
    `INSERT INTO ${SCHEMAS_TABLE} ("source", "version", "schema", "load_id", "created_at")
     VALUES ($1, CAST($2 AS INTEGER), CAST($3 AS JSON), $4, CAST($5 AS TIMESTAMPTZ))`,
    [manifest.source, manifest.schema.version, toJson(manifest.schema, 'schema'), manifest.loadId, now().toISOString()],
  );
}

async function recordLoad(wh: Warehouse, manifest: PackageManifest, startedAt: string, rows: Record<string, number>): Promise<void> {
  await exec(
    wh,
    `INSERT INTO ${LOADS_TABLE} ("load_id", "source", "status", "started_at", "finished_at", "rows", "schema_version", "error")
     VALUES ($1, $2, 'loaded', CAST($3 AS TIMESTAMPTZ), CAST($4 AS TIMESTAMPTZ), CAST($5 AS JSON), CAST($6 AS INTEGER), NULL)`,
    [manifest.loadId, manifest.source, startedAt, now().toISOString(), JSON.stringify(rows), manifest.schema.version],
  );
}

/** Loading the same package twice would duplicate appended rows. */
async function refuseReload(wh: Warehouse, manifest: PackageManifest): Promise<void> {
  const done = await wh.all(`SELECT 1 FROM ${LOADS_TABLE} WHERE "load_id" = $1 AND "status" = 'loaded'`, [manifest.loadId]);
  if (done.length > 0) throw new SluiceError(`load ${manifest.loadId} of source "${manifest.source}" is already loaded`);
}

/** Catches package inconsistencies before anything touches the warehouse. */
function checkManifest(manifest: PackageManifest): TableFamily[] {
  if (manifest.schema.name !== manifest.source) {
    throw new SluiceError(`load package ${manifest.loadId}: schema is for source "${manifest.schema.name}", not "${manifest.source}"`);
  }
  const families = tableFamilies(manifest.schema);
  const byName = new Map(manifest.schema.tables.map((t) => [t.name, t]));
  for (const [name, table] of Object.entries(manifest.tables)) {
    const schema = byName.get(name);
    if (!schema) throw new SluiceError(`load package ${manifest.loadId} has rows for table "${name}", which its schema does not define`);
    for (const part of table.parts) {
      partColumns(schema, part);
      partConstants(schema, part);
    }
  }
  return families;
}

function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value ?? null);
  } catch (err) {
    throw new SluiceError(`cannot store the ${what} as JSON: ${(err as Error).message}`);
  }
}

