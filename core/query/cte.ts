// "Run the CTE under the cursor": finds the common table expression whose body holds an offset and builds a
// query that runs it alone, with the CTEs it may read (those before it in its WITH list and, for a WITH
// nested in a CTE, those before the enclosing CTE). Works on tokens, so strings and comments never count.

import { findClosingParen } from '../models/headerParser';
import { isPunct, tokenize, type Token } from '../models/tokenizer';
import { quoteIdent } from '../warehouse/quote';
import { OffsetMapBuilder, type OffsetMap } from './offsetMap';

interface Cte {
  name: string;
  /** The whole `name AS (...)`. */
  start: number;
  end: number;
  /** Inside the parentheses. */
  bodyStart: number;
  bodyEnd: number;
  recursive: boolean;
}

/** Every CTE of the query, in text order, with the WITH list each belongs to. */
function findCtes(sql: string): Cte[][] {
  const { tokens } = tokenize(sql);
  const lists: Cte[][] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'with')) continue;
    let j = i + 1;
    const recursive = isWord(tokens[j], 'recursive');
    if (recursive) j++;
    const list: Cte[] = [];
    for (;;) {
      const name = tokens[j];
      if (!name || (name.type !== 'ident' && name.type !== 'qident')) break;
      j++;
      if (isPunct(tokens[j], '(')) j = findClosingParen(tokens, j) + 1; // a column list
      if (j <= 0 || !isWord(tokens[j], 'as')) break;
      j++;
      if (isWord(tokens[j], 'not')) j++;
      if (isWord(tokens[j], 'materialized')) j++;
      if (!isPunct(tokens[j], '(')) break;
      const close = findClosingParen(tokens, j);
      if (close < 0) break;
      list.push({ name: name.value, start: name.start, end: tokens[close].end, bodyStart: tokens[j].end, bodyEnd: tokens[close].start, recursive });
      j = close + 1;
      if (!isPunct(tokens[j], ',')) break;
      j++;
    }
    if (list.length > 0) lists.push(list);
  }
  return lists;
}

function isWord(token: Token | undefined, word: string): boolean {
  return token?.type === 'ident' && token.value.toLowerCase() === word;
}

/**
 * A query running the innermost CTE whose body (or name) holds `offset`, mapped to offsets of `sql`;
 * undefined when the offset is in no CTE.
 */
export function cteQueryAt(sql: string, offset: number): { name: string; map: OffsetMap } | undefined {
  const lists = findCtes(sql);
  const holds = (c: Cte) => c.start <= offset && offset <= c.end;
  let target: Cte | undefined;
  for (const list of lists) for (const c of list) if (holds(c) && (!target || c.end - c.start < target.end - target.start)) target = c;
  if (!target) return undefined;
  // The CTEs in scope: in each enclosing list, those before the enclosing CTE; in the target's list, those up to it.
  const inScope: Cte[] = [];
  for (const list of lists) {
    const index = list.findIndex((c) => c.start <= target.start && target.end <= c.end);
    if (index < 0) continue;
    inScope.push(...list.slice(0, list[index] === target ? index + 1 : index));
  }
  inScope.sort((a, b) => a.start - b.start);
  const builder = new OffsetMapBuilder(sql).insert(inScope.some((c) => c.recursive) ? 'WITH RECURSIVE ' : 'WITH ', target.start);
  inScope.forEach((c, i) => {
    if (i > 0) builder.insert(',\n', c.start);
    builder.copy(c.start, c.end);
  });
  builder.insert(`\nSELECT * FROM ${quoteIdent(target.name)}`, target.start);
  return { name: target.name, map: builder.build() };
}
