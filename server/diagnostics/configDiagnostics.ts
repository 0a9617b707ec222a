// A sluice.yaml that cannot be read is shown as a diagnostic on that file, at the line the YAML parser or the
// config reader names, so the editor points at it instead of only failing later.

import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { ProjectEntry } from '../workspace/projects';
import { DIAGNOSTIC_SOURCE } from './modelDiagnostics';

export function configDiagnostics(entry: ProjectEntry): Diagnostic[] {
  const error = entry.info.error;
  if (!error) return [];
  let message = error;
  let line = 0;
  let character = 0;
  const prefix = `${entry.configFile}:`;
  if (message.startsWith(prefix)) {
    message = message.slice(prefix.length);
    const at = /^(\d+):(\d+): /.exec(message);
    if (at) {
      line = Number(at[1]) - 1;
      character = Number(at[2]) - 1;
      message = message.slice(at[0].length);
    }
    message = message.trim();
  }
  return [
    {
      range: { start: { line, character }, end: { line, character: character + 1 } },
      message,
      severity: DiagnosticSeverity.Error,
      source: DIAGNOSTIC_SOURCE,
      code: 'config',
    },
  ];
}
