// Entry point of the VS Code extension. Activation only wires things up; the server starts in the background
// so activation stays fast, and commands wait for it when they need it.

import { bundleLoadStarted } from './clock';
import * as vscode from 'vscode';
import { SluiceClient } from './client';
import { registerCommands } from './commands';
import { describeSettings, onDidChangeSettings, readSettings } from './config';
import { createOutput } from './output';
import { ProjectStatus } from './status';
import { forwardTrustChanges } from './trust';

let client: SluiceClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const entered = performance.now();
  const output = createOutput();
  client = new SluiceClient(context, output);
  const status = new ProjectStatus(client);
  // The client is stopped by deactivate(), which VS Code awaits; everything else goes with the subscriptions.
  context.subscriptions.push(output.channel, status, forwardTrustChanges(client), ...registerCommands(client, output));
  // The server re-reads settings itself; the status bar follows with its next notification.
  context.subscriptions.push(onDidChangeSettings(() => output.info(`settings changed: ${describeSettings(readSettings())}`)));

  const activated = performance.now();
  // From loading the bundle (including the editor's own work before it calls activate) to here.
  output.info(
    `Sluice activated in ${Math.round(activated - bundleLoadStarted)} ms (activate itself: ${Math.round(activated - entered)} ms)`,
  );
  client
    .start()
    .then(async () => {
      output.info(`language server ready in ${Math.round(performance.now() - activated)} ms`);
      await status.load();
    })
    .catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      output.error(`the language server did not start: ${message}`);
      void vscode.window.showErrorMessage(`Sluice: the language server did not start: ${message}`);
    });
}

export async function deactivate(): Promise<void> {
  await client?.dispose();
  client = undefined;
}
