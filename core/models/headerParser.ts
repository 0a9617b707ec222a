// Reads the property list of a MODEL (...) block into a small value tree. It knows the shapes SQLMesh
// writes (names, strings, numbers, (tuples), [arrays], calls, key = value / key := value, nested kind
// options) and keeps anything else as raw text, so every property survives even if Sluice ignores it.

import { ALL_KIND_OPTIONS, MODEL_PROPERTIES } from './properties';
import { isPunct, type Token } from './tokenizer';

export interface NamePart {
  value: string;
  quoted: boolean;
}

interface Span {
  /** Source offsets of the value. */
  start: number;
  end: number;
  /** Index of the value's first and last token. */
  first: number;
  last: number;
}

export type HeaderValue = Span &
  (
    | { type: 'name'; parts: NamePart[]; templated: boolean }
    | { type: 'string'; value: string }
    | { type: 'number'; value: number }
    | { type: 'tuple'; items: HeaderValue[] }
    | { type: 'array'; items: HeaderValue[] }
    | { type: 'call'; name: string; args: HeaderValue[] }
    | { type: 'assign'; op: '=' | ':='; key: HeaderValue; value: HeaderValue }
    | { type: 'macro'; name: string }
    | { type: 'raw' }
    | { type: 'kind'; name: string; nameStart: number; nameEnd: number; options?: HeaderProperty[] }
  );

export interface HeaderProperty {
  /** Lower-cased property name. */
  key: string;
  keyStart: number;
  keyEnd: number;
  value?: HeaderValue;
}

export type Report = (message: string, start: number, end: number, severity?: 'error' | 'warning') => void;

function describe(token: Token): string {
  if (token.type === 'string') return 'a string';
  if (token.type === 'number') return `the number ${token.text}`;
  return `"${token.text}"`;
}

/** Index of the ) matching the ( at openIndex, or -1 when it is never closed before `limit`. */
export function findClosingParen(tokens: Token[], openIndex: number, limit = tokens.length): number {
  let depth = 0;
  for (let i = openIndex; i < limit; i++) {
    const t = tokens[i];
    if (t.type !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

const CLOSERS = new Set([')', ']', '}']);
const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

export class HeaderParser {
  pos = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly report: Report,
  ) {}

  /**
   * Parses `key value, key value, ...` from pos up to token index `to` (exclusive; the closing paren).
   * `knownKeys` are the names valid in this scope: a value followed directly by one of them is a missing comma.
   * The key `kind` gets its own grammar at the top level.
   */
  parseProperties(to: number, knownKeys: ReadonlySet<string>, isKindScope: boolean): HeaderProperty[] {
    const props: HeaderProperty[] = [];
    while (this.pos < to) {
      const t = this.tokens[this.pos];
      if (isPunct(t, ',')) {
        this.report('expected a property name before ","', t.start, t.end);
        this.pos++;
        continue;
      }
      if (t.type !== 'ident' || t.templated) {
        const what = t.type === 'macro' ? `macro @${t.value}` : describe(t);
        this.report(
          t.type === 'macro'
            ? `${what} cannot be used as a property name (macros that generate properties are not supported)`
            : `expected a property name, found ${what}`,
          t.start,
          t.end,
        );
        this.skipToComma(to);
        if (this.pos < to) this.pos++;
        continue;
      }
      const key = t.value.toLowerCase();
      this.pos++;
      const prop: HeaderProperty = { key, keyStart: t.start, keyEnd: t.end };
      if (this.atDelimiter(to)) {
        this.report(`property '${key}' has no value`, t.start, t.end);
      } else if (!isKindScope && key === 'kind') {
        prop.value = this.parseKind(to);
      } else {
        prop.value = this.parseValue(to, knownKeys, key);
      }
      props.push(prop);
      if (this.pos >= to) break;
      const next = this.tokens[this.pos];
      if (isPunct(next, ',')) {
        this.pos++;
        continue;
      }
      // parseValue stops early only in front of a known property name: the comma before it is missing.
      this.report(`missing "," before '${next.text}'`, next.start, next.end);
    }
    return props;
  }

  private atDelimiter(to: number): boolean {
    return this.pos >= to || isPunct(this.tokens[this.pos], ',');
  }

  private skipToComma(to: number): void {
    let depth = 0;
    while (this.pos < to) {
      const t = this.tokens[this.pos];
      if (t.type === 'punct') {
        if (OPENERS[t.text]) depth++;
        else if (CLOSERS.has(t.text)) depth--;
        else if (t.text === ',' && depth <= 0) return;
      }
      this.pos++;
    }
  }

  private parseKind(to: number): HeaderValue | undefined {
    const first = this.pos;
    const t = this.tokens[this.pos];
    if (t.type !== 'ident' || t.templated) {
      this.report(
        t.type === 'macro' ? `macro @${t.value} cannot be used as a model kind` : `expected a model kind name, found ${describe(t)}`,
        t.start,
        t.end,
      );
      const value = this.parseValue(to, new Set(), 'kind');
      return value;
    }
    this.pos++;
    const node: HeaderValue = { type: 'kind', name: t.value, nameStart: t.start, nameEnd: t.end, start: t.start, end: t.end, first, last: first };
    if (isPunct(this.tokens[this.pos], '(') && this.pos < to) {
      const open = this.pos;
      let close = findClosingParen(this.tokens, open, to);
      if (close < 0) {
        this.report(`"(" after kind ${t.value} is never closed`, this.tokens[open].start, this.tokens[open].end);
        close = to;
      }
      this.pos = open + 1;
      node.options = this.parseProperties(close, ALL_KIND_OPTIONS, true);
      this.pos = close < to ? close + 1 : to;
      const lastToken = this.tokens[Math.min(close, to - 1)];
      node.end = lastToken.end;
      node.last = Math.min(close, to - 1);
    }
    if (!this.atDelimiter(to) && !this.isKnownKey(this.tokens[this.pos], MODEL_PROPERTIES)) {
      const extra = this.tokens[this.pos];
      this.report(`unexpected ${describe(extra)} after kind ${t.value}`, extra.start, extra.end);
      this.skipToComma(to);
    }
    return node;
  }

  private isKnownKey(token: Token | undefined, keys: ReadonlySet<string>): boolean {
    return token !== undefined && token.type === 'ident' && keys.has(token.value.toLowerCase());
  }

  /** A property's value: one element, or raw text up to the next comma at this level. */
  private parseValue(to: number, knownKeys: ReadonlySet<string>, key: string): HeaderValue {
    const first = this.pos;
    const element = this.parseElement(to, false);
    if (this.atDelimiter(to) || this.isKnownKey(this.tokens[this.pos], knownKeys)) return element;
    // when_matched may be written without parentheses, and its SET list contains commas.
    const continuePastComma = key === 'when_matched'
      ? (i: number) => !this.isKnownKey(this.tokens[i + 1], knownKeys)
      : undefined;
    this.consumeRaw(to, continuePastComma);
    return this.rawSpan(first);
  }

  private rawSpan(first: number): HeaderValue {
    const last = Math.max(first, this.pos - 1);
    return { type: 'raw', start: this.tokens[first].start, end: this.tokens[last].end, first, last };
  }

  /** Consumes tokens up to a comma or closing bracket at depth 0 (neither included). */
  private consumeRaw(to: number, continuePastComma?: (commaIndex: number) => boolean): void {
    let depth = 0;
    while (this.pos < to) {
      const t = this.tokens[this.pos];
      if (t.type === 'punct') {
        if (OPENERS[t.text]) depth++;
        else if (CLOSERS.has(t.text)) {
          if (depth === 0) return;
          depth--;
        } else if (t.text === ',' && depth === 0 && !(continuePastComma && continuePastComma(this.pos))) return;
      }
      this.pos++;
    }
  }

  private parseElement(to: number, allowAssign: boolean): HeaderValue {
    const first = this.pos;
    const t = this.tokens[this.pos];
    let node: HeaderValue;
    if (isPunct(t, '(') || isPunct(t, '[')) {
      const items = this.parseSequence(to);
      node = { type: t.text === '(' ? 'tuple' : 'array', items, start: t.start, end: this.tokens[this.pos - 1].end, first, last: this.pos - 1 };
    } else if (t.type === 'string') {
      this.pos++;
      node = { type: 'string', value: t.value, start: t.start, end: t.end, first, last: first };
    } else if (t.type === 'number' || (isPunct(t, '-') && this.tokens[this.pos + 1]?.type === 'number' && this.pos + 1 < to)) {
      const numberToken = t.type === 'number' ? t : this.tokens[this.pos + 1];
      this.pos += t.type === 'number' ? 1 : 2;
      const value = Number(numberToken.text) * (t.type === 'number' ? 1 : -1);
      node = { type: 'number', value, start: t.start, end: numberToken.end, first, last: this.pos - 1 };
    } else if (t.type === 'ident' || t.type === 'qident') {
      node = this.parseNameOrCall(to);
    } else if (t.type === 'macro') {
      this.pos++;
      node = { type: 'macro', name: t.value, start: t.start, end: t.end, first, last: first };
      if (isPunct(this.tokens[this.pos], '(') && this.pos < to) {
        const args = this.parseSequence(to);
        node = { type: 'call', name: '@' + t.value, args, start: t.start, end: this.tokens[this.pos - 1].end, first, last: this.pos - 1 };
      }
    } else {
      this.pos++;
      node = { type: 'raw', start: t.start, end: t.end, first, last: first };
    }
    const op = this.tokens[this.pos];
    if (allowAssign && this.pos < to && (isPunct(op, '=') || isPunct(op, ':='))) {
      this.pos++;
      if (this.pos >= to || isPunct(this.tokens[this.pos], ',') || CLOSERS.has(this.tokens[this.pos].text)) {
        this.report(`expected a value after "${op.text}"`, op.start, op.end);
        return node;
      }
      const value = this.parseItem(to);
      node = { type: 'assign', op: op.text as '=' | ':=', key: node, value, start: node.start, end: value.end, first, last: value.last };
    }
    return node;
  }

  private parseNameOrCall(to: number): HeaderValue {
    const first = this.pos;
    const parts: NamePart[] = [];
    let templated = false;
    for (;;) {
      const t = this.tokens[this.pos];
      parts.push({ value: t.value, quoted: t.type === 'qident' });
      templated ||= Boolean(t.templated);
      this.pos++;
      const dot = this.tokens[this.pos];
      const after = this.tokens[this.pos + 1];
      if (this.pos + 1 < to && isPunct(dot, '.') && dot.start === this.tokens[this.pos - 1].end && after && (after.type === 'ident' || after.type === 'qident') && after.start === dot.end) {
        this.pos++;
        continue;
      }
      break;
    }
    if (parts.length === 1 && !parts[0].quoted && this.pos < to && isPunct(this.tokens[this.pos], '(')) {
      const args = this.parseSequence(to);
      return { type: 'call', name: parts[0].value, args, start: this.tokens[first].start, end: this.tokens[this.pos - 1].end, first, last: this.pos - 1 };
    }
    return { type: 'name', parts, templated, start: this.tokens[first].start, end: this.tokens[this.pos - 1].end, first, last: this.pos - 1 };
  }

  /** ( items ) or [ items ], pos at the opening bracket; trailing commas are allowed. */
  private parseSequence(to: number): HeaderValue[] {
    const open = this.tokens[this.pos];
    const close = OPENERS[open.text];
    this.pos++;
    const items: HeaderValue[] = [];
    let expectItem = true;
    for (;;) {
      if (this.pos >= to) {
        this.report(`"${open.text}" is never closed`, open.start, open.end);
        return items;
      }
      const t = this.tokens[this.pos];
      if (isPunct(t, close)) {
        this.pos++;
        return items;
      }
      if (isPunct(t, ',')) {
        if (expectItem) this.report('unexpected ","', t.start, t.end);
        this.pos++;
        expectItem = true;
        continue;
      }
      if (t.type === 'punct' && CLOSERS.has(t.text)) {
        this.report(`expected "${close}" to close "${open.text}", found "${t.text}"`, t.start, t.end);
        this.pos++;
        return items;
      }
      if (!expectItem) {
        this.report(`expected "," or "${close}", found ${describe(t)}`, t.start, t.end);
      }
      items.push(this.parseItem(to));
      expectItem = false;
    }
  }

  /** One item inside brackets: an element (possibly key = value), or raw text up to , or the closer. */
  private parseItem(to: number): HeaderValue {
    const first = this.pos;
    const element = this.parseElement(to, true);
    const next = this.tokens[this.pos];
    if (this.pos >= to || isPunct(next, ',') || (next.type === 'punct' && CLOSERS.has(next.text))) return element;
    this.consumeRaw(to);
    return this.rawSpan(first);
  }
}
