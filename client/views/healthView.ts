// The Health view: is the data fresh? Per project, the source resources (last load, rows, a sparkline of rows
// per load, anomalies) and the models (built when, audits, each column's status and reason), the failing ones
// first — what `sluice health` prints, from the same report. A model opens its file, a column its lineage, a
// load its details.

import * as vscode from 'vscode';
import { modelSummaries, rank, summaryLine, type ModelHealthSummary } from '../../core/health/modelSummary';
import { ago, count } from '../../core/health/text';
import type { HealthReport, SourceHealth } from '../../core/health/types';
import { Projects, type ProjectInfo } from '../../core/protocol';
import type { SluiceClient } from '../client';
import { countsDescription, countStatuses, resourceDescription } from '../health/healthTree';
import type { HealthStore } from '../health/healthStore';
import { statusIcon } from '../health/statusIcon';
import type { LineageTarget } from '../lineage/panel';
import { openLocationCommand } from './open';
import { projectTreeItem } from './projectItem';
import type { ReportDocuments } from './reportDocument';

export const SHOW_HEALTH_COMMAND = 'sluice.showHealth';
const SHOW_LOAD_COMMAND = 'sluice.showHealthLoad';

type HealthNode =
  | { kind: 'project'; project: ProjectInfo }
  | { kind: 'group'; project: ProjectInfo; group: 'resources' | 'models'; report: HealthReport; files: Record<string, string> }
  | { kind: 'resource'; project: ProjectInfo; key: string; health: SourceHealth }
  | { kind: 'load'; key: string; load: LoadLine }
  | { kind: 'model'; project: ProjectInfo; summary: ModelHealthSummary; environment: string; file?: string }
  | { kind: 'column'; project: ProjectInfo; model: string; name: string; status: ModelHealthSummary['status']; reason: string };

/** A load of a resource as the view lists it: the recent successes (rows) and the last failure (error). */
interface LoadLine {
  loadId: string;
  at: string;
  rows?: number;
  error?: string;
}

export class HealthView implements vscode.TreeDataProvider<HealthNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HealthNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<HealthNode>;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Model nodes by `projectDir\0model`, for revealing one from a lens. */
  private readonly modelNodes = new Map<string, HealthNode>();
  private readonly parents = new WeakMap<HealthNode, HealthNode>();
  // Freshness ages with the clock: while the view is shown, ask again every minute.
  private readonly ticker = setInterval(() => {
    if (this.view.visible) this.store.refresh();
  }, 60_000);

  constructor(
    private readonly client: SluiceClient,
    private readonly store: HealthStore,
    reports: ReportDocuments,
  ) {
    this.view = vscode.window.createTreeView('sluice.health', { treeDataProvider: this, showCollapseAll: true });
    this.subscriptions.push(
      this.view,
      store.onDidChange(() => this.changed.fire(undefined)),
      // Opened (or shown again): the warehouse may have changed meanwhile, from a terminal say.
      this.view.onDidChangeVisibility((event) => {
        if (event.visible) this.store.refresh();
      }),
      vscode.commands.registerCommand(SHOW_LOAD_COMMAND, (key: string, load: LoadLine) => reports.show(`load ${load.loadId}`, loadDetails(key, load))),
    );
  }

  refresh(): void {
    this.store.refresh();
  }

  /** Shows the view with a model's node selected and expanded (from the model's health lens). */
  async reveal(target: { projectDir?: string; model?: string } | undefined): Promise<void> {
    await vscode.commands.executeCommand('sluice.health.focus');
    if (!target?.projectDir || !target.model) return;
    const { projects } = await this.client.request(Projects.type, {});
    const project = projects.find((p) => p.dir === target.projectDir);
    if (!project) return;
    await this.store.get(project);
    // The tree must have built the model nodes before one can be revealed.
    for (const group of await this.getChildren(projects.length === 1 ? undefined : { kind: 'project', project })) await this.getChildren(group);
    const node = this.modelNodes.get(`${project.dir}\0${target.model}`);
    if (node) await this.view.reveal(node, { select: true, focus: true, expand: true });
  }

  getParent(node: HealthNode): HealthNode | undefined {
    return this.parents.get(node);
  }

  async getChildren(node?: HealthNode): Promise<HealthNode[]> {
    const children = await this.childrenOf(node);
    if (node) for (const child of children) this.parents.set(child, node);
    return children;
  }

  private async childrenOf(node?: HealthNode): Promise<HealthNode[]> {
    if (!node) {
      const { projects } = await this.client.request(Projects.type, {});
      if (projects.length === 1) return this.groups(projects[0]);
      return projects.map((project) => ({ kind: 'project', project }));
    }
    switch (node.kind) {
      case 'project':
        return this.groups(node.project);
      case 'group':
        return node.group === 'resources' ? resourceNodes(node) : this.models(node);
      case 'resource':
        return loadLines(node.health).map((load) => ({ kind: 'load', key: node.key, load }));
      case 'model':
        return node.summary.columns.map((c) => ({ kind: 'column', project: node.project, model: node.summary.model, name: c.name, status: c.status, reason: c.reason }));
      default:
        return [];
    }
  }

  private async groups(project: ProjectInfo): Promise<HealthNode[]> {
    const result = await this.store.get(project);
    if (!result.report) {
      this.view.message = `${project.name}: ${result.error ?? 'no health report'}`;
      return [];
    }
    this.view.message = undefined;
    this.view.description = result.environment;
    const groups: HealthNode[] = [];
    if (Object.keys(result.report.sources).length > 0) groups.push({ kind: 'group', project, group: 'resources', report: result.report, files: result.modelFiles });
    if (Object.keys(result.report.columns).length > 0) groups.push({ kind: 'group', project, group: 'models', report: result.report, files: result.modelFiles });
    if (groups.length === 0) this.view.message = `${project.name}: no sources or models to judge yet.`;
    return groups;
  }

  private models(node: Extract<HealthNode, { kind: 'group' }>): HealthNode[] {
    const summaries = [...modelSummaries(node.report).values()].sort((a, b) => rank(a.status) - rank(b.status) || (a.model < b.model ? -1 : 1));
    return summaries.map((summary) => {
      const model: HealthNode = { kind: 'model', project: node.project, summary, environment: node.report.environment, file: node.files[summary.model] };
      this.modelNodes.set(`${node.project.dir}\0${summary.model}`, model);
      return model;
    });
  }

  getTreeItem(node: HealthNode): vscode.TreeItem {
    const now = Date.now();
    switch (node.kind) {
      case 'project':
        return projectTreeItem(node.project);
      case 'group': {
        const resources = node.group === 'resources';
        const item = new vscode.TreeItem(resources ? 'Sources' : 'Models', vscode.TreeItemCollapsibleState.Expanded);
        item.id = `${node.project.dir}::health::${node.group}`;
        const statuses = resources ? Object.values(node.report.sources).map((s) => s.status) : [...modelSummaries(node.report).values()].map((m) => m.status);
        item.description = countsDescription(countStatuses(statuses));
        item.iconPath = new vscode.ThemeIcon(resources ? 'database' : 'symbol-class');
        return item;
      }
      case 'resource': {
        const { health } = node;
        const item = new vscode.TreeItem(node.key, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.project.dir}::health::resource::${node.key}`;
        item.description = resourceDescription(health, now);
        item.iconPath = statusIcon(health.status);
        const tooltip = new vscode.MarkdownString();
        tooltip.appendText(health.reason);
        if (health.anomaly) tooltip.appendText(`\n\nUnusual volume: ${health.anomaly}`);
        if (health.volume.length > 0) tooltip.appendText(`\n\nRows per load (oldest first): ${health.volume.map((v) => count(v.rows)).join(', ')}`);
        if (health.schema_changes.length > 0) tooltip.appendText(`\n\nSchema changes in ${health.schema_changes.length} recent load${health.schema_changes.length === 1 ? '' : 's'}`);
        item.tooltip = tooltip;
        return item;
      }
      case 'load': {
        const { load } = node;
        const item = new vscode.TreeItem(load.loadId, vscode.TreeItemCollapsibleState.None);
        item.description = load.error ? `failed ${ago(Date.parse(load.at), now)}: ${load.error.split('\n')[0]}` : `${ago(Date.parse(load.at), now)} · ${count(load.rows ?? 0)} rows`;
        item.iconPath = load.error ? statusIcon('failing') : new vscode.ThemeIcon('package');
        item.command = { title: 'Show Load', command: SHOW_LOAD_COMMAND, arguments: [node.key, load] };
        return item;
      }
      case 'model': {
        const { summary } = node;
        const item = new vscode.TreeItem(summary.model, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.project.dir}::health::model::${summary.model}`;
        item.description = summaryLine(summary, now);
        item.tooltip = `${node.environment}: ${summary.reason}`;
        item.iconPath = statusIcon(summary.status);
        if (node.file) {
          item.resourceUri = vscode.Uri.file(node.file);
          item.command = openLocationCommand({ file: node.file, line: 0, character: 0 });
        }
        item.contextValue = 'sluiceHealthModel';
        return item;
      }
      case 'column': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.description = node.status;
        item.tooltip = node.reason;
        item.iconPath = statusIcon(node.status);
        const target: LineageTarget = { projectDir: node.project.dir, model: node.model, column: node.name };
        item.command = { title: 'Show Lineage', command: 'sluice.showLineage', arguments: [target] };
        return item;
      }
    }
  }

  dispose(): void {
    clearInterval(this.ticker);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function resourceNodes(node: Extract<HealthNode, { kind: 'group' }>): HealthNode[] {
  return Object.entries(node.report.sources)
    .sort(([a, x], [b, y]) => rank(x.status) - rank(y.status) || (a < b ? -1 : 1))
    .map(([key, health]) => ({ kind: 'resource', project: node.project, key, health }));
}

/** The last failure (when newer than the last success), then the recent successful loads, newest first. */
function loadLines(health: SourceHealth): LoadLine[] {
  const lines: LoadLine[] = health.volume
    .slice()
    .reverse()
    .map((v) => ({ loadId: v.load_id, at: v.at, rows: v.rows }));
  const failure = health.last_failure;
  if (failure && (!health.last_success || failure.at > health.last_success.at)) lines.unshift({ loadId: failure.load_id, at: failure.at, error: failure.error });
  return lines;
}

function loadDetails(key: string, load: LoadLine): string {
  const lines = [`Load ${load.loadId} of ${key}`, '', `at:     ${load.at}`];
  if (load.error) lines.push('status: failed', '', load.error);
  else lines.push('status: loaded', `rows:   ${count(load.rows ?? 0)}`);
  lines.push('', `More: sluice loads --source ${key.split('.')[0]}`);
  return lines.join('\n') + '\n';
}
