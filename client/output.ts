// The "Sluice" output channel: the extension's own lines and, through the language client, the server's log.
// A log channel, so every line carries a time stamp and a level.

import * as vscode from 'vscode';

export interface Output {
  readonly channel: vscode.LogOutputChannel;
  info(message: string): void;
  error(message: string): void;
}

export function createOutput(): Output {
  const channel = vscode.window.createOutputChannel('Sluice', { log: true });
  return {
    channel,
    info: (message) => channel.info(message),
    error: (message) => channel.error(message),
  };
}
