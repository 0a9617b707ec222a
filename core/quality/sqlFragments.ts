// Reading the small pieces of SQL that audit arguments are written in: identifier lists, expression lists,
// booleans. Identifiers are turned into quoted names; expressions are kept as the author wrote them (trusted
// like the model's own SQL) but with comments removed and checked to be one self-contained fragment, so a
// pasted `--` or `;` can never change the SQL around it.

import { quoteIdent } from '../warehouse/quote';
import { isPunct, tokenize, type Token } from '../models/tokenizer';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSE = new Set([')', ']', '}']);

/** The fragment without comments and outer whitespace, if it is balanced, complete and has no `;`. */
export function sqlExpression(text: string): Checked<string> {
  const { tokens, comments, errors } = tokenize(text);
  if (errors.length > 0) return { ok: false, error: errors[0].message };
  if (tokens.length === 0) return { ok: false, error: 'the value is empty' };
  const stack: string[] = [];
  for (const t of tokens) {
    if (t.type !== 'punct') continue;
    if (t.text === ';') return { ok: false, error: 'a value cannot contain ";"' };
    if (OPEN[t.text]) stack.push(OPEN[t.text]);
    else if (CLOSE.has(t.text) && stack.pop() !== t.text) return { ok: false, error: `unbalanced "${t.text}"` };
  }
  if (stack.length > 0) return { ok: false, error: `missing "${stack[stack.length - 1]}"` };
  let out = '';
  let cursor = 0;
  for (const c of comments) {
    out += text.slice(cursor, c.start) + ' ';
    cursor = c.end;
  }
  out += text.slice(cursor);
  return { ok: true, value: out.trim() };
}

/** Items of `(a, b)`, `[a, b]` or a lone `a`, each as SQL text (comments removed). */
export function sqlList(text: string): Checked<string[]> {
  const whole = sqlExpression(text);
  if (!whole.ok) return whole;
  const clean = whole.value;
  const { tokens } = tokenize(clean);
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  const bracketed = (isPunct(first, '(') || isPunct(first, '[')) && closingIndex(tokens, 0) === tokens.length - 1 && last.text === OPEN[first.text];
  if (!bracketed) return { ok: true, value: [clean] };
  const items: string[] = [];
  let depth = 0;
  let itemStart = first.end;
  for (let i = 1; i < tokens.length - 1; i++) {
    const t = tokens[i];
    if (t.type !== 'punct') continue;
    if (OPEN[t.text]) depth++;
    else if (CLOSE.has(t.text)) depth--;
    else if (t.text === ',' && depth === 0) {
      items.push(clean.slice(itemStart, t.start).trim());
      itemStart = t.end;
    }
  }
  const tail = clean.slice(itemStart, last.start).trim();
  if (tail !== '') items.push(tail);
  if (items.some((item) => item === '')) return { ok: false, error: 'the list has an empty item' };
  return { ok: true, value: items };
}

function closingIndex(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== 'punct') continue;
    if (OPEN[t.text]) depth++;
    else if (CLOSE.has(t.text)) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Column names from `a`, `"Odd name"`, `(a, "b")` or `[a, b]`, quoted for SQL. Anything that is not a plain
 * or quoted name (an expression, a macro, a qualified name) is refused, so no text reaches SQL unquoted.
 */
export function identifierList(text: string): Checked<string[]> {
  const list = sqlList(text);
  if (!list.ok) return list;
  const out: string[] = [];
  for (const item of list.value) {
    const name = singleIdentifier(item);
    if (name === undefined) return { ok: false, error: `${item} is not a column name` };
    out.push(quoteIdent(name));
  }
  if (out.length === 0) return { ok: false, error: 'the list is empty' };
  return { ok: true, value: out };
}

/** The name in `a` or `"a b"`, or undefined for anything else. */
export function singleIdentifier(text: string): string | undefined {
  const { tokens, errors } = tokenize(text);
  if (errors.length > 0 || tokens.length !== 1) return undefined;
  const t = tokens[0];
  if (t.type === 'qident') return t.value === '' ? undefined : t.value;
  if (t.type === 'ident' && !t.templated) return t.value;
  return undefined;
}

/** true/false (also 1/0), as SQLMesh reads boolean audit arguments. */
export function booleanLiteral(text: string): boolean | undefined {
  const clean = sqlExpression(text);
  if (!clean.ok) return undefined;
  const value = clean.value.toLowerCase().replace(/^'(.*)'$/, '$1');
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return undefined;
}
