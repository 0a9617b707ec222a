// The Warehouse view: schemas, tables and columns as the DuckDB file holds them, the project's own schemas
// first and Sluice's internal ones folded into one group. The server opens the file read-only for each
// refresh and closes it at once, so the view never holds it. Tables have a context menu (preview, copy
// name, lineage, open what builds them); see viewCommands.ts.

import * as vscode from 'vscode';
import { Projects, WarehouseCatalog, type ProjectInfo } from '../../core/protocol';
import type { SluiceClient } from '../client';
import { childNodes, columnDescription, INTERNAL_LABEL, schemaDescription, schemaNodes, schemaTooltip, tableDescription, tableTooltip, type WarehouseNode } from './warehouseTree';

export class WarehouseView implements vscode.TreeDataProvider<WarehouseNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<WarehouseNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<WarehouseNode>;
  /**
   * One object per tree id: VS Code refuses a second element with an id it has registered, which happens
   * when a reveal and a refresh fetch the same rows at once. A fetched node updates the object it replaces.
   */
  private readonly nodes = new Map<string, WarehouseNode>();

  constructor(private readonly client: SluiceClient) {
    this.view = vscode.window.createTreeView('sluice.warehouse', { treeDataProvider: this, showCollapseAll: true });
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: WarehouseNode): Promise<WarehouseNode[]> {
    return (await this.fetch(node)).map((n) => this.stable(n));
  }

  private async fetch(node?: WarehouseNode): Promise<WarehouseNode[]> {
    if (!node) {
      const { projects } = await this.client.request(Projects.type, {});
      if (projects.length === 0) this.view.message = 'No Sluice project in this workspace.';
      if (projects.length === 1) return this.schemas(projects[0]);
      this.view.message = undefined;
      return projects.map((project) => ({ kind: 'project', id: project.dir, project }));
    }
    if (node.kind === 'project') return this.schemas(node.project, node);
    return childNodes(node);
  }

  private stable(node: WarehouseNode): WarehouseNode {
    const known = this.nodes.get(node.id);
    if (!known || known.kind !== node.kind) {
      this.nodes.set(node.id, node);
      return node;
    }
    return Object.assign(known, node);
  }

  getParent(node: WarehouseNode): WarehouseNode | undefined {
    return node.kind === 'project' ? undefined : node.parent;
  }

  private async schemas(project: ProjectInfo, parent?: WarehouseNode): Promise<WarehouseNode[]> {
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
    return schemaNodes(project, catalog.schemas, parent);
  }

  /** Shows a source's tables after a run: its schema expanded, the first loaded table selected. */
  async revealTables(warehouse: string, schema: string, tables: readonly string[]): Promise<void> {
    await vscode.commands.executeCommand('sluice.warehouse.focus');
    const roots = await this.getChildren();
    const projects = roots.filter((n) => n.kind === 'project' && n.project.warehouse === warehouse);
    const top = projects.length > 0 ? await this.getChildren(projects[0]) : roots;
    const schemaNode = top.find((n) => n.kind === 'schema' && n.schema.name === schema);
    if (!schemaNode) return;
    await this.reveal(schemaNode, { expand: true, focus: false, select: false });
    const first = (await this.getChildren(schemaNode)).find((n) => n.kind === 'table' && tables.includes(n.table.name));
    if (first) await this.reveal(first, { expand: false, focus: true, select: true });
  }

  /**
   * A reveal right after the view opened can meet VS Code fetching the same rows (it then reports the rows
   * as registered twice); a moment later the rows are known and the reveal goes through.
   */
  private async reveal(node: WarehouseNode, options: { expand: boolean; focus: boolean; select: boolean }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.view.reveal(node, options);
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  getTreeItem(node: WarehouseNode): vscode.TreeItem {
    switch (node.kind) {
      case 'project': {
        const item = new vscode.TreeItem(node.project.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.description = node.project.warehouse;
        item.iconPath = new vscode.ThemeIcon('database');
        return item;
      }
      case 'internal': {
        const item = new vscode.TreeItem(INTERNAL_LABEL, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = `${node.schemas.length} schema${node.schemas.length === 1 ? '' : 's'}`;
        item.tooltip = 'Schemas Sluice manages: virtual environments (<schema>__<env>), model versions (sluice__<schema>) and its bookkeeping (_sluice)';
        item.iconPath = new vscode.ThemeIcon('gear');
        return item;
      }
      case 'schema': {
        const item = new vscode.TreeItem(node.schema.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = schemaDescription(node.schema);
        item.tooltip = schemaTooltip(node.schema);
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        return item;
      }
      case 'table': {
        const { table } = node;
        const item = new vscode.TreeItem(table.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = tableDescription(table);
        item.iconPath = new vscode.ThemeIcon(table.kind === 'view' ? 'eye' : 'table');
        item.tooltip = tableTooltip(node.schema.name, table);
        // Menu entries follow what the table offers: lineage when lineage knows it, open when a file builds it.
        item.contextValue = ['sluiceTable', table.lineage ? 'lineage' : '', table.origin?.file ? 'origin' : ''].filter(Boolean).join(' ');
        return item;
      }
      case 'column': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = columnDescription(node.type);
        item.tooltip = `${node.name}: ${node.type}`;
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
