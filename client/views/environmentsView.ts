// The Environments view: the environments plans have made in each project's warehouse (just prod when there
// are none yet), with when each was last updated.

import * as vscode from 'vscode';
import { Environments, Projects, type ProjectInfo } from '../../core/protocol';
import type { SluiceClient } from '../client';

type Node = { kind: 'project'; project: ProjectInfo } | { kind: 'environment'; project: ProjectInfo; name: string; detail: string };

export class EnvironmentsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;

  constructor(private readonly client: SluiceClient) {
    this.view = vscode.window.createTreeView('sluice.environments', { treeDataProvider: this });
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const { projects } = await this.client.request(Projects.type, {});
      if (projects.length === 1) return this.environments(projects[0]);
      return projects.map((project) => ({ kind: 'project', project }));
    }
    return node.kind === 'project' ? this.environments(node.project) : [];
  }

  private async environments(project: ProjectInfo): Promise<Node[]> {
    try {
      const result = await this.client.request(Environments.type, { projectDir: project.dir });
      this.view.message = result.error ? `${project.name}: ${result.error}` : undefined;
      return result.environments.map((e) => ({
        kind: 'environment',
        project,
        name: e.name,
        detail: [e.models !== undefined ? `${e.models} models` : '', e.updatedAt ? `updated ${e.updatedAt}` : ''].filter(Boolean).join(' · '),
      }));
    } catch (err) {
      this.view.message = `Could not read the environments: ${err instanceof Error ? err.message : String(err)}`;
      return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'project') {
      const item = new vscode.TreeItem(node.project.name, vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = new vscode.ThemeIcon('root-folder');
      return item;
    }
    const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
    item.description = `${node.detail}${node.name === node.project.environment ? `${node.detail ? ' · ' : ''}the editor's environment` : ''}`;
    item.iconPath = new vscode.ThemeIcon(node.name === 'prod' ? 'server-environment' : 'beaker');
    return item;
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}
