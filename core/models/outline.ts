// The outline of a model file, read from its text alone (no analysis, so it works while the file is being
// typed and in untrusted workspaces): the MODEL block with its properties (kind options under kind), @DEF
// variables, the query's CTEs with their columns, and the query's output columns.

import {
  buildQueryTree, isPunctNode, lastTokenOf, firstTokenOf, nodeKeyword, splitAt, splitClauses,
  type QueryNode, type QueryWords,
} from '../format/queryTree';
import { wordRoles } from '../format/keywords';
import { findClosingParen, HeaderParser, type HeaderProperty, type HeaderValue } from './headerParser';
import { parseModelFile } from './parse';
import { MODEL_PROPERTIES } from './properties';
import { isKeyword, isPunct, tokenize, type Token } from './tokenizer';

export type OutlineKind = 'model' | 'property' | 'variable' | 'cte' | 'query' | 'column';

export interface OutlineSymbol {
  name: string;
  detail?: string;
  kind: OutlineKind;
  /** Offsets of the whole symbol, and of the part to select (its name). */
  start: number;
  end: number;
  selectionStart: number;
  selectionEnd: number;
  children: OutlineSymbol[];
}

const DETAIL_LENGTH = 60;

export function modelOutline(text: string): OutlineSymbol[] {
  const { tokens } = tokenize(text);
  const symbols: OutlineSymbol[] = [];
  const header = headerSymbol(text, tokens);
  if (header) symbols.push(header);
  const named = isKeyword(tokens[0], 'MODEL');
  const parsed = parseModelFile(text, 'model.sql', named ? {} : { inferredName: ['schema', 'model'] });
  for (const [name, at] of Object.entries(parsed.defLocations)) {
    symbols.push(leaf(name, 'variable', at.start.offset, at.end.offset, oneLine(text.slice(at.start.offset, at.end.offset))));
  }
  if (parsed.query !== '') {
    const start = parsed.queryStart.offset;
    const first = tokens.findIndex((t) => t.start === start);
    const last = tokens.findIndex((t) => t.end === start + parsed.query.length);
    if (first >= 0 && last >= first) symbols.push(...querySymbols(text, tokens, first, last));
  }
  return symbols;
}

function headerSymbol(text: string, tokens: Token[]): OutlineSymbol | undefined {
  if (!isKeyword(tokens[0], 'MODEL') || !isPunct(tokens[1], '(')) return undefined;
  let close = findClosingParen(tokens, 1);
  if (close < 0) {
    const semicolon = tokens.findIndex((t) => isPunct(t, ';'));
    close = semicolon < 0 ? tokens.length - 1 : semicolon - 1;
  }
  const parser = new HeaderParser(tokens, () => undefined);
  parser.pos = 2;
  const properties = parser.parseProperties(isPunct(tokens[close], ')') ? close : close + 1, MODEL_PROPERTIES, false);
  const name = properties.find((p) => p.key === 'name')?.value;
  const kind = properties.find((p) => p.key === 'kind')?.value;
  const model: OutlineSymbol = {
    name: name ? text.slice(name.start, name.end) : 'MODEL',
    kind: 'model',
    start: tokens[0].start,
    end: isPunct(tokens[close + 1], ';') ? tokens[close + 1].end : tokens[close].end,
    selectionStart: name ? name.start : tokens[0].start,
    selectionEnd: name ? name.end : tokens[0].end,
    children: properties.map((p) => propertySymbol(text, p)),
  };
  if (kind?.type === 'kind') model.detail = kind.name.toUpperCase();
  return model;
}

function propertySymbol(text: string, prop: HeaderProperty): OutlineSymbol {
  const value = prop.value;
  const symbol = leaf(prop.key, 'property', prop.keyStart, value ? value.end : prop.keyEnd, value ? valueDetail(text, value) : undefined);
  symbol.selectionEnd = prop.keyEnd;
  if (value?.type === 'kind' && value.options) symbol.children = value.options.map((o) => propertySymbol(text, o));
  return symbol;
}

function valueDetail(text: string, value: HeaderValue): string {
  if (value.type === 'kind') return value.name.toUpperCase();
  return oneLine(text.slice(value.start, value.end));
}

/** The CTEs (with their columns) and the query with its output columns. */
function querySymbols(text: string, tokens: Token[], first: number, last: number): OutlineSymbol[] {
  const words: QueryWords = { tokens, roles: wordRoles(tokens) };
  let tree: QueryNode[];
  try {
    tree = buildQueryTree(words, first, last);
  } catch {
    return [];
  }
  const out: OutlineSymbol[] = [];
  for (const clause of splitClauses(words, tree)) {
    if (clause.kind !== 'with') continue;
    for (const part of splitAt(clause.body, (n) => isPunctNode(words, n, ','))) {
      const nameNode = part.items[0];
      const body = [...part.items].reverse().find((n) => n.kind === 'group');
      if (nameNode?.kind !== 'token' || !body || body.kind !== 'group') continue;
      const nameToken = tokens[nameNode.index];
      if (nameToken.type !== 'ident' && nameToken.type !== 'qident') continue;
      const cte = leaf(nameToken.value, 'cte', nameToken.start, tokens[body.close].end);
      cte.selectionEnd = nameToken.end;
      cte.children = columnSymbols(text, words, body.items);
      cte.detail = columnCount(cte.children.length);
      out.push(cte);
    }
  }
  const columns = columnSymbols(text, words, tree);
  const query = leaf('SELECT', 'query', tokens[first].start, tokens[last].end, columnCount(columns.length));
  const select = tree.find((n) => nodeKeyword(words, n) === 'SELECT');
  const selectToken = tokens[select ? firstTokenOf(select) : first];
  query.selectionStart = selectToken.start;
  query.selectionEnd = selectToken.end;
  query.children = columns;
  out.push(query);
  return out;
}

function columnCount(n: number): string {
  return `${n} column${n === 1 ? '' : 's'}`;
}

/** Output columns of a query level: the items of its first SELECT (later ones of a UNION take its names). */
function columnSymbols(text: string, words: QueryWords, items: readonly QueryNode[]): OutlineSymbol[] {
  const clauses = splitClauses(words, items);
  const select = clauses.find((c) => c.kind === 'select');
  if (!select) {
    // (SELECT ...) UNION (SELECT ...): the first bracketed query names the columns.
    const head = clauses[0]?.body[0];
    return head?.kind === 'group' ? columnSymbols(text, words, head.items) : [];
  }
  let body = select.body;
  const modifier = nodeKeyword(words, body[0]);
  if (modifier === 'DISTINCT' || modifier === 'ALL') {
    body = body.slice(modifier === 'DISTINCT' && nodeKeyword(words, body[1]) === 'ON' ? 3 : 1);
  }
  const out: OutlineSymbol[] = [];
  for (const part of splitAt(body, (n) => isPunctNode(words, n, ','))) {
    if (part.items.length === 0) continue;
    const start = words.tokens[firstTokenOf(part.items[0])].start;
    const end = words.tokens[lastTokenOf(part.items[part.items.length - 1])].end;
    const alias = outputName(words, part.items);
    const symbol = leaf(alias ? alias.name : oneLine(text.slice(start, end)), 'column', start, end);
    if (alias) {
      symbol.selectionStart = alias.token.start;
      symbol.selectionEnd = alias.token.end;
      // What the column is computed from: the expression before AS, or the whole reference (t.x).
      const expression = alias.explicit ? text.slice(start, alias.token.start).replace(/\s+AS\s*$/i, '') : text.slice(start, end);
      if (alias.token.start !== start) symbol.detail = oneLine(expression);
    }
    out.push(symbol);
  }
  return out;
}

/** The name a select item gives its column: its alias (AS x, or a bare trailing name), or the column it reads. */
function outputName(words: QueryWords, items: readonly QueryNode[]): { name: string; token: Token; explicit: boolean } | undefined {
  const lastNode = items[items.length - 1];
  if (lastNode.kind !== 'token') return undefined;
  const token = words.tokens[lastNode.index];
  if ((token.type !== 'ident' && token.type !== 'qident') || words.roles[lastNode.index] || token.templated) return undefined;
  const before = items[items.length - 2];
  // x, t.x, expr AS x, expr x: anything but an operator or a keyword before the name.
  const ok = !before || nodeKeyword(words, before) === 'AS' || isPunctNode(words, before, '.') || before.kind !== 'token' || !nodeKeyword(words, before) && words.tokens[before.index].type !== 'punct';
  return ok ? { name: token.value, token, explicit: before !== undefined && !isPunctNode(words, before, '.') } : undefined;
}

function leaf(name: string, kind: OutlineKind, start: number, end: number, detail?: string): OutlineSymbol {
  const symbol: OutlineSymbol = { name, kind, start, end, selectionStart: start, selectionEnd: end, children: [] };
  if (detail !== undefined) symbol.detail = detail;
  return symbol;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > DETAIL_LENGTH ? `${flat.slice(0, DETAIL_LENGTH - 1)}…` : flat;
}
