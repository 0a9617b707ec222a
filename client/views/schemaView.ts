// The Schemas view: per source, the tables and columns Sluice inferred (schemas/<source>.schema.yaml, with
// the warehouse's types and row counts), the changes of the last load highlighted and older recent ones
// noted. Clicking a table opens the schema file at it.

import * as vscode from 'vscode';
import { SourceSchemas, type ProjectInfo, type SchemaColumnInfo, type SchemaTableInfo, type SourceSchemaInfo } from '../../core/protocol';
import type { SluiceClient } from '../client';
import { openLocationCommand } from './open';
import { projectTreeItem } from './projectItem';
import { columnDescription, columnTooltip, isFresh, sourceDescription, sourceTooltip, tableDescription } from './schemaTree';

type Node =
  | { kind: 'project'; project: ProjectInfo; sources: SourceSchemaInfo[] }
  | { kind: 'source'; project: ProjectInfo; source: SourceSchemaInfo }
  | { kind: 'table'; project: ProjectInfo; source: SourceSchemaInfo; table: SchemaTableInfo }
  | { kind: 'column'; project: ProjectInfo; source: SourceSchemaInfo; table: SchemaTableInfo; column: SchemaColumnInfo };

const ADDED = new vscode.ThemeColor('gitDecoration.addedResourceForeground');
const MODIFIED = new vscode.ThemeColor('gitDecoration.modifiedResourceForeground');

export class SchemaView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;

  constructor(private readonly client: SluiceClient) {
    this.view = vscode.window.createTreeView('sluice.schemas', { treeDataProvider: this, showCollapseAll: true });
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      let result: SourceSchemas.Result;
      try {
        result = await this.client.request(SourceSchemas.type, {});
      } catch (err) {
        this.view.message = `Could not read the source schemas: ${err instanceof Error ? err.message : String(err)}`;
        return [];
      }
      const total = result.projects.reduce((n, p) => n + p.sources.length, 0);
      this.view.message = total === 0 ? 'No sources: source modules live in <project>/sources/.' : undefined;
      if (result.projects.length === 1) return result.projects[0].sources.map((source) => ({ kind: 'source', project: result.projects[0].project, source }));
      return result.projects.map((p) => ({ kind: 'project', project: p.project, sources: p.sources }));
    }
    if (node.kind === 'project') return node.sources.map((source) => ({ kind: 'source', project: node.project, source }));
    if (node.kind === 'source') return node.source.tables.map((table) => ({ kind: 'table', project: node.project, source: node.source, table }));
    if (node.kind === 'table') return node.table.columns.map((column) => ({ kind: 'column', project: node.project, source: node.source, table: node.table, column }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const now = Date.now();
    switch (node.kind) {
      case 'project':
        return projectTreeItem(node.project);
      case 'source': {
        const { source } = node;
        const state = source.tables.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
        const item = new vscode.TreeItem(source.source, state);
        item.id = `${node.project.dir}::${source.source}`;
        item.description = sourceDescription(source);
        item.tooltip = sourceTooltip(source);
        item.iconPath = source.error ? new vscode.ThemeIcon('warning') : new vscode.ThemeIcon('symbol-structure', source.changes.some((c) => isFresh(c)) ? MODIFIED : undefined);
        if (source.schemaFile) item.command = openLocationCommand({ file: source.schemaFile, line: 0, character: 0 });
        return item;
      }
      case 'table': {
        const { table } = node;
        const item = new vscode.TreeItem(table.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.project.dir}::${node.source.source}::${table.name}`;
        item.description = tableDescription(table, now);
        item.tooltip = `${node.source.source}.${table.name}: resource ${table.resource}`;
        const fresh = isFresh(table.change) || table.columns.some((c) => isFresh(c.change));
        item.iconPath = new vscode.ThemeIcon(isFresh(table.change) ? 'diff-added' : 'table', fresh ? (isFresh(table.change) ? ADDED : MODIFIED) : undefined);
        if (table.location) item.command = openLocationCommand(table.location);
        return item;
      }
      case 'column': {
        const { column } = node;
        const item = new vscode.TreeItem(column.name, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.project.dir}::${node.source.source}::${node.table.name}::${column.name}`;
        item.description = columnDescription(column, now);
        item.tooltip = columnTooltip(column);
        item.iconPath = columnIcon(column);
        return item;
      }
    }
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}

/** Changed columns stand out: new ones in green, widened ones and variants in the modified colour (last load only). */
function columnIcon(column: SchemaColumnInfo): vscode.ThemeIcon {
  const change = column.change;
  if (change) {
    const colour = isFresh(change) ? (change.kind === 'column_added' ? ADDED : MODIFIED) : undefined;
    if (change.kind === 'column_added') return new vscode.ThemeIcon('diff-added', colour);
    if (change.kind === 'type_widened') return new vscode.ThemeIcon('arrow-swap', colour);
    if (change.kind === 'variant_added') return new vscode.ThemeIcon('split-horizontal', colour);
  }
  return new vscode.ThemeIcon(column.primaryKey ? 'key' : 'symbol-field');
}
