// The Sources view: each source module with its resources. A resource's checkbox switches it on or off in
// sluice.yaml (the server edits the file, keeping comments); clicking it opens the source at the resource;
// its description says what the last load brought in and, when sluice.yaml does not decide, that the
// resource's own default does. Entries of sluice.yaml for resources the module lacks are listed as problems.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { SetResourceEnabled, SourceOutline, type OutlineResource, type OutlineSource, type ProjectInfo } from '../../core/protocol';
import type { SluiceClient } from '../client';
import type { Output } from '../output';
import { openLocationCommand } from './open';
import { projectTreeItem } from './projectItem';
import { resourceDescription, resourceTooltip, unknownToggleTooltip } from './sourceLabels';

type Node =
  | { kind: 'project'; project: ProjectInfo; sources: OutlineSource[] }
  | { kind: 'source'; project: ProjectInfo; source: OutlineSource }
  | { kind: 'resource'; project: ProjectInfo; source: OutlineSource; resource: OutlineResource }
  | { kind: 'unknownToggle'; project: ProjectInfo; source: OutlineSource; name: string };

export class SourcesView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private loading?: Promise<SourceOutline.Result>;

  constructor(
    private readonly client: SluiceClient,
    private readonly output: Output,
  ) {
    this.view = vscode.window.createTreeView('sluice.sources', { treeDataProvider: this, showCollapseAll: true, manageCheckboxStateManually: true });
    this.view.onDidChangeCheckboxState((event) => void this.toggle(event.items));
  }

  refresh(): void {
    this.loading = undefined;
    this.changed.fire(undefined);
  }

  private outline(): Promise<SourceOutline.Result> {
    this.loading ??= this.client.request(SourceOutline.type, {});
    return this.loading;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      let result: SourceOutline.Result;
      try {
        result = await this.outline();
      } catch (err) {
        this.view.message = `Could not list the sources: ${err instanceof Error ? err.message : String(err)}`;
        return [];
      }
      const projects = result.projects;
      const total = projects.reduce((n, p) => n + p.sources.length, 0);
      this.view.message = total === 0 ? 'No sources: source modules live in <project>/sources/.' : result.trusted ? undefined : 'Resources are read from the source files; trust the workspace to load them.';
      if (projects.length === 1) return projects[0].sources.map((source) => ({ kind: 'source', project: projects[0].project, source }));
      return projects.map((p) => ({ kind: 'project', project: p.project, sources: p.sources }));
    }
    if (node.kind === 'project') return node.sources.map((source) => ({ kind: 'source', project: node.project, source }));
    if (node.kind === 'source') {
      const resources: Node[] = node.source.resources.map((resource) => ({ kind: 'resource', project: node.project, source: node.source, resource }));
      const unknown: Node[] = (node.source.unknownInConfig ?? []).map((name) => ({ kind: 'unknownToggle', project: node.project, source: node.source, name }));
      return [...resources, ...unknown];
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'project') {
      const item = projectTreeItem(node.project);
      item.description = node.project.dir;
      return item;
    }
    if (node.kind === 'source') {
      const item = new vscode.TreeItem(node.source.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `${node.project.dir}::${node.source.name}`;
      item.resourceUri = vscode.Uri.file(node.source.file);
      item.iconPath = new vscode.ThemeIcon(node.source.lastLoad?.status === 'failed' ? 'error' : 'plug');
      item.description = path.basename(node.source.file);
      item.contextValue = 'sluiceSource';
      const tooltip = new vscode.MarkdownString();
      tooltip.appendText(`Source ${node.source.name} (${node.source.file})`);
      if (node.source.error) tooltip.appendText(`\n\nCould not load: ${node.source.error}`);
      if (node.source.lastLoad) tooltip.appendText(`\n\nLast load: ${node.source.lastLoad.status}${node.source.lastLoad.error ? ` — ${node.source.lastLoad.error}` : ''}`);
      item.tooltip = tooltip;
      item.command = openLocationCommand({ file: node.source.file, line: 0, character: 0 });
      return item;
    }
    if (node.kind === 'unknownToggle') {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
      item.id = `${node.project.dir}::${node.source.name}::sluice.yaml::${node.name}`;
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.description = 'in sluice.yaml, not in the module';
      item.tooltip = unknownToggleTooltip(node.source.name, node.name);
      item.command = openLocationCommand({ file: path.join(node.project.dir, 'sluice.yaml'), line: 0, character: 0 });
      return item;
    }
    const { resource } = node;
    const item = new vscode.TreeItem(resource.name, vscode.TreeItemCollapsibleState.None);
    item.id = `${node.project.dir}::${node.source.name}::${resource.name}`;
    // Checked: a plain run includes it. The description says whether sluice.yaml or the default decided.
    item.checkboxState = resource.enabled ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked;
    item.iconPath = new vscode.ThemeIcon('symbol-field');
    item.description = resourceDescription(resource);
    item.tooltip = resourceTooltip(resource, node.source);
    item.contextValue = 'sluiceResource';
    item.command = openLocationCommand(resource.location ?? { file: node.source.file, line: 0, character: 0 });
    return item;
  }

  /** The file of a source node, for the run command of its context menu. */
  static sourceUri(node: unknown): vscode.Uri | undefined {
    const n = node as Node | undefined;
    return n?.kind === 'source' ? vscode.Uri.file(n.source.file) : undefined;
  }

  /** The file URI and resource name of a resource node, for the run commands of its context menu. */
  static runArguments(node: unknown): [string, string] | undefined {
    const n = node as Node | undefined;
    return n?.kind === 'resource' ? [vscode.Uri.file(n.source.file).toString(), n.resource.name] : undefined;
  }

  private async toggle(items: readonly (readonly [Node, vscode.TreeItemCheckboxState])[]): Promise<void> {
    for (const [node, state] of items) {
      if (node.kind !== 'resource') continue;
      const enabled = state === vscode.TreeItemCheckboxState.Checked;
      try {
        await this.client.request(SetResourceEnabled.type, { projectDir: node.project.dir, source: node.source.name, resource: node.resource.name, enabled });
        this.output.info(`${enabled ? 'enabled' : 'disabled'} resource ${node.source.name}.${node.resource.name} in sluice.yaml`);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.output.error(`could not change ${node.source.name}.${node.resource.name}: ${message}`);
        void vscode.window.showErrorMessage(`Sluice: ${message}`);
      }
    }
    this.refresh();
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}
