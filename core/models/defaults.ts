// Project-wide model defaults (SQLMesh's `model_defaults`): a model that does not set its dialect, kind,
// start, cron or owner takes the project's (core/project/modelSettings.ts reads and checks them).

import type { ModelDefinition, ModelKind } from './types';

export interface ModelDefaults {
  /** Lower-cased. */
  dialect?: string;
  kind?: ModelKind;
  start?: string;
  cron?: string;
  owner?: string;
}

/** Fills in what the model leaves unset from the defaults (in place). */
export function applyModelDefaults(definition: ModelDefinition, defaults: ModelDefaults | undefined): void {
  if (!defaults) return;
  if (defaults.kind && !definition.properties.kind) definition.kind = structuredClone(defaults.kind);
  for (const key of ['dialect', 'start', 'cron', 'owner'] as const) {
    if (defaults[key] !== undefined && definition[key] === undefined && !definition.properties[key]) definition[key] = defaults[key];
  }
}
