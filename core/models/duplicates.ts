// Model names must be unique in a project. DuckDB matches names case-insensitively, so keys are lower-cased.

import { describeBlueprint } from './blueprints';
import type { ModelDiagnostic, ParsedModel, Position } from './types';

/** The lookup key of a model name: its parts lower-cased and joined with dots. */
export function modelKey(nameParts: readonly string[]): string {
  return nameParts.map((p) => p.toLowerCase()).join('.');
}

/** One error per file for every model name defined in more than one file, placed on the name. */
export function findDuplicateModels(models: readonly ParsedModel[]): ModelDiagnostic[] {
  return duplicateModels(models).map((d) => d.diagnostic);
}

/**
 * The same, each with the model it is about. A model made from a blueprint is placed on its blueprint, so
 * two blueprints of one file that make the same name are told apart.
 */
export function duplicateModels(models: readonly ParsedModel[]): { model: ParsedModel; diagnostic: ModelDiagnostic }[] {
  const byKey = new Map<string, ParsedModel[]>();
  for (const model of models) {
    if (!model.definition) continue;
    const key = modelKey(model.definition.nameParts);
    const list = byKey.get(key);
    if (list) list.push(model);
    else byKey.set(key, [model]);
  }
  const diagnostics: { model: ParsedModel; diagnostic: ModelDiagnostic }[] = [];
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    for (const model of group) {
      const others = group.filter((m) => m !== model).map((m) => {
        const at = `${where(m).start.line}:${where(m).start.column}`;
        if (!m.blueprint) return `${m.file}:${at}`;
        return m.file === model.file ? `blueprint ${m.blueprint.index + 1} (line ${at})` : `${m.file}:${at} (blueprint ${m.blueprint.index + 1})`;
      });
      const { start, end } = where(model);
      const made = model.blueprint ? `, made by ${describeBlueprint(model.blueprint)},` : '';
      diagnostics.push({
        model,
        diagnostic: { file: model.file, message: `model ${model.definition!.name}${made} is also defined in ${others.join(', ')}`, start, end, severity: 'error' },
      });
    }
  }
  return diagnostics;
}

function where(model: ParsedModel): { start: Position; end: Position } {
  if (model.blueprint) return { start: model.blueprint.start, end: model.blueprint.end };
  const name = model.definition?.properties.name;
  return name ? { start: name.start, end: name.end } : { start: model.queryStart, end: model.queryStart };
}
