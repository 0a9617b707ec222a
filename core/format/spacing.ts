// The space between two tokens written on one line: none inside brackets and around dots and ::, none
// before a call's "(", one around binary operators and after commas, none after a unary minus. Two
// tokens are only ever written together when they still read back as the same two tokens.

import { tokenize, type Token } from '../models/tokenizer';
import { TIGHT_PAREN_KEYWORDS, type WordRole } from './keywords';

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);
/** Keywords after which a value has ended, so a following - is binary. */
const VALUE_KEYWORDS = new Set(['NULL', 'TRUE', 'FALSE', 'END']);
const PREFIX_OPERATORS = new Set(['-', '+', '~']);

export class Spacer {
  private prev?: Token;
  private prevRole?: WordRole;
  private prevUnary = false;
  /** Brackets open at this point of the output, innermost last. */
  private readonly open: string[] = [];

  constructor(private readonly roles: readonly WordRole[], private readonly tokens: readonly Token[]) {}

  /** Forgets the previous token: the next one starts a line. Open brackets are kept. */
  lineStart(): void {
    this.prev = undefined;
  }

  /** What to write between the previous token and token i (empty at the start of a line). */
  gap(i: number): string {
    const prev = this.prev;
    if (!prev) return '';
    const cur = this.tokens[i];
    const space = this.rule(prev, cur) ? ' ' : '';
    if (space === '' && wouldMerge(prev, cur)) return ' ';
    return space;
  }

  /** Token i has been written. */
  wrote(i: number): void {
    const cur = this.tokens[i];
    const unary = cur.type === 'punct' && PREFIX_OPERATORS.has(cur.text) && this.startsOperand();
    if (cur.type === 'punct' && OPENERS.has(cur.text)) this.open.push(cur.text);
    else if (cur.type === 'punct' && CLOSERS.has(cur.text)) this.open.pop();
    this.prev = cur;
    this.prevRole = this.roles[i];
    this.prevUnary = unary;
  }

  /** Whether an operand (not an operator's right side) starts after the previous token. */
  private startsOperand(): boolean {
    const prev = this.prev;
    if (!prev) return true;
    if (prev.type === 'punct') return !CLOSERS.has(prev.text) && !prev.text.startsWith('$') && prev.text !== '?';
    return this.prevRole === 'keyword' && !VALUE_KEYWORDS.has(prev.value.toUpperCase());
  }

  private rule(prev: Token, cur: Token): boolean {
    const p = prev.type === 'punct' ? prev.text : '';
    const c = cur.type === 'punct' ? cur.text : '';
    if (c === ',' || c === ';' || CLOSERS.has(c)) return false;
    if (OPENERS.has(p)) return false;
    // A number written against a word stays so: a duration such as 6h in the freshness property.
    if (prev.type === 'number' && cur.type === 'ident' && prev.end === cur.start) return false;
    if (p === '.' || c === '.' || p === '::' || c === '::') return false;
    if (this.prevUnary || p === '#') return false;
    const inside = this.open[this.open.length - 1];
    if (c === ':') return false;
    if (p === ':') return inside !== '[';
    if (c === '(') return !this.callsNext(prev);
    if (c === '[') return !this.indexesNext(prev);
    return true;
  }

  /** Whether prev is a name written against its "(": a function, a macro call, a type with a size. */
  private callsNext(prev: Token): boolean {
    if (prev.type === 'macro' || prev.type === 'qident') return true;
    if (prev.type !== 'ident') return false;
    if (this.prevRole === 'keyword') return TIGHT_PAREN_KEYWORDS.has(prev.value.toUpperCase());
    return true;
  }

  /** Whether prev is a value a "[" subscripts (x[1]), or ARRAY[...]; otherwise "[" opens a list. */
  private indexesNext(prev: Token): boolean {
    if (prev.type === 'punct') return prev.text === ')' || prev.text === ']';
    if (prev.type === 'ident' && this.prevRole === 'keyword') return prev.value.toUpperCase() === 'ARRAY';
    return prev.type === 'ident' || prev.type === 'qident' || prev.type === 'macro';
  }
}

/** Tokens [first, last] written on one line, each exactly as in the source. */
export function inlineText(tokens: readonly Token[], roles: readonly WordRole[], first: number, last: number): string {
  const spacer = new Spacer(roles, tokens);
  let out = '';
  for (let i = first; i <= last; i++) {
    out += spacer.gap(i) + tokens[i].text;
    spacer.wrote(i);
  }
  return out;
}

/** Whether writing two tokens with nothing between them would read back as something else (- -1 as --1). */
function wouldMerge(prev: Token, cur: Token): boolean {
  const apart = [...tokenize(prev.text).tokens, ...tokenize(cur.text).tokens].map((t) => t.text);
  const joined = tokenize(prev.text + cur.text);
  return joined.comments.length > 0 || joined.tokens.length !== apart.length || joined.tokens.some((t, i) => t.text !== apart[i]);
}
