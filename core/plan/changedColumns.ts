// Names the columns behind a breaking select-list change ("column total changed: DECIMAL(18,2) → DOUBLE",
// "columns a, b were removed"). The categorizer knows the old query only by hashes of its select-list
// entries; the versions' output columns (names and types from the analysis) say which columns those
// entries are. Entries and columns correspond one to one when their counts agree on both sides (a star
// expanding to several columns breaks that); otherwise only names and types tell what changed.

import type { ColumnInfo } from '../dag/types';

/** The output columns of the old and of the new version of a model. */
export interface VersionColumns {
  before: readonly ColumnInfo[];
  after: readonly ColumnInfo[];
}

/**
 * Why a select list that is not the old one plus new entries is breaking, naming the columns: those whose
 * entry changed, those that are gone (and what took their place), and those that only moved.
 */
export function changedColumnsReason(oldItems: readonly string[], newItems: readonly string[], columns: VersionColumns | undefined): string {
  const fallback = oldItems.length > newItems.length ? 'a column was removed' : 'an existing column changed';
  if (!columns || columns.before.length === 0 || columns.after.length === 0) return fallback;
  const { before, after } = columns;
  const afterByName = new Map(after.map((c) => [c.name, c]));
  const beforeNames = new Set(before.map((c) => c.name));
  let changed: ColumnInfo[];
  let removed: string[];
  let moved: string[] = [];
  let replacements: string[] = [];
  if (before.length === oldItems.length && after.length === newItems.length) {
    const { oldOnly, newOnly } = unmatchedItems(oldItems, newItems);
    const kept = new Set(newItems);
    moved = oldOnly.filter((i) => kept.has(oldItems[i])).map((i) => before[i].name);
    const gone = oldOnly.filter((i) => !kept.has(oldItems[i])).map((i) => before[i]);
    changed = gone.filter((c) => afterByName.has(c.name));
    removed = gone.filter((c) => !afterByName.has(c.name)).map((c) => c.name);
    replacements = newOnly.map((i) => after[i].name).filter((name) => !beforeNames.has(name));
  } else {
    changed = before.filter((c) => typeChange(c, afterByName.get(c.name)) !== undefined);
    removed = before.filter((c) => !afterByName.has(c.name)).map((c) => c.name);
  }
  const parts: string[] = [];
  if (removed.length > 0) {
    const gone = `${columnWord(removed.length)} ${removed.join(', ')}`;
    parts.push(replacements.length > 0 ? `${gone} ${removed.length === 1 ? 'was' : 'were'} replaced by ${replacements.join(', ')}` : `${gone} ${removed.length === 1 ? 'was' : 'were'} removed`);
  }
  if (changed.length === 1) {
    const types = typeChange(changed[0], afterByName.get(changed[0].name));
    parts.push(`column ${changed[0].name} changed${types ? `: ${types}` : ''}`);
  } else if (changed.length > 1) {
    const named = changed.map((c) => {
      const types = typeChange(c, afterByName.get(c.name));
      return types ? `${c.name} (${types})` : c.name;
    });
    parts.push(`columns ${named.join(', ')} changed`);
  }
  // Only the order changed: readers selecting by position see other columns.
  if (moved.length > 0) parts.push(`${columnWord(moved.length)} ${moved.join(', ')} moved`);
  return parts.length > 0 ? parts.join('; ') : fallback;
}

/** Why a change of the `columns` property is breaking: "declared column x was removed", "declared column y retyped: INT → BIGINT". */
export function declaredColumnsReason(before: readonly [string, string][], after: readonly [string, string][]): string {
  const now = new Map(after);
  const removed = before.filter(([name]) => !now.has(name)).map(([name]) => name);
  const retyped = before.filter(([name, type]) => now.has(name) && now.get(name) !== type).map(([name, type]) => [name, `${type} → ${now.get(name)}`]);
  const parts: string[] = [];
  if (removed.length > 0) parts.push(`declared ${columnWord(removed.length)} ${removed.join(', ')} ${removed.length === 1 ? 'was' : 'were'} removed`);
  if (retyped.length === 1) parts.push(`declared column ${retyped[0][0]} retyped: ${retyped[0][1]}`);
  else if (retyped.length > 1) parts.push(`declared columns retyped: ${retyped.map(([name, types]) => `${name} ${types}`).join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'declared columns were reordered';
}

/**
 * Positions of the entries that are not part of a longest common subsequence of both lists: entries of the
 * old list that changed or went, and entries of the new list that changed or came.
 */
export function unmatchedItems(prev: readonly string[], next: readonly string[]): { oldOnly: number[]; newOnly: number[] } {
  // A common prefix and suffix match as they are; the table below only covers the middle.
  let head = 0;
  while (head < prev.length && head < next.length && prev[head] === next[head]) head++;
  let tail = 0;
  while (tail < prev.length - head && tail < next.length - head && prev[prev.length - 1 - tail] === next[next.length - 1 - tail]) tail++;
  const a = prev.slice(head, prev.length - tail);
  const b = next.slice(head, next.length - tail);
  const width = b.length + 1;
  // lengths[i * width + j]: length of the longest common subsequence of a[i..] and b[j..].
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] = a[i] === b[j] ? lengths[(i + 1) * width + j + 1] + 1 : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
    }
  }
  const oldOnly: number[] = [];
  const newOnly: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) oldOnly.push(head + i++);
    else newOnly.push(head + j++);
  }
  while (i < a.length) oldOnly.push(head + i++);
  while (j < b.length) newOnly.push(head + j++);
  return { oldOnly, newOnly };
}

/** "DECIMAL(18,2) → DOUBLE" when both types are known and differ. */
function typeChange(before: ColumnInfo, after: ColumnInfo | undefined): string | undefined {
  if (!before.type || !after?.type || before.type.toUpperCase() === after.type.toUpperCase()) return undefined;
  return `${before.type} → ${after.type}`;
}

function columnWord(count: number): string {
  return count === 1 ? 'column' : 'columns';
}
