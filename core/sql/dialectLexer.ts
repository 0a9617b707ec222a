// Tokens of a query written in another SQL dialect, with their offsets, so that the translation to DuckDB
// SQL can rewrite a token in place and copy everything else (spaces and comments included) as written.
// Only what differs between dialects is told apart: which quotes make strings and which make names,
// backslash escapes, T-SQL's [names] and BigQuery's r'raw' strings.

export type DialectTokenType = 'word' | 'name' | 'string' | 'number' | 'punct';

export interface DialectToken {
  type: DialectTokenType;
  /** The token as written. */
  text: string;
  /** word: as written; name: the quoted name, unescaped; string: the characters it stands for; else the text. */
  value: string;
  start: number;
  end: number;
  /** For names: the quote that opened it (`"`, backtick or `[`). */
  quote?: string;
}

export interface LexOptions {
  /** "text" is a string, not a name (MySQL, BigQuery, Hive/Spark). */
  doubleQuotedStrings?: boolean;
  /** Backslash escapes inside strings ('it\'s'). */
  backslashEscapes?: boolean;
  /** [name] is a quoted name (T-SQL). */
  bracketNames?: boolean;
  /** r'...' is a raw string (BigQuery). */
  rawStrings?: boolean;
  /** # starts a comment to the end of the line (MySQL, BigQuery). */
  hashComments?: boolean;
}

export interface LexResult {
  tokens: DialectToken[];
  /** Offsets of the # that start comments (DuckDB writes them --). */
  hashComments: number[];
  /** An unterminated string, name or comment, at its start. */
  error?: { offset: number; message: string };
}

const PUNCT = ['::', '||', '&&', '<=', '>=', '<>', '!=', '->>', '->', '=>', '**'];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', '0': '\0', Z: '\x1a' };

export function lexDialect(sql: string, options: LexOptions): LexResult {
  const tokens: DialectToken[] = [];
  const hashComments: number[] = [];
  const n = sql.length;
  let i = 0;
  const push = (type: DialectTokenType, start: number, end: number, value: string, quote?: string) =>
    tokens.push({ type, text: sql.slice(start, end), value, start, end, ...(quote ? { quote } : {}) });

  /** The characters of a quoted run that starts at `start`; a doubled quote stands for itself. */
  const quoted = (start: number, close: string, backslashes: boolean): { end: number; value: string } | undefined => {
    let j = start + 1;
    let value = '';
    while (j < n) {
      const c = sql[j];
      if (backslashes && c === '\\' && j + 1 < n) {
        const next = sql[j + 1];
        // MySQL keeps the backslash of \% and \_ so that LIKE patterns still see an escaped wildcard.
        value += next === '%' || next === '_' ? `\\${next}` : ESCAPES[next] ?? next;
        j += 2;
      } else if (c === close) {
        if (sql[j + 1] === close && close !== ']') {
          value += close;
          j += 2;
        } else if (close === ']' && sql[j + 1] === ']') {
          value += ']';
          j += 2;
        } else return { end: j + 1, value };
      } else {
        value += c;
        j++;
      }
    }
    return undefined;
  };

  while (i < n) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ((c === '-' && sql[i + 1] === '-') || (c === '#' && options.hashComments)) {
      if (c === '#') hashComments.push(i);
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return { tokens, hashComments, error: { offset: i, message: 'a comment is not closed' } };
      i = end + 2;
      continue;
    }
    const raw = options.rawStrings && (c === 'r' || c === 'R') && (sql[i + 1] === "'" || sql[i + 1] === '"');
    if (raw) {
      const close = sql.indexOf(sql[i + 1], i + 2);
      if (close < 0) return { tokens, hashComments, error: { offset: i, message: 'a string is not closed' } };
      push('string', i, close + 1, sql.slice(i + 2, close));
      i = close + 1;
      continue;
    }
    if ((c === 'E' || c === 'e') && sql[i + 1] === "'" && !/[\p{L}\p{N}_$]/u.test(sql[i - 1] ?? '')) {
      // An escape string (E'it\'s', PostgreSQL and DuckDB): backslash escapes whatever the dialect.
      const q = quoted(i + 1, "'", true);
      if (!q) return { tokens, hashComments, error: { offset: i, message: 'a string is not closed' } };
      push('string', i, q.end, q.value);
      i = q.end;
      continue;
    }
    if (c === "'" || (c === '"' && options.doubleQuotedStrings)) {
      const q = quoted(i, c, options.backslashEscapes === true);
      if (!q) return { tokens, hashComments, error: { offset: i, message: 'a string is not closed' } };
      push('string', i, q.end, q.value);
      i = q.end;
      continue;
    }
    if (c === '"' || c === '`' || (c === '[' && options.bracketNames)) {
      const q = quoted(i, c === '[' ? ']' : c, false);
      if (!q) return { tokens, hashComments, error: { offset: i, message: 'a quoted name is not closed' } };
      push('name', i, q.end, q.value, c);
      i = q.end;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(?:0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)/.exec(sql.slice(i, i + 64))!;
      push('number', i, i + m[0].length, m[0]);
      i += m[0].length;
      continue;
    }
    const word = /^[\p{L}_@$#][\p{L}\p{N}_$@#]*/u.exec(sql.slice(i, i + 256));
    if (word) {
      push('word', i, i + word[0].length, word[0]);
      i += word[0].length;
      continue;
    }
    const op = PUNCT.find((p) => sql.startsWith(p, i)) ?? c;
    push('punct', i, i + op.length, op);
    i += op.length;
  }
  return { tokens, hashComments };
}
