// Finding nodes by name in the drawn graphs: a table or column whose label is the query comes first, then
// labels starting with it, labels containing it, full names (schema.table.column) containing it, and folded
// boxes with a member that does. Enter steps through them in that order.

export interface Searchable {
  id: string;
  label: string;
  /** A folded box's tables or columns. */
  members?: string[];
}

export function findMatches<T extends Searchable>(items: readonly T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const ranked: { item: T; rank: number; order: number }[] = [];
  items.forEach((item, order) => {
    const rank = rankOf(item, q);
    if (rank !== undefined) ranked.push({ item, rank, order });
  });
  return ranked.sort((a, b) => a.rank - b.rank || a.order - b.order).map((r) => r.item);
}

function rankOf(item: Searchable, q: string): number | undefined {
  const label = item.label.toLowerCase();
  if (label === q) return 0;
  if (label.startsWith(q)) return 1;
  if (label.includes(q)) return 2;
  // Table boxes of column graphs are `table:<schema.table>`: the prefix is not part of the name.
  if (item.id.replace(/^(table|schema):/, '').toLowerCase().includes(q)) return 3;
  if (item.members?.some((m) => m.toLowerCase().includes(q))) return 4;
  return undefined;
}

/** The match after (or before) the current one, going round. */
export function stepMatch(current: number, count: number, backwards = false): number {
  if (count === 0) return -1;
  if (current < 0) return backwards ? count - 1 : 0;
  return (current + (backwards ? count - 1 : 1)) % count;
}
