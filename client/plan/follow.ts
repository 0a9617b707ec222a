// When the plan panel plans again by itself. A plan is made from the project's files (model editors'
// unsaved text included) and from the warehouse's plan state, so a change to either makes the plan shown
// stale. A burst of changes (typing, a checkout, a load writing schemas) gives one new plan a moment after
// it ends, never one per keystroke and never two at once. The warehouse is read only once it has been left
// alone for a while (a writer most likely still holds it), and only when it is not the file the shown plan
// was made from (an apply from this panel already planned again). No VS Code here: the panel feeds it events.

import * as path from 'node:path';

export interface FollowedProject {
  dir: string;
  warehouse: string;
}

/** An editor's text changed (unsaved), or a file changed on disk. */
export type ChangeKind = 'text' | 'disk';

/** What a change bears on: the files the plan is made from, the warehouse it is compared with, or nothing. */
export type PlanInput = 'files' | 'warehouse' | undefined;

/** Project files the plan reads from disk, relative to the project with forward slashes. */
const PLAN_FILES = [
  /^models\/.+\.sql$/i,
  /^audits\/.+\.sql$/i,
  /^sluice\.ya?ml$/i,
  /^(external_models|schema)\.ya?ml$/i,
  /^external_models\/[^/]+\.ya?ml$/i,
  /^schemas\/[^/]+\.schema\.ya?ml$/i,
  // Seeds: a SEED model may name a CSV anywhere in the project.
  /^seeds\//i,
  /\.(csv|tsv)$/i,
];

const MODEL_FILE = /^models\/.+\.sql$/i;

/**
 * Whether a change to `file` bears on the plan of `project`. An editor's unsaved text only counts for model
 * files (the language server plans with it); a model file open in an editor changing on disk does not
 * count (its editor's text is what is planned).
 */
export function planInputOf(project: FollowedProject, file: string, kind: ChangeKind, openInEditor = false): PlanInput {
  const target = path.resolve(file);
  if (target === path.resolve(project.warehouse)) return kind === 'disk' ? 'warehouse' : undefined;
  const relative = path.relative(path.resolve(project.dir), target).split(path.sep).join('/');
  if (relative === '' || relative.startsWith('../') || path.isAbsolute(relative)) return undefined;
  if (relative.split('/').some((segment) => segment.startsWith('.') || segment === 'node_modules')) return undefined;
  const model = MODEL_FILE.test(relative);
  if (kind === 'text') return model ? 'files' : undefined;
  if (model && openInEditor) return undefined;
  return PLAN_FILES.some((pattern) => pattern.test(relative)) ? 'files' : undefined;
}

export interface FollowOptions {
  /** Pause after the last change to a plan file before planning again, in ms. */
  debounceMs: number;
  /** How long the warehouse must have been left alone before it is read, in ms. */
  warehouseQuietMs: number;
  /** The plan shown is out of date; a new one follows (called once per burst of changes). */
  stale(): void;
  /** Plans again; the follower never starts a second one before this settles. */
  recompute(): Promise<void>;
  /** Whether the warehouse file is another than the one the shown plan was made from. */
  warehouseDiffers(): Promise<boolean>;
}

export class PlanFollower {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  /** Plan files changed since the last plan started. */
  private filesChanged = false;
  /** The warehouse changed since the last plan started. */
  private warehouseChanged = false;
  /** No plan before this time (Date.now() ms): the warehouse is being written. */
  private quietUntil = 0;
  private staleShown = false;
  private paused = false;
  private missed = false;
  private disposed = false;

  constructor(private readonly options: FollowOptions) {}

  /** A change reported by the editor; returns whether it bears on the plan. */
  changed(input: PlanInput): boolean {
    if (!input || this.disposed) return false;
    if (this.paused) {
      // The panel's own apply: it plans again when done. Edits made meanwhile are planned after it.
      if (input === 'files') this.missed = true;
      return true;
    }
    if (input === 'files') {
      this.filesChanged = true;
      this.showStale();
      this.schedule(this.options.debounceMs);
    } else {
      this.warehouseChanged = true;
      this.quietUntil = Date.now() + this.options.warehouseQuietMs;
      this.schedule(this.options.warehouseQuietMs);
    }
    return true;
  }

  /** Stops following while the panel applies (its writes to the warehouse are its own). */
  pause(): void {
    this.paused = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.filesChanged = false;
    this.warehouseChanged = false;
  }

  resume(): void {
    this.paused = false;
    if (this.missed) {
      this.missed = false;
      this.changed('files');
    }
  }

  /** A plan was made by other means (a click, an environment switch): what is pending is covered by it. */
  planned(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.filesChanged = false;
    this.warehouseChanged = false;
    this.staleShown = false;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }

  private showStale(): void {
    if (this.staleShown) return;
    this.staleShown = true;
    this.options.stale();
  }

  private schedule(delayMs: number): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    const wait = Math.max(delayMs, this.quietUntil - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.fire();
    }, wait);
  }

  private async fire(): Promise<void> {
    if (this.disposed || this.paused) return;
    if (this.running) {
      // One plan at a time: the changes are picked up once the running one is done.
      await this.running.catch(() => undefined);
      if (!this.timer) this.schedule(0);
      return;
    }
    const files = this.filesChanged;
    const warehouse = this.warehouseChanged;
    if (!files && !warehouse) return;
    this.filesChanged = false;
    this.warehouseChanged = false;
    if (!files && !(await this.options.warehouseDiffers().catch(() => true))) return;
    if (this.disposed || this.paused) return;
    this.showStale();
    this.running = this.options.recompute().finally(() => {
      this.running = undefined;
    });
    await this.running.catch(() => undefined);
    // The new plan is shown; changes made while it was computed make it stale at once.
    this.staleShown = false;
    if (this.filesChanged) this.showStale();
  }
}
