// Types of computed model columns in the editor: after each analysis, the models it left without bound
// types are given to DuckDB's binder (core/dag/modelTypes.ts) in the background, once changes pause for a
// moment. Hover and CodeLens read the types from the project when they arrive; CodeLens is asked to
// refresh then.

import { describeError } from '../../core/errors';
import type { ModelProject } from '../../core/dag';
import { bindModelTypes } from '../../core/dag/modelTypes';
import type { ModelIndex } from '../models/modelIndex';

export interface ColumnTypesDeps {
  models: ModelIndex;
  /** Some model gained column types. */
  changed(): void;
  log(message: string): void;
  /** Pause after the last analysis before binding, in ms. */
  delayMs?: number;
}

export class ColumnTypes {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The run in progress per project: runs of one project never overlap. */
  private readonly runs = new Map<string, Promise<void>>();
  private disposed = false;

  constructor(private readonly deps: ColumnTypesDeps) {
    deps.models.onChange((change) => this.schedule(change.dir, change.project));
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(dir: string, project: ModelProject): void {
    if (this.disposed) return;
    clearTimeout(this.timers.get(dir));
    this.timers.set(
      dir,
      setTimeout(() => {
        this.timers.delete(dir);
        const previous = this.runs.get(dir) ?? Promise.resolve();
        const run = previous.then(() => this.run(project, dir));
        this.runs.set(dir, run);
        void run.finally(() => {
          if (this.runs.get(dir) === run) this.runs.delete(dir);
        });
      }, this.deps.delayMs ?? 150),
    );
  }

  private async run(project: ModelProject, dir: string): Promise<void> {
    try {
      // A newer change stops the run: the run scheduled for it goes on from there.
      const gained = await bindModelTypes(project, { stop: () => this.disposed || this.timers.has(dir) });
      if (gained.length > 0 && !this.disposed) this.deps.changed();
    } catch (err) {
      this.deps.log(`binding column types in ${dir} failed: ${describeError(err)}`);
    }
  }
}
