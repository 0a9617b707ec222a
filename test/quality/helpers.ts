// Small builders for the audit and unit-test suites: model files parsed in memory, temporary projects.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseModelFile } from '../../core/models/parse';
import type { ModelDiagnostic, ParsedModel } from '../../core/models/types';

/** Parses a model file that must have no errors. */
export function model(text: string, file = 'models/model.sql'): ParsedModel {
  const parsed = parseModelFile(text, file);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`model has errors:\n${describeDiagnostics(errors).join('\n')}`);
  return parsed;
}

/** Diagnostics as 'file:line:column severity message'. */
export function describeDiagnostics(diagnostics: readonly ModelDiagnostic[]): string[] {
  return diagnostics.map((d) => `${d.file}:${d.start.line}:${d.start.column} ${d.severity} ${d.message}`);
}

export interface TempDir {
  dir: string;
  write(file: string, content: string): string;
  cleanup(): void;
}

/** A temporary directory (a project) with the given files. */
export function tempProject(files: Record<string, string> = {}): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-quality-'));
  const write = (file: string, content: string) => {
    const full = path.join(dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
    return full;
  };
  for (const [file, content] of Object.entries(files)) write(file, content);
  return { dir, write, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
