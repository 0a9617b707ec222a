// `sluice run`: processes the intervals that have become due, per cron, for the incremental models of an
// environment, and rebuilds its FULL (and materialized VIEW) tables whose cron ticked since they were last
// built, as the environment's stored versions define them (not the files on disk).

import crypto from 'node:crypto';
import { nowMs as clockMs } from '../clock';
import { SluiceError } from '../errors';
import type { Warehouse } from '../warehouse/connection';
import { auditCollector, batchSize, type FailedAudit } from './apply';
import { processIntervals, rebuildInPlace, type BuildContext } from './build';
import { batches, dueRange, formatRange, intervalUnit, lastCronTick, mergeIntervals, subtractIntervals } from './intervals';
import { withLock } from './lock';
import { isIncremental } from './plan';
import { runAfterAll, runProjectStatements, type ProjectStatements } from './projectStatements';
import { lastRefreshMs, readEnvironments, readIntervals, readSnapshots } from './state';
import type { BackfillEntry, SnapshotRecord } from './types';

export interface RunOptions {
  now?: Date | number;
  log?: (message: string) => void;
  warn?: (message: string) => void;
  /** The project's before_all / after_all, rendered. */
  statements?: ProjectStatements;
}

export interface RunResult {
  environment: string;
  processed: BackfillEntry[];
  /** Whole-table models rebuilt because their cron ticked since their last build. */
  refreshed: string[];
  /** An after_all statement failed (the intervals were processed all the same). */
  afterAllError?: string;
  /** Audits of the processed intervals that found rows or could not run. */
  failedAudits: FailedAudit[];
  durationMs: number;
}

export async function runEnvironment(wh: Warehouse, environment: string, options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const nowMs = options.now === undefined ? clockMs() : new Date(options.now).getTime();
  return withLock(wh, 'run', environment, async () => {
    await wh.run("SET TimeZone = 'UTC'").catch(() => undefined);
    const env = (await readEnvironments(wh)).find((e) => e.name === environment);
    if (!env) throw new SluiceError(`environment ${environment} does not exist; create it with sluice apply ${environment}`);
    const records = await readSnapshots(wh, env.snapshots.map((e) => e.fingerprint));
    const byName = new Map<string, SnapshotRecord>(records.map((r) => [r.name, r]));
    const failedAudits: FailedAudit[] = [];
    const ctx: BuildContext = {
      wh, applyId: `run-${crypto.randomUUID()}`, models: byName, environment, executionTimeMs: nowMs, log: options.log, warn: options.warn,
      audited: auditCollector({ run: 0, passed: 0, failed: 0 }, failedAudits),
    };
    await runProjectStatements(wh, options.statements?.beforeAll ?? [], 'before_all', options.log);
    const processed: BackfillEntry[] = [];
    const refreshed: string[] = [];
    // Environment entries are stored upstream first, so a model's inputs are processed before it.
    for (const entry of env.snapshots) {
      const record = byName.get(entry.name);
      if (!record) continue;
      if (refreshesOnCron(record.kind)) {
        const last = await lastRefreshMs(wh, record.name, record.version);
        if (last !== undefined && last >= lastCronTick(record, nowMs)) continue;
        options.log?.(`refresh ${record.name}`);
        await rebuildInPlace(record, ctx);
        refreshed.push(record.name);
        continue;
      }
      if (!isIncremental(record.kind)) continue;
      const done = await readIntervals(wh, record.name, record.version);
      const missing = subtractIntervals(dueRange(record, nowMs), done);
      if (missing.length === 0) continue;
      const steps = batches(missing, intervalUnit(record), batchSize(record));
      await processIntervals(record, steps, ctx);
      processed.push({ model: record.name, intervals: mergeIntervals(steps).map(formatRange) });
    }
    const result: RunResult = { environment, processed, refreshed, failedAudits, durationMs: 0 };
    const afterAllError = await runAfterAll(wh, options.statements?.afterAll ?? [], options.log);
    if (afterAllError !== undefined) result.afterAllError = afterAllError;
    result.durationMs = performance.now() - started;
    return result;
  });
}

/** Kinds whose whole table is rebuilt on their cron (views and seeds need no refresh). */
function refreshesOnCron(kind: SnapshotRecord['kind']): boolean {
  return kind.name === 'FULL' || (kind.name === 'VIEW' && kind.materialized === true);
}
