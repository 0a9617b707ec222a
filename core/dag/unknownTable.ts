// The message for a table no model, external model or source schema declares: say what would make it
// known, and suggest a close name when there is one.

import type { ProjectInputs } from './inputs';

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
  const table = key.slice(key.indexOf('.') + 1);
  const sameTable = known.filter((k) => k !== key && k.slice(k.indexOf('.') + 1) === table).sort();
  if (sameTable.length > 0) return sameTable[0];
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of [...known].sort()) {
    if (Math.abs(k.length - key.length) >= bestDistance) continue;
    const d = editDistance(key, k, bestDistance);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning limit) once it is certain to reach limit. */
function editDistance(a: string, b: string, limit: number): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return previous[b.length];
}
