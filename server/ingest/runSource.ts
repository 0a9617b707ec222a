// sluice/runSource: runs one source into its project's warehouse inside the server process, reporting
// progress and honouring cancellation. The warehouse is opened only by ingest() itself, for as long as it
// needs it, so the file is free for the CLI or a DuckDB client between (and during extraction of) runs.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import * as path from 'node:path';
import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver/node';
import { SluiceError, describeError } from '../../core/errors';
import { ingest, type IngestResult } from '../../core/ingest/pipeline';
import type { Logger } from '../../core/ingest/types';
import type { Project } from '../../core/project/config';
import { SluiceErrorCodes, type IngestProgress, type RunSource } from '../../core/protocol';
import { RefusedError } from '../rpc';
import type { WorkspaceTrust } from '../trust';
import type { ProjectIndex } from '../workspace/projects';
import { sourceOfFile, usableProject } from '../sources/sourceFile';
import type { WarehouseGate } from '../warehouse/gate';
import { ProgressTracker } from './progress';

export interface RunnerDeps {
  index: ProjectIndex;
  trust: WorkspaceTrust;
  progress(params: IngestProgress.Params): void;
  log: Logger;
  /** Minimum time between two progress notifications of a run, in ms. */
  progressIntervalMs?: number;
  /** Keeps the server's own warehouse reads out of the way of a run. */
  gate?: WarehouseGate;
  /** Called after every run that got as far as starting, whatever its outcome. */
  finished?(project: Project, result: RunSource.Result): void;
}

interface Target {
  project: Project;
  source: string;
}

export class IngestRunner {
  /** Running ingests by run id. */
  private readonly running = new Map<string, AbortController>();
  /** project dir + source of each running ingest: one run per source at a time. */
  private readonly busy = new Set<string>();

  constructor(private readonly deps: RunnerDeps) {}

  async run(params: RunSource.Params, token?: CancellationToken): Promise<RunSource.Result> {
    this.deps.trust.require('Running a source');
    const options = checkOptions(params);
    await this.deps.index.ready();
    const { project, source } = await this.resolve(params);
    const key = `${project.dir}\u0000${source}`;
    if (this.busy.has(key)) {
      throw new RefusedError(SluiceErrorCodes.Busy, `source "${source}" of project ${project.name} is already running`);
    }
    const runId = params.runId || randomUUID();
    if (this.running.has(runId)) throw new SluiceError(`run id "${runId}" is already in use`);

    const controller = new AbortController();
    const onCancel = token?.onCancellationRequested(() => controller.abort());
    this.busy.add(key);
    this.running.set(runId, controller);
    const startedAt = Date.now();
    const tracker = new ProgressTracker(startedAt, this.deps.progressIntervalMs);
    const report = (snapshot: ReturnType<ProgressTracker['snapshot']>, done: boolean) =>
      this.deps.progress({ runId, source, done, ...snapshot });
    const log = prefixed(this.deps.log, `[${source}] `);
    log.info(`running source ${source} of project ${project.name} into ${project.warehouse}`);

    let result: IngestResult | undefined;
    let failure: string | undefined;
    try {
      // DuckDB creates the file but not its folder (a warehousePath like data/dev.duckdb).
      fs.mkdirSync(path.dirname(project.warehouse), { recursive: true });
      const run = () => ingest({
        project,
        source,
        resources: options.resources,
        limit: options.limit,
        fullRefresh: options.fullRefresh,
        signal: controller.signal,
        log,
        onProgress: (counts) => {
          const snapshot = tracker.update(counts, Date.now());
          if (snapshot) report(snapshot, false);
        },
      });
      result = this.deps.gate ? await this.deps.gate.run(project.warehouse, run) : await run();
    } catch (err) {
      // Problems before the load began: the module does not compile, an unknown resource, a held lock.
      failure = describeError(err);
    } finally {
      onCancel?.dispose();
      this.running.delete(runId);
      this.busy.delete(key);
    }
    report(tracker.snapshot(Date.now()), true);

    const cancelled = controller.signal.aborted;
    const summary: RunSource.Result = {
      runId,
      source,
      project: project.name,
      warehouse: project.warehouse,
      status: cancelled ? 'cancelled' : result?.status === 'loaded' ? 'loaded' : 'failed',
      loadId: result?.load_id ?? null,
      tables: result?.status === 'loaded' ? tableRows(result) : [],
      schemaChanges: result?.schema_changes.length ?? 0,
      durationMs: Date.now() - startedAt,
    };
    if (summary.status !== 'loaded') summary.error = cancelled ? 'ingest cancelled' : (result?.error ?? failure);
    log.info(describeOutcome(summary));
    this.deps.finished?.(project, summary);
    // The client withdrew the request itself: answer as LSP asks, with RequestCancelled.
    if (cancelled && token?.isCancellationRequested) {
      throw new ResponseError(LSPErrorCodes.RequestCancelled, `ingest of ${source} cancelled; nothing was loaded`);
    }
    return summary;
  }

  /** Stops a run; false when no run has that id (already finished, or never started). */
  cancel(runId: string): boolean {
    const controller = this.running.get(runId);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  private async resolve(params: RunSource.Params): Promise<Target> {
    const { index } = this.deps;
    if (params.file) {
      const match = await sourceOfFile(index, params.file, 'run');
      const { project } = match;
      if (params.source && params.source !== match.name) {
        throw new SluiceError(`${path.relative(project.dir, match.file)} is source "${match.name}", not "${params.source}"`);
      }
      return { project, source: match.name };
    }
    if (!params.source) throw new SluiceError('say which source to run: give a source name or a source file');
    if (params.projectDir) {
      return { project: usableProject(index.requireProjectAt(params.projectDir)), source: params.source };
    }
    const projects = index.projects();
    if (projects.length === 0) throw new SluiceError('no Sluice project (sluice.yaml) in this workspace');
    if (projects.length > 1) {
      throw new SluiceError(
        `several Sluice projects are open (${projects.map((p) => p.info.name).join(', ')}); say which one (projectDir) or run the source file`,
      );
    }
    return { project: usableProject(projects[0]), source: params.source };
  }
}

interface RunOptions {
  limit?: number;
  resources?: string[];
  fullRefresh?: boolean;
}

/** Checks the options a client sent (they come over the wire, so their types are not guaranteed). */
function checkOptions(params: RunSource.Params): RunOptions {
  const { limit, resources, fullRefresh } = params;
  if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && limit > 0)) {
    throw new SluiceError(`limit must be a whole number > 0, got ${JSON.stringify(limit)}`);
  }
  if (resources !== undefined && resources !== null && (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string'))) {
    throw new SluiceError('resources must be a list of resource names');
  }
  return { limit: limit ?? undefined, resources: resources ?? undefined, fullRefresh: fullRefresh === true };
}

function tableRows(result: IngestResult): RunSource.TableRows[] {
  return Object.entries(result.tables)
    .map(([table, t]) => ({ table, rows: t.rows }))
    .sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
}

function describeOutcome(result: RunSource.Result): string {
  const seconds = (result.durationMs / 1000).toFixed(2);
  if (result.status === 'loaded') {
    const rows = result.tables.reduce((sum, t) => sum + t.rows, 0);
    return `loaded ${result.tables.length} tables, ${rows} rows in ${seconds}s (load ${result.loadId})`;
  }
  if (result.status === 'cancelled') return `cancelled after ${seconds}s; nothing was loaded`;
  return `failed after ${seconds}s: ${result.error}`;
}

function prefixed(log: Logger, prefix: string): Logger {
  return {
    info: (m) => log.info(prefix + m),
    warn: (m) => log.warn(prefix + m),
    debug: (m) => log.debug(prefix + m),
  };
}
