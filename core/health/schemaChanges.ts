// What each stored schema version changed: tables and columns that appeared, and columns whose type widened.
// The load records keep no list of changes, but every version is stored with the load that made it.

import type { SchemaChange, SourceSchema } from '../schema/types';

export function schemaChanges(before: SourceSchema | undefined, after: SourceSchema): SchemaChange[] {
  const out: SchemaChange[] = [];
  const previous = new Map((before?.tables ?? []).map((t) => [t.name, t]));
  for (const table of after.tables) {
    const old = previous.get(table.name);
    if (!old) {
      out.push({ kind: 'table_added', table: table.name, resource: table.resource });
      continue;
    }
    const oldColumns = new Map(old.columns.map((c) => [c.name, c]));
    for (const column of table.columns) {
      const was = oldColumns.get(column.name);
      if (!was && column.variantOf) out.push({ kind: 'variant_added', table: table.name, column: column.name, variantOf: column.variantOf, dataType: column.dataType });
      else if (!was) out.push({ kind: 'column_added', table: table.name, column: column.name, dataType: column.dataType });
      else if (was.dataType !== column.dataType) out.push({ kind: 'type_widened', table: table.name, column: column.name, from: was.dataType, dataType: column.dataType });
    }
  }
  return out;
}
