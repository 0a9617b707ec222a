// Problems the model layer finds across a project (unknown tables and columns, ambiguous columns, cycles,
// duplicate names, broken external model or source schema files) as editor diagnostics, grouped by file.

import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { ModelProject, ProjectDiagnostic } from '../../core/dag';
import { STALE_DESCRIPTION } from '../../core/dag/columnDescriptions';
import { preparedModelOfFile } from '../models/modelFile';
import { DIAGNOSTIC_SOURCE, tokenAt } from './modelDiagnostics';

/** Every project diagnostic, by absolute file path (once, when several models of a file with blueprints share it). */
export function diagnosticsByFile(project: ModelProject): Map<string, ProjectDiagnostic[]> {
  const out = new Map<string, ProjectDiagnostic[]>();
  const seen = new Set<string>();
  for (const d of project.diagnostics()) {
    const key = `${d.file}\0${d.start.offset}\0${d.end.offset}\0${d.severity}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = out.get(d.file);
    if (list) list.push(d);
    else out.set(d.file, [d]);
  }
  return out;
}

/** The diagnostics a model file's own checks (syntax, MODEL block, macros) also report. */
export function fileLocalDiagnostics(project: ModelProject, file: string): Set<ProjectDiagnostic> {
  return new Set(preparedModelOfFile(project, file)?.diagnostics ?? []);
}

/** One project diagnostic for the editor; a zero-width position is widened to the token there. */
export function toLspDiagnostic(d: ProjectDiagnostic, text?: string): Diagnostic {
  let start = d.start.offset;
  let end = d.end.offset;
  let range = {
    start: { line: d.start.line - 1, character: d.start.column - 1 },
    end: { line: d.end.line - 1, character: d.end.column - 1 },
  };
  if (end <= start && text !== undefined) {
    [start, end] = tokenAt(text, start);
    range = { start: positionOf(text, start), end: positionOf(text, end) };
  }
  return {
    range,
    message: d.message,
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    code: codeOf(d.message),
  };
}

/**
 * Diagnostics of an open model file: its own checks plus what the project adds, without repeating a
 * problem both report (same message at the same place).
 */
export function mergeDiagnostics(local: Diagnostic[], fromProject: readonly ProjectDiagnostic[], skip: Set<ProjectDiagnostic>, text: string): Diagnostic[] {
  const seen = new Set(local.map((d) => `${d.range.start.line}:${d.range.start.character}:${d.message}`));
  const out = [...local];
  for (const d of fromProject) {
    if (skip.has(d)) continue;
    const lsp = toLspDiagnostic(d, text);
    const key = `${lsp.range.start.line}:${lsp.range.start.character}:${lsp.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(lsp);
  }
  return out;
}

export function codeOf(message: string): string {
  if (/is part of a cycle/.test(message)) return 'cycle';
  if (STALE_DESCRIPTION.test(message)) return 'stale-column-description';
  if (/^unknown table /.test(message)) return 'unknown-table';
  if (/ambiguous/i.test(message)) return 'ambiguous-column';
  if (/^(unknown|no) column|column .* (not found|does not exist)|has no column/i.test(message)) return 'unknown-column';
  return 'project';
}

function positionOf(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: Math.min(offset, text.length) - lineStart };
}
