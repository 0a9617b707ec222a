// A query's tokens as a tree of bracketed groups and CASE ... END expressions, and its clauses (WITH,
// SELECT, FROM, joins, WHERE, ...) at each query level. Enough structure to lay a query out and to list its
// CTEs and output columns, without a full SQL grammar: anything it does not know stays a plain token.

import type { Token } from '../models/tokenizer';
import type { WordRole } from './keywords';

export interface TokenNode {
  kind: 'token';
  index: number;
}

export interface GroupNode {
  kind: 'group';
  /** Token index of the opening bracket and of its closer. */
  open: number;
  close: number;
  items: QueryNode[];
}

export interface CaseNode {
  kind: 'case';
  /** CASE ... END, both included. */
  items: QueryNode[];
}

export type QueryNode = TokenNode | GroupNode | CaseNode;

export class QueryTreeError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** The words of the tokens, where they are keywords (upper-cased), for matching clause structure. */
export interface QueryWords {
  tokens: readonly Token[];
  roles: readonly WordRole[];
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Builds the tree of tokens [first, last]; brackets must balance. */
export function buildQueryTree(words: QueryWords, first: number, last: number): QueryNode[] {
  const { tokens } = words;
  interface Frame { items: QueryNode[]; open?: number; isCase?: boolean }
  const root: Frame = { items: [] };
  const stack: Frame[] = [root];
  for (let i = first; i <= last; i++) {
    const t = tokens[i];
    const top = stack[stack.length - 1];
    if (t.type === 'punct' && CLOSER[t.text]) {
      stack.push({ items: [], open: i });
      continue;
    }
    if (t.type === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}')) {
      // A CASE left open inside the brackets ends with them; its END is missing, which the query parser reports.
      while (stack[stack.length - 1].isCase) closeCase(stack);
      const frame = stack[stack.length - 1];
      if (frame.open === undefined) throw new QueryTreeError(`unmatched "${t.text}"`, t.start);
      const opener = tokens[frame.open].text;
      if (CLOSER[opener] !== t.text) throw new QueryTreeError(`"${opener}" is closed by "${t.text}"`, t.start);
      stack.pop();
      stack[stack.length - 1].items.push({ kind: 'group', open: frame.open, close: i, items: frame.items });
      continue;
    }
    const word = keywordAt(words, i);
    if (word === 'CASE') {
      stack.push({ items: [{ kind: 'token', index: i }], isCase: true });
      continue;
    }
    top.items.push({ kind: 'token', index: i });
    if (word === 'END' && top.isCase) closeCase(stack);
  }
  while (stack[stack.length - 1].isCase) closeCase(stack);
  const unclosed = stack[stack.length - 1];
  if (unclosed.open !== undefined) {
    const t = tokens[unclosed.open];
    throw new QueryTreeError(`"${t.text}" is never closed`, t.start);
  }
  return root.items;
}

function closeCase(stack: { items: QueryNode[]; isCase?: boolean }[]): void {
  const frame = stack.pop()!;
  stack[stack.length - 1].items.push({ kind: 'case', items: frame.items });
}

/** The upper-cased word of token i when it is a keyword there, else ''. */
export function keywordAt(words: QueryWords, i: number): string {
  return words.roles[i] === 'keyword' ? words.tokens[i].value.toUpperCase() : '';
}

/** The keyword a node is, if it is a single keyword token. */
export function nodeKeyword(words: QueryWords, node: QueryNode | undefined): string {
  return node?.kind === 'token' ? keywordAt(words, node.index) : '';
}

export function isPunctNode(words: QueryWords, node: QueryNode | undefined, text: string): boolean {
  if (node?.kind !== 'token') return false;
  const t = words.tokens[node.index];
  return t.type === 'punct' && t.text === text;
}

export function firstTokenOf(node: QueryNode): number {
  if (node.kind === 'token') return node.index;
  if (node.kind === 'group') return node.open;
  return firstTokenOf(node.items[0]);
}

export function lastTokenOf(node: QueryNode): number {
  if (node.kind === 'token') return node.index;
  if (node.kind === 'group') return node.close;
  return lastTokenOf(node.items[node.items.length - 1]);
}

const QUERY_STARTS = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'PIVOT', 'UNPIVOT', 'SUMMARIZE']);

/** A bracketed subquery: (SELECT ...), (WITH ...), ((SELECT ...) UNION (SELECT ...)). */
export function isSubquery(words: QueryWords, group: GroupNode): boolean {
  if (words.tokens[group.open].text !== '(') return false;
  const head = group.items[0];
  if (!head) return false;
  if (head.kind === 'group') return isSubquery(words, head);
  return QUERY_STARTS.has(nodeKeyword(words, head));
}

/** Splits items at top-level separators (the separators are returned with the part they end). */
export function splitAt(items: readonly QueryNode[], isSeparator: (node: QueryNode) => boolean): { items: QueryNode[]; separator?: QueryNode }[] {
  const parts: { items: QueryNode[]; separator?: QueryNode }[] = [];
  let current: QueryNode[] = [];
  for (const node of items) {
    if (isSeparator(node)) {
      parts.push({ items: current, separator: node });
      current = [];
    } else current.push(node);
  }
  if (current.length > 0 || parts.length === 0) parts.push({ items: current });
  return parts;
}

export type ClauseKind = 'with' | 'select' | 'from' | 'join' | 'where' | 'group' | 'having' | 'qualify' | 'window' | 'order' | 'limit' | 'offset' | 'setop' | 'values' | 'other';

export interface Clause {
  kind: ClauseKind;
  /** The clause's leading keywords (LEFT JOIN, GROUP BY, UNION ALL BY NAME). Empty for kind 'other'. */
  head: TokenNode[];
  body: QueryNode[];
}

const SIMPLE_CLAUSES: Record<string, ClauseKind> = {
  SELECT: 'select', WHERE: 'where', HAVING: 'having', QUALIFY: 'qualify', WINDOW: 'window', LIMIT: 'limit', OFFSET: 'offset',
};
const JOIN_WORDS = new Set(['NATURAL', 'ASOF', 'POSITIONAL', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'OUTER', 'CROSS', 'SEMI', 'ANTI', 'JOIN']);

/** The clauses of one query level, in order. Items before the first clause keyword form an 'other' clause. */
export function splitClauses(words: QueryWords, items: readonly QueryNode[]): Clause[] {
  const clauses: Clause[] = [];
  let current: Clause | undefined;
  for (let k = 0; k < items.length; ) {
    const head = clauseHead(words, items, k, current);
    if (head) {
      current = { kind: head.kind, head: items.slice(k, k + head.length) as TokenNode[], body: [] };
      clauses.push(current);
      k += head.length;
      continue;
    }
    if (!current) {
      current = { kind: 'other', head: [], body: [] };
      clauses.push(current);
    }
    current.body.push(items[k]);
    k++;
  }
  return clauses;
}

function clauseHead(words: QueryWords, items: readonly QueryNode[], k: number, current: Clause | undefined): { kind: ClauseKind; length: number } | undefined {
  const word = nodeKeyword(words, items[k]);
  if (!word) return undefined;
  const at = (n: number) => nodeKeyword(words, items[k + n]);
  if (SIMPLE_CLAUSES[word]) return { kind: SIMPLE_CLAUSES[word], length: 1 };
  switch (word) {
    case 'WITH':
      return current ? undefined : { kind: 'with', length: at(1) === 'RECURSIVE' ? 2 : 1 };
    case 'FROM': {
      // IS [NOT] DISTINCT FROM is a comparison.
      const before = nodeKeyword(words, items[k - 1]);
      return before === 'DISTINCT' ? undefined : { kind: 'from', length: 1 };
    }
    case 'GROUP':
    case 'ORDER':
      return at(1) === 'BY' ? { kind: word === 'GROUP' ? 'group' : 'order', length: 2 } : undefined;
    case 'UNION':
    case 'INTERSECT':
    case 'EXCEPT': {
      // SELECT * EXCEPT (a) is a star modifier in some dialects.
      if (isPunctNode(words, items[k - 1], '*')) return undefined;
      let length = 1;
      if (at(length) === 'ALL' || at(length) === 'DISTINCT') length++;
      if (at(length) === 'BY' && at(length + 1) === 'NAME') length += 2;
      return { kind: 'setop', length };
    }
    case 'VALUES':
      return !current || current.kind === 'setop' ? { kind: 'values', length: 1 } : undefined;
    default: {
      if (!JOIN_WORDS.has(word)) return undefined;
      let length = 0;
      while (JOIN_WORDS.has(at(length)) && at(length) !== 'JOIN') length++;
      return at(length) === 'JOIN' ? { kind: 'join', length: length + 1 } : undefined;
    }
  }
}

/** Splits a WHERE/HAVING/QUALIFY condition at its top-level AND/OR, leaving the AND of BETWEEN alone. */
export function splitConditions(words: QueryWords, body: readonly QueryNode[]): QueryNode[][] {
  const parts: QueryNode[][] = [[]];
  let between = false;
  for (const node of body) {
    const word = nodeKeyword(words, node);
    if (word === 'BETWEEN') between = true;
    else if (word === 'AND' && between) between = false;
    else if ((word === 'AND' || word === 'OR') && parts[parts.length - 1].length > 0) {
      parts.push([]);
    }
    parts[parts.length - 1].push(node);
  }
  return parts;
}
