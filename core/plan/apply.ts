// Carrying a plan out: build the new versions upstream first (each in its own transaction, audits
// included; models that do not depend on each other build concurrently on separate connections), process the intervals incremental models are missing, then swap the environment's views in
// one transaction. When anything fails before the swap the environment is exactly as it was; what was
// built stays stored and is reused by the next attempt.

import crypto from 'node:crypto';
import os from 'node:os';
import { SluiceError } from '../errors';
import type { ProjectMacros } from '../models/macroApi';
import { isScd2 } from '../models/scd2';
import { quoteIdent } from '../warehouse/quote';
import type { AuditResult } from '../quality/types';
import type { EngineConnection } from '../engine';
import { auditExisting, buildSnapshot, migrateTable, processIntervals, rebuildInPlace, type BuildContext } from './build';
import { batches, formatRange, intervalUnit, mergeIntervals } from './intervals';
import { withLock } from './lock';
import { physicalSchema, viewRelation } from './names';
import { runAfterAll, runProjectStatements, type ProjectStatements } from './projectStatements';
import { environmentEntries, isIncremental, isWholeQueryIncremental } from './plan';
import { readEnvironments, readSnapshots } from './state';
import { hasView, sameEntries, swapEnvironment } from './swap';
import { runModelStatements } from './modelStatements';
import type { BackfillEntry, EnvironmentEntry, Interval, Plan, PlannedModel, SnapshotRecord } from './types';

export interface ApplyOptions {
  /** Progress lines. */
  log?: (message: string) => void;
  /** Non-blocking audit failures and other warnings. */
  warn?: (message: string) => void;
  /** The project's before_all / after_all, rendered: run first, and once the environment is swapped. */
  statements?: ProjectStatements;
  /** The project's macros, for models calling a macros/*.ts function. */
  macros?: ProjectMacros;
}

/** Intervals an apply processed for one model, and the rows that wrote. */
export interface ProcessedEntry extends BackfillEntry {
  rows: number;
}

/** Audits an apply ran (each audit once per table or batch it checked). */
export interface AuditCounts {
  run: number;
  passed: number;
  /** Non-blocking failures: a blocking one stops the apply. */
  failed: number;
}

export interface ApplyResult {
  environment: string;
  planId: string;
  /** Models whose tables were built. */
  built: string[];
  /** Models whose existing tables the environment now uses as they are. */
  reused: string[];
  processed: ProcessedEntry[];
  audits: AuditCounts;
  /** The audits that found rows or could not run (non-blocking ones: a blocking one stops the apply). */
  failedAudits: FailedAudit[];
  /** Models rebuilt in place by a restatement. */
  restated: string[];
  /** Forward-only changes: each kept table and what changed in its columns (nothing when only the query changed). */
  changedInPlace: { model: string; changes: string[] }[];
  removed: string[];
  /** Whether the environment's views were swapped (false: nothing changed). */
  swapped: boolean;
  /** A lock left by a killed apply was taken over. */
  recovered?: string;
  /** An after_all statement failed (the environment was applied all the same). */
  afterAllError?: string;
  durationMs: number;
}

export interface FailedAudit {
  model: string;
  audit: string;
  blocking: boolean;
  violations: number;
  error?: string;
}

/** Counts what audits found and keeps the failures (shared by apply and run). */
export function auditCollector(counts: AuditCounts, failed: FailedAudit[]): (results: readonly AuditResult[], model: string) => void {
  return (results, model) => {
    counts.run += results.length;
    for (const r of results) {
      counts[r.passed ? 'passed' : 'failed']++;
      if (!r.passed) failed.push({ model, audit: r.label, blocking: r.blocking, violations: r.violations, ...(r.error ? { error: r.error } : {}) });
    }
  };
}

export async function applyPlan(wh: EngineConnection, plan: Plan, options: ApplyOptions = {}): Promise<ApplyResult> {
  const started = performance.now();
  return withLock(wh, 'apply', plan.environment, async (lock) => {
    await wh.run("SET TimeZone = 'UTC'").catch(() => undefined);
    const current = (await readEnvironments(wh)).find((e) => e.name === plan.environment);
    const now: Record<string, string> = {};
    for (const e of current?.snapshots ?? []) now[e.name] = e.fingerprint;
    if (JSON.stringify(sortKeys(now)) !== JSON.stringify(sortKeys(plan.expected))) {
      throw new SluiceError(`environment ${plan.environment} changed since this plan was made; run the plan again`);
    }
    const planId = crypto.randomUUID();
    const result: ApplyResult = {
      environment: plan.environment, planId, built: [], reused: [], processed: [], audits: { run: 0, passed: 0, failed: 0 }, failedAudits: [], restated: [], changedInPlace: [],
      removed: plan.removed, swapped: false, durationMs: 0,
    };
    const audited = auditCollector(result.audits, result.failedAudits);
    if (lock.recoveredFrom) result.recovered = `took over the lock of an interrupted ${lock.recoveredFrom.command} (pid ${lock.recoveredFrom.pid})`;

    // A before_all failure stops the apply before anything is built or swapped.
    await runProjectStatements(wh, options.statements?.beforeAll ?? [], 'before_all', options.log);
    const models = new Map<string, SnapshotRecord>(plan.models.map((m) => [m.record.name, m.record]));
    const ctx: BuildContext = { wh, applyId: planId, models, environment: plan.environment, executionTimeMs: plan.nowMs, macros: options.macros, log: options.log, warn: options.warn, audited };
    const outcomes = await buildConcurrently(plan, ctx, options);
    // Reported in plan order, whatever order the concurrent builds finished in.
    for (const planned of plan.models) {
      const outcome = outcomes.get(planned.record.name)!;
      if (outcome.built) result.built.push(planned.record.name);
      else if (planned.action === 'reuse') result.reused.push(planned.record.name);
      if (outcome.restated) result.restated.push(planned.record.name);
      if (outcome.changedInPlace) result.changedInPlace.push({ model: planned.record.name, changes: outcome.changedInPlace });
      if (outcome.processed) result.processed.push(outcome.processed);
    }

    const entries = environmentEntries(plan);
    const unchanged = current !== undefined && sameEntries(current.snapshots, entries);
    if (!unchanged) {
      options.log?.(`swap ${plan.environment}`);
      await swapEnvironment(wh, {
        environment: plan.environment,
        entries,
        current: current?.snapshots ?? [],
        previous: current?.snapshots ?? [],
        planId,
        newRecords: plan.models.filter((m) => m.isNewSnapshot).map((m) => m.record),
        afterViews: () => runVirtualUpdates(wh, plan, current?.snapshots ?? [], options),
      });
      result.swapped = true;
    }
    const afterAllError = await runAfterAll(wh, options.statements?.afterAll ?? [], options.log);
    if (afterAllError !== undefined) result.afterAllError = afterAllError;
    result.durationMs = performance.now() - started;
    return result;
  });
}

/**
 * ON_VIRTUAL_UPDATE statements of the models whose view this apply points at a new version (or creates),
 * upstream first, with @this_model the environment's view.
 */
async function runVirtualUpdates(wh: EngineConnection, plan: Plan, current: readonly EnvironmentEntry[], options: ApplyOptions): Promise<void> {
  const shown = new Map(current.map((e) => [e.name, e.fingerprint]));
  for (const { record } of plan.models) {
    if (!hasView(record.kind.name) || shown.get(record.name) === record.fingerprint) continue;
    const view = viewRelation(record.name, plan.environment);
    await runModelStatements(wh, record, 'virtual_update', {
      environment: plan.environment, executionTimeMs: plan.nowMs, macros: options.macros, thisModel: [view.schema, view.table], runtimeStage: 'evaluating',
      interval: { startMs: plan.nowMs, endMs: plan.nowMs },
    });
  }
}

/** Swaps an environment back to what it showed before its last apply. No table is computed. */
interface BuildOutcome {
  built: boolean;
  restated: boolean;
  changedInPlace?: string[];
  processed?: ProcessedEntry;
}

/** How many models build at once, each on its own connection (DuckDB runs their transactions in parallel). */
const BUILD_CONCURRENCY = Math.max(1, Math.min(4, os.availableParallelism()));

/**
 * Builds the plan's models in DAG order, independent ones concurrently: a model starts once the models it
 * reads that are in the plan are done. After a failure no new build starts; the running ones finish, and
 * the first error is thrown (the environment's views have not been touched yet).
 */
async function buildConcurrently(plan: Plan, base: BuildContext, options: ApplyOptions): Promise<Map<string, BuildOutcome>> {
  const byName = new Map(plan.models.map((m) => [m.record.name, m]));
  // Physical schemas first: concurrent CREATE SCHEMA of the same name would conflict.
  const schemas = new Set(plan.models.filter((m) => m.action === 'build').map((m) => physicalSchema(m.record.name)));
  for (const schema of schemas) await base.wh.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  const outcomes = new Map<string, BuildOutcome>();
  const started = new Map<string, Promise<void>>();
  const slots = new Semaphore(BUILD_CONCURRENCY);
  let failure: unknown;

  const finish = (name: string): Promise<void> => {
    let task = started.get(name);
    if (!task) {
      const planned = byName.get(name)!;
      task = (async () => {
        await Promise.all(planned.record.parents.filter((p) => byName.has(p) && p !== name).map(finish));
        if (failure) return;
        await slots.acquire();
        try {
          if (failure) return;
          outcomes.set(name, await buildOne(planned, base, options));
        } catch (err) {
          failure ??= err;
        } finally {
          slots.release();
        }
      })();
      started.set(name, task);
    }
    return task;
  };
  await Promise.all(plan.models.map((m) => finish(m.record.name)));
  if (failure) throw failure;
  return outcomes;
}

/** One model's work on a connection of its own: build, restate, re-audit, process intervals. */
async function buildOne(planned: PlannedModel, base: BuildContext, options: ApplyOptions): Promise<BuildOutcome> {
  const { record } = planned;
  const outcome: BuildOutcome = { built: false, restated: false };
  const steps = isWholeQueryIncremental(record.kind)
    ? oneBatch(planned.missing)
    : batches(planned.missing, isIncremental(record.kind) ? intervalUnit(record) : 'day', batchSize(record));
  const needsWork = planned.action === 'build' || planned.restate || planned.auditReused || planned.migrate === true || steps.length > 0;
  if (!needsWork) return outcome;
  const wh = await base.wh.connect();
  try {
    await wh.run("SET TimeZone = 'UTC'").catch(() => undefined);
    const ctx: BuildContext = { ...base, wh };
    if (planned.action === 'build') {
      options.log?.(`build ${record.name}`);
      await buildSnapshot(record, ctx, steps[0]);
      outcome.built = true;
    }
    if (planned.restate) {
      options.log?.(`restate ${record.name}`);
      await rebuildInPlace(record, ctx);
      outcome.restated = true;
    }
    if (planned.migrate) {
      const changes = await migrateTable(record, ctx, steps[0], planned.allowDestructive === true);
      options.log?.(`forward-only ${record.name}: table kept${changes.length > 0 ? `, ${changes.join(', ')}` : ''}`);
      outcome.changedInPlace = changes;
    }
    if (planned.auditReused) await auditExisting(record, ctx);
    if (steps.length > 0) {
      const rows = await processIntervals(record, steps, ctx);
      outcome.processed = { model: record.name, intervals: mergeIntervals(steps).map(formatRange), rows };
    }
    return outcome;
  } finally {
    wh.close();
  }
}

/** Every due interval as one batch, from the first one's start to the last one's end (the query runs once). */
function oneBatch(missing: readonly Interval[]): Interval[] {
  if (missing.length === 0) return [];
  return [{ startMs: Math.min(...missing.map((m) => m.startMs)), endMs: Math.max(...missing.map((m) => m.endMs)) }];
}

/** At most `limit` holders at a time. */
class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private available: number) {}
  async acquire(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.available++;
  }
}

export async function rollbackEnvironment(wh: EngineConnection, environment: string, options: Pick<ApplyOptions, 'log'> = {}): Promise<{ environment: string; restored: number }> {
  return withLock(wh, 'rollback', environment, async () => {
    const current = (await readEnvironments(wh)).find((e) => e.name === environment);
    if (!current) throw new SluiceError(`environment ${environment} does not exist`);
    if (current.previous.length === 0) throw new SluiceError(`environment ${environment} has no earlier state to roll back to`);
    const stored = new Set((await readSnapshots(wh, current.previous.map((e) => e.fingerprint))).map((r) => r.fingerprint));
    const gone = current.previous.filter((e) => !stored.has(e.fingerprint)).map((e) => e.name);
    if (gone.length > 0) throw new SluiceError(`cannot roll back ${environment}: the earlier versions of ${gone.join(', ')} are no longer stored (removed by the janitor?)`);
    options.log?.(`swap ${environment} back`);
    await swapEnvironment(wh, { environment, entries: current.previous, current: current.snapshots, previous: current.snapshots, planId: `rollback-${crypto.randomUUID()}` });
    return { environment, restored: current.previous.length };
  });
}

/** How many intervals one batch covers (undefined: each contiguous range in one batch). */
export function batchSize(record: SnapshotRecord): number | undefined {
  return record.kind.name === 'INCREMENTAL_BY_TIME_RANGE' || isScd2(record.kind) ? record.kind.batchSize : undefined;
}

function sortKeys(map: Record<string, string>): [string, string][] {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
