// What a unit test needs to know about a rendered model query, read from its tokens: the top-level CTEs
// (to run one of them on its own), whether rows come out in a defined order (ORDER BY at the top level),
// and where CURRENT_TIMESTAMP and friends are (to freeze them at the test's execution_time).

import { isKeyword, isPunct, tokenize, type Token } from '../models/tokenizer';
import { quoteIdent, quoteLiteral } from '../warehouse/quote';

export interface CteSpan {
  /** As written (unquoted). */
  name: string;
  /** Token index range of the CTE's body, inside its parentheses. */
  bodyFirst: number;
  bodyLast: number;
}

export interface QueryShape {
  tokens: Token[];
  ctes: CteSpan[];
  /** The `WITH ... AS (...), ...` text, when there is one. */
  withClause?: string;
  /** Index of the first token after the WITH clause. */
  mainFirst: number;
}

export function queryShape(sql: string): QueryShape {
  const { tokens } = tokenize(sql);
  const shape: QueryShape = { tokens, ctes: [], mainFirst: 0 };
  if (!isKeyword(tokens[0], 'WITH')) return shape;
  let i = 1;
  if (isKeyword(tokens[i], 'RECURSIVE')) i++;
  const ctes: CteSpan[] = [];
  for (;;) {
    const name = tokens[i];
    if (!name || (name.type !== 'ident' && name.type !== 'qident')) return shape;
    i++;
    if (isPunct(tokens[i], '(')) {
      const close = closing(tokens, i);
      if (close < 0) return shape;
      i = close + 1;
    }
    if (!isKeyword(tokens[i], 'AS')) return shape;
    i++;
    if (isKeyword(tokens[i], 'NOT')) i++;
    if (isKeyword(tokens[i], 'MATERIALIZED')) i++;
    if (!isPunct(tokens[i], '(')) return shape;
    const close = closing(tokens, i);
    if (close < 0) return shape;
    ctes.push({ name: name.value, bodyFirst: i + 1, bodyLast: close - 1 });
    i = close + 1;
    if (isPunct(tokens[i], ',')) {
      i++;
      continue;
    }
    shape.withClause = sql.slice(tokens[0].start, tokens[close].end);
    shape.ctes = ctes;
    shape.mainFirst = i;
    return shape;
  }
}

/** The CTE called `name` (compared case-insensitively, as DuckDB does). */
export function findCte(shape: QueryShape, name: string): CteSpan | undefined {
  const key = name.toLowerCase();
  return shape.ctes.find((c) => c.name.toLowerCase() === key);
}

/** The query's CTEs followed by SELECT * FROM the named one: that CTE's rows, computed in context. */
export function cteQuery(shape: QueryShape, cte: CteSpan): string {
  return `${shape.withClause}\nSELECT * FROM ${quoteIdent(cte.name)}`;
}

/** True when the main query (or a CTE body) ends with ORDER BY at its own level, so row order is defined. */
export function isOrdered(shape: QueryShape, cte?: CteSpan): boolean {
  const first = cte ? cte.bodyFirst : shape.mainFirst;
  const last = cte ? cte.bodyLast : shape.tokens.length - 1;
  let depth = 0;
  for (let i = first; i <= last; i++) {
    const t = shape.tokens[i];
    if (isPunct(t, '(') || isPunct(t, '[')) depth++;
    else if (isPunct(t, ')') || isPunct(t, ']')) depth--;
    else if (depth === 0 && isKeyword(t, 'ORDER') && isKeyword(shape.tokens[i + 1], 'BY')) return true;
  }
  return false;
}

function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')')) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

// ---------- freezing the clock ----------

const CLOCK_KEYWORDS: Record<string, 'date' | 'timestamptz' | 'timestamp' | 'time'> = {
  CURRENT_DATE: 'date',
  CURRENT_TIMESTAMP: 'timestamptz',
  CURRENT_TIME: 'time',
  LOCALTIMESTAMP: 'timestamp',
  LOCALTIME: 'time',
};
const CLOCK_FUNCTIONS: Record<string, 'date' | 'timestamptz'> = {
  NOW: 'timestamptz',
  GET_CURRENT_TIMESTAMP: 'timestamptz',
  TRANSACTION_TIMESTAMP: 'timestamptz',
  TODAY: 'date',
};

/**
 * Replaces CURRENT_DATE, CURRENT_TIMESTAMP, now(), today(), ... with the given UTC instant, as SQLMesh does
 * when a test sets execution_time. `utc` is 'YYYY-MM-DD HH:MM:SS.ffffff'.
 */
export function freezeClock(sql: string, utc: string): string {
  const { tokens } = tokenize(sql);
  const literal = (type: 'date' | 'timestamptz' | 'timestamp' | 'time'): string => {
    if (type === 'date') return `CAST(${quoteLiteral(utc.slice(0, 10))} AS DATE)`;
    if (type === 'time') return `CAST(${quoteLiteral(utc.slice(11))} AS TIME)`;
    if (type === 'timestamp') return `CAST(${quoteLiteral(utc)} AS TIMESTAMP)`;
    return `CAST(${quoteLiteral(`${utc}+00:00`)} AS TIMESTAMPTZ)`;
  };
  let out = '';
  let cursor = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== 'ident' || t.templated || isPunct(tokens[i - 1], '.')) continue;
    const word = t.value.toUpperCase();
    const emptyCall = isPunct(tokens[i + 1], '(') && isPunct(tokens[i + 2], ')');
    let type: 'date' | 'timestamptz' | 'timestamp' | 'time' | undefined;
    let end = t.end;
    if (Object.hasOwn(CLOCK_KEYWORDS, word)) {
      type = CLOCK_KEYWORDS[word];
      if (emptyCall) end = tokens[i + 2].end;
    } else if (Object.hasOwn(CLOCK_FUNCTIONS, word) && emptyCall) {
      type = CLOCK_FUNCTIONS[word];
      end = tokens[i + 2].end;
    }
    if (!type) continue;
    out += sql.slice(cursor, t.start) + literal(type);
    cursor = end;
  }
  return out + sql.slice(cursor);
}

/** A test's execution_time as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; undefined when it is not a time. */
export function utcTimestamp(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : fromMillis(value.getTime(), 0);
  if (typeof value === 'number') return Number.isFinite(value) ? fromMillis(value, 0) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  let millis = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(millis);
  if (check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
    millis -= (zone[0] === '-' ? -1 : 1) * minutes * 60_000;
  }
  const micros = Number(frac.padEnd(6, '0').slice(0, 6));
  return fromMillis(millis - (millis % 1000), micros);
}

function fromMillis(millis: number, micros: number): string {
  const d = new Date(millis);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const fraction = micros || (millis % 1000) * 1000;
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(fraction, 6)}`
  );
}
