// The status bar item: the project of the active file (or the only project), its environment and warehouse,
// and whether that warehouse is being written (by this editor: a spinning icon; by another process, a
// `sluice ingest` in a terminal say: a lock, and who holds it).

import * as path from 'node:path';
import * as vscode from 'vscode';
import { Projects, ProjectsChanged, WarehouseStatus, type ProjectInfo, type WarehouseState } from '../core/protocol';
import type { SluiceClient } from './client';
import { describeProject } from './format';

export class ProjectStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sluice.project', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[] = [];
  private projects: ProjectInfo[] = [];
  private readonly warehouses = new Map<string, WarehouseState>();

  constructor(private readonly client: SluiceClient) {
    this.item.name = 'Sluice Project';
    this.item.command = 'sluice.showOutput';
    this.subscriptions.push(
      client.onNotification(ProjectsChanged.type, (params) => this.update(params.projects)),
      client.onNotification(WarehouseStatus.type, (params) => {
        this.warehouses.clear();
        for (const state of params.projects) this.warehouses.set(state.projectDir, state);
        this.render();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
    );
  }

  /** Asks the server for the projects once it is up (later changes arrive as notifications). */
  async load(): Promise<void> {
    const { projects } = await this.client.request(Projects.type, {});
    this.update(projects);
  }

  update(projects: ProjectInfo[]): void {
    this.projects = projects;
    void vscode.commands.executeCommand('setContext', 'sluice.hasProject', projects.length > 0);
    this.render();
  }

  private current(): ProjectInfo | undefined {
    const file = vscode.window.activeTextEditor?.document.uri;
    if (file?.scheme === 'file') {
      const inside = this.projects.filter((p) => isInside(file.fsPath, p.dir)).sort((a, b) => b.dir.length - a.dir.length);
      if (inside[0]) return inside[0];
    }
    return this.projects[0];
  }

  private render(): void {
    const project = this.current();
    if (!project) {
      this.item.hide();
      return;
    }
    const others = this.projects.length > 1 ? ` (+${this.projects.length - 1})` : '';
    const warehouse = this.warehouses.get(project.dir);
    const icon = project.error ? '$(warning)' : warehouse?.state === 'running' ? '$(sync~spin)' : warehouse?.state === 'locked' ? '$(lock)' : '$(database)';
    this.item.text = `${icon} ${describeProject(project)}${others}`;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`Sluice project ${project.name}\n\n${project.dir}\n\nEnvironment: ${project.environment}\n\nWarehouse: ${project.warehouse}`);
    if (warehouse) tooltip.appendText(`\n\n${warehouseLine(warehouse)}`);
    if (project.error) tooltip.appendText(`\n\nsluice.yaml: ${project.error}`);
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}

function warehouseLine(state: WarehouseState): string {
  if (state.state === 'running') return 'Being written by this editor (a run or an apply).';
  if (state.state === 'locked') {
    const who = `process ${state.pid}${state.command ? ` (${state.command})` : ''}`;
    return `Held for writing by ${who}: runs and applies wait for it; previews read a copy.`;
  }
  return 'Not held by anyone.';
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
