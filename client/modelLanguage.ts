// Model files of Sluice projects (<project>/models/**/*.sql) get Sluice's own language, sluice-sql, whatever
// SQL extension claimed them: its grammar reads the MODEL block and macros, and formatting and the outline
// come from the Sluice server alone. Only files inside a project the server reported are switched, each at
// most once per session, so a language picked by hand afterwards is left alone.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { Projects, ProjectsChanged, type ProjectInfo } from '../core/protocol';
import type { SluiceClient } from './client';

export const MODEL_LANGUAGE = 'sluice-sql';

export class ModelLanguage implements vscode.Disposable {
  private projects: ProjectInfo[] = [];
  /** Documents already switched: switching again would undo the user's own choice. */
  private readonly switched = new Set<string>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly client: SluiceClient) {
    this.subscriptions.push(
      client.onNotification(ProjectsChanged.type, (params) => this.update(params.projects)),
      vscode.workspace.onDidOpenTextDocument((document) => void this.apply(document)),
      vscode.workspace.onDidCloseTextDocument((document) => {
        // A language change closes and reopens the document: only forget it once it is really gone.
        setTimeout(() => {
          if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === document.uri.toString())) this.switched.delete(document.uri.toString());
        }, 1000);
      }),
    );
  }

  /** Asks the server for the projects once it is up (later changes arrive as notifications). */
  async load(): Promise<void> {
    const { projects } = await this.client.request(Projects.type, {});
    this.update(projects);
  }

  private update(projects: ProjectInfo[]): void {
    this.projects = projects;
    for (const document of vscode.workspace.textDocuments) void this.apply(document);
  }

  private async apply(document: vscode.TextDocument): Promise<void> {
    const key = document.uri.toString();
    if (document.languageId === MODEL_LANGUAGE || this.switched.has(key) || !this.isModelFile(document.uri)) return;
    this.switched.add(key);
    await vscode.languages.setTextDocumentLanguage(document, MODEL_LANGUAGE).then(undefined, () => this.switched.delete(key));
  }

  private isModelFile(uri: vscode.Uri): boolean {
    if (uri.scheme !== 'file' || !uri.fsPath.toLowerCase().endsWith('.sql')) return false;
    return this.projects.some((p) => isInside(uri.fsPath, path.join(p.dir, 'models')));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
