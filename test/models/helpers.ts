import { parseModelFile } from '../../core/models/parse';
import type { ModelDiagnostic, ParsedModel } from '../../core/models/types';

export function parse(text: string, file = 'models/test.sql'): ParsedModel {
  return parseModelFile(text, file);
}

/** Diagnostics as 'line:column severity message', easy to compare and to read in failures. */
export function describeDiagnostics(diagnostics: readonly ModelDiagnostic[]): string[] {
  return diagnostics.map((d) => `${d.start.line}:${d.start.column} ${d.severity} ${d.message}`);
}

export function errors(model: ParsedModel): string[] {
  return describeDiagnostics(model.diagnostics.filter((d) => d.severity === 'error'));
}

export function warnings(model: ParsedModel): string[] {
  return describeDiagnostics(model.diagnostics.filter((d) => d.severity === 'warning'));
}

/** Parses a model that must be free of errors and returns its definition. */
export function definitionOf(text: string) {
  const model = parse(text);
  const errs = errors(model);
  if (errs.length > 0) throw new Error(`unexpected errors:\n${errs.join('\n')}`);
  if (!model.definition) throw new Error('no definition');
  return model.definition;
}
