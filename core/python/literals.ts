// Reads the literal parts of a Python file without running it: top-level `NAME = value` assignments and
// decorators (`@model(...)`, `@macro()`) with the function they decorate. Values are expressions built
// from literals (strings, numbers, True/False/None, lists, tuples, dicts, sets), names, attribute names and
// calls; anything else (arithmetic, f-strings with fields, comprehensions, ...) is kept as "not a literal"
// with its position, so callers can say exactly what they could not read.

export type PyExpr = { start: number; end: number } & (
  | { type: 'str'; value: string }
  | { type: 'num'; value: number }
  | { type: 'const'; value: boolean | null }
  | { type: 'list' | 'tuple' | 'set'; items: PyExpr[] }
  | { type: 'dict'; entries: DictEntry[] }
  | { type: 'call'; callee: PyExpr; args: PyExpr[]; kwargs: PyKeyword[]; spreads: PyExpr[] }
  /** A name or dotted name: defaults, ModelKindName.FULL. */
  | { type: 'name'; path: string[] }
  | { type: 'other'; why: string }
);

export type DictEntry = { key: PyExpr; value: PyExpr } | { spread: PyExpr };

export interface PyKeyword {
  name: string;
  value: PyExpr;
  start: number;
}

export interface PyDecorator {
  /** The decorator expression after @ (a call or a name). */
  expr: PyExpr;
  /** Offset of the @. */
  start: number;
  /** The function or class it decorates, when one follows. */
  target?: string;
}

export interface PyModule {
  /** Top-level assignments; a name assigned twice keeps its last value, as Python would. */
  assignments: Map<string, PyExpr>;
  decorators: PyDecorator[];
}

type TokenBody =
  | { kind: 'name' | 'op'; text: string }
  /** fields: an f-string with {…} fields, whose value only Python knows. */
  | { kind: 'str'; value: string; fields: boolean }
  | { kind: 'num'; value: number }
  | { kind: 'newline' | 'eof' };

type Token = TokenBody & { start: number; end: number; lineStart: boolean; column: number };
type WordToken = Token & { kind: 'name' | 'op'; text: string };
type StringToken = Token & { kind: 'str'; value: string; fields: boolean };
type NumberToken = Token & { kind: 'num'; value: number };

const OPERATORS = ['**=', '//=', '>>=', '<<=', '...', '**', '//', '==', '!=', '<=', '>=', '->', ':=', '<<', '>>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@='];
const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const NUMBER = /(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d[\d_]*)?\.?)[jJ]?/y;

/** Splits Python source into tokens; NEWLINE tokens end logical lines (not inside brackets). Never throws. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let depth = 0;
  let lineStart = true;
  let lineOffset = 0;
  const push = (token: TokenBody & { start: number; end: number }): void => {
    tokens.push({ ...token, lineStart, column: token.start - lineOffset });
    lineStart = false;
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n' || ch === '\r') {
      if (depth === 0 && !lineStart) push({ kind: 'newline', start: i, end: i + 1 });
      if (depth === 0) lineStart = true;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      lineOffset = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\f') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    if (ch === '\\' && (text[i + 1] === '\n' || text[i + 1] === '\r')) {
      i += text[i + 1] === '\r' && text[i + 2] === '\n' ? 3 : 2;
      lineOffset = i;
      continue;
    }
    const prefix = /^([rRbBuUfF]{0,2})(['"])/.exec(text.slice(i, i + 3));
    if (prefix && (prefix[1] === '' || /^[A-Za-z]/.test(ch))) {
      const start = i;
      const flags = prefix[1].toLowerCase();
      i += prefix[1].length;
      const quote = text.startsWith(prefix[2].repeat(3), i) ? prefix[2].repeat(3) : prefix[2];
      i += quote.length;
      let value = '';
      let closed = false;
      while (i < text.length) {
        if (text.startsWith(quote, i)) {
          i += quote.length;
          closed = true;
          break;
        }
        const c = text[i];
        if (quote.length === 1 && (c === '\n' || c === '\r')) break;
        if (c === '\\' && i + 1 < text.length) {
          if (flags.includes('r')) {
            value += c + text[i + 1];
            i += 2;
          } else {
            const [decoded, length] = unescape(text, i);
            value += decoded;
            i += length;
          }
          continue;
        }
        value += c;
        i++;
      }
      if (!closed) {
        push({ kind: 'op', text: 'unterminated string', start, end: i });
        continue;
      }
      const fields = flags.includes('f') && /\{(?!\{)/.test(value.replace(/\{\{/g, ''));
      push({ kind: 'str', value: flags.includes('f') ? value.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : value, start, end: i, fields });
      continue;
    }
    if (/[\p{L}_]/u.test(ch)) {
      const start = i;
      while (i < text.length && /[\p{L}\p{N}_]/u.test(text[i])) i++;
      push({ kind: 'name', text: text.slice(start, i), start, end: i });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const raw = NUMBER.exec(text)![0];
      const clean = raw.replace(/_/g, '');
      const value = /^0[oO]/.test(clean) ? parseInt(clean.slice(2), 8) : /^0[bB]/.test(clean) ? parseInt(clean.slice(2), 2) : Number(clean);
      push({ kind: 'num', value: /[jJ]$/.test(raw) ? NaN : value, start: i, end: i + raw.length });
      i += raw.length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i)) ?? ch;
    if (op in CLOSERS) depth++;
    else if (op === ')' || op === ']' || op === '}') depth = Math.max(0, depth - 1);
    push({ kind: 'op', text: op, start: i, end: i + op.length });
    i += op.length;
  }
  if (!lineStart) push({ kind: 'newline', start: text.length, end: text.length });
  tokens.push({ kind: 'eof', start: text.length, end: text.length, lineStart: true, column: 0 });
  return tokens;
}

/** One backslash escape of a non-raw string: the text it stands for and how many characters it takes. */
function unescape(text: string, at: number): [string, number] {
  const next = text[at + 1];
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
  if (next === '\n') return ['', 2];
  if (next === '\r') return ['', text[at + 2] === '\n' ? 3 : 2];
  const hex = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
  if (hex > 0) {
    const digits = text.slice(at + 2, at + 2 + hex);
    if (new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) return [String.fromCodePoint(parseInt(digits, 16)), 2 + hex];
  }
  if (next in simple) return [simple[next], 2];
  return ['\\' + next, 2];
}

class Parser {
  pos = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'op' && t.text === text;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  /** An expression up to the next `,`, closing bracket, `:`, `=` or end of line at this nesting level. */
  expression(): PyExpr {
    const first = this.peek();
    const primary = this.primary();
    if (this.atExpressionEnd()) return primary;
    // More follows (an operator, `if`, `for`, ...): not a literal; skip to where the expression ends.
    while (!this.atExpressionEnd()) this.skipOne();
    const last = this.tokens[this.pos - 1];
    return { type: 'other', why: 'an expression that is not a plain value', start: first.start, end: last.end };
  }

  private atExpressionEnd(): boolean {
    const t = this.peek();
    if (t.kind === 'newline' || t.kind === 'eof') return true;
    return t.kind === 'op' && [',', ')', ']', '}', ':', '='].includes(t.text);
  }

  /** Skips one token, or a whole bracketed group. */
  private skipOne(): void {
    const t = this.next();
    if (t.kind !== 'op' || !(t.text in CLOSERS)) return;
    const closer = CLOSERS[t.text];
    while (this.peek().kind !== 'eof' && !this.isOp(closer)) this.skipOne();
    this.next();
  }

  private primary(): PyExpr {
    let expr = this.atom();
    for (;;) {
      if (this.isOp('.') && this.peek(1).kind === 'name') {
        this.next();
        const name = this.next() as WordToken;
        expr = expr.type === 'name' ? { type: 'name', path: [...expr.path, name.text], start: expr.start, end: name.end } : { type: 'other', why: 'an attribute of a value', start: expr.start, end: name.end };
      } else if (this.isOp('(')) {
        expr = this.call(expr);
      } else if (this.isOp('[')) {
        const open = this.next();
        while (this.peek().kind !== 'eof' && !this.isOp(']')) this.skipOne();
        const close = this.next();
        expr = { type: 'other', why: 'an index or slice', start: expr.start, end: close.end ?? open.end };
      } else {
        return expr;
      }
    }
  }

  private atom(): PyExpr {
    const t = this.peek();
    if (t.kind === 'str') {
      this.next();
      let value = t.value;
      let end = t.end;
      let fields = t.fields;
      // Adjacent string literals are one string.
      while (this.peek().kind === 'str') {
        const more = this.next() as StringToken;
        value += more.value;
        end = more.end;
        fields ||= more.fields;
      }
      if (fields) return { type: 'other', why: 'an f-string with fields', start: t.start, end };
      return { type: 'str', value, start: t.start, end };
    }
    if (t.kind === 'num') {
      this.next();
      return Number.isFinite(t.value) ? { type: 'num', value: t.value, start: t.start, end: t.end } : { type: 'other', why: 'a complex number', start: t.start, end: t.end };
    }
    if (t.kind === 'op' && t.text === '-' && this.peek(1).kind === 'num') {
      this.next();
      const n = this.next() as NumberToken;
      return { type: 'num', value: -n.value, start: t.start, end: n.end };
    }
    if (t.kind === 'name') {
      this.next();
      if (t.text === 'True' || t.text === 'False') return { type: 'const', value: t.text === 'True', start: t.start, end: t.end };
      if (t.text === 'None') return { type: 'const', value: null, start: t.start, end: t.end };
      if (t.text === 'lambda' || t.text === 'not' || t.text === 'await' || t.text === 'yield') {
        while (!this.atExpressionEnd()) this.skipOne();
        return { type: 'other', why: `a ${t.text} expression`, start: t.start, end: this.tokens[this.pos - 1].end };
      }
      return { type: 'name', path: [t.text], start: t.start, end: t.end };
    }
    if (t.kind === 'op' && t.text in CLOSERS) return this.display();
    this.next();
    return { type: 'other', why: t.kind === 'op' ? `"${t.text}"` : 'nothing', start: t.start, end: t.end };
  }

  /** (...), [...] or {...}: tuple or parenthesised value, list, dict or set. */
  private display(): PyExpr {
    const open = this.next() as WordToken;
    const closer = CLOSERS[open.text];
    const items: PyExpr[] = [];
    const entries: DictEntry[] = [];
    let isDict = open.text === '{' && this.isOp('}');
    let trailingComma = false;
    let other: string | undefined;
    while (!this.isOp(closer) && this.peek().kind !== 'eof') {
      if (open.text === '{' && this.isOp('**')) {
        this.next();
        entries.push({ spread: this.expression() });
        isDict = true;
      } else if (this.isOp('*')) {
        other ??= 'an unpacked value';
        this.next();
        this.expression();
      } else {
        const item = this.expression();
        if (open.text === '{' && this.isOp(':')) {
          this.next();
          entries.push({ key: item, value: this.expression() });
          isDict = true;
        } else items.push(item);
      }
      if (this.peek().kind === 'name' && (this.peek() as { text: string }).text === 'for') other ??= 'a comprehension';
      trailingComma = this.isOp(',');
      if (trailingComma) this.next();
      else if (!this.isOp(closer)) {
        other ??= 'an expression that is not a plain value';
        this.skipOne();
      }
    }
    const close = this.next();
    const span = { start: open.start, end: close.end };
    if (other) return { type: 'other', why: other, ...span };
    if (isDict) return { type: 'dict', entries, ...span };
    if (open.text === '[') return { type: 'list', items, ...span };
    if (open.text === '{') return { type: 'set', items, ...span };
    if (items.length === 1 && !trailingComma) return { ...items[0], ...span };
    return { type: 'tuple', items, ...span };
  }

  private call(callee: PyExpr): PyExpr {
    this.next(); // (
    const args: PyExpr[] = [];
    const kwargs: PyKeyword[] = [];
    const spreads: PyExpr[] = [];
    while (!this.isOp(')') && this.peek().kind !== 'eof') {
      if (this.isOp('**') || this.isOp('*')) {
        this.next();
        spreads.push(this.expression());
      } else if (this.peek().kind === 'name' && this.isOp('=', 1)) {
        const name = this.next() as WordToken;
        this.next();
        kwargs.push({ name: name.text, value: this.expression(), start: name.start });
      } else {
        args.push(this.expression());
      }
      if (this.isOp(',')) this.next();
      else if (!this.isOp(')')) this.skipOne();
    }
    const close = this.next();
    return { type: 'call', callee, args, kwargs, spreads, start: callee.start, end: close.end };
  }

  /** Skips to the start of the next logical line. */
  skipLine(): void {
    while (this.peek().kind !== 'newline' && this.peek().kind !== 'eof') this.skipOne();
    this.next();
  }
}

/** Reads the top-level assignments and the decorators of a Python file. */
export function readPythonModule(text: string): PyModule {
  const parser = new Parser(tokenize(text));
  const assignments = new Map<string, PyExpr>();
  const decorators: PyDecorator[] = [];
  let pending: PyDecorator[] = [];
  while (parser.peek().kind !== 'eof') {
    const t = parser.peek();
    if (t.kind === 'op' && t.text === '@') {
      parser.next();
      pending.push({ expr: parser.expression(), start: t.start });
      parser.skipLine();
      continue;
    }
    if (t.kind === 'name' && (t.text === 'def' || t.text === 'class' || (t.text === 'async' && parser.peek(1).kind === 'name'))) {
      const nameToken = parser.peek(t.text === 'async' ? 2 : 1);
      const target = nameToken.kind === 'name' ? nameToken.text : undefined;
      for (const d of pending) decorators.push(target === undefined ? d : { ...d, target });
      pending = [];
      parser.skipLine();
      continue;
    }
    decorators.push(...pending);
    pending = [];
    if (t.kind === 'name' && t.column === 0 && parser.isOp('=', 1)) {
      parser.next();
      parser.next();
      const value = parser.expression();
      // `a = b = value` and other forms are left alone.
      if (parser.peek().kind === 'newline' || parser.peek().kind === 'eof') assignments.set(t.text, value);
    }
    parser.skipLine();
  }
  decorators.push(...pending);
  return { assignments, decorators };
}

/** The last part of a dotted name or called name: `model` for @model(...), @sqlmesh.model(...) or @model. */
export function calleeName(expr: PyExpr): string | undefined {
  const target = expr.type === 'call' ? expr.callee : expr;
  return target.type === 'name' ? target.path[target.path.length - 1] : undefined;
}

/** A value that could not be read without running Python: where it is and why. */
export class NotLiteral extends Error {
  constructor(readonly at: { start: number; end: number }, readonly why: string) {
    super(why);
    this.name = 'NotLiteral';
  }
}

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

export interface EvaluateOptions {
  /** A name's value (module assignments, ModelKindName.FULL, ...); undefined: not readable. */
  name?: (path: string[], expr: PyExpr) => PyValue | undefined;
  /** How a call of callee (dict, ModelDefaultsConfig, ...) makes its value from its keyword arguments; undefined: only Python knows. */
  call?: (callee: string) => ((kwargs: Record<string, PyValue>) => PyValue) | undefined;
}

/** The value of a literal expression; throws NotLiteral at the first part that is not one. */
export function evaluate(expr: PyExpr, options: EvaluateOptions = {}): PyValue {
  switch (expr.type) {
    case 'str':
    case 'num':
    case 'const':
      return expr.value;
    case 'list':
    case 'tuple':
    case 'set':
      return expr.items.map((item) => evaluate(item, options));
    case 'dict': {
      const out: Record<string, PyValue> = {};
      for (const entry of expr.entries) {
        if ('spread' in entry) {
          const value = evaluate(entry.spread, options);
          if (!isMapping(value)) throw new NotLiteral(entry.spread, 'a ** argument that is not a dict');
          Object.assign(out, value);
          continue;
        }
        const key = evaluate(entry.key, options);
        if (typeof key !== 'string' && typeof key !== 'number') throw new NotLiteral(entry.key, 'a dict key that is not a string');
        out[String(key)] = evaluate(entry.value, options);
      }
      return out;
    }
    case 'name': {
      const value = options.name?.(expr.path, expr);
      if (value === undefined) throw new NotLiteral(expr, `the name ${expr.path.join('.')}, whose value is only known when Python runs`);
      return value;
    }
    case 'call': {
      const callee = expr.callee.type === 'name' ? expr.callee.path.join('.') : undefined;
      const build = callee === undefined ? undefined : options.call?.(callee);
      if (!build) throw new NotLiteral(expr.callee, `a call of ${callee ?? 'a function'}(...), which only Python can run`);
      if (expr.args.length > 0) throw new NotLiteral(expr.args[0], `a positional argument of ${callee}(...)`);
      const kwargs: Record<string, PyValue> = {};
      for (const spread of expr.spreads) {
        const value = evaluate(spread, options);
        if (!isMapping(value)) throw new NotLiteral(spread, 'a ** argument that is not a dict');
        Object.assign(kwargs, value);
      }
      for (const kw of expr.kwargs) kwargs[kw.name] = evaluate(kw.value, options);
      return build(kwargs);
    }
    case 'other':
      throw new NotLiteral(expr, expr.why);
  }
}

export function isMapping(value: PyValue | undefined): value is { [key: string]: PyValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
