// How many part files a load may stage for a table. A part is cut when it is full, and at most once more
// per schema change touching the table in that load (its table_added, column_added, variant_added and
// type_widened changes; a bigint column found double after the load without a type_widened change
// counts as one too), plus one:
//   parts(table) ≤ ceil(rows / partRows) + changes(table) + widenings(table) + 1
// Item shape (which keys an item has, whether a number is integral) must not cut parts: realistic data
// changes shape on nearly every item.
import type { SchemaChange, SourceSchema } from '../../core/schema/types';

export interface LoadOutcome {
  tables: Record<string, { rows: number; parts?: number }>;
  schema_changes: SchemaChange[];
}

export interface PartCount {
  table: string;
  rows: number;
  parts: number | undefined;
  bound: number;
}

/**
 * Columns of a table that went from bigint to double in this load without a type_widened change saying
 * so: bigint in the schema before the load, or added as bigint by it, and double after it.
 */
export function unreportedWidenings(table: string, changes: SchemaChange[], before: SourceSchema | undefined, after: SourceSchema): number {
  const was = new Map<string, string>();
  for (const column of before?.tables.find((t) => t.name === table)?.columns ?? []) was.set(column.name, column.dataType);
  const reported = new Set<string>();
  for (const change of changes) {
    if (change.table !== table) continue;
    if (change.kind === 'column_added' && !was.has(change.column)) was.set(change.column, change.dataType);
    if (change.kind === 'type_widened') reported.add(change.column);
  }
  const now = after.tables.find((t) => t.name === table)?.columns ?? [];
  return now.filter((c) => c.dataType === 'double' && was.get(c.name) === 'bigint' && !reported.has(c.name)).length;
}

export function partCounts(outcome: LoadOutcome, partRows: number, before: SourceSchema | undefined, after: SourceSchema): PartCount[] {
  return Object.entries(outcome.tables).map(([table, { rows, parts }]) => {
    // Every change naming the table counts: table_added, column_added, variant_added and type_widened.
    const changes = outcome.schema_changes.filter((c) => c.table === table).length;
    const bound = Math.ceil(rows / partRows) + changes + unreportedWidenings(table, outcome.schema_changes, before, after) + 1;
    return { table, rows, parts, bound };
  });
}

/** Tables whose part count is missing from the result or above the bound, described one per line. */
export function partBoundViolations(outcome: LoadOutcome, partRows: number, before: SourceSchema | undefined, after: SourceSchema): string[] {
  return partCounts(outcome, partRows, before, after)
    .filter((c) => typeof c.parts !== 'number' || c.parts > c.bound)
    .map((c) =>
      typeof c.parts !== 'number'
        ? `table ${c.table}: the ingest result gives no part count (tables.${c.table}.parts)`
        : `table ${c.table}: ${c.parts} parts for ${c.rows} rows, at most ${c.bound} allowed`,
    );
}
