// A small SQL tokenizer for model files: enough to read the MODEL block, split statements and find macro
// references, while never looking inside string literals or comments. DuckDB lexical rules: '' escapes in
// strings, E'..' strings with backslash escapes, $tag$..$tag$ strings, "" in quoted identifiers, nested /* */.

export type TokenType = 'ident' | 'qident' | 'string' | 'number' | 'macro' | 'punct';

export interface Token {
  type: TokenType;
  /** The source text of the token. */
  text: string;
  /**
   * ident: as written; qident: without quotes, "" unescaped; string: the literal's content, unescaped;
   * number: as written; macro: the variable name after @; punct: as written.
   */
  value: string;
  start: number;
  end: number;
  /** ident or qident containing @var / @{var} pieces (SQLMesh identifier templates). */
  templated?: boolean;
  /** A @'...' string template. */
  macroString?: boolean;
}

export interface Comment {
  start: number;
  end: number;
  /** The comment's text without -- or /* *\/ markers, trimmed. */
  body: string;
}

export interface TokenizeError {
  message: string;
  start: number;
  end: number;
}

export interface TokenizeResult {
  tokens: Token[];
  comments: Comment[];
  errors: TokenizeError[];
}

const MULTI_CHAR_OPERATORS = ['->>', '::', ':=', '->', '=>', '<=', '>=', '<>', '!=', '==', '||', '**', '//', '<<', '>>'];

// ASCII fast paths first: the Unicode-aware regexes are only needed for non-ASCII letters.
function isWordStart(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  const c = ch.charCodeAt(0);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) return true;
  return c > 127 && /[\p{L}]/u.test(ch);
}

function isWordChar(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  const c = ch.charCodeAt(0);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36) return true;
  return c > 127 && /[\p{L}\p{N}]/u.test(ch);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

export function tokenize(text: string): TokenizeResult {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  const errors: TokenizeError[] = [];
  const n = text.length;
  let i = 0;

  const push = (type: TokenType, start: number, end: number, value: string, extra?: Partial<Token>): void => {
    tokens.push({ type, text: text.slice(start, end), value, start, end, ...extra });
  };

  /** Scans a quoted run starting at `start` (the opening quote), doubling the quote to escape it. */
  const scanQuoted = (start: number, quote: string, backslashEscapes: boolean): { end: number; value: string; closed: boolean } => {
    let j = start + 1;
    let value = '';
    while (j < n) {
      const ch = text[j];
      if (backslashEscapes && ch === '\\' && j + 1 < n) {
        const next = text[j + 1];
        value += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
        j += 2;
        continue;
      }
      if (ch === quote) {
        if (text[j + 1] === quote) {
          value += quote;
          j += 2;
          continue;
        }
        return { end: j + 1, value, closed: true };
      }
      value += ch;
      j++;
    }
    return { end: n, value, closed: false };
  };

  while (i < n) {
    const ch = text[i];

    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v' || ch === '\u00a0' || ch === '\ufeff') {
      i++;
      continue;
    }

    // -- line comment
    if (ch === '-' && text[i + 1] === '-') {
      let j = i + 2;
      while (j < n && text[j] !== '\n' && text[j] !== '\r') j++;
      comments.push({ start: i, end: j, body: text.slice(i + 2, j).trim() });
      i = j;
      continue;
    }

    // /* block comment */, nested as DuckDB allows
    if (ch === '/' && text[i + 1] === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (text[j] === '/' && text[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      if (depth > 0) {
        errors.push({ message: 'unterminated /* comment', start: i, end: i + 2 });
        comments.push({ start: i, end: n, body: text.slice(i + 2).trim() });
        i = n;
      } else {
        comments.push({ start: i, end: j, body: text.slice(i + 2, j - 2).trim() });
        i = j;
      }
      continue;
    }

    if (ch === "'") {
      const q = scanQuoted(i, "'", false);
      if (!q.closed) errors.push({ message: 'unterminated string literal', start: i, end: i + 1 });
      push('string', i, q.end, q.value);
      i = q.end;
      continue;
    }

    if (ch === '"') {
      const q = scanQuoted(i, '"', false);
      if (!q.closed) errors.push({ message: 'unterminated quoted identifier', start: i, end: i + 1 });
      push('qident', i, q.end, q.value, q.value.includes('@') ? { templated: true } : undefined);
      i = q.end;
      continue;
    }

    // $$ ... $$ and $tag$ ... $tag$ strings; $1 parameters
    if (ch === '$') {
      const tagMatch = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
      if (tagMatch) {
        const tag = tagMatch[0];
        const close = text.indexOf(tag, i + tag.length);
        if (close < 0) {
          errors.push({ message: 'unterminated dollar-quoted string', start: i, end: i + tag.length });
          push('string', i, n, text.slice(i + tag.length));
          i = n;
        } else {
          push('string', i, close + tag.length, text.slice(i + tag.length, close));
          i = close + tag.length;
        }
        continue;
      }
      let j = i + 1;
      while (isDigit(text[j])) j++;
      push('punct', i, j, text.slice(i, j));
      i = j;
      continue;
    }

    if (isDigit(ch) || (ch === '.' && isDigit(text[i + 1]))) {
      let j = i;
      while (isDigit(text[j])) j++;
      if (text[j] === '.' && text[j + 1] !== '.') {
        j++;
        while (isDigit(text[j])) j++;
      }
      if ((text[j] === 'e' || text[j] === 'E') && (isDigit(text[j + 1]) || ((text[j + 1] === '+' || text[j + 1] === '-') && isDigit(text[j + 2])))) {
        j += 2;
        while (isDigit(text[j])) j++;
      }
      push('number', i, j, text.slice(i, j));
      i = j;
      continue;
    }

    // @'...' string template
    if (ch === '@' && text[i + 1] === "'") {
      const q = scanQuoted(i + 1, "'", false);
      if (!q.closed) errors.push({ message: 'unterminated string literal', start: i + 1, end: i + 2 });
      push('string', i, q.end, q.value, { macroString: true });
      i = q.end;
      continue;
    }

    // Identifiers, macro variables and identifier templates: adjacent runs of words, @word and @{word}.
    if (isWordStart(ch) || (ch === '@' && (isWordStart(text[i + 1]) || text[i + 1] === '{'))) {
      let j = i;
      let templated = false;
      while (j < n) {
        if (isWordChar(text[j])) {
          j++;
        } else if (text[j] === '@' && isWordStart(text[j + 1])) {
          templated = true;
          j += 2;
          while (isWordChar(text[j])) j++;
        } else if (text[j] === '@' && text[j + 1] === '{') {
          templated = true;
          const close = text.indexOf('}', j + 2);
          const inner = close < 0 ? '' : text.slice(j + 2, close);
          if (close < 0 || !/^[\p{L}_][\p{L}\p{N}_]*$/u.test(inner)) {
            errors.push({ message: 'expected a variable name and } after @{', start: j, end: j + 2 });
            j = close < 0 ? j + 2 : close + 1;
            break;
          }
          j = close + 1;
        } else break;
      }
      const word = text.slice(i, j);
      if ((word === 'E' || word === 'e') && text[j] === "'") {
        const q = scanQuoted(j, "'", true);
        if (!q.closed) errors.push({ message: 'unterminated string literal', start: i, end: j + 1 });
        push('string', i, q.end, q.value);
        i = q.end;
        continue;
      }
      if (/^@[\p{L}_][\p{L}\p{N}_$]*$/u.test(word)) push('macro', i, j, word.slice(1));
      else push('ident', i, j, word, templated ? { templated: true } : undefined);
      i = j;
      continue;
    }

    const op = MULTI_CHAR_OPERATORS.find((candidate) => text.startsWith(candidate, i));
    const end = i + (op ? op.length : 1);
    push('punct', i, end, text.slice(i, end));
    i = end;
  }

  return { tokens, comments, errors };
}

export function isPunct(token: Token | undefined, text: string): boolean {
  return token !== undefined && token.type === 'punct' && token.text === text;
}

export function isKeyword(token: Token | undefined, word: string): boolean {
  return token !== undefined && token.type === 'ident' && !token.templated && token.value.toUpperCase() === word;
}
