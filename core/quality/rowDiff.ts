// Comparing a test's expected rows with the rows a query returned, and a compact readable diff of the two.
// Both sides come out of DuckDB with the same column types, so values compare by their canonical JSON form;
// floating-point columns get a small tolerance (relative 1e-5, absolute 1e-8, as SQLMesh's pandas check).
// Without ORDER BY, rows are matched as a multiset; with it, position by position.

export interface RowComparison {
  ordered: boolean;
  columns: string[];
  /** Per column: compared with a floating-point tolerance. */
  approximate: boolean[];
  expectedCount: number;
  actualCount: number;
  /** Rows present on both sides but with different values (paired by position, or by the closest match). */
  changed: Array<{ expected: unknown[]; actual: unknown[]; position: number }>;
  missing: unknown[][];
  unexpected: unknown[][];
}

const RELATIVE_TOLERANCE = 1e-5;
const ABSOLUTE_TOLERANCE = 1e-8;
const MAX_LINES_PER_SECTION = 20;

/** undefined when the rows match. `types` are DuckDB type names, to know which columns are approximate. */
export function compareRows(columns: string[], types: string[], expected: unknown[][], actual: unknown[][], ordered: boolean): RowComparison | undefined {
  const approximate = types.map((t) => /\b(DOUBLE|FLOAT|REAL)\b/i.test(t));
  const rowEqual = (a: unknown[], b: unknown[]) => a.every((v, i) => valuesEqual(v, b[i], approximate[i]));
  const result: RowComparison = {
    ordered, columns, approximate, expectedCount: expected.length, actualCount: actual.length, changed: [], missing: [], unexpected: [],
  };
  if (ordered) {
    const common = Math.min(expected.length, actual.length);
    for (let i = 0; i < common; i++) {
      if (!rowEqual(expected[i], actual[i])) result.changed.push({ expected: expected[i], actual: actual[i], position: i + 1 });
    }
    result.missing = expected.slice(common);
    result.unexpected = actual.slice(common);
  } else {
    const used = new Array<boolean>(actual.length).fill(false);
    const missing: unknown[][] = [];
    for (const row of expected) {
      const index = actual.findIndex((candidate, i) => !used[i] && rowEqual(row, candidate));
      if (index >= 0) used[index] = true;
      else missing.push(row);
    }
    const unexpected = actual.filter((_, i) => !used[i]);
    pairClosest(result, missing, unexpected, approximate);
  }
  const same = result.changed.length === 0 && result.missing.length === 0 && result.unexpected.length === 0;
  return same ? undefined : result;
}

/**
 * A missing and an unexpected row that agree on at least as many columns as they disagree on are most likely
 * the same row with wrong values: shown as one row with its differing columns. So is a lone missing row
 * facing a lone unexpected one.
 */
function pairClosest(result: RowComparison, missing: unknown[][], unexpected: unknown[][], approximate: boolean[]): void {
  const free = unexpected.map(() => true);
  const alone = missing.length === 1 && unexpected.length === 1;
  for (const row of missing) {
    let best = -1;
    let bestScore = -1;
    unexpected.forEach((candidate, i) => {
      if (!free[i]) return;
      const score = row.filter((v, c) => valuesEqual(v, candidate[c], approximate[c])).length;
      if ((alone || (score > 0 && score * 2 >= row.length)) && score > bestScore) {
        best = i;
        bestScore = score;
      }
    });
    if (best >= 0) {
      free[best] = false;
      result.changed.push({ expected: row, actual: unexpected[best], position: 0 });
    } else result.missing.push(row);
  }
  result.unexpected = unexpected.filter((_, i) => free[i]);
}

export function valuesEqual(a: unknown, b: unknown, approximate: boolean): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) && Number.isNaN(b)) return true;
    return approximate && Math.abs(a - b) <= ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * Math.abs(b);
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => valuesEqual(v, b[i], approximate));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && valuesEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], approximate));
  }
  return false;
}

/** The comparison as text: a summary line, then one line per differing, missing or unexpected row. */
export function formatRowDiff(label: string, diff: RowComparison): string {
  const counts = [
    diff.changed.length > 0 ? `${plural(diff.changed.length, 'row')} ${diff.changed.length === 1 ? 'differs' : 'differ'}` : '',
    diff.missing.length > 0 ? `${diff.missing.length} missing` : '',
    diff.unexpected.length > 0 ? `${diff.unexpected.length} unexpected` : '',
  ].filter(Boolean);
  const order = diff.ordered ? 'compared in ORDER BY order' : 'order ignored';
  const lines = [`${label}: ${counts.join(', ')} (${plural(diff.expectedCount, 'expected row')}, ${diff.actualCount} actual; ${order})`];
  section(lines, diff.changed, (c) => changedLine(diff, c));
  section(lines, diff.missing, (row) => `  missing row:    ${describeRow(diff.columns, row)}`);
  section(lines, diff.unexpected, (row) => `  unexpected row: ${describeRow(diff.columns, row)}`);
  return lines.join('\n');
}

function changedLine(diff: RowComparison, change: RowComparison['changed'][number]): string {
  const differing: string[] = [];
  const same: string[] = [];
  diff.columns.forEach((column, i) => {
    if (valuesEqual(change.expected[i], change.actual[i], diff.approximate[i])) same.push(`${column}=${formatValue(change.expected[i])}`);
    else differing.push(`${column}: expected ${formatValue(change.expected[i])}, actual ${formatValue(change.actual[i])}`);
  });
  const which = diff.ordered ? `row ${change.position}` : same.length > 0 ? `row with ${same.slice(0, 3).join(', ')}` : 'a row';
  return `  ${which}: ${differing.join('; ')}`;
}

function section<T>(lines: string[], items: T[], line: (item: T) => string): void {
  for (const item of items.slice(0, MAX_LINES_PER_SECTION)) lines.push(line(item));
  if (items.length > MAX_LINES_PER_SECTION) lines.push(`  ... and ${items.length - MAX_LINES_PER_SECTION} more`);
}

export function describeRow(columns: string[], row: unknown[]): string {
  return columns.map((c, i) => `${c}=${formatValue(row[i])}`).join(', ');
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return /^[^\s,="'][^,="]*$/.test(value) && !/\s$/.test(value) && value !== 'NULL' ? value : JSON.stringify(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
