// "Did you mean ...?": known names within a few edits of a name that is not known. Used for unknown
// tables and columns, in messages and in the editor's quick fixes.

/** Levenshtein distance, giving up (returning limit) once it is certain to reach limit. */
export function editDistance(a: string, b: string, limit: number): number {
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

/**
 * Known names close to `name` (case-insensitively), closest first and then by name, at most `count`. Close
 * means one edit for names up to 5 characters, two for longer ones (so `id` does not suggest `nm`).
 */
export function closeNames(name: string, known: Iterable<string>, count = 3): string[] {
  const wanted = name.toLowerCase();
  const limit = (wanted.length <= 5 ? 1 : 2) + 1;
  const found: { name: string; distance: number }[] = [];
  const seen = new Set<string>();
  for (const candidate of known) {
    const lower = candidate.toLowerCase();
    if (lower === wanted || seen.has(lower) || Math.abs(lower.length - wanted.length) >= limit) continue;
    seen.add(lower);
    const distance = editDistance(wanted, lower, limit);
    if (distance < limit) found.push({ name: candidate, distance });
  }
  found.sort((a, b) => a.distance - b.distance || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return found.slice(0, count).map((f) => f.name);
}
