// Opening a file at a place: what clicking a tree item or a lineage node does.

import * as vscode from 'vscode';
import type { FileLocation } from '../../core/protocol';

export const OPEN_LOCATION_COMMAND = 'sluice.openLocation';

export function openLocationCommand(location: FileLocation): vscode.Command {
  return { title: 'Open', command: OPEN_LOCATION_COMMAND, arguments: [location] };
}

export async function openLocation(location: FileLocation, column: vscode.ViewColumn = vscode.ViewColumn.Active): Promise<void> {
  const at = new vscode.Position(Math.max(0, location.line), Math.max(0, location.character));
  await vscode.window.showTextDocument(vscode.Uri.file(location.file), { selection: new vscode.Range(at, at), viewColumn: column, preview: true });
}
