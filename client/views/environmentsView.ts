// The Environments view: the environments plans have made in each project's warehouse (just prod when there
// are none yet), with when each was last applied and, expanded, the models it shows differently from prod.
// Each has actions (plan, apply, diff against prod, invalidate); see viewCommands.ts.

import * as vscode from 'vscode';
import { Environments, Projects, type EnvironmentInfo, type EnvironmentOverride, type ProjectInfo } from '../../core/protocol';
import type { SluiceClient } from '../client';
import { environmentDescription, environmentTooltip, overrideDescription } from './environmentsTree';
import { openLocationCommand } from './open';
import { projectTreeItem } from './projectItem';

export type EnvironmentNode =
  | { kind: 'project'; project: ProjectInfo }
  | { kind: 'environment'; project: ProjectInfo; env: EnvironmentInfo }
  | { kind: 'override'; project: ProjectInfo; environment: string; override: EnvironmentOverride };

const PROD = 'prod';
const OVERRIDE_ICONS: Record<EnvironmentOverride['change'], string> = { added: 'diff-added', changed: 'diff-modified', removed: 'diff-removed' };

export class EnvironmentsView implements vscode.TreeDataProvider<EnvironmentNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<EnvironmentNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<EnvironmentNode>;
  /** What the server said last, per project; a refresh reads again, the minute tick only redraws. */
  private readonly read = new Map<string, Promise<Environments.Result>>();
  // Relative times ("2 h ago") age while the view is open: redrawn every minute, without asking the server.
  private readonly ticker = setInterval(() => {
    if (this.view.visible) this.changed.fire(undefined);
  }, 60_000);

  constructor(private readonly client: SluiceClient) {
    this.view = vscode.window.createTreeView('sluice.environments', { treeDataProvider: this });
  }

  refresh(): void {
    this.read.clear();
    this.changed.fire(undefined);
  }

  async getChildren(node?: EnvironmentNode): Promise<EnvironmentNode[]> {
    if (!node) {
      const { projects } = await this.client.request(Projects.type, {});
      if (projects.length === 1) return this.environments(projects[0]);
      return projects.map((project) => ({ kind: 'project', project }));
    }
    if (node.kind === 'project') return this.environments(node.project);
    if (node.kind === 'environment') return (node.env.overrides ?? []).map((override) => ({ kind: 'override', project: node.project, environment: node.env.name, override }));
    return [];
  }

  private async environments(project: ProjectInfo): Promise<EnvironmentNode[]> {
    try {
      let reading = this.read.get(project.dir);
      if (!reading) this.read.set(project.dir, (reading = this.client.request(Environments.type, { projectDir: project.dir })));
      const result = await reading.catch((err: unknown) => {
        this.read.delete(project.dir);
        throw err;
      });
      this.view.message = result.error ? `${project.name}: ${result.error}` : undefined;
      return result.environments.map((env) => ({ kind: 'environment', project, env }));
    } catch (err) {
      this.view.message = `Could not read the environments: ${err instanceof Error ? err.message : String(err)}`;
      return [];
    }
  }

  getTreeItem(node: EnvironmentNode): vscode.TreeItem {
    if (node.kind === 'project') {
      const item = projectTreeItem(node.project);
      return item;
    }
    if (node.kind === 'override') {
      const { override } = node;
      const item = new vscode.TreeItem(override.model, vscode.TreeItemCollapsibleState.None);
      item.id = `${node.project.dir}::${node.environment}::${override.model}`;
      item.description = overrideDescription(override);
      item.iconPath = new vscode.ThemeIcon(OVERRIDE_ICONS[override.change]);
      item.contextValue = `sluiceOverride ${override.change}`;
      if (override.file) {
        item.resourceUri = vscode.Uri.file(override.file);
        item.command = openLocationCommand({ file: override.file, line: 0, character: 0 });
      }
      return item;
    }
    const { env } = node;
    const collapsible = env.overrides && env.overrides.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(env.name, collapsible);
    item.id = `${node.project.dir}::${env.name}`;
    item.description = environmentDescription(env, node.project.environment, Date.now());
    item.tooltip = environmentTooltip(env, node.project.environment);
    item.iconPath = new vscode.ThemeIcon(env.name === PROD ? 'server-environment' : 'beaker');
    // Prod can be planned and applied; other environments recorded in the warehouse can also be compared and removed.
    item.contextValue = env.name === PROD ? 'sluiceEnvironment prod' : `sluiceEnvironment${env.updatedAt ? ' recorded' : ''}`;
    return item;
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.view.dispose();
    this.changed.dispose();
  }
}
