// The commands of the result grid: Preview (Ctrl/Cmd+Enter in a model file, and the CodeLens), the query
// history, exporting the shown result, and a warehouse table's profile.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExportFormat } from '../../core/query/export';
import type { SluiceClient } from '../client';
import { MODEL_LANGUAGE } from '../modelLanguage';
import type { Output } from '../output';
import { sqlName, type WarehouseNode } from '../views/warehouseTree';
import { GridPanel, QUERY_HISTORY_COMMAND } from './gridPanel';
import { QueryHistory, type QueryTarget } from './history';
import { ProfilePanel } from './profilePanel';

export const PREVIEW_QUERY_COMMAND = 'sluice.previewQuery';
const MODEL_FILE = /[\\/]models[\\/].+\.sql$/i;

export function registerQueryCommands(context: vscode.ExtensionContext, client: SluiceClient, output: Output): vscode.Disposable[] {
  const history = new QueryHistory(context.workspaceState);
  const failed = (what: string) => (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    output.error(`${what}: ${message}`);
    void vscode.window.showErrorMessage(`Sluice: ${message}`);
  };
  return [
    vscode.commands.registerCommand(PREVIEW_QUERY_COMMAND, (arg?: { uri?: string } | vscode.Uri) => {
      const target = previewTarget(vscode.window.activeTextEditor, arg instanceof vscode.Uri ? { uri: arg.toString() } : arg);
      if (!target) return vscode.window.showInformationMessage('Sluice: open a model file to preview its query.');
      return GridPanel.show(context, client, output, history, target).catch(failed('preview'));
    }),
    vscode.commands.registerCommand(QUERY_HISTORY_COMMAND, async () => {
      const entry = await history.pick();
      if (entry) await GridPanel.show(context, client, output, history, entry.target, entry.environment).catch(failed('query history'));
    }),
    vscode.commands.registerCommand('sluice.exportQueryResult', (format: ExportFormat = 'csv', file?: string) => GridPanel.export(format, file).catch(failed('export'))),
    vscode.commands.registerCommand('sluice.profileTable', (node?: WarehouseNode) => {
      if (node?.kind !== 'table') return;
      return ProfilePanel.show(context, client, node.project.dir, sqlName(node.schema.name, node.table.name)).catch(failed('profile'));
    }),
  ];
}

/**
 * What Preview runs. From the CodeLens (a uri): the model's query. From the editor: the selection when there
 * is one, else the CTE under the cursor, or the model's query when the cursor is in none of them (the
 * server decides, it knows the rendered query's CTEs).
 */
export function previewTarget(editor: vscode.TextEditor | undefined, arg?: { uri?: string }): QueryTarget | undefined {
  const uri = arg?.uri ?? editor?.document.uri.toString();
  if (!uri) return undefined;
  const file = vscode.Uri.parse(uri);
  const label = path.basename(file.fsPath, '.sql');
  const sameEditor = editor && editor.document.uri.toString() === uri;
  if (!sameEditor || arg?.uri) return MODEL_FILE.test(file.fsPath) ? { label, uri } : undefined;
  if (editor.document.languageId !== MODEL_LANGUAGE && !MODEL_FILE.test(file.fsPath)) return undefined;
  const selection = editor.selection;
  if (!selection.isEmpty) return { label: `selection in ${label}`, uri, range: { start: at(selection.start), end: at(selection.end) } };
  return { label, uri, position: at(selection.active) };
}

const at = (p: vscode.Position) => ({ line: p.line, character: p.character });
