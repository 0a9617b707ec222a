// The plan status the editor shows above each model ("non-breaking · +1 column · 2 downstream"), kept per
// project and computed in the background: a CodeLens request takes what is there and never waits for
// DuckDB. A computation starts a moment after the models change (typing) or the warehouse file changes
// (an apply from the CLI), reads the plan state with the warehouse opened read-only and closed at once,
// and only once the file has been quiet for a while (a file being written is most likely held). When the
// result differs from what was shown, `changed` asks the client for fresh CodeLens.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../../core/errors';
import { planForEditor, type EditorPlan } from '../../core/plan/editor';
import { environmentName } from '../../core/plan/names';
import { readStateOf } from '../../core/plan/session';
import { emptyState } from '../../core/plan/state';
import type { PlanState } from '../../core/plan/types';
import type { ProjectInfo } from '../../core/protocol';
import type { ModelIndex } from '../models/modelIndex';
import type { WarehouseGate } from '../warehouse/gate';

export interface EditorPlansDeps {
  models: ModelIndex;
  gate: WarehouseGate;
  /** A project's plan changed: its model lenses should be asked for again. */
  changed(dir: string): void;
  log?(message: string): void;
  /** Pause after a change before computing, in ms. */
  debounceMs?: number;
  /** How long the warehouse file must have been unchanged before it is read, in ms. */
  quietMs?: number;
}

interface ProjectPlanEntry {
  dir: string;
  warehouse: string;
  environment: string;
  /** Bumped by every model change; the plan is current when it was computed at this version. */
  version: number;
  computedVersion: number;
  /** Warehouse mtime the plan was computed against (-1: no file). */
  stateMtime: number;
  plan?: EditorPlan;
  shown?: string;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  /** Consecutive failed reads of a held warehouse (retried a few times, then left to the next change). */
  failures: number;
}

interface CachedState {
  mtime: number;
  state: PlanState;
}

const DEFAULT_DEBOUNCE_MS = 400;
const DEFAULT_QUIET_MS = 1500;
const MAX_RETRIES = 5;

export class EditorPlans {
  private readonly entries = new Map<string, ProjectPlanEntry>();
  private readonly states = new Map<string, CachedState>();
  private readonly projectsSeen = new Map<string, unknown>();
  private disposed = false;

  constructor(private readonly deps: EditorPlansDeps) {
    deps.models.onChange((change) => {
      // An unchanged text (every request re-applies the editor's text) analyses nothing: no new plan.
      const fresh = this.projectsSeen.get(change.dir) !== change.project;
      this.projectsSeen.set(change.dir, change.project);
      if (fresh || change.analysed.length > 0) this.invalidate(change.dir);
    });
  }

  /** The plan last computed for the project, if any; schedules a new one when it may be out of date. */
  get(info: ProjectInfo): EditorPlan | undefined {
    const entry = this.entry(info);
    if (!entry) return undefined;
    void this.checkStale(entry);
    return entry.plan;
  }

  /** The models of the project in dir changed. */
  invalidate(dir: string): void {
    const entry = this.entries.get(path.resolve(dir));
    if (!entry) return;
    entry.version++;
    this.schedule(entry, this.deps.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  /** The server itself changed the warehouse (an apply): read it again now, without waiting for quiet. */
  warehouseWritten(warehouse: string): void {
    const key = path.resolve(warehouse);
    this.states.delete(key);
    for (const entry of this.entries.values()) {
      if (path.resolve(entry.warehouse) !== key) continue;
      entry.stateMtime = -2;
      this.schedule(entry, 0, true);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
  }

  private entry(info: ProjectInfo): ProjectPlanEntry | undefined {
    let environment: string;
    try {
      environment = environmentName(info.environment || 'prod');
    } catch {
      return undefined; // A setting that is not an environment name: no plan lens rather than an error on every file.
    }
    const key = path.resolve(info.dir);
    let entry = this.entries.get(key);
    if (!entry || entry.warehouse !== info.warehouse || entry.environment !== environment) {
      if (entry) clearTimeout(entry.timer);
      entry = { dir: key, warehouse: info.warehouse, environment, version: 0, computedVersion: -1, stateMtime: -2, failures: 0 };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private async checkStale(entry: ProjectPlanEntry): Promise<void> {
    if (entry.timer || entry.running) return;
    if (entry.computedVersion !== entry.version) {
      this.schedule(entry, this.deps.debounceMs ?? DEFAULT_DEBOUNCE_MS);
      return;
    }
    const mtime = await mtimeOf(entry.warehouse);
    if (mtime !== entry.stateMtime) this.schedule(entry, this.quietWait(mtime));
  }

  private quietWait(mtime: number): number {
    return mtime < 0 ? 0 : Math.max(0, mtime + (this.deps.quietMs ?? DEFAULT_QUIET_MS) - Date.now());
  }

  private schedule(entry: ProjectPlanEntry, delayMs: number, force = false): void {
    if (this.disposed) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.compute(entry, force);
    }, delayMs);
    entry.timer.unref?.();
  }

  private async compute(entry: ProjectPlanEntry, force: boolean): Promise<void> {
    if (entry.running) {
      // One computation per project at a time; the newer change is picked up right after.
      await entry.running.catch(() => undefined);
      return this.compute(entry, force);
    }
    entry.running = this.computeNow(entry, force).finally(() => {
      entry.running = undefined;
    });
    return entry.running;
  }

  private async computeNow(entry: ProjectPlanEntry, force: boolean): Promise<void> {
    const version = entry.version;
    const mtime = await mtimeOf(entry.warehouse);
    if (!force && mtime >= 0 && this.quietWait(mtime) > 0) {
      this.schedule(entry, this.quietWait(mtime));
      return;
    }
    const state = await this.stateOf(entry.warehouse, mtime);
    if (!state) {
      // Held by another process or by a run of this server: try again a little later, a few times.
      if (++entry.failures <= MAX_RETRIES) this.schedule(entry, this.deps.quietMs ?? DEFAULT_QUIET_MS);
      return;
    }
    entry.failures = 0;
    try {
      const project = await this.deps.models.project(entry.dir);
      // Before anything was ever applied every model would say "new": no lenses until the first apply.
      entry.plan = state.environments.size === 0 ? undefined : await planForEditor(project, { warehouse: entry.warehouse, environment: entry.environment, state });
      entry.computedVersion = version;
      entry.stateMtime = mtime;
    } catch (err) {
      this.deps.log?.(`could not plan ${entry.environment} for ${entry.dir}: ${describeError(err)}`);
      entry.computedVersion = version;
      entry.stateMtime = mtime;
      return;
    }
    const shown = JSON.stringify(entry.plan ?? null);
    if (shown !== entry.shown) {
      entry.shown = shown;
      this.deps.changed(entry.dir);
    }
    if (entry.version !== version) this.schedule(entry, this.deps.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  /** The plan state of the warehouse as of mtime; undefined when it cannot be read right now. */
  private async stateOf(warehouse: string, mtime: number): Promise<PlanState | undefined> {
    if (mtime < 0) return emptyState();
    const key = path.resolve(warehouse);
    const cached = this.states.get(key);
    if (cached && cached.mtime === mtime) return cached.state;
    if (this.deps.gate.busy(key)) return undefined;
    try {
      const state = await this.deps.gate.read(key, () => readStateOf(key));
      this.states.set(key, { mtime, state });
      return state;
    } catch (err) {
      this.deps.log?.(`could not read the plan state of ${warehouse}: ${describeError(err)}`);
      return undefined;
    }
  }
}

async function mtimeOf(file: string): Promise<number> {
  return fs.stat(file).then((s) => s.mtimeMs, () => -1);
}
