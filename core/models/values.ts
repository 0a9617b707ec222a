// Turning MODEL property values (header value trees) into plain strings, lists, numbers and booleans.

import type { HeaderValue, Report } from './headerParser';
import { setOwn } from './objects';
import type { Token } from './tokenizer';

export interface ValueContext {
  text: string;
  tokens: Token[];
  report: Report;
}

export function rawText(ctx: ValueContext, value: HeaderValue): string {
  return ctx.text.slice(value.start, value.end);
}

/** A single word or string: 'x', x, "x", 42. Undefined for anything else. */
export function scalarText(value: HeaderValue): string | undefined {
  switch (value.type) {
    case 'string':
      return value.value;
    case 'name':
      return value.parts.length === 1 ? value.parts[0].value : value.parts.map((p) => p.value).join('.');
    case 'number':
      return String(value.value);
    default:
      return undefined;
  }
}

/** Items of a (tuple) or [array]; a single value counts as a list of one. */
export function listItems(value: HeaderValue): HeaderValue[] {
  return value.type === 'tuple' || value.type === 'array' ? value.items : [value];
}

/**
 * A list of column names or expressions: `a`, `(a, b)`, `[a, "B"]`. Names come back unquoted; anything
 * else (an expression such as COALESCE(a, '')) comes back as its SQL text.
 */
export function nameOrExpressionList(ctx: ValueContext, value: HeaderValue): string[] {
  return listItems(value).map((item) => (item.type === 'name' ? scalarText(item)! : rawText(ctx, item)));
}

/** A list of plain words/strings, reporting anything that is not one. */
export function wordList(ctx: ValueContext, value: HeaderValue, what: string): string[] {
  const out: string[] = [];
  for (const item of listItems(value)) {
    const text = scalarText(item);
    if (text === undefined) ctx.report(`${what} must be names or strings, found ${rawText(ctx, item)}`, item.start, item.end);
    else out.push(text);
  }
  return out;
}

export function booleanValue(ctx: ValueContext, value: HeaderValue, what: string): boolean | undefined {
  const text = scalarText(value)?.toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  ctx.report(`${what} must be true or false, found ${rawText(ctx, value)}`, value.start, value.end);
  return undefined;
}

export function integerValue(ctx: ValueContext, value: HeaderValue, what: string, min: number): number | undefined {
  if (value.type === 'number' && Number.isInteger(value.value) && value.value >= min) return value.value;
  const expected = min > 0 ? 'a positive whole number' : 'a whole number, 0 or more';
  ctx.report(`${what} must be ${expected}, found ${rawText(ctx, value)}`, value.start, value.end);
  return undefined;
}

export function stringValue(ctx: ValueContext, value: HeaderValue, what: string, allowNames = true): string | undefined {
  if (value.type === 'string') return value.value;
  if (allowNames && (value.type === 'name' || value.type === 'number')) return scalarText(value);
  ctx.report(`${what} must be ${allowNames ? 'a name or a string' : 'a string'}, found ${rawText(ctx, value)}`, value.start, value.end);
  return undefined;
}

/** A value as plain data: strings, numbers, booleans, null, lists and key = value maps. */
export function plainValue(ctx: ValueContext, value: HeaderValue): unknown {
  switch (value.type) {
    case 'string':
      return value.value;
    case 'number':
      return value.value;
    case 'name': {
      const text = scalarText(value)!;
      if (value.parts.length === 1 && !value.parts[0].quoted) {
        const upper = text.toUpperCase();
        if (upper === 'TRUE') return true;
        if (upper === 'FALSE') return false;
        if (upper === 'NULL' || upper === 'NONE') return null;
      }
      return text;
    }
    case 'tuple':
    case 'array': {
      if (value.items.length > 0 && value.items.every((i) => i.type === 'assign')) return assignmentsToObject(ctx, value.items);
      return value.items.map((i) => plainValue(ctx, i));
    }
    case 'assign':
      return assignmentsToObject(ctx, [value]);
    default:
      return rawText(ctx, value);
  }
}

function assignmentsToObject(ctx: ValueContext, items: HeaderValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    if (item.type !== 'assign') continue;
    const key = scalarText(item.key) ?? rawText(ctx, item.key);
    setOwn(out, key, plainValue(ctx, item.value));
  }
  return out;
}
