// Names as written in a model's query: where the dotted parts of a name are, how a name must be written
// (quoted when it is not a plain identifier), and which stretches of the rendered query were copied from
// the file as written, so that an edit there changes exactly what the query says.

import type { SourceMap } from '../../core/models';

export interface TextRange {
  start: number;
  end: number;
}

/** The ranges of the dotted parts of a name between start and end (quotes kept, spaces trimmed). */
export function partRanges(text: string, start: number, end: number): TextRange[] {
  const out: TextRange[] = [];
  let partStart = start;
  let quoted = false;
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === '.' && !quoted) {
      out.push({ start: partStart, end: i });
      partStart = i + 1;
    }
  }
  out.push({ start: partStart, end });
  return out.map((p) => trimRange(text, p));
}

function trimRange(text: string, r: TextRange): TextRange {
  let { start, end } = r;
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return { start, end };
}

/** A name part without its double quotes ("a""b" → a"b). */
export function unquote(name: string): string {
  return name.startsWith('"') && name.endsWith('"') && name.length >= 2 ? name.slice(1, -1).replace(/""/g, '"') : name;
}

/** DuckDB's reserved keywords (duckdb_keywords()): as a column or table name they must be quoted. */
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
    'default deferrable desc describe distinct do else end except false fetch for foreign from group having in ' +
    'initially intersect into lambda lateral leading limit not null offset on only or order pivot pivot_longer ' +
    'pivot_wider placing primary qualify references returning select show some summarize symmetric table then to ' +
    'trailing true union unique unpivot using variadic when where window with'
  ).split(' '),
);

/** How a name part must be written in SQL: as is when it is a plain identifier, else double-quoted. */
export function sqlName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toLowerCase()) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** The file range of a rendered range copied from the file as written; undefined when a macro produced it. */
export function copiedFileRange(map: SourceMap, start: number, end: number): TextRange | undefined {
  for (const seg of map.segments) {
    if (seg.kind === 'copy' && seg.outStart <= start && end <= seg.outEnd) {
      return { start: seg.fileStart + start - seg.outStart, end: seg.fileStart + end - seg.outStart };
    }
  }
  return undefined;
}
