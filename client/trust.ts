// Workspace Trust, passed on to the server: at start-up in the initialization options, later by notification
// when the user grants trust. The server refuses to run project code while the workspace is untrusted.

import * as vscode from 'vscode';
import { DidChangeTrust } from '../core/protocol';
import type { SluiceClient } from './client';

export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

export function forwardTrustChanges(client: SluiceClient): vscode.Disposable {
  // VS Code only ever grants trust at run time; taking it back reloads the window (and restarts the server).
  return vscode.workspace.onDidGrantWorkspaceTrust(() => {
    void client.notify(DidChangeTrust.type, { trusted: true });
  });
}

/** Offers the trust editor after a refusal. */
export async function explainUntrusted(message: string): Promise<void> {
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showErrorMessage(`Sluice: ${message}`, manage);
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
}
