// One ingest run: extract → normalize → stage a load package → load it in one transaction.
// The warehouse is opened to read the previous schema/state, then again for the load. A large run starts
// its load while the source is still running (see load/session.ts); a small one loads at the end.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { now as clockNow } from '../clock';
import { describeError, SluiceError } from '../errors';
import { queueLockWait, type LockWait } from '../lockWait';
import { sourceSettings, type Project } from '../project/config';
import { readDotEnv, resolveSecrets } from '../project/secrets';
import { refreshExternalModels } from '../dag/externalBridge';
import { exportSchemaYaml } from '../schema/export';
import type { SchemaChange, TableSchema } from '../schema/types';
import { withWarehouse } from '../warehouse/connection';
import { ensureSystemTables, readNextRowId, readSchema, readState, recordFailedLoad } from '../warehouse/system';
import { Extraction, loadSourceByName, maskSecrets, prepareSource } from './extract';
import { PackageWriter, writeManifest } from './load/packageWriter';
import { LoadSession } from './load/session';
import { connectPostgres } from '../engine/postgres';
import { ensurePostgresSystemTables, loadPackageIntoPostgres, readPostgresStart, recordFailedPostgresLoad } from './load/postgres';
import type pg from 'pg';
import { chooseGateway, gatewayUrl } from '../project/gateways';
import { LOAD_ID, Normalizer, type StageSink } from './normalize';
import type { PackageManifest } from './package';
import { acquireSourceLock } from './sourceLock';
import type { Logger, SourceDef } from './types';

export interface IngestOptions {
  project: Project;
  source: string;
  /** Resources to run instead of those enabled in sluice.yaml. */
  resources?: string[];
  limit?: number;
  fullRefresh?: boolean;
  signal?: AbortSignal;
  log?: Logger;
  /** Rows per staged part file (default SLUICE_PART_ROWS, else 100,000); tests make it small to exercise many parts. */
  partRows?: number;
  /** Called after every batch with the items extracted so far per resource. */
  onProgress?: (counts: Record<string, number>) => void;
  /** How long to wait for another ingest of the source, or another process's hold on the warehouse (see queueLockWait). */
  lockWaitMs?: number;
  /** The gateway to load into (--gateway): default_gateway, else the DuckDB warehouse file. */
  gateway?: string;
}

export interface IngestResult {
  /** Null when the run failed before a load began (e.g. the source module did not load). */
  load_id: string | null;
  source: string;
  status: 'loaded' | 'failed';
  /** Rows loaded per table, and the part files they were staged in. */
  tables: Record<string, { rows: number; parts?: number }>;
  schema_changes: SchemaChange[];
  resources: string[];
  started_at: string;
  finished_at: string;
  duration_ms: number;
  error?: string;
}

/**
 * Items per batch handed from extract to normalize. Small batches keep the items and rows in flight few
 * enough to die young: with thousands in flight, every minor GC copies them and the run spends more time
 * collecting garbage than normalizing.
 */
const INGEST_BATCH_SIZE = 100;

/** Rows per staged part file (SLUICE_PART_ROWS overrides it: small parts exercise the load paths in tests). */
const PART_ROWS = 100_000;
/**
 * Parts of a table that go in together while the source still runs (see load/session.ts). One: in
 * interleaved runs of the 1M-record benchmark, part by part was faster than groups of two or three.
 */
const EARLY_GROUP_PARTS = 1;

const silentLog: Logger = { info: () => undefined, warn: () => undefined, debug: () => undefined };

export function newLoadId(now = clockNow()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${crypto.randomBytes(3).toString('hex')}`;
}

export function packagesDir(project: Project, source: string): string {
  return path.join(project.dir, '.sluice', 'packages', encodeURIComponent(source));
}

/** Which resources run: --resources if given, else the sluice.yaml toggles, else each resource's default. */
export function selectResources(source: SourceDef, project: Project, requested?: string[]): string[] {
  const known = new Set(source.resources.map((r) => r.name));
  if (requested && requested.length > 0) {
    const unknown = requested.filter((r) => !known.has(r));
    if (unknown.length > 0) {
      throw new SluiceError(
        `source "${source.name}" has no resource ${unknown.map((u) => `"${u}"`).join(', ')}; it has: ${[...known].join(', ')}`,
      );
    }
    return source.resources.map((r) => r.name).filter((name) => requested.includes(name));
  }
  const toggles = sourceSettings(project, source.name).resources;
  for (const name of Object.keys(toggles)) {
    if (!known.has(name)) throw new SluiceError(`sluice.yaml enables or disables resource "${name}", which source "${source.name}" does not have`);
  }
  return source.resources.filter((r) => toggles[r.name] ?? r.selected ?? true).map((r) => r.name);
}

export async function ingest(options: IngestOptions): Promise<IngestResult> {
  const { project } = options;
  const log = options.log ?? silentLog;
  const startedAt = clockNow();
  const loadId = newLoadId(startedAt);
  let source: SourceDef;
  try {
    source = await loadSourceByName(project.dir, options.source);
  } catch (err) {
    // The module's top level can read secrets too: what it throws is shown without them.
    throw withoutSecrets(err, resolveSecrets(project, options.source));
  }
  const settings = sourceSettings(project, source.name);
  const secrets = resolveSecrets(project, source.name);
  // A source built from a database lists its tables now, with the run's secrets.
  await prepareSource(source, { projectDir: project.dir, config: settings.config, secrets, log }).catch((err) => {
    throw withoutSecrets(err, secrets);
  });
  const resources = selectResources(source, project, options.resources);

  // A second ingest queues behind the first (of this source, or of any source on the warehouse).
  const lockWait: LockWait = { ...queueLockWait(options.lockWaitMs, project.lockWaitMs), onLockWait: (note) => log.info(note), signal: options.signal };
  const lock = await acquireSourceLock(path.join(project.dir, '.sluice', 'locks'), source.name, lockWait);
  const packageRoot = packagesDir(project, source.name);
  // Packages left by a killed run never committed anything the next run needs: their state was not
  // committed either, so extracting again converges.
  fs.rmSync(packageRoot, { recursive: true, force: true });
  const packageDir = path.join(packageRoot, loadId);
  fs.mkdirSync(packageDir, { recursive: true });

  let changes: SchemaChange[] = [];
  const partRows = options.partRows ?? partRowsFromEnv() ?? PART_ROWS;
  const session = new LoadSession({
    warehouse: project.warehouse,
    dir: packageDir,
    source: source.name,
    loadId,
    fullRefresh: Boolean(options.fullRefresh),
    groupRows: EARLY_GROUP_PARTS * partRows,
    log,
    lockWait,
  });
  let writer: PackageWriter | undefined;
  // A PostgreSQL gateway gets the whole package at the end, over a connection of its own.
  let server: pg.Client | undefined;
  let toServer = false;
  try {
    const gateway = chooseGateway(project, options.gateway);
    toServer = gateway.type === 'postgres';
    if (gateway.type === 'postgres') {
      // A connection of its own: COPY needs the client itself.
      server = await connectPostgres(gatewayUrl(gateway, (name) => process.env[name] ?? readDotEnv(project.dir)[name]), { applicationName: 'sluice ingest' });
      await ensurePostgresSystemTables(server);
    }
    const postgres = server;
    // Read under the source lock: a queued run starts from what the run before it committed.
    const { previousSchema, previousState, firstRowId } = postgres ? await readPostgresStart(postgres, source.name) : await withWarehouse(project.warehouse, async (wh) => {
      await ensureSystemTables(wh);
      return {
        previousSchema: await readSchema(wh, source.name),
        previousState: await readState(wh, source.name),
        firstRowId: await readNextRowId(wh, source.name),
      };
    }, lockWait);

    const normalizer = new Normalizer(source.name, previousSchema, source.resources, {
      loadId,
      contract: settings.contract,
      firstRowId,
    });
    writer = new PackageWriter(packageDir, {
      partRows,
      // Every root row holds the load id: written once per part, not a million times.
      constants: { [LOAD_ID]: loadId },
      onPartFinished: (tableName, part) => (postgres ? undefined : session.offer(liveTable(normalizer, tableName), part)),
    });
    const extraction = new Extraction(source, {
      resources,
      limit: options.limit,
      state: options.fullRefresh ? {} : previousState,
      fullRefresh: options.fullRefresh,
      config: settings.config,
      secrets,
      log,
      signal: options.signal,
      batchSize: INGEST_BATCH_SIZE,
    });
    const packageWriter = writer;
    // The live table schema, not a snapshot: the writer only reads its column order and types.
    const staged: StageSink = {
      rows: (tableName, rows, present) => packageWriter.write(liveTable(normalizer, tableName), rows, present),
      lines: (tableName, layout, lines) => packageWriter.appendLines(liveTable(normalizer, tableName), layout, lines),
    };
    log.debug(`stage: extract ${loadId}`);
    for await (const batch of extraction.batches()) {
      normalizer.stage(batch.resource, batch.items, staged);
      session.throwIfFailed();
      options.onProgress?.(extraction.counts());
      // A synchronous source never leaves the microtask queue: give the event loop a turn, so that the
      // load session's DuckDB calls (and a Cancel) are seen while the source runs.
      await new Promise((resolve) => setImmediate(resolve));
    }
    changes = normalizer.changes();
    for (const notice of normalizer.notices()) log.warn(notice);
    const manifest: PackageManifest = {
      loadId,
      source: source.name,
      createdAt: clockNow().toISOString(),
      schema: normalizer.schema(),
      changes,
      resources,
      state: extraction.state(),
      tables: writer.finish(),
      fullRefresh: Boolean(options.fullRefresh),
      rowIds: normalizer.rowIds(),
    };
    writeManifest(packageDir, manifest);
    log.debug(`stage: load ${loadId}`);

    const outcome = postgres ? await loadPackageIntoPostgres(postgres, packageDir, manifest, startedAt) : await session.finish(manifest, startedAt);
    log.debug(`stage: loaded ${loadId}`);
    // The load is committed: from here on nothing may report it as failed.
    afterCommit(log, `write schemas/ for load ${loadId}`, () => {
      if (manifest.schema.tables.length > 0) exportSchemaYaml(project.dir, manifest.schema);
    });
    // The ingest → transform bridge: the loaded tables become external models that SQL models can read.
    if (manifest.schema.tables.length > 0) {
      await refreshExternalModels(project.dir, manifest.schema).catch((err) => log.warn(`the load was committed, but Sluice could not update external_models.yaml: ${describeError(err)}`));
    }
    afterCommit(log, `remove the load package ${packageDir}`, () => fs.rmSync(packageDir, { recursive: true, force: true }));
    const finishedAt = clockNow();
    return {
      load_id: loadId,
      source: source.name,
      status: 'loaded',
      tables: Object.fromEntries(Object.entries(outcome.rows).map(([t, rows]) => [t, { rows, parts: manifest.tables[t]?.parts.length ?? 0 }])),
      schema_changes: changes,
      resources,
      started_at: startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      duration_ms: finishedAt.getTime() - startedAt.getTime(),
    };
  } catch (err) {
    writer?.abandon();
    await session.abort();
    fs.rmSync(packageDir, { recursive: true, force: true });
    // Errors can quote data (a contract violation shows the value): no secret value is ever shown or stored.
    const error = maskSecrets(describeError(err), secrets);
    const failure = { loadId, source: source.name, startedAt, error, resources };
    // A failure is recorded where the load would have gone (nowhere when the server could not be reached).
    if (toServer) await (server ? recordFailedPostgresLoad(server, failure) : Promise.resolve()).catch(() => undefined);
    else await withWarehouse(project.warehouse, async (wh) => {
      await ensureSystemTables(wh);
      await recordFailedLoad(wh, failure);
    }).catch(() => undefined);
    const finishedAt = clockNow();
    return {
      load_id: loadId,
      source: source.name,
      status: 'failed',
      tables: {},
      schema_changes: changes,
      resources,
      started_at: startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      duration_ms: finishedAt.getTime() - startedAt.getTime(),
      error,
    };
  } finally {
    await server?.end().catch(() => undefined);
    lock.release();
  }
}

function partRowsFromEnv(): number | undefined {
  const value = Number(process.env.SLUICE_PART_ROWS);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function liveTable(normalizer: Normalizer, name: string): TableSchema {
  const table = normalizer.table(name);
  if (!table) throw new Error(`normalizer produced rows for unknown table ${name}`);
  return table;
}

/** Work after the commit: a failure is a warning, since the data and state are already in the warehouse. */
function afterCommit(log: Logger, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    log.warn(`the load was committed, but Sluice could not ${what}: ${describeError(err)}`);
  }
}

/** err itself when its message shows no secret value; otherwise a SluiceError with the values masked. */
function withoutSecrets(err: unknown, secrets: Record<string, string | undefined>): unknown {
  const message = describeError(err);
  const masked = maskSecrets(message, secrets);
  return masked === message ? err : new SluiceError(masked);
}
