// The Models view: the models of each project by schema, with their kind; a model opens its file and lists
// its columns. Its icon has the colour of its health in prod (see the Health view).

import * as vscode from 'vscode';
import { kindLabel, shortType } from '../../core/labels';
import { modelSummaries, summaryLine, type ModelHealthSummary } from '../../core/health/modelSummary';
import type { HealthReport } from '../../core/health/types';
import { ListModels, type ModelSummary, type ProjectInfo } from '../../core/protocol';
import type { SluiceClient } from '../client';
import type { HealthStore } from '../health/healthStore';
import { statusIcon } from '../health/statusIcon';
import { openLocationCommand } from './open';
import { projectTreeItem } from './projectItem';

type Node =
  | { kind: 'project'; project: ProjectInfo; models: ModelSummary[] }
  | { kind: 'schema'; project: ProjectInfo; name: string; models: ModelSummary[] }
  | { kind: 'model'; project: ProjectInfo; model: ModelSummary }
  | { kind: 'column'; name: string; type?: string };

export class ModelsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly summaries = new WeakMap<HealthReport, Map<string, ModelHealthSummary>>();
  private readonly healthChanged: vscode.Disposable;

  constructor(
    private readonly client: SluiceClient,
    private readonly health: HealthStore,
  ) {
    this.view = vscode.window.createTreeView('sluice.models', { treeDataProvider: this, showCollapseAll: true });
    this.healthChanged = health.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      let result: ListModels.Result;
      try {
        result = await this.client.request(ListModels.type, {});
      } catch (err) {
        this.view.message = `Could not list the models: ${err instanceof Error ? err.message : String(err)}`;
        return [];
      }
      const total = result.projects.reduce((n, p) => n + p.models.length, 0);
      this.view.message = total === 0 ? 'No models: model files live in <project>/models/.' : undefined;
      // Health colours the icons once it arrives (the store then fires a change).
      for (const p of result.projects) void this.health.get(p.project);
      if (result.projects.length === 1) return bySchema(result.projects[0].project, result.projects[0].models);
      return result.projects.map((p) => ({ kind: 'project', project: p.project, models: p.models }));
    }
    if (node.kind === 'project') return bySchema(node.project, node.models);
    if (node.kind === 'schema') return node.models.map((model) => ({ kind: 'model', project: node.project, model }));
    if (node.kind === 'model') return node.model.columns.map((c) => ({ kind: 'column', name: c.name, type: c.type }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'project':
        return projectTreeItem(node.project);
      case 'schema': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        item.description = `${node.models.length}`;
        return item;
      }
      case 'model': {
        const { model } = node;
        const item = new vscode.TreeItem(model.key.slice(model.schema.length + 1), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = model.file;
        // Kind names are long (INCREMENTAL_BY_TIME_RANGE): words in the description, the name in the tooltip.
        item.description = kindLabel(model.kind);
        const shape = model.kind === 'SEED' ? 'file' : model.kind === 'VIEW' ? 'eye' : 'table';
        const health = this.healthOf(node.project, model.key);
        item.iconPath = health ? statusIcon(health.summary.status, shape) : new vscode.ThemeIcon(shape);
        const tooltip = new vscode.MarkdownString();
        tooltip.appendText(`${model.key} (${model.kind})`);
        if (health) tooltip.appendText(`\n\n${health.environment}: ${summaryLine(health.summary, Date.now())}. ${health.summary.reason}`);
        if (model.description) tooltip.appendText(`\n\n${model.description}`);
        if (model.upstream.length > 0) tooltip.appendText(`\n\nReads: ${model.upstream.join(', ')}`);
        if (model.downstream.length > 0) tooltip.appendText(`\n\nRead by: ${model.downstream.join(', ')}`);
        item.tooltip = tooltip;
        item.resourceUri = vscode.Uri.file(model.file);
        item.contextValue = 'sluiceModel';
        item.command = openLocationCommand({ file: model.file, line: 0, character: 0 });
        return item;
      }
      case 'column': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.description = node.type ? shortType(node.type) : '';
        if (node.type) item.tooltip = `${node.name}: ${node.type}`;
        item.iconPath = new vscode.ThemeIcon('symbol-field');
        return item;
      }
    }
  }

  /** The model's health as last reported, if the report judges it. */
  private healthOf(project: ProjectInfo, key: string): { environment: string; summary: ModelHealthSummary } | undefined {
    const report = this.health.peek(project.dir)?.report;
    if (!report) return undefined;
    let byModel = this.summaries.get(report);
    if (!byModel) this.summaries.set(report, (byModel = modelSummaries(report)));
    const summary = byModel.get(key);
    return summary ? { environment: report.environment, summary } : undefined;
  }

  dispose(): void {
    this.healthChanged.dispose();
    this.view.dispose();
    this.changed.dispose();
  }
}

function bySchema(project: ProjectInfo, models: readonly ModelSummary[]): Node[] {
  const schemas = new Map<string, ModelSummary[]>();
  for (const m of models) schemas.set(m.schema, [...(schemas.get(m.schema) ?? []), m]);
  return [...schemas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, list]) => ({ kind: 'schema', project, name, models: list }));
}
