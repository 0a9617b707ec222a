// The queries run in the grid, per workspace (VS Code's workspace state): the last 50, newest first, each
// with what to run again (a model file with its selection or cursor, a model, a query text) and where.

import * as vscode from 'vscode';
import type { StartQuery } from '../../core/protocol';

/** What to run, as StartQuery takes it, and what it is in words (the server's label once it answered). */
export type QueryTarget = Pick<StartQuery.Params, 'projectDir' | 'sql' | 'model' | 'uri' | 'range' | 'position'> & { label: string };

export interface HistoryEntry {
  target: QueryTarget;
  environment: string;
  /** ISO time it ran. */
  at: string;
}

const KEY = 'sluice.queryHistory';
export const HISTORY_SIZE = 50;

export class QueryHistory {
  constructor(private readonly state: vscode.Memento) {}

  entries(): HistoryEntry[] {
    return this.state.get<HistoryEntry[]>(KEY, []);
  }

  /** Records a run; the same target in the same environment moves to the top instead of repeating. */
  async add(target: QueryTarget, environment: string): Promise<void> {
    const key = JSON.stringify({ ...target, label: undefined });
    const rest = this.entries().filter((e) => !(e.environment === environment && JSON.stringify({ ...e.target, label: undefined }) === key));
    await this.state.update(KEY, [{ target, environment, at: new Date().toISOString() }, ...rest].slice(0, HISTORY_SIZE));
  }

  /** Asks for an entry to run again. */
  async pick(): Promise<HistoryEntry | undefined> {
    const entries = this.entries();
    if (entries.length === 0) {
      void vscode.window.showInformationMessage('Sluice: no query has been run in this workspace yet.');
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(
      entries.map((entry) => ({
        label: entry.target.label,
        description: entry.environment,
        detail: `${new Date(entry.at).toLocaleString()}${entry.target.uri ? ` · ${vscode.workspace.asRelativePath(vscode.Uri.parse(entry.target.uri))}` : ''}${entry.target.sql ? ` · ${entry.target.sql.replace(/\s+/g, ' ').slice(0, 120)}` : ''}`,
        entry,
      })),
      { title: 'Sluice: run a query again', placeHolder: 'Queries run in this workspace, newest first', matchOnDescription: true, matchOnDetail: true },
    );
    return chosen?.entry;
  }
}
