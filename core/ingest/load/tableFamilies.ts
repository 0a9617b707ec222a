// Groups a source schema's tables by root: a child table (a nested list) always follows the write
// disposition of the root table it was unnested from.

import { SluiceError } from '../../errors';
import type { SourceSchema, TableSchema } from '../../schema/types';

export interface TableFamily {
  root: TableSchema;
  /** All descendants of root (children, grandchildren, ...), in schema order. */
  children: TableSchema[];
}

export function tableFamilies(schema: SourceSchema): TableFamily[] {
  const byName = new Map(schema.tables.map((t) => [t.name, t]));
  const families = new Map<string, TableFamily>();
  for (const table of schema.tables) {
    if (table.parent === undefined) families.set(table.name, { root: table, children: [] });
  }
  for (const table of schema.tables) {
    if (table.parent === undefined) continue;
    families.get(rootOf(table, byName).name)!.children.push(table);
  }
  return [...families.values()];
}

function rootOf(table: TableSchema, byName: Map<string, TableSchema>): TableSchema {
  const seen = new Set<string>();
  let current = table;
  while (current.parent !== undefined) {
    if (seen.has(current.name)) throw new SluiceError(`table "${table.name}" is its own ancestor in the schema`);
    seen.add(current.name);
    const parent = byName.get(current.parent);
    if (!parent) throw new SluiceError(`table "${current.name}" names parent "${current.parent}", which is not in the schema`);
    current = parent;
  }
  return current;
}
