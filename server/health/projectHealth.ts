// Health in the editor: the same report as `sluice health --json`, for the Health view, the Models view's
// status icons and the freshness lens on each model. Computed in the background and cached per project and
// environment: read again when the warehouse file changed, or after a minute (freshness ages with the clock).
// Lenses use what is cached and never wait; the view waits for a report that is due.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { nowMs } from '../../core/clock';
import { describeError } from '../../core/errors';
import { evaluateHealth } from '../../core/health/evaluate';
import { healthModels } from '../../core/health/project';
import { emptyFacts, readHealthFacts } from '../../core/health/read';
import type { HealthReport } from '../../core/health/types';
import { environmentName, PROD } from '../../core/plan/names';
import type { ProjectHealth } from '../../core/protocol';
import { withWarehouse } from '../../core/warehouse/connection';
import type { ModelIndex } from '../models/modelIndex';
import type { WarehouseGate } from '../warehouse/gate';
import type { ProjectEntry } from '../workspace/projects';

/** A report older than this is computed again: statuses change as data ages. */
const MAX_AGE_MS = 60_000;
/**
 * A warehouse file written this recently is most likely held by an ingest or apply in another process, which
 * a read-only open would get in the way of: the read waits until the file has been quiet this long.
 */
const QUIET_MS = 1_500;

interface Cached {
  result: ProjectHealth.Result;
  computedMs: number;
  /** The warehouse file's modification time when the report was computed; -1 when there was no file. */
  warehouseMtime: number;
  /** Set while a new report is being computed. */
  computing?: Promise<ProjectHealth.Result>;
}

export interface ProjectHealthDeps {
  models: ModelIndex;
  gate: WarehouseGate;
  /** Called when a background computation changed the project's report (lenses are refreshed). */
  changed(dir: string): void;
}

export class ProjectHealthReports {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly deps: ProjectHealthDeps) {}

  /** The report, computed now when the cached one is out of date. */
  async report(entry: ProjectEntry, environment = PROD): Promise<ProjectHealth.Result> {
    const env = environmentName(environment);
    const key = this.keyOf(entry, env);
    const cached = this.cache.get(key);
    if (cached && !(await this.outdated(entry, cached))) return cached.result;
    return this.compute(entry, env);
  }

  /** What is cached (possibly nothing yet), never waiting; an out-of-date report is computed in the background. */
  cached(entry: ProjectEntry, environment = PROD): HealthReport | undefined {
    const key = this.keyOf(entry, environment);
    const cached = this.cache.get(key);
    void (async () => {
      if (cached && (cached.computing || !(await this.outdated(entry, cached)))) return;
      const before = cached?.result.report ? JSON.stringify(cached.result.report.columns) : undefined;
      const after = await this.compute(entry, environment).catch(() => undefined);
      if (after?.report && JSON.stringify(after.report.columns) !== before) this.deps.changed(entry.info.dir);
    })();
    return cached?.result.report;
  }

  /** The server itself wrote the warehouse (an ingest or apply): reports of it are computed again. */
  warehouseWritten(warehouse: string): void {
    const file = path.resolve(warehouse);
    for (const [key, cached] of this.cache) if (key.startsWith(`${file}\0`)) cached.computedMs = -Infinity;
  }

  private keyOf(entry: ProjectEntry, environment: string): string {
    return `${path.resolve(entry.info.warehouse)}\0${entry.info.dir}\0${environment}`;
  }

  private async outdated(entry: ProjectEntry, cached: Cached): Promise<boolean> {
    if (nowMs() - cached.computedMs > MAX_AGE_MS) return true;
    return (await mtimeOf(entry.info.warehouse)) !== cached.warehouseMtime;
  }

  private compute(entry: ProjectEntry, environment: string): Promise<ProjectHealth.Result> {
    const key = this.keyOf(entry, environment);
    const cached = this.cache.get(key);
    if (cached?.computing) return cached.computing;
    const computing = this.computeNow(entry, environment).then(({ result, warehouseMtime }) => {
      this.cache.set(key, { result, warehouseMtime, computedMs: nowMs() });
      return result;
    });
    if (cached) cached.computing = computing;
    else this.cache.set(key, { result: { environment, modelFiles: {} }, computedMs: -Infinity, warehouseMtime: -1, computing });
    return computing.finally(() => {
      const now = this.cache.get(key);
      if (now?.computing === computing) now.computing = undefined;
    });
  }

  private async computeNow(entry: ProjectEntry, environment: string): Promise<{ result: ProjectHealth.Result; warehouseMtime: number }> {
    const warehouse = entry.info.warehouse;
    const warehouseMtime = await quietMtime(warehouse);
    try {
      const project = await this.deps.models.project(entry.info.dir);
      const facts =
        warehouseMtime < 0
          ? emptyFacts()
          : await this.deps.gate.read(warehouse, () => withWarehouse(warehouse, (wh) => readHealthFacts(wh, environment), { readOnly: true }));
      const models = healthModels(project);
      const report = evaluateHealth({ environment, nowMs: nowMs(), models, sources: entry.project?.sources ?? {}, facts });
      const modelFiles: Record<string, string> = {};
      for (const model of models) {
        const file = project.model(model.key)?.file;
        if (file) modelFiles[model.key] = file;
      }
      return { result: { environment, report, modelFiles }, warehouseMtime };
    } catch (err) {
      // A busy or locked warehouse: say so, and try again on the next request.
      return { result: { environment, error: describeError(err), modelFiles: {} }, warehouseMtime: -2 };
    }
  }
}

/** The file's modification time once it has not changed for QUIET_MS (waiting at most a few times that). */
async function quietMtime(file: string): Promise<number> {
  for (let tries = 0; ; tries++) {
    const mtime = await mtimeOf(file);
    const since = Date.now() - mtime;
    if (mtime < 0 || since >= QUIET_MS || tries >= 4) return mtime;
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS - since));
  }
}

async function mtimeOf(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).mtimeMs;
  } catch {
    return -1;
  }
}
