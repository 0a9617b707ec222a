// What follows the MODEL block: @DEF statements, exactly one query, inline AUDIT blocks, pre/post statements
// (run around the query, core/plan/modelStatements.ts) and the statements of ON_VIRTUAL_UPDATE blocks.

import { findClosingParen, type Report } from './headerParser';
import { setOwn } from './objects';
import type { LineMap } from './position';
import { isKeyword, isPunct, type Token } from './tokenizer';
import type { DefLocation, ModelStatement } from './types';

export interface SplitInput {
  text: string;
  tokens: Token[];
  /** Index of the first token after the MODEL block (and its semicolon). */
  from: number;
  lines: LineMap;
  report: Report;
}

export interface SplitResult {
  defs: Record<string, string>;
  defLocations: Record<string, DefLocation>;
  /** Token index range of the query, inclusive. */
  query?: { first: number; last: number };
  statements: ModelStatement[];
  /** The query is a Jinja block (reported as unsupported), so there is no "missing query". */
  jinjaQuery?: boolean;
}

const QUERY_KEYWORDS = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'PIVOT', 'UNPIVOT']);

/** Token ranges [first, last] between semicolons. */
function splitOnSemicolons(tokens: Token[], from: number): Array<{ first: number; last: number }> {
  const out: Array<{ first: number; last: number }> = [];
  let first = from;
  for (let i = from; i <= tokens.length; i++) {
    if (i === tokens.length || isPunct(tokens[i], ';')) {
      if (i > first) out.push({ first, last: i - 1 });
      first = i + 1;
    }
  }
  return out;
}

function isQuery(tokens: Token[], range: { first: number; last: number }, onlyStatement: boolean): boolean {
  let i = range.first;
  while (i < range.last && isPunct(tokens[i], '(')) i++;
  const t = tokens[i];
  if (t.type === 'ident' && !t.templated && QUERY_KEYWORDS.has(t.value.toUpperCase())) return true;
  // SQLMesh treats @UNION(...) as a query, and any lone macro call when it is the only statement.
  if (t.type === 'macro' && isPunct(tokens[i + 1], '(')) return t.value.toLowerCase() === 'union' || onlyStatement;
  return false;
}

function isMarker(tokens: Token[], range: { first: number; last: number }, word: string): boolean {
  return range.first === range.last && isKeyword(tokens[range.first], word);
}

export function splitStatements(input: SplitInput): SplitResult {
  const { tokens, text, lines, report } = input;
  const result: SplitResult = { defs: {}, defLocations: {}, statements: [] };
  const ranges = splitOnSemicolons(tokens, input.from);
  const span = (first: number, last: number) => ({
    text: text.slice(tokens[first].start, tokens[last].end),
    start: lines.position(tokens[first].start),
    end: lines.position(tokens[last].end),
  });
  const keep = (role: ModelStatement['role'], first: number, last: number, message?: string): void => {
    result.statements.push({ role, ...span(first, last) });
    if (message) report(message, tokens[first].start, tokens[first].end, 'warning');
  };

  const queryCandidates = ranges.filter((r) => !isDef(tokens, r));
  for (let k = 0; k < ranges.length; k++) {
    const range = ranges[k];
    const head = tokens[range.first];

    if (isMarker(tokens, range, 'JINJA_QUERY_BEGIN') || isMarker(tokens, range, 'JINJA_STATEMENT_BEGIN')) {
      report('Jinja blocks are not supported by Sluice; use SQLMesh macros (@DEF, @start_ds, ...) instead', head.start, head.end);
      if (isMarker(tokens, range, 'JINJA_QUERY_BEGIN')) result.jinjaQuery = true;
      while (k + 1 < ranges.length && !isMarker(tokens, ranges[k], 'JINJA_END')) k++;
      continue;
    }
    if (isMarker(tokens, range, 'ON_VIRTUAL_UPDATE_BEGIN')) {
      let end = k;
      while (end + 1 < ranges.length && !isMarker(tokens, ranges[end], 'ON_VIRTUAL_UPDATE_END')) end++;
      // Each statement of the block on its own, run once the environment's views are swapped.
      const last = isMarker(tokens, ranges[end], 'ON_VIRTUAL_UPDATE_END') ? end - 1 : end;
      if (!isMarker(tokens, ranges[end], 'ON_VIRTUAL_UPDATE_END')) report('ON_VIRTUAL_UPDATE_BEGIN has no ON_VIRTUAL_UPDATE_END', head.start, head.end);
      for (let j = k + 1; j <= last; j++) keep('virtual_update', ranges[j].first, ranges[j].last);
      k = end;
      continue;
    }
    if (isKeyword(head, 'AUDIT') && isPunct(tokens[range.first + 1], '(')) {
      const body = ranges[k + 1];
      // Run when the model's audits property names it (see quality/resolveAudits.ts).
      keep('audit', range.first, body ? body.last : range.last);
      k += body ? 1 : 0;
      continue;
    }
    if (isDef(tokens, range)) {
      if (result.query) {
        report('@DEF must come before the query', head.start, head.end);
        continue;
      }
      readDef(input, range, result);
      continue;
    }
    if (isQuery(tokens, range, queryCandidates.length === 1)) {
      if (result.query) {
        const line = lines.position(tokens[result.query.first].start).line;
        report(`a model has exactly one query, but a second one starts here (the first is on line ${line})`, head.start, head.end);
        continue;
      }
      result.query = range;
      continue;
    }
    if (result.query) keep('post', range.first, range.last);
    else keep('pre', range.first, range.last);
  }
  return result;
}

function isDef(tokens: Token[], range: { first: number; last: number }): boolean {
  const t = tokens[range.first];
  return t.type === 'macro' && t.value.toLowerCase() === 'def' && isPunct(tokens[range.first + 1], '(');
}

/** @DEF(name, value) */
function readDef(input: SplitInput, range: { first: number; last: number }, result: SplitResult): void {
  const { tokens, text, lines, report } = input;
  const head = tokens[range.first];
  const open = range.first + 1;
  const close = findClosingParen(tokens, open, range.last + 1);
  if (close < 0) {
    report('"(" of @DEF is never closed', tokens[open].start, tokens[open].end);
    return;
  }
  if (close < range.last) {
    const extra = tokens[close + 1];
    report(`unexpected "${extra.text}" after @DEF(...); end it with ";"`, extra.start, extra.end);
  }
  const nameToken = tokens[open + 1];
  if (open + 1 >= close || (nameToken.type !== 'ident' && nameToken.type !== 'string' && nameToken.type !== 'qident') || nameToken.templated) {
    const at = open + 1 < close ? nameToken : tokens[close];
    report('@DEF needs a variable name first: @DEF(name, value)', at.start, at.end);
    return;
  }
  const comma = tokens[open + 2];
  if (open + 2 >= close || !isPunct(comma, ',')) {
    const at = open + 2 < close ? comma : tokens[close];
    report(`@DEF(${nameToken.value}, ...) needs a value after the name`, at.start, at.end);
    return;
  }
  const valueFirst = open + 3;
  const valueLast = close - 1;
  if (valueFirst > valueLast) {
    report(`@DEF(${nameToken.value}, ...) needs a value after the comma`, tokens[close].start, tokens[close].end);
    return;
  }
  // @DEF(name, x -> ...) defines a macro function, which Sluice does not evaluate.
  let depth = 0;
  for (let i = valueFirst; i <= valueLast; i++) {
    const t = tokens[i];
    if (isPunct(t, '(') || isPunct(t, '[')) depth++;
    else if (isPunct(t, ')') || isPunct(t, ']')) depth--;
    else if (depth === 0 && isPunct(t, '->')) {
      report(`@DEF(${nameToken.value}, ... -> ...) defines a macro function, which Sluice does not support yet`, head.start, tokens[close].end, 'warning');
      return;
    }
  }
  const name = nameToken.value.toLowerCase();
  const start = tokens[valueFirst].start;
  const end = tokens[valueLast].end;
  setOwn(result.defs, name, text.slice(start, end));
  setOwn(result.defLocations, name, { start: lines.position(start), end: lines.position(end) });
}
