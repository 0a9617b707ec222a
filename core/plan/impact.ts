// What a change reaches downstream: the models below a model, and the model columns a column flows into.
// For columns that still exist the project's lineage answers; for a removed column only the lineage stored
// with the environment's snapshots still knows who read it.

import type { ColumnInfo } from '../dag/types';
import type { ColumnChanges, SnapshotRecord } from './types';

/** Model → models reading it. */
export function childrenMap(models: readonly { name: string; parents: readonly string[] }[]): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const m of models) {
    for (const p of m.parents) {
      const list = children.get(p);
      if (list) list.push(m.name);
      else children.set(p, [m.name]);
    }
  }
  return children;
}

/** Every model downstream of `start` (not itself), sorted. */
export function descendants(children: ReadonlyMap<string, readonly string[]>, start: string): string[] {
  const seen = new Set<string>();
  const stack = [...(children.get(start) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next) || next === start) continue;
    seen.add(next);
    stack.push(...(children.get(next) ?? []));
  }
  return [...seen].sort();
}

/** Model columns (`schema.table.column`) that read `model.column`, directly or through other models. */
export function downstreamColumnsInRecords(records: readonly SnapshotRecord[], model: string, column: string): string[] {
  const found = new Set<string>();
  const queue: [string, string][] = [[model, column.toLowerCase()]];
  const seen = new Set<string>([`${model}.${column.toLowerCase()}`]);
  while (queue.length > 0) {
    const [table, col] = queue.shift()!;
    for (const record of records) {
      if (!record.parents.includes(table)) continue;
      for (const lineage of record.lineage) {
        const reads = [...lineage.sources, ...lineage.filters].some((ref) => ref.table === table && ref.column === col);
        const name = `${record.name}.${lineage.column}`;
        if (!reads || seen.has(name)) continue;
        seen.add(name);
        found.add(name);
        queue.push([record.name, lineage.column]);
      }
    }
  }
  return [...found].sort();
}

/** Added, removed and retyped columns (retyped only when both types are known). */
export function columnChanges(before: readonly ColumnInfo[], after: readonly ColumnInfo[]): ColumnChanges & { types: Map<string, [string, string]> } {
  const old = new Map(before.map((c) => [c.name, c.type]));
  const now = new Map(after.map((c) => [c.name, c.type]));
  const types = new Map<string, [string, string]>();
  const retyped: string[] = [];
  for (const [name, type] of now) {
    const previous = old.get(name);
    if (old.has(name) && type && previous && type.toUpperCase() !== previous.toUpperCase()) {
      retyped.push(name);
      types.set(name, [previous, type]);
    }
  }
  return {
    added: [...now.keys()].filter((c) => !old.has(c)),
    removed: [...old.keys()].filter((c) => !now.has(c)),
    retyped,
    types,
  };
}
