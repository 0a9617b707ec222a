// The health reports the editor shows, per project: asked of the server (which caches them too) when a view
// needs them, kept until a run, an apply or a refresh changes the warehouse. The Health view and the Models
// view's icons share them.

import * as vscode from 'vscode';
import { ProjectHealth, type ProjectInfo } from '../../core/protocol';
import type { SluiceClient } from '../client';

/** A report asked for longer ago than this is asked for again: the warehouse may have changed outside the editor. */
const MAX_AGE_MS = 60_000;

export class HealthStore implements vscode.Disposable {
  private readonly requests = new Map<string, { at: number; result: Promise<ProjectHealth.Result> }>();
  private readonly results = new Map<string, ProjectHealth.Result>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a report arrives that differs from the one before (or is the first), and on refresh. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly client: SluiceClient) {}

  /** The project's report (asked of the server again after a refresh, or once it is a minute old). */
  get(project: ProjectInfo): Promise<ProjectHealth.Result> {
    const asked = this.requests.get(project.dir);
    if (asked && Date.now() - asked.at < MAX_AGE_MS) return asked.result;
    const result = this.client.request(ProjectHealth.type, { projectDir: project.dir }).then(
      (report) => this.arrived(project.dir, report),
      (err: unknown) => this.arrived(project.dir, { environment: 'prod', error: err instanceof Error ? err.message : String(err), modelFiles: {} }),
    );
    this.requests.set(project.dir, { at: Date.now(), result });
    return result;
  }

  /** The last report that arrived for the project, without asking. */
  peek(projectDir: string): ProjectHealth.Result | undefined {
    return this.results.get(projectDir);
  }

  /** Asks again on next use (after a run, an apply, a refresh, or as time passes). */
  refresh(): void {
    this.requests.clear();
    this.changed.fire();
  }

  private arrived(dir: string, result: ProjectHealth.Result): ProjectHealth.Result {
    const before = this.results.get(dir);
    this.results.set(dir, result);
    if (!before || JSON.stringify(before) !== JSON.stringify(result)) this.changed.fire();
    return result;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
