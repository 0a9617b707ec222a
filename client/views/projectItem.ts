// A project's row at the top of a view (when the workspace has several projects).

import * as vscode from 'vscode';
import type { ProjectInfo } from '../../core/protocol';

export function projectTreeItem(project: ProjectInfo): vscode.TreeItem {
  const item = new vscode.TreeItem(project.name, vscode.TreeItemCollapsibleState.Expanded);
  item.iconPath = new vscode.ThemeIcon('root-folder');
  return item;
}
