// Model names must be unique in a project. DuckDB matches names case-insensitively, so keys are lower-cased.

import type { ModelDiagnostic, ParsedModel, Position } from './types';

/** The lookup key of a model name: its parts lower-cased and joined with dots. */
export function modelKey(nameParts: readonly string[]): string {
  return nameParts.map((p) => p.toLowerCase()).join('.');
}

/** One error per file for every model name defined in more than one file, placed on the name. */
export function findDuplicateModels(models: readonly ParsedModel[]): ModelDiagnostic[] {
  const byKey = new Map<string, ParsedModel[]>();
  for (const model of models) {
    if (!model.definition) continue;
    const key = modelKey(model.definition.nameParts);
    const list = byKey.get(key);
    if (list) list.push(model);
    else byKey.set(key, [model]);
  }
  const diagnostics: ModelDiagnostic[] = [];
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    for (const model of group) {
      const others = group.filter((m) => m !== model).map((m) => `${m.file}:${where(m).start.line}:${where(m).start.column}`);
      const { start, end } = where(model);
      diagnostics.push({
        file: model.file,
        message: `model ${model.definition!.name} is also defined in ${others.join(', ')}`,
        start,
        end,
        severity: 'error',
      });
    }
  }
  return diagnostics;
}

function where(model: ParsedModel): { start: Position; end: Position } {
  const name = model.definition?.properties.name;
  return name ? { start: name.start, end: name.end } : { start: model.queryStart, end: model.queryStart };
}
