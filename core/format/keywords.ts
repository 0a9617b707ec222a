// Which words of a query are keywords where they stand, so the formatter can upper-case them without ever
// touching an identifier: an unquoted column name keeps its case, because DuckDB names result columns as
// they are written. DuckDB's reserved words can never be identifiers; the others count only in the places
// where they can only be keywords (FILTER after a call, NULLS before FIRST, a type after ::, ...).

import type { Token } from '../models/tokenizer';

/** DuckDB's reserved keywords (duckdb_keywords(), category 'reserved'). */
const RESERVED = new Set(
  ('ALL ANALYSE ANALYZE AND ANY ARRAY AS ASC ASYMMETRIC BOTH CASE CAST CHECK COLLATE COLUMN CONSTRAINT CREATE ' +
    'DEFAULT DEFERRABLE DESC DESCRIBE DISTINCT DO ELSE END EXCEPT FALSE FETCH FOR FOREIGN FROM GROUP HAVING IN ' +
    'INITIALLY INTERSECT INTO LAMBDA LATERAL LEADING LIMIT NOT NULL OFFSET ON ONLY OR ORDER PIVOT PIVOT_LONGER ' +
    'PIVOT_WIDER PLACING PRIMARY QUALIFY REFERENCES RETURNING SELECT SHOW SOME SUMMARIZE SYMMETRIC TABLE THEN TO ' +
    'TRAILING TRUE UNION UNIQUE UNPIVOT USING VARIADIC WHEN WHERE WINDOW WITH').split(' '),
);

/** Words that cannot be column names but can be function names (category 'type_function'): keywords unless called. */
const TYPE_FUNCTION = new Set(
  ('ANTI ASOF AT AUTHORIZATION BINARY BY COLLATION COLUMNS CONCURRENTLY CROSS FREEZE FULL GENERATED GLOB ILIKE ' +
    'INNER IS ISNULL JOIN LEFT LIKE MAP NATURAL NOTNULL OUTER OVERLAPS POSITIONAL RIGHT SEMI SIMILAR STRUCT ' +
    'TABLESAMPLE TRY_CAST UNPACK VERBOSE').split(' '),
);

/** Of those, the ones that are really functions when a "(" follows (LEFT(s, 2), COLUMNS('a.*')). */
const CALLABLE = new Set(['LEFT', 'RIGHT', 'COLUMNS', 'MAP', 'STRUCT', 'UNPACK', 'BINARY', 'COLLATION']);

/** Keywords written right against their "(" like a function: CAST(x AS INT). */
export const TIGHT_PAREN_KEYWORDS = new Set(['CAST', 'TRY_CAST', 'ARRAY']);

/** Type names upper-cased where a type must stand: after :: and after AS inside CAST(...). */
const TYPE_NAMES = new Set(
  ('BIGINT BIT BITSTRING BLOB BOOL BOOLEAN BPCHAR BYTEA CHAR CHARACTER DATE DATETIME DEC DECIMAL DOUBLE ENUM FLOAT ' +
    'FLOAT4 FLOAT8 HUGEINT INT INT1 INT2 INT4 INT8 INT16 INT32 INT64 INT128 INTEGER INTERVAL JSON LIST LOGICAL LONG ' +
    'MAP NUMERIC REAL ROW SHORT SIGNED SMALLINT STRING STRUCT TEXT TIME TIMESTAMP TIMESTAMPTZ TIMETZ TINYINT UBIGINT ' +
    'UHUGEINT UINT8 UINT16 UINT32 UINT64 UINT128 UINTEGER UNION USMALLINT UTINYINT UUID VARBINARY VARCHAR ' +
    'TIMESTAMP_S TIMESTAMP_MS TIMESTAMP_NS TIMESTAMP_US').split(' '),
);

/** Typed literals: DATE '2024-01-01'. */
const LITERAL_TYPES = new Set(['DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMPTZ', 'INTERVAL']);

function upper(token: Token | undefined): string {
  return token && token.type === 'ident' && !token.templated ? token.value.toUpperCase() : '';
}

function isPunctText(token: Token | undefined, text: string): boolean {
  return token !== undefined && token.type === 'punct' && token.text === text;
}

/** keyword: a keyword where it stands; type: a type name where a type must stand. Both are written upper-case. */
export type WordRole = 'keyword' | 'type' | undefined;

/** The role of each token. Only plain identifiers have one; parts of a dotted name never do. */
export function wordRoles(tokens: readonly Token[]): WordRole[] {
  const roles: WordRole[] = tokens.map(() => undefined);
  const flags = tokens.map(() => false);
  // "(" of CAST( ... ): inside it, AS introduces a type.
  const castParens: boolean[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'punct') {
      if (t.text === '(') castParens.push(i > 0 && flags[i - 1] && (upper(tokens[i - 1]) === 'CAST' || upper(tokens[i - 1]) === 'TRY_CAST'));
      else if (t.text === ')') castParens.pop();
      continue;
    }
    const word = upper(t);
    if (!word) continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (isPunctText(prev, '.') || isPunctText(next, '.')) continue;
    const prevWord = flags[i - 1] ? upper(prev) : '';
    const nextWord = upper(next);
    const called = isPunctText(next, '(');
    let keyword = false;
    if (isPunctText(prev, '::') || (prevWord === 'AS' && castParens[castParens.length - 1])) {
      if (TYPE_NAMES.has(word)) roles[i] = 'type';
      continue;
    } else if (RESERVED.has(word)) keyword = true;
    else if (TYPE_FUNCTION.has(word)) keyword = !(called && CALLABLE.has(word));
    else keyword = contextualKeyword(word, tokens, i, prevWord, nextWord);
    flags[i] = keyword;
    if (keyword) roles[i] = 'keyword';
  }
  return roles;
}

const STAR_MODIFIERS = new Set(['EXCLUDE', 'REPLACE', 'RENAME']);

/** The word before the "(" that the ")" at index close closes. */
function modifierBefore(tokens: readonly Token[], close: number): string {
  if (!isPunctText(tokens[close], ')')) return '';
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (isPunctText(tokens[i], ')')) depth++;
    else if (isPunctText(tokens[i], '(') && --depth === 0) return upper(tokens[i - 1]);
  }
  return '';
}

/** Non-reserved words that are keywords in a few places only. */
function contextualKeyword(word: string, tokens: readonly Token[], i: number, prevWord: string, nextWord: string): boolean {
  const prev = tokens[i - 1];
  const next = tokens[i + 1];
  const afterCall = isPunctText(prev, ')');
  switch (word) {
    case 'FILTER':
      return afterCall && isPunctText(next, '(');
    case 'OVER':
      // OVER (...) or OVER a_window; "(x) over" before FROM or a comma is an alias named over.
      return afterCall && (isPunctText(next, '(') || (next?.type === 'ident' && !RESERVED.has(nextWord)));
    case 'PARTITION':
      return nextWord === 'BY';
    case 'NULLS':
      return nextWord === 'FIRST' || nextWord === 'LAST';
    case 'FIRST':
    case 'LAST':
      return prevWord === 'NULLS';
    case 'ROWS':
    case 'RANGE':
    case 'GROUPS':
      return nextWord === 'BETWEEN' || nextWord === 'UNBOUNDED' || nextWord === 'CURRENT';
    case 'UNBOUNDED':
      return nextWord === 'PRECEDING' || nextWord === 'FOLLOWING';
    case 'PRECEDING':
    case 'FOLLOWING':
      return prevWord === 'UNBOUNDED' || prev?.type === 'number';
    case 'CURRENT':
      return nextWord === 'ROW';
    case 'ROW':
      return prevWord === 'CURRENT';
    case 'EXCLUDE':
    case 'REPLACE':
    case 'RENAME':
      // * EXCLUDE (a) REPLACE (b + 1 AS b): after the star or after another of its modifiers.
      return isPunctText(next, '(') && (isPunctText(prev, '*') || STAR_MODIFIERS.has(modifierBefore(tokens, i - 1)));
    case 'RECURSIVE':
      return prevWord === 'WITH';
    case 'MATERIALIZED':
      return (prevWord === 'AS' || prevWord === 'NOT') && isPunctText(next, '(');
    case 'NAME':
      return prevWord === 'BY' && (upper(tokens[i - 2]) === 'UNION');
    case 'SAMPLE':
      return prevWord === 'USING';
    case 'BETWEEN':
      return prev !== undefined && !isPunctText(prev, ',') && !isPunctText(prev, '(') && next !== undefined && !isPunctText(next, ',') && !isPunctText(next, ')');
    case 'EXISTS':
      return isPunctText(next, '(');
    case 'VALUES':
      return isPunctText(next, '(');
    case 'INTERVAL':
      return next?.type === 'string' || next?.type === 'number' || isPunctText(next, '(');
    case 'ESCAPE':
      return next?.type === 'string' && (prev?.type === 'string');
    case 'WITHIN':
      return afterCall && nextWord === 'GROUP';
    default:
      return LITERAL_TYPES.has(word) && next?.type === 'string';
  }
}
