// Builds model versions into their physical tables. Each step is one transaction that also records what it
// did (the snapshot row with a new table, the interval rows with an incremental batch) and runs the
// model's blocking audits: a failed audit or a killed process leaves nothing half-built behind.

import { SluiceError } from '../errors';
import { checkedType } from '../quality/fixtures';
import { runAudits } from '../quality/runAudits';
import type { AuditResult } from '../quality/types';
import { engineOf, type EngineConnection } from '../engine';
import { DuckDbAdapter } from '../engine/duckdb';
import type { Warehouse } from '../warehouse/connection';
import { quoteIdent, quoteLiteral } from '../warehouse/quote';
import { keyColumns } from './dml';
import { executionQuery, type ExecutionContext } from './executionSql';
import { mergeIntervals, parseModelTime } from './intervals';
import { isScd2, validityColumns } from '../models/scd2';
import { physicalSchema, physicalSql, physicalTable } from './names';
import { migrateInPlace } from './forwardOnly';
import { runModelStatements } from './modelStatements';
import { isIncremental } from './plan';
import { applyScd2Batch, scd2TableShape } from './scd2';
import { readIntervals, recordAuditResults, storeSnapshot, writeIntervals } from './state';
import type { Interval, SnapshotRecord } from './types';

export interface BuildContext extends ExecutionContext {
  wh: EngineConnection;
  applyId: string;
  /** Progress lines (stderr in the CLI). */
  log?: (message: string) => void;
  /** Non-blocking audit failures are reported here. */
  warn?: (message: string) => void;
  /** The results of every audit run, passed or not (for a summary of the apply). */
  audited?: (results: readonly AuditResult[], model: string) => void;
}

/** A blocking audit failed: the step was rolled back. */
export class AuditFailure extends SluiceError {
  constructor(readonly model: string, readonly results: AuditResult[]) {
    super(describeFailures(model, results.filter((r) => r.blocking && !r.passed)));
    this.name = 'AuditFailure';
  }
}

function describeFailures(model: string, failed: AuditResult[]): string {
  const parts = failed.map((r) => (r.error ? r.error : `${r.label}: ${r.violations} row${r.violations === 1 ? '' : 's'}`));
  return `blocking audit${failed.length === 1 ? '' : 's'} failed on ${model}: ${parts.join('; ')}`;
}

// The interval a whole-table build renders the @start and @end macros with: from the model's start (or 1970) to now.
function wholeRange(record: SnapshotRecord, ctx: BuildContext): Interval {
  const start = record.start ? parseModelTime(record.start, `start of model ${record.name}`, ctx.executionTimeMs).ms : 0;
  return { startMs: Math.min(start, ctx.executionTimeMs), endMs: ctx.executionTimeMs };
}

/** Creates a version's physical table (or view) and stores its snapshot row, in one transaction. */
export async function buildSnapshot(record: SnapshotRecord, ctx: BuildContext, firstInterval: Interval | undefined): Promise<void> {
  const { wh } = ctx;
  const engine = engineOf(wh);
  const target = { schema: physicalSchema(record.name), table: physicalTable(record.name, record.version) };
  const kind = record.kind;
  const full = wholeRange(record, ctx);
  let body: string | undefined;
  if (kind.name === 'SEED') body = `SELECT * FROM ${seedReader(record)}`;
  else if (!isIncremental(kind)) body = await engineQuery(record, ctx, full);
  // A model reading its own table cannot take its shape from its query before the table exists.
  const columns = body === undefined && record.readsItself ? ownColumns(record) : undefined;
  const shape = body === undefined && !columns ? await engineQuery(record, ctx, firstInterval ?? full) : undefined;
  // Making a view or an empty incremental table is SQLMesh's 'creating' stage; computing rows, 'evaluating'.
  const stage = body === undefined || (kind.name === 'VIEW' && !kind.materialized) ? 'creating' : 'evaluating';
  const statements = (role: 'pre' | 'post') => runModelStatements(wh, record, role, statementRun(record, ctx, stage, firstInterval ?? full));
  await inTransaction(ctx, record, full, async () => {
    await wh.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(physicalSchema(record.name))}`);
    if (kind.name !== 'SEED') await statements('pre');
    if (kind.name === 'VIEW' && !kind.materialized) {
      await engine.replaceView(target, body!);
    } else if (kind.name === 'SEED') {
      await engine.replaceTableFromDuckDb(target, body!);
    } else if (body !== undefined) {
      await engine.replaceTableAs(target, body);
    } else {
      // Incremental: an empty table with the query's columns (or, for a model reading itself, the declared
      // ones); batches fill it, the first one reading its own table empty.
      if (columns) await engine.createEmptyTable(target, { columns });
      else if (isScd2(kind)) await duckdbOnly(wh, record).run(`CREATE OR REPLACE TABLE ${physicalSql(record.name, record.version)} AS ${scd2TableShape(record, shape!)}`);
      else await engine.createEmptyTable(target, { query: shape! });
      await writeIntervals(wh, record.name, record.version, []);
    }
    if (kind.name !== 'SEED') await statements('post');
    await storeSnapshot(wh, record);
    // An empty incremental table has nothing to audit yet; its batches are audited.
    return body !== undefined;
  });
}

/** The columns of a model that reads its own table: declared in the MODEL block, else as analysed, with types. */
function ownColumns(record: SnapshotRecord): { name: string; type: string }[] {
  const where = `model ${record.name} (${record.file})`;
  if (record.declaredColumns && record.declaredColumns.length > 0) {
    const declared = record.declaredColumns.map(([name, type]) => ({ name, type: checkedType(type, `${where}, column ${name}`) }));
    // An SCD type 2 table has its validity columns besides the declared ones.
    return isScd2(record.kind) ? [...declared, ...validityColumns(record.kind).map((c) => ({ name: c.name, type: checkedType(c.type, `${where}, time_data_type`) }))] : declared;
  }
  const untyped = record.columns.filter((c) => c.type === undefined).map((c) => c.name);
  if (record.columns.length === 0 || untyped.length > 0) {
    throw new SluiceError(`${where} reads its own table, which must exist before its first batch: declare its columns in the MODEL block, e.g. columns (${record.columns.map((c) => `${c.name} ${c.type ?? 'TYPE'}`).join(', ') || 'id INT'})`);
  }
  return record.columns.map((c) => ({ name: c.name, type: checkedType(c.type!, `${where}, column ${c.name}`) }));
}

/**
 * Rebuilds a stored FULL or SEED table in place (restatement, or a run on the model's cron), audits
 * included. The range it covers is recorded as the table's interval, so a run knows when it was refreshed.
 */
export async function rebuildInPlace(record: SnapshotRecord, ctx: BuildContext): Promise<void> {
  const full = wholeRange(record, ctx);
  const engine = engineOf(ctx.wh);
  const seed = record.kind.name === 'SEED';
  const body = seed ? `SELECT * FROM ${seedReader(record)}` : await engineQuery(record, ctx, full);
  await inTransaction(ctx, record, full, async () => {
    const target = { schema: physicalSchema(record.name), table: physicalTable(record.name, record.version) };
    if (!seed) await runModelStatements(ctx.wh, record, 'pre', statementRun(record, ctx, 'evaluating', full));
    await (seed ? engine.replaceTableFromDuckDb(target, body) : engine.replaceTableAs(target, body));
    if (!seed) await runModelStatements(ctx.wh, record, 'post', statementRun(record, ctx, 'evaluating', full));
    if (full.endMs > full.startMs) await writeIntervals(ctx.wh, record.name, record.version, [full]);
    return true;
  });
}

/**
 * A forward-only change keeps this table: its columns are brought to the new query's shape in place, in
 * one transaction (forwardOnly.ts). Returns what changed, in words.
 */
export async function migrateTable(record: SnapshotRecord, ctx: BuildContext, interval: Interval | undefined, allowDestructive = false): Promise<string[]> {
  if (engineOf(ctx.wh).type !== 'duckdb') {
    throw new SluiceError(`${record.name}: forward-only changes run on DuckDB only so far; plan it without forward-only on this gateway`);
  }
  const query = await executionQuery(record, ctx, interval ?? wholeRange(record, ctx));
  const shape = isScd2(record.kind) ? scd2TableShape(record, query) : `SELECT * FROM (${query}) AS q LIMIT 0`;
  let done: string[] = [];
  await ctx.wh.transaction(async () => {
    done = await migrateInPlace(ctx.wh, record, shape, ctx.warn, allowDestructive);
  });
  return done;
}

/** Processes intervals of an incremental version, one transaction per batch; returns the rows written. */
export async function processIntervals(record: SnapshotRecord, batches: readonly Interval[], ctx: BuildContext): Promise<number> {
  let rows = 0;
  for (const batch of batches) {
    const query = await engineQuery(record, ctx, batch);
    ctx.log?.(`process ${record.name} ${new Date(batch.startMs).toISOString()} .. ${new Date(batch.endMs).toISOString()}`);
    let written = 0;
    await inTransaction(ctx, record, batch, async () => {
      const done = await readIntervals(ctx.wh, record.name, record.version);
      await runModelStatements(ctx.wh, record, 'pre', statementRun(record, ctx, 'evaluating', batch));
      if (record.kind.name === 'INCREMENTAL_BY_TIME_RANGE') written = await replaceTimeRange(ctx.wh, record, query, batch);
      else if (record.kind.name === 'INCREMENTAL_BY_PARTITION') written = await engineOf(ctx.wh).replacePartitions(tableOf(record), query, record.kind.partitionedBy);
      else if (record.kind.name === 'INCREMENTAL_UNMANAGED') written = await engineOf(ctx.wh).appendRows(tableOf(record), query, record.kind.insertOverwrite);
      else if (isScd2(record.kind)) written = await applyScd2Batch(duckdbOnly(ctx.wh, record), record, query, { executionTimeMs: ctx.executionTimeMs, first: done.length === 0 });
      else written = await mergeByKey(ctx.wh, record, query);
      await runModelStatements(ctx.wh, record, 'post', statementRun(record, ctx, 'evaluating', batch));
      await writeIntervals(ctx.wh, record.name, record.version, mergeIntervals([...done, batch]));
      return true;
    });
    rows += written;
  }
  return rows;
}

/** Runs the audits of a table that is reused as it is but whose audits changed. */
export async function auditExisting(record: SnapshotRecord, ctx: BuildContext): Promise<void> {
  const full = wholeRange(record, ctx);
  await inTransaction(ctx, record, full, async () => true);
}

/**
 * Runs step in a transaction, then (when it says so) the model's audits inside the same transaction. A
 * failing blocking audit rolls everything back; results are recorded either way.
 */
async function inTransaction(ctx: BuildContext, record: SnapshotRecord, interval: Interval, step: () => Promise<boolean>): Promise<void> {
  const { wh } = ctx;
  let results: AuditResult[] = [];
  try {
    await wh.transaction(async () => {
      const audit = await step();
      if (!audit || record.audits.length === 0) return;
      results = await runAudits(wh, { schema: physicalSchema(record.name), table: physicalTable(record.name, record.version) }, record.audits, {
        start: new Date(interval.startMs),
        end: new Date(Math.max(interval.startMs, interval.endMs)),
        executionTime: new Date(ctx.executionTimeMs),
        environment: ctx.environment,
        // Audit arguments may use the project's variables and call its macros, as the query does.
        variables: record.variables,
        macros: ctx.macros,
      });
      ctx.audited?.(results, record.name);
      if (results.some((r) => r.blocking && !r.passed)) throw new AuditFailure(record.name, results);
      await recordAuditResults(wh, ctx.applyId, record, results, interval.endMs > 0 ? interval : undefined);
    });
  } catch (err) {
    if (err instanceof AuditFailure) {
      // The build was rolled back; the results are kept so the failure can be looked at later.
      await wh.transaction(() => recordAuditResults(wh, ctx.applyId, record, results, interval.endMs > 0 ? interval : undefined)).catch(() => undefined);
    }
    throw err instanceof SluiceError ? err : new SluiceError(`building ${record.name} failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  for (const r of results) {
    if (!r.passed && !r.blocking) ctx.warn?.(`audit ${r.label} on ${record.name}: ${r.error ?? `${r.violations} row${r.violations === 1 ? '' : 's'} failed`} (non-blocking)`);
  }
}

/** Replaces the rows of the batch's time range; returns how many were inserted. */
async function replaceTimeRange(wh: EngineConnection, record: SnapshotRecord, query: string, batch: Interval): Promise<number> {
  const kind = record.kind as Extract<SnapshotRecord['kind'], { name: 'INCREMENTAL_BY_TIME_RANGE' }>;
  const target = { schema: physicalSchema(record.name), table: physicalTable(record.name, record.version) };
  return engineOf(wh).insertOverwrite(target, query, { name: kind.timeColumn, format: kind.timeColumnFormat }, batch);
}

/** How the model's pre/post statements render: @this_model is the physical table being built. */
function statementRun(record: SnapshotRecord, ctx: BuildContext, runtimeStage: 'creating' | 'evaluating', interval: Interval) {
  return { environment: ctx.environment, executionTimeMs: ctx.executionTimeMs, macros: ctx.macros, thisModel: [physicalSchema(record.name), physicalTable(record.name, record.version)], runtimeStage, interval };
}

function tableOf(record: SnapshotRecord): { schema: string; table: string } {
  return { schema: physicalSchema(record.name), table: physicalTable(record.name, record.version) };
}

/** Merges the batch's rows by the unique key; returns how many were inserted or updated. */
async function mergeByKey(wh: EngineConnection, record: SnapshotRecord, query: string): Promise<number> {
  const kind = record.kind as Extract<SnapshotRecord['kind'], { name: 'INCREMENTAL_BY_UNIQUE_KEY' }>;
  const keys = keyColumns(record.name, kind.uniqueKey, 'merges');
  const target = { schema: physicalSchema(record.name), table: physicalTable(record.name, record.version) };
  return engineOf(wh).mergeByKey(target, query, keys, kind.whenMatched);
}

/** The DuckDB warehouse behind a connection: SCD type 2 statements are written for DuckDB only so far. */
function duckdbOnly(wh: EngineConnection, record: SnapshotRecord): Warehouse {
  const engine = engineOf(wh);
  if (engine instanceof DuckDbAdapter) return engine.warehouse;
  throw new SluiceError(`model ${record.name} (${record.file}): ${record.kind.name} models run on DuckDB only so far`);
}

/** The model's query for the interval, in the dialect of the engine it runs on. */
async function engineQuery(record: SnapshotRecord, ctx: BuildContext, interval: Interval): Promise<string> {
  return engineOf(ctx.wh).renderQuery(await executionQuery(record, ctx, interval), record);
}

/** read_csv over a seed file; names and settings are literals, never pasted text. */
function seedReader(record: SnapshotRecord): string {
  const kind = record.kind as Extract<SnapshotRecord['kind'], { name: 'SEED' }>;
  if (!record.seedFile) throw new SluiceError(`model ${record.name}: seed file ${kind.path} not found`);
  const options = ['header = true'];
  const settings = kind.csvSettings ?? {};
  const text = (v: unknown) => String(v).replace(/^'(.*)'$/, '$1');
  if (settings.delimiter !== undefined) options.push(`delim = ${quoteLiteral(text(settings.delimiter))}`);
  if (settings.quotechar !== undefined) options.push(`quote = ${quoteLiteral(text(settings.quotechar))}`);
  if (settings.escapechar !== undefined) options.push(`escape = ${quoteLiteral(text(settings.escapechar))}`);
  if (record.declaredColumns && record.declaredColumns.length > 0) {
    options.push(`columns = {${record.declaredColumns.map(([n, t]) => `${quoteLiteral(n)}: ${quoteLiteral(t)}`).join(', ')}}`);
  }
  return `read_csv(${quoteLiteral(record.seedFile)}, ${options.join(', ')})`;
}

