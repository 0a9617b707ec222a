// The extension's settings ("sluice.*"). The server reads them itself, per workspace folder; the extension
// reads them only to log what changed.

import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type SluiceSettings } from '../core/protocol';

export const SECTION = 'sluice';

export function readSettings(scope?: vscode.ConfigurationScope): SluiceSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    projectPath: config.get<string>('projectPath', DEFAULT_SETTINGS.projectPath),
    warehousePath: config.get<string>('warehousePath', DEFAULT_SETTINGS.warehousePath),
    defaultEnvironment: config.get<string>('defaultEnvironment', DEFAULT_SETTINGS.defaultEnvironment) || DEFAULT_SETTINGS.defaultEnvironment,
  };
}

export function describeSettings(settings: SluiceSettings): string {
  const project = settings.projectPath || '(every sluice.yaml)';
  const warehouse = settings.warehousePath || "(sluice.yaml's)";
  return `project ${project}, warehouse ${warehouse}, environment ${settings.defaultEnvironment}`;
}

export function onDidChangeSettings(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(SECTION)) listener();
  });
}
