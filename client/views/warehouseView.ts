// The Warehouse view: schemas, tables and columns with their types, as the DuckDB file holds them. The server
// opens the file read-only for each refresh and closes it at once, so the view never holds it.

import * as vscode from 'vscode';
import { Projects, WarehouseCatalog, type ProjectInfo, type WarehouseTable } from '../../core/protocol';
import type { SluiceClient } from '../client';

type Node =
  | { kind: 'project'; project: ProjectInfo }
  | { kind: 'schema'; project: ProjectInfo; name: string; tables: WarehouseTable[] }
  | { kind: 'table'; schema: string; table: WarehouseTable }
  | { kind: 'column'; name: string; type: string };

export class WarehouseView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;

  constructor(private readonly client: SluiceClient) {
    this.view = vscode.window.createTreeView('sluice.warehouse', { treeDataProvider: this, showCollapseAll: true });
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const { projects } = await this.client.request(Projects.type, {});
      if (projects.length === 0) this.view.message = 'No Sluice project in this workspace.';
      if (projects.length === 1) return this.schemas(projects[0]);
      this.view.message = undefined;
      return projects.map((project) => ({ kind: 'project', project }));
    }
    if (node.kind === 'project') return this.schemas(node.project);
    if (node.kind === 'schema') return node.tables.map((table) => ({ kind: 'table', schema: node.name, table }));
    if (node.kind === 'table') return node.table.columns.map((c) => ({ kind: 'column', name: c.name, type: c.type }));
    return [];
  }

  private async schemas(project: ProjectInfo): Promise<Node[]> {
    let catalog: WarehouseCatalog.Result;
    try {
      catalog = await this.client.request(WarehouseCatalog.type, { projectDir: project.dir });
    } catch (err) {
      this.view.message = `Could not read the warehouse: ${err instanceof Error ? err.message : String(err)}`;
      return [];
    }
    if (!catalog.exists) this.view.message = `${project.name}: no warehouse yet (${catalog.warehouse}); run a source to create it.`;
    else if (catalog.error) this.view.message = `${project.name}: ${catalog.error}`;
    else this.view.message = undefined;
    return catalog.schemas.map((s) => ({ kind: 'schema', project, name: s.name, tables: s.tables }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'project': {
        const item = new vscode.TreeItem(node.project.name, vscode.TreeItemCollapsibleState.Expanded);
        item.description = node.project.warehouse;
        item.iconPath = new vscode.ThemeIcon('database');
        return item;
      }
      case 'schema': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.project.dir}::${node.name}`;
        item.description = `${node.tables.length} table${node.tables.length === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        return item;
      }
      case 'table': {
        const item = new vscode.TreeItem(node.table.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${node.table.kind} · ${node.table.columns.length} columns`;
        item.iconPath = new vscode.ThemeIcon(node.table.kind === 'view' ? 'eye' : 'table');
        item.tooltip = `${node.schema}.${node.table.name}`;
        return item;
      }
      case 'column': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.description = node.type;
        item.iconPath = new vscode.ThemeIcon('symbol-field');
        return item;
      }
    }
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}
