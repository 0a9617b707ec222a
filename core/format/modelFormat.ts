// formatModelText: a whole model file in its canonical layout. The MODEL block and the query are laid out,
// @DEF statements go on one line, other statements are kept as written; comments between them keep their lines. Only whitespace
// and the case of keywords ever change, and the result is checked for exactly that: it must read back as
// the same tokens and comments, or the file is left alone. A file that does not read (an unclosed string,
// an unbalanced bracket, a broken MODEL block, Jinja) is not formatted; the problem says where.

import { findClosingParen, HeaderParser, type HeaderProperty } from '../models/headerParser';
import { parseModelFile } from '../models/parse';
import { LineMap } from '../models/position';
import { MODEL_PROPERTIES } from '../models/properties';
import { isKeyword, isPunct, tokenize, type Comment, type Token } from '../models/tokenizer';
import { formatHeader } from './headerFormat';
import { wordRoles, type WordRole } from './keywords';
import { formatQueryText } from './queryFormat';
import { inlineText } from './spacing';
import { QueryTreeError } from './queryTree';

export interface FormatProblem {
  message: string;
  /** 1-based, in the text given. */
  line: number;
  column: number;
}

export type FormatResult = { ok: true; text: string; changed: boolean } | { ok: false; problem: FormatProblem };

class Unformattable extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

interface Source {
  text: string;
  tokens: Token[];
  comments: Comment[];
  roles: WordRole[];
}

/** A piece of the file written as a unit: the MODEL block or a statement with its ";". */
interface Chunk {
  /** Source offsets of the piece without its ";" (comments after the last token belong to the gap after it). */
  start: number;
  end: number;
  /** Where its ";" ends, if it has one: a comment after it on its line stays there. */
  semicolonEnd?: number;
  /** The MODEL block and the query stand apart: an empty line before and after them. */
  apart: boolean;
  render(): string;
}

export function formatModelText(original: string): FormatResult {
  const bom = original.startsWith('\ufeff') ? '\ufeff' : '';
  const crlf = original.includes('\r\n');
  const text = original.slice(bom.length).replace(/\r\n?/g, '\n');
  const lines = new LineMap(text);
  try {
    const formatted = formatNormalized(text);
    verifySameTokens(text, formatted);
    const out = bom + (crlf ? formatted.replace(/\n/g, '\r\n') : formatted);
    return { ok: true, text: out, changed: out !== original };
  } catch (err) {
    // A bug in the layout must not cost the file: it is left as written, and the message says why.
    const known = err instanceof Unformattable || err instanceof QueryTreeError;
    const at = lines.position(known ? err.offset : 0);
    const message = known ? err.message : `the formatter failed (${err instanceof Error ? err.message : String(err)}); the file is left as written`;
    return { ok: false, problem: { message, line: at.line, column: at.column } };
  }
}

function formatNormalized(text: string): string {
  const lexed = tokenize(text);
  if (lexed.errors.length > 0) throw new Unformattable(lexed.errors[0].message, lexed.errors[0].start);
  const tokens = mergeJinjaExpressions(text, lexed.tokens, lexed.comments);
  const source: Source = { text, tokens, comments: lexed.comments, roles: wordRoles(tokens) };
  if (tokens.length === 0) return text.trim() === '' ? '' : `${text.trim()}\n`;

  const chunks: Chunk[] = [];
  let next = 0;
  if (isKeyword(tokens[0], 'MODEL')) {
    const header = readHeader(source);
    const semicolon = isPunct(tokens[header.close + 1], ';') ? ';' : '';
    chunks.push({ start: tokens[0].start, end: tokens[header.close].end, semicolonEnd: semicolon ? tokens[header.close + 1].end : undefined, apart: true, render: () => formatHeader({ ...source, ...header, model: 0, open: 1 }) + semicolon });
    next = header.close + 1 + semicolon.length;
  }
  const queryStart = locateQuery(text, tokens[0]);
  for (const statement of statements(tokens, next)) {
    const { first, last, semicolon } = statement;
    const end = semicolon === undefined ? '' : ';';
    if (last < first) {
      chunks.push({ start: tokens[semicolon!].start, end: tokens[semicolon!].start, apart: false, render: () => end });
      continue;
    }
    const isQuery = tokens[first].start === queryStart;
    const comments = commentsWithin(source, first, last);
    let render = () => text.slice(tokens[first].start, tokens[last].end) + end;
    if (isQuery) render = () => formatQueryText({ ...source, comments, first, last }) + end;
    // @DEF(name, value) goes on one line; one with comments inside stays as written, like other statements.
    else if (isDef(tokens, first) && comments.length === 0) render = () => inlineText(tokens, source.roles, first, last) + end;
    const semicolonEnd = semicolon === undefined ? undefined : tokens[semicolon].end;
    chunks.push({ start: tokens[first].start, end: tokens[last].end, semicolonEnd, apart: isQuery, render });
  }
  return joinChunks(source, chunks);
}

/** MODEL ( properties ) ; — every problem the MODEL block's grammar reports stops the formatting. */
function readHeader(source: Source): { properties: HeaderProperty[]; close: number } {
  const { tokens } = source;
  if (!isPunct(tokens[1], '(')) throw new Unformattable('expected "(" after MODEL', (tokens[1] ?? tokens[0]).start);
  const close = findClosingParen(tokens, 1);
  if (close < 0) throw new Unformattable('the "(" of the MODEL block is never closed', tokens[1].start);
  const problems: { message: string; start: number }[] = [];
  const parser = new HeaderParser(tokens, (message, start, _end, severity = 'error') => {
    if (severity === 'error') problems.push({ message, start });
  });
  parser.pos = 2;
  const properties = parser.parseProperties(close, MODEL_PROPERTIES, false);
  if (problems.length > 0) throw new Unformattable(problems[0].message, problems[0].start);
  const after = tokens[close + 1];
  if (after && !isPunct(after, ';')) throw new Unformattable(`expected ";" after the MODEL block, found "${after.text}"`, after.start);
  return { properties, close };
}

/** Where the model's query starts (as the model parser sees it), or -1 when there is none. */
function locateQuery(text: string, firstToken: Token): number {
  const named = isKeyword(firstToken, 'MODEL');
  // Without a MODEL block the file is a query whose model is named after its path (SQLMesh's infer_names).
  const parsed = parseModelFile(text, 'model.sql', named ? {} : { inferredName: ['schema', 'model'] });
  return parsed.query === '' ? -1 : parsed.queryStart.offset;
}

function isDef(tokens: readonly Token[], first: number): boolean {
  return tokens[first].type === 'macro' && tokens[first].value.toLowerCase() === 'def' && isPunct(tokens[first + 1], '(');
}

/** Token ranges between ";" from token `from` on; an empty range (last < first) is a lone ";". */
function statements(tokens: readonly Token[], from: number): { first: number; last: number; semicolon?: number }[] {
  const out: { first: number; last: number; semicolon?: number }[] = [];
  let first = from;
  for (let i = from; i < tokens.length; i++) {
    if (isPunct(tokens[i], ';')) {
      out.push({ first, last: i - 1, semicolon: i });
      first = i + 1;
    }
  }
  if (first < tokens.length) out.push({ first, last: tokens.length - 1 });
  return out;
}

function commentsWithin(source: Source, first: number, last: number): Comment[] {
  const start = source.tokens[first].start;
  const end = source.tokens[last].end;
  return source.comments.filter((c) => c.start > start && c.end < end);
}

/**
 * The chunks with the comments between them: one that followed a chunk on its last line stays there, the
 * others get lines of their own. Empty lines are kept where they were (one at most), and there is always
 * one between the MODEL block or the query and a chunk next to it.
 */
function joinChunks(source: Source, chunks: readonly Chunk[]): string {
  const { text, comments } = source;
  const out: string[] = [];
  let c = 0;
  let previousEnd = 0;
  const commentText = (comment: Comment) => text.slice(comment.start, comment.end);
  const ownLines = (until: number) => {
    let wrote = false;
    while (c < comments.length && comments[c].start < until) {
      if (blankLine(text.slice(previousEnd, comments[c].start)) && out.length > 0) out.push('');
      out.push(commentText(comments[c]));
      previousEnd = comments[c].end;
      wrote = true;
      c++;
    }
    return wrote;
  };
  chunks.forEach((chunk, k) => {
    const wroteComments = ownLines(chunk.start);
    const apart = !wroteComments && k > 0 && (chunk.apart || chunks[k - 1].apart);
    if (out.length > 0 && (apart || blankLine(text.slice(previousEnd, chunk.start)))) out.push('');
    let last = chunk.render();
    // Skip the comments inside the chunk: it wrote them itself.
    while (c < comments.length && comments[c].start < chunk.end) c++;
    // Comments between the last token and the ";" count as written after the ";".
    previousEnd = chunk.semicolonEnd ?? chunk.end;
    const nextStart = k + 1 < chunks.length ? chunks[k + 1].start : text.length;
    while (c < comments.length && comments[c].start < nextStart && !/\n/.test(text.slice(previousEnd, comments[c].start))) {
      last += ` ${commentText(comments[c])}`;
      previousEnd = comments[c].end;
      c++;
    }
    out.push(last);
  });
  ownLines(text.length);
  return `${out.join('\n')}\n`;
}

function blankLine(gap: string): boolean {
  return (gap.match(/\n/g)?.length ?? 0) > 1;
}

/**
 * {{ ... }} Jinja expressions become single tokens, written as they are. Jinja blocks ({% %}, {# #}) and
 * SQLMesh's JINJA_* statements change what the text means line by line, so such files are not formatted.
 */
function mergeJinjaExpressions(text: string, tokens: Token[], comments: readonly Comment[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'ident' && /^JINJA_(QUERY_BEGIN|STATEMENT_BEGIN|END)$/i.test(t.text)) {
      throw new Unformattable('Jinja blocks are not formatted', t.start);
    }
    const next = tokens[i + 1];
    if (isPunct(t, '{') && next && next.start === t.end && next.type === 'punct' && (next.text === '%' || next.text === '#')) {
      throw new Unformattable(`Jinja blocks ({${next.text} ... ${next.text}}) are not formatted`, t.start);
    }
    if (isPunct(t, '{') && isPunct(next, '{') && next.start === t.end) {
      const close = text.indexOf('}}', next.end);
      if (close < 0) throw new Unformattable('"{{" is never closed by "}}"', t.start);
      const end = close + 2;
      if (comments.some((c) => c.start >= t.start && c.start < end)) throw new Unformattable('a comment inside {{ ... }} is not formatted', t.start);
      const raw = text.slice(t.start, end);
      out.push({ type: 'ident', text: raw, value: raw, start: t.start, end, templated: true });
      while (i + 1 < tokens.length && tokens[i + 1].start < end) i++;
      continue;
    }
    out.push(t);
  }
  return out;
}

/** The formatted text must read back as the same tokens (keywords in any case) and the same comments. */
function verifySameTokens(before: string, after: string): void {
  const a = tokenize(before);
  const b = tokenize(after);
  const sameToken = (x: Token, y: Token) => x.type === y.type && (x.text === y.text || (x.type === 'ident' && x.text.toUpperCase() === y.text.toUpperCase()));
  const tokensSame = a.tokens.length === b.tokens.length && a.tokens.every((t, i) => sameToken(t, b.tokens[i]));
  const commentsSame = a.comments.length === b.comments.length && a.comments.every((c, i) => before.slice(c.start, c.end) === after.slice(b.comments[i].start, b.comments[i].end));
  if (!tokensSame || !commentsSame) {
    // Never expected: the layout only moves whitespace. Leaving the file alone is the safe answer.
    throw new Unformattable('the formatter could not lay this file out without changing it; it is left as written', 0);
  }
}
