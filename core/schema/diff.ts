// The changes between two versions of a source's schema, in the terms `sluice ingest` reports them: tables
// and columns added, variant columns added, types widened. The warehouse keeps every schema version with
// the load that made it (_sluice.schemas), so what each load changed can be told afterwards.

import type { SchemaChange, SourceSchema } from './types';

/** What changed from `before` to `after`; a table new in `after` is one table_added (its columns come with it). */
export function diffSchemas(before: SourceSchema, after: SourceSchema): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const oldTables = new Map(before.tables.map((t) => [t.name, t]));
  for (const table of after.tables) {
    const old = oldTables.get(table.name);
    if (!old) {
      changes.push({ kind: 'table_added', table: table.name, resource: table.resource });
      continue;
    }
    const oldColumns = new Map(old.columns.map((c) => [c.name, c]));
    for (const column of table.columns) {
      const was = oldColumns.get(column.name);
      if (!was) {
        changes.push(
          column.variantOf
            ? { kind: 'variant_added', table: table.name, column: column.name, variantOf: column.variantOf, dataType: column.dataType }
            : { kind: 'column_added', table: table.name, column: column.name, dataType: column.dataType },
        );
      } else if (was.dataType !== column.dataType) {
        changes.push({ kind: 'type_widened', table: table.name, column: column.name, from: was.dataType, dataType: column.dataType });
      }
    }
  }
  return changes;
}
