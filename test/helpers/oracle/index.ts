// The "every leaf, once" check: rebuild each root item from the warehouse and compare it with the input,
// so that no leaf is lost, none duplicated and none invented. See compare.ts for the equivalences used.
import { diffItem, type Difference } from './compare';
import { rebuildItems } from './rebuild';
import { readSnapshot, type WarehouseSnapshot } from './snapshot';

export { canonical, instantMicros, type Difference } from './compare';
export { readStoredSchema } from './snapshot';

export interface OracleOptions {
  /** Differences reported at most (default 10). */
  limit?: number;
  /**
   * Every data column holds a value in some row and every child table has rows: a field that is only
   * ever null, an empty object or an empty list must leave no column or table (default true; off for
   * loads that delete rows, such as merge).
   */
  noEmptyColumns?: boolean;
  /** No bigint column has a double variant or the reverse: integral and fractional numbers share a double column (default true). */
  noNumericVariants?: boolean;
}

export interface OracleReport {
  differences: Difference[];
  /** Problems not tied to one item: catalog mismatches, orphan rows, unused columns, numeric variants. */
  problems: string[];
  /** Rows compared per root table. */
  items: Record<string, number>;
}

/**
 * Compares the warehouse's tables of `source` with the items each root table should hold, in the order
 * they were yielded (root rows are read in _sluice_id order).
 */
export async function checkWarehouse(
  dbFile: string,
  source: string,
  expected: Record<string, Iterable<unknown>>,
  options: OracleOptions = {},
): Promise<OracleReport> {
  const snapshot = await readSnapshot(dbFile, source);
  return compareSnapshot(snapshot, expected, options);
}

function compareSnapshot(snapshot: WarehouseSnapshot, expected: Record<string, Iterable<unknown>>, options: OracleOptions = {}): OracleReport {
  const limit = options.limit ?? 10;
  const differences: Difference[] = [];
  const problems = [...snapshot.catalogProblems];
  const items: Record<string, number> = {};
  for (const [table, input] of Object.entries(expected)) {
    const rebuilt = rebuildItems(snapshot, table);
    problems.push(...rebuilt.problems);
    let i = 0;
    for (const item of input) {
      const actual = rebuilt.items[i];
      if (differences.length < limit) {
        for (const problem of actual?.problems ?? []) differences.push({ item: i, path: problem.path.replace(/^\./, '') || '(item)', message: problem.message });
        differences.push(...diffItem(i, item, actual?.value, limit - differences.length));
      }
      i++;
    }
    items[table] = rebuilt.items.length;
    if (rebuilt.items.length !== i) problems.push(`table ${table} has ${rebuilt.items.length} root rows for ${i} input items`);
  }
  const unexpected = snapshot.schema.tables.filter((t) => t.parent === undefined && !(t.name in expected)).map((t) => t.name);
  if (unexpected.length > 0) problems.push(`root tables with no expected items: ${unexpected.join(', ')}`);
  if (options.noEmptyColumns ?? true) problems.push(...emptyColumns(snapshot));
  if (options.noNumericVariants ?? true) problems.push(...numericVariants(snapshot));
  return { differences: differences.slice(0, limit), problems, items };
}

/** Columns with no value in any row, and child tables with no row. */
function emptyColumns(snapshot: WarehouseSnapshot): string[] {
  const out: string[] = [];
  for (const [name, rows] of snapshot.tables) {
    if (rows.ids.length === 0) {
      out.push(`table ${name} has no rows`);
      continue;
    }
    const used = new Set(rows.cells.flatMap((cells) => cells.map((c) => c.column)));
    for (const column of rows.schema.columns) {
      if (column.name.startsWith('_sluice_') || used.has(column.name)) continue;
      out.push(`column ${name}.${column.name} (${column.dataType}) holds no value in any row`);
    }
  }
  return out;
}

function numericVariants(snapshot: WarehouseSnapshot): string[] {
  const numeric = new Set(['bigint', 'double']);
  const out: string[] = [];
  for (const { schema: table } of snapshot.tables.values()) {
    for (const column of table.columns) {
      const base = column.variantOf === undefined ? undefined : table.columns.find((c) => c.name === column.variantOf);
      if (base && numeric.has(base.dataType) && numeric.has(column.dataType)) {
        out.push(`column ${table.name}.${column.name} is a ${column.dataType} variant of ${base.dataType} column ${base.name}: integral and fractional numbers should share one double column`);
      }
    }
  }
  return out;
}

/** A readable account of a report, empty when the warehouse holds exactly the input. */
export function describeReport(report: OracleReport): string {
  const lines = [
    ...report.problems.map((p) => `- ${p}`),
    ...report.differences.map((d) => `- item ${d.item}, ${d.path}: ${d.message}`),
  ];
  return lines.join('\n');
}
