// Problems in one SQL model file, as editor diagnostics: the MODEL block and statement structure (from
// parseModelFile), macro expansion (renderForAnalysis), and SQL syntax as DuckDB's own parser sees the
// rendered query, mapped back through the render's source map to where the user wrote it.

import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver/node';
import { LineMap, parseModelFile, renderForAnalysis, type ModelDiagnostic, type Position, type RenderContext } from '../../core/models';
import type { ProjectMacros } from '../../core/models/macroApi';
import { translateRendered } from '../../core/models/translate';
import { isSupportedDialect, parseSql } from '../../core/sql';

export const DIAGNOSTIC_SOURCE = 'sluice';

export interface ModelDiagnosticsOptions {
  /** The project's model_defaults dialect, for a model that does not name its own. */
  defaultDialect?: string;
  /** The project's macros, so calls of macros/*.ts functions are evaluated (or say why they cannot be). */
  macros?: ProjectMacros;
  /** The project's variables (sluice.yaml's or SQLMesh's config), which `@name` may refer to. */
  variables?: RenderContext['variables'];
}

/** Diagnostics for a model file's current text. Never throws: a failure becomes a diagnostic on line 1. */
export async function modelDiagnostics(text: string, file: string, options: ModelDiagnosticsOptions = {}): Promise<Diagnostic[]> {
  const { defaultDialect, macros, variables } = options;
  const content = text.startsWith('\ufeff') ? text.slice(1) : text;
  const shift = text.length - content.length;
  const lines = new LineMap(text);
  const out: Diagnostic[] = [];
  try {
    const parsed = parseModelFile(content, file, { macros });
    for (const d of parsed.diagnostics) out.push(fromModelDiagnostic(d, lines, shift));
    if (!parsed.query) return out;
    const dialect = parsed.definition?.dialect ?? defaultDialect;
    // A dialect Sluice cannot translate is reported by the model's own checks; its SQL is not DuckDB's.
    if (dialect && !isSupportedDialect(dialect)) return out;

    const written = renderForAnalysis(parsed, { macros, variables });
    for (const d of written.diagnostics) out.push(fromModelDiagnostic(d, lines, shift));
    // With an unexpanded macro left in the SQL, DuckDB would only repeat the macro error.
    if (written.diagnostics.some((d) => d.severity === 'error')) return out;
    // A query in another dialect is checked as its DuckDB translation, whose map points into the file.
    const translated = translateRendered(written, dialect, file);
    for (const d of translated.diagnostics) out.push(fromModelDiagnostic(d, lines, shift));
    if (translated.diagnostics.some((d) => d.severity === 'error')) return out;
    const rendered = translated.rendered;

    const sql = await parseSql(rendered.sql);
    for (const d of sql.diagnostics) {
      const at = rendered.sourceMap.toFilePosition(d.offset).offset + shift;
      const [start, end] = tokenAt(text, at);
      out.push({
        range: { start: lspPosition(lines.position(start)), end: lspPosition(lines.position(end)) },
        message: translated.from ? `${d.message} (the ${translated.from} query is read as DuckDB SQL after Sluice's translation)` : d.message,
        severity: d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
        source: DIAGNOSTIC_SOURCE,
        code: 'sql-syntax',
      });
    }
  } catch (err) {
    out.push({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      message: `could not check this model: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      severity: DiagnosticSeverity.Warning,
      source: DIAGNOSTIC_SOURCE,
    });
  }
  return out;
}

function fromModelDiagnostic(d: ModelDiagnostic, lines: LineMap, shift: number): Diagnostic {
  const range: Range = {
    start: lspPosition(lines.position(d.start.offset + shift)),
    end: lspPosition(lines.position(d.end.offset + shift)),
  };
  return {
    range,
    message: d.message,
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: DIAGNOSTIC_SOURCE,
    code: 'model',
  };
}

function lspPosition(p: Position): { line: number; character: number } {
  return { line: p.line - 1, character: p.column - 1 };
}

const WORD = /[\p{L}\p{N}_$]/u;

/**
 * The token an error offset points at: a whole word, a quoted string or identifier, or one character.
 * At the end of the text or on white space (DuckDB's "at end of input") it is the last token before it.
 */
export function tokenAt(text: string, offset: number): [number, number] {
  let at = Math.max(0, Math.min(offset, text.length));
  if (at >= text.length || /\s/.test(text[at])) {
    let end = at;
    while (end > 0 && /\s/.test(text[end - 1])) end--;
    if (end === 0) return [at, at];
    at = end - 1;
    if (WORD.test(text[at])) {
      let start = at;
      while (start > 0 && WORD.test(text[start - 1])) start--;
      return [start, end];
    }
    return [at, end];
  }
  const ch = text[at];
  if (WORD.test(ch)) {
    let start = at;
    let end = at;
    while (start > 0 && WORD.test(text[start - 1])) start--;
    while (end < text.length && WORD.test(text[end])) end++;
    return [start, end];
  }
  if (ch === "'" || ch === '"') {
    const close = text.indexOf(ch, at + 1);
    const newline = text.indexOf('\n', at + 1);
    if (close > 0 && (newline < 0 || close < newline)) return [at, close + 1];
  }
  return [at, at + 1];
}
