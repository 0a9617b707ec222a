// The message for a table no model, external model or source schema declares: say what would make it
// known, and suggest a close name when there is one.

import type { ProjectInputs } from './inputs';
import { editDistance } from './suggest';

export function explainUnknownTable(key: string, known: readonly string[], inputs: ProjectInputs): string {
  const [schema, table] = key.split('.');
  const sourceTables = inputs.sources.filter((t) => t.source === schema);
  const suggestion = closestName(key, known);
  const hint = suggestion ? ` (did you mean ${suggestion}?)` : '';
  if (sourceTables.length > 0) {
    return `source ${schema} has no table ${table}${hint}; it has ${sourceTables.map((t) => t.table).join(', ')}`;
  }
  if (inputs.sourceModules.includes(schema)) {
    return `source ${schema} has not been loaded yet; run \`sluice ingest ${schema}\`${hint}`;
  }
  return `no model builds it and no external model or loaded source declares it${hint}; declare it in external_models.yaml if it exists in the warehouse`;
}

/** A known name with the same table part, or within two edits of the whole name. */
export function closestName(key: string, known: readonly string[]): string | undefined {
  return closeTableNames(key, known, 1)[0];
}

/**
 * Known tables a mistyped `schema.table` may have meant: the same table in another schema first, then
 * names within two edits of the whole name, closest first; at most `count`.
 */
export function closeTableNames(key: string, known: readonly string[], count = 3): string[] {
  const table = key.slice(key.indexOf('.') + 1);
  const sameTable = known.filter((k) => k !== key && k.slice(k.indexOf('.') + 1) === table).sort();
  const out = sameTable.slice(0, count);
  const near = [...known].sort().filter((k) => k !== key && !out.includes(k) && Math.abs(k.length - key.length) < 3 && editDistance(key, k, 3) < 3);
  near.sort((a, b) => editDistance(key, a, 3) - editDistance(key, b, 3));
  return [...out, ...near].slice(0, count);
}
