// Models may declare another SQL dialect (`dialect hive` in the MODEL block). Sluice reads every query
// with DuckDB's own parser, so such a query is first rewritten into DuckDB SQL, token by token: what the
// dialect spells differently (backticks, "strings", `* EXCEPT (...)`, IFF, SAFE_CAST, NVL, date functions,
// LIMIT o, n, TOP n, ...) is replaced, and everything else — spaces and comments included — is copied as
// written. Each replacement remembers the text it came from, so DuckDB's errors, lineage and editor
// positions in the translation point at the right line and column of the model file. What has no DuckDB
// translation is an error at its position, never SQL that fails when the model runs.

import type { SourceSegment } from '../models/sourceMap';
import { SourceText, type SqlDiagnostic } from './diagnostic';
import { rewriteCall, type CallPiece, type DialectFamily } from './dialectFunctions';
import { lexDialect, type DialectToken, type LexOptions } from './dialectLexer';

/** What the SQL becomes: DuckDB SQL, or the text as given when it was not translated. */
export interface TranspiledSql {
  sql: string;
  diagnostics: SqlDiagnostic[];
  /** True when sql is a translation; false when it is the input unchanged (DuckDB, unknown dialect). */
  translated: boolean;
  /** Where each part of sql comes from in the input (offsets into the input as fileStart/fileEnd). */
  segments: SourceSegment[];
}

/** How a dialect differs from DuckDB in the ways the rewrites care about. */
interface DialectProfile extends LexOptions {
  family: DialectFamily;
  /** `||` is logical OR and `&&` logical AND (MySQL without PIPES_AS_CONCAT). */
  pipesAreOr?: boolean;
  /** `+` concatenates strings (T-SQL). */
  plusConcatenates?: boolean;
  /** A backtick-quoted `project.dataset.table` is a dotted path, not one name (BigQuery). */
  dottedQuotedNames?: boolean;
  /** SELECT TOP n (T-SQL, Snowflake). */
  top?: boolean;
  /** LIMIT offset, count (MySQL). */
  limitComma?: boolean;
  /** value:path reads a semi-structured value (Snowflake). */
  variantPaths?: boolean;
  /** LATERAL VIEW, DISTRIBUTE BY, SORT BY, CLUSTER BY (Hive, Spark). */
  hiveClauses?: boolean;
}

const MYSQL: DialectProfile = { family: 'mysql', doubleQuotedStrings: true, backslashEscapes: true, pipesAreOr: true, limitComma: true, hashComments: true };
const POSTGRES: DialectProfile = { family: 'postgres' };
const HIVE: DialectProfile = { family: 'hive', doubleQuotedStrings: true, backslashEscapes: true, hiveClauses: true };
const TSQL: DialectProfile = { family: 'tsql', bracketNames: true, plusConcatenates: true, top: true };
const TRINO: DialectProfile = { family: 'trino' };

// SQLMesh (sqlglot) dialect names. Close relatives share a profile: MariaDB, StarRocks and Doris speak
// MySQL; Materialize and RisingWave speak PostgreSQL; Presto and Athena are Trino; Spark SQL and
// Databricks are Hive's family (same quoting, literals and date functions).
const DIALECTS: Record<string, DialectProfile> = {
  mysql: MYSQL,
  mariadb: MYSQL,
  starrocks: MYSQL,
  doris: MYSQL,
  postgres: POSTGRES,
  postgresql: POSTGRES,
  materialize: POSTGRES,
  risingwave: POSTGRES,
  redshift: { family: 'redshift', backslashEscapes: true },
  bigquery: { family: 'bigquery', doubleQuotedStrings: true, backslashEscapes: true, dottedQuotedNames: true, rawStrings: true, hashComments: true },
  snowflake: { family: 'snowflake', backslashEscapes: true, top: true, variantPaths: true },
  tsql: TSQL,
  fabric: TSQL,
  sqlite: { family: 'sqlite' },
  trino: TRINO,
  presto: TRINO,
  athena: TRINO,
  hive: HIVE,
  spark: HIVE,
  spark2: HIVE,
  databricks: HIVE,
};

/** Dialect names that are DuckDB's own: the query is used as written. */
export function isDuckDbDialect(dialect: string | undefined): boolean {
  const name = (dialect ?? '').trim().toLowerCase();
  return name === '' || name === 'duckdb';
}

/** Dialects transpileToDuckDb translates (SQLMesh names), sorted. */
export function supportedDialects(): string[] {
  return Object.keys(DIALECTS).sort();
}

/** Whether transpileToDuckDb can translate from this dialect (DuckDB itself counts as supported). */
export function isSupportedDialect(dialect: string | undefined): boolean {
  return isDuckDbDialect(dialect) || profileOf(dialect) !== undefined;
}

function profileOf(dialect: string | undefined): DialectProfile | undefined {
  const name = (dialect ?? '').trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(DIALECTS, name) ? DIALECTS[name] : undefined;
}

function identity(sql: string): SourceSegment[] {
  return [{ outStart: 0, outEnd: sql.length, fileStart: 0, fileEnd: sql.length, kind: 'copy' }];
}

/**
 * Translates one query from a SQLMesh dialect to DuckDB SQL. Never throws. What cannot be translated is an
 * error diagnostic at its offset in `sql`; syntax errors are left to DuckDB's parser, whose positions map
 * back through `segments`. DuckDB (or no dialect) is returned as is; an unknown dialect gives a warning
 * and the text unchanged, so DuckDB parses it as DuckDB SQL.
 */
export function transpileToDuckDb(sql: string, dialect: string | undefined): TranspiledSql {
  if (isDuckDbDialect(dialect)) return { sql, diagnostics: [], translated: false, segments: identity(sql) };
  const source = new SourceText(sql);
  const name = dialect!.trim().toLowerCase();
  const profile = profileOf(name);
  if (!profile) {
    const message = `dialect '${name}' cannot be translated (known: ${supportedDialects().join(', ')}); the query is read as DuckDB SQL`;
    return { sql, diagnostics: [source.diagnosticAt(0, message, 'warning')], translated: false, segments: identity(sql) };
  }
  const lexed = lexDialect(sql, profile);
  if (lexed.error) {
    return { sql, diagnostics: [source.diagnosticAt(lexed.error.offset, `${name}: ${lexed.error.message}`, 'error')], translated: false, segments: identity(sql) };
  }
  const translation = new Translation(sql, lexed.tokens, profile, name, lexed.hashComments);
  translation.run();
  return {
    sql: translation.out,
    diagnostics: translation.problems.map((p) => source.diagnosticAt(p.offset, p.message, 'error')),
    translated: true,
    segments: translation.segments,
  };
}

// ---- the translation ----

const CASTS = new Set(['CAST', 'TRY_CAST', 'SAFE_CAST']);

// Type names DuckDB does not know, in CAST(... AS type) and ::type.
const TYPE_RENAMES: Record<string, string> = {
  FLOAT64: 'DOUBLE',
  BIGNUMERIC: 'DECIMAL(38, 9)',
  BIGDECIMAL: 'DECIMAL(38, 9)',
  BYTES: 'BLOB',
  SIGNED: 'BIGINT',
  UNSIGNED: 'UBIGINT',
  NVARCHAR: 'VARCHAR',
  NCHAR: 'VARCHAR',
  NTEXT: 'VARCHAR',
  DATETIME2: 'TIMESTAMP',
  DATETIMEOFFSET: 'TIMESTAMPTZ',
  TIMESTAMP_NTZ: 'TIMESTAMP',
  TIMESTAMP_LTZ: 'TIMESTAMPTZ',
  TIMESTAMP_TZ: 'TIMESTAMPTZ',
  NUMBER: 'DECIMAL',
  VARIANT: 'JSON',
};

// T-SQL table hints: about locking, which DuckDB has no use for.
const TABLE_HINTS = new Set(['NOLOCK', 'READUNCOMMITTED', 'UPDLOCK', 'ROWLOCK', 'HOLDLOCK', 'TABLOCK', 'TABLOCKX', 'PAGLOCK', 'READPAST', 'XLOCK', 'NOWAIT', 'READCOMMITTED', 'REPEATABLEREAD', 'SERIALIZABLE']);

// Functions whose arguments use FROM: what follows is a value, not a table.
const KEYWORD_ARGUMENTS = new Set(['EXTRACT', 'SUBSTRING', 'TRIM', 'POSITION', 'OVERLAY']);

const CLAUSE_ENDS = new Set(['UNION', 'EXCEPT', 'INTERSECT', 'MINUS']);

/** How a rule replaces tokens [start, next): DuckDB text and arguments (token ranges translated in place). */
type Piece = string | { from: number; to: number };

class Translation {
  out = '';
  segments: SourceSegment[] = [];
  problems: { offset: number; message: string }[] = [];
  /** Index of the matching parenthesis for every ( and ). */
  private readonly match: number[] = [];
  /** Index of the ( enclosing each token, or -1. */
  private readonly enclosing: number[] = [];
  /** Text to write right after a token (TOP n becomes a LIMIT at the end of its SELECT). */
  private readonly after = new Map<number, string>();

  constructor(
    private readonly sql: string,
    private readonly tokens: DialectToken[],
    private readonly profile: DialectProfile,
    private readonly dialect: string,
    private readonly hashComments: readonly number[] = [],
  ) {
    const stack: number[] = [];
    tokens.forEach((t, i) => {
      this.enclosing[i] = stack.length > 0 ? stack[stack.length - 1] : -1;
      if (t.text === '(') stack.push(i);
      else if (t.text === ')' && stack.length > 0) {
        const open = stack.pop()!;
        this.match[open] = i;
        this.match[i] = open;
      }
    });
  }

  run(): void {
    const { tokens, sql } = this;
    if (tokens.length === 0) {
      this.copy(0, sql.length);
      return;
    }
    this.copy(0, tokens[0].start);
    this.emit(0, tokens.length);
    this.copy(tokens[tokens.length - 1].end, sql.length);
  }

  // ---- output ----

  private copy(start: number, end: number): void {
    if (end <= start) return;
    // MySQL's and BigQuery's # comments are -- comments in DuckDB.
    const hash = this.hashComments.find((h) => h >= start && h < end);
    if (hash !== undefined) {
      this.copy(start, hash);
      this.write('--', hash, hash + 1);
      this.copy(hash + 1, end);
      return;
    }
    const last = this.segments[this.segments.length - 1];
    if (last && last.kind === 'copy' && last.fileEnd === start && last.outEnd === this.out.length) {
      last.outEnd += end - start;
      last.fileEnd = end;
    } else {
      this.segments.push({ outStart: this.out.length, outEnd: this.out.length + end - start, fileStart: start, fileEnd: end, kind: 'copy' });
    }
    this.out += this.sql.slice(start, end);
  }

  /** New text standing for input [start, end). */
  private write(text: string, start: number, end: number): void {
    if (text === '') return;
    this.segments.push({ outStart: this.out.length, outEnd: this.out.length + text.length, fileStart: start, fileEnd: end, kind: 'macro' });
    this.out += text;
  }

  private refuse(token: DialectToken, message: string): void {
    this.problems.push({ offset: token.start, message });
  }

  /** Tokens [from, to) with the spaces between them (not before the first or after the last). */
  private emit(from: number, to: number): void {
    let i = from;
    while (i < to) {
      const next = Math.min(this.rule(i, to), to);
      for (let k = i; k < next; k++) {
        const text = this.after.get(k);
        if (text !== undefined) {
          this.write(text, this.tokens[k].end, this.tokens[k].end);
          this.after.delete(k);
        }
      }
      if (next < to) this.copy(this.tokens[next - 1].end, this.tokens[next].start);
      i = next;
    }
  }

  /** Writes pieces standing for tokens [start, next) and returns next. */
  private pieces(start: number, next: number, pieces: Piece[]): number {
    const from = this.tokens[start].start;
    const to = this.tokens[next - 1].end;
    for (const piece of pieces) {
      if (typeof piece === 'string') this.write(piece, from, to);
      else if (piece.to > piece.from) this.emit(piece.from, piece.to);
    }
    return next;
  }

  /** Token i copied as written. */
  private same(i: number): number {
    this.copy(this.tokens[i].start, this.tokens[i].end);
    return i + 1;
  }

  // ---- rules: each handles the token at i and returns the index after what it consumed ----

  private rule(i: number, limit: number): number {
    const t = this.tokens[i];
    const prev = this.tokens[i - 1];
    const next = this.tokens[i + 1];
    const upper = t.type === 'word' ? t.text.toUpperCase() : '';
    const p = this.profile;
    if ((upper === 'FROM' || upper === 'JOIN') && next && (next.type === 'word' || next.type === 'name') && !this.inFunctionSyntax(i)) {
      // The keyword, then the table name with its catalog part dropped.
      this.same(i);
      this.copy(t.end, next.start);
      return this.tableName(i + 1, limit);
    }
    if (t.type === 'name') return this.name(i);
    if (t.type === 'string') return this.string(i);
    if (t.type === 'word' && next?.text === '(' && prev?.text !== '.' && this.match[i + 1] !== undefined && this.match[i + 1] < limit) {
      const call = this.call(i);
      if (call !== undefined) return call;
    }
    if (upper === 'EXCEPT' && prev?.text === '*' && next?.text === '(' && this.tokens[i + 2]?.text.toUpperCase() !== 'SELECT') {
      // `* EXCEPT (a)` (BigQuery, Spark, Databricks) is DuckDB's `* EXCLUDE (a)`.
      return this.pieces(i, i + 1, ['EXCLUDE']);
    }
    if (t.type === 'word' && (prev?.text === '::' || (upper !== 'AS' && prev?.text.toUpperCase() === 'AS' && this.inCast(i)))) {
      // Snowflake's NUMBER without precision is NUMBER(38, 0); DuckDB's DECIMAL alone is DECIMAL(18, 3).
      const type = upper === 'NUMBER' && next?.text !== '(' ? 'DECIMAL(38, 0)' : TYPE_RENAMES[upper];
      if (type) return this.pieces(i, i + 1, [type]);
    }
    if (p.top && upper === 'TOP' && prev && /^(SELECT|DISTINCT|ALL)$/i.test(prev.text)) return this.top(i);
    if (p.limitComma && upper === 'LIMIT') return this.limit(i, limit);
    if (p.pipesAreOr && t.text === '||') return this.pieces(i, i + 1, ['OR']);
    if (p.pipesAreOr && t.text === '&&') return this.pieces(i, i + 1, ['AND']);
    if (p.plusConcatenates && t.text === '+' && (prev?.type === 'string' || next?.type === 'string')) {
      // T-SQL adds strings with +; DuckDB concatenates with ||. Seen only when one side is a string literal.
      return this.pieces(i, i + 1, ['||']);
    }
    if (p.bracketNames && upper === 'WITH' && next?.text === '(' && this.isTableHint(i + 1)) return this.match[i + 1] + 1;
    if (p.variantPaths && t.text === ':' && prev && (prev.type === 'word' || prev.type === 'name' || prev.text === ']' || prev.text === ')') && next && (next.type === 'word' || next.type === 'name')) {
      this.refuse(t, "Snowflake's value:path access of semi-structured data has no DuckDB translation; write json_extract_string(value, '$.path') or value->>'path'");
      return this.same(i);
    }
    if (p.hiveClauses && (upper === 'LATERAL' && next?.text.toUpperCase() === 'VIEW')) {
      this.refuse(t, `${this.dialect}'s LATERAL VIEW has no DuckDB translation; write it with unnest() in the SELECT list`);
      return this.same(i);
    }
    if (p.hiveClauses && /^(DISTRIBUTE|SORT|CLUSTER)$/.test(upper) && next?.text.toUpperCase() === 'BY') {
      this.refuse(t, `${this.dialect}'s ${upper} BY has no DuckDB translation (it is about how the engine spreads rows); remove it or use ORDER BY`);
      return this.same(i);
    }
    return this.same(i);
  }

  /** Whether token i is inside EXTRACT(part FROM x) and the like, where FROM is followed by a value. */
  private inFunctionSyntax(i: number): boolean {
    const open = this.enclosing[i];
    return open > 0 && KEYWORD_ARGUMENTS.has(this.tokens[open - 1].text.toUpperCase());
  }

  /** Whether token i is the type in CAST(x AS type). */
  private inCast(i: number): boolean {
    const open = this.enclosing[i];
    return open > 0 && CASTS.has(this.tokens[open - 1].text.toUpperCase());
  }

  /** A quoted name in DuckDB's double quotes; BigQuery's `a.b.c` is three names. */
  private name(i: number): number {
    const t = this.tokens[i];
    if (t.quote === '"') return this.same(i);
    const parts = this.profile.dottedQuotedNames && t.quote === '`' ? t.value.split('.') : [t.value];
    return this.pieces(i, i + 1, [parts.map(doubleQuoted).join('.')]);
  }

  /** A string literal in DuckDB's form: single quotes, a quote doubled, backslashes literal. */
  private string(i: number): number {
    const t = this.tokens[i];
    const duckdb = `'${t.value.replace(/'/g, "''")}'`;
    return duckdb === t.text ? this.same(i) : this.pieces(i, i + 1, [duckdb]);
  }

  /**
   * The table name at i: `catalog.schema.table` keeps schema and table, because the warehouse is one DuckDB
   * database (BigQuery's project, Snowflake's and T-SQL's database are dropped).
   */
  private tableName(i: number, limit: number): number {
    const names: { text: string; quoted: boolean }[] = [];
    let j = i;
    for (;;) {
      const t = this.tokens[j];
      if (t.type === 'word') names.push({ text: t.text, quoted: false });
      else if (this.profile.dottedQuotedNames && t.quote === '`') names.push(...t.value.split('.').map((text) => ({ text, quoted: true })));
      else names.push({ text: t.value, quoted: true });
      const dot = this.tokens[j + 1];
      const part = this.tokens[j + 2];
      if (dot?.text !== '.' || j + 2 >= limit || !part || (part.type !== 'word' && part.type !== 'name')) break;
      j += 2;
    }
    // A function in FROM (range(3), UNNEST(...)) keeps its own rules, and so does a name of one or two parts.
    if (this.tokens[j + 1]?.text === '(' || names.length < 3) return this.rule(i, limit);
    const kept = names.slice(-2).map((n) => (n.quoted ? doubleQuoted(n.text) : n.text));
    return this.pieces(i, j + 1, [kept.join('.')]);
  }

  /** A function call at i (name, then its parenthesis). undefined: no rule, handled token by token. */
  private call(i: number): number | undefined {
    const open = i + 1;
    const close = this.match[open];
    const args = this.args(open, close);
    const name = this.tokens[i].text.toUpperCase();
    const tokens = this.tokens;
    const single = (k: number) => (args[k] && args[k].to - args[k].from === 1 ? tokens[args[k].from] : undefined);
    const rewrite = rewriteCall({
      family: this.profile.family,
      name,
      argCount: args.length,
      stringArg: (k) => (single(k)?.type === 'string' ? single(k)!.value : undefined),
      wordArg: (k) => {
        const t = single(k);
        return t && (t.type === 'word' || t.type === 'string' || t.type === 'name') ? (t.type === 'word' ? t.text : t.value).toLowerCase() : undefined;
      },
    });
    if (rewrite === undefined) return undefined;
    if ('refused' in rewrite) {
      this.refuse(tokens[i], rewrite.refused);
      return undefined;
    }
    if ('rename' in rewrite) return this.pieces(i, i + 1, [rewrite.rename]);
    const pieces: Piece[] = rewrite.map((piece: CallPiece) => (typeof piece === 'string' ? piece : args[piece.arg]));
    return this.pieces(i, close + 1, pieces);
  }

  /** The token ranges of the comma-separated arguments inside ( at open and ) at close. */
  private args(open: number, close: number): { from: number; to: number }[] {
    if (close === open + 1) return [];
    const out: { from: number; to: number }[] = [];
    let start = open + 1;
    for (let k = open + 1; k < close; k++) {
      if (this.tokens[k].text === '(') k = this.match[k] ?? k;
      else if (this.tokens[k].text === ',') {
        out.push({ from: start, to: k });
        start = k + 1;
      }
    }
    out.push({ from: start, to: close });
    return out;
  }

  /** T-SQL's and Snowflake's `SELECT TOP n`: a LIMIT n at the end of that SELECT. */
  private top(i: number): number {
    const t = this.tokens[i];
    const count = this.tokens[i + 1];
    if (!count || count.type !== 'number') {
      this.refuse(t, 'TOP is translated only with a number (TOP 10)');
      return this.same(i);
    }
    if (this.tokens[i + 2]?.text.toUpperCase() === 'PERCENT') {
      this.refuse(t, 'TOP ... PERCENT has no DuckDB equivalent; use LIMIT with a count');
      return this.same(i);
    }
    // The SELECT ends at the ) around it, a set operation or the end of the query.
    let last = i + 1;
    for (let k = i + 2; k < this.tokens.length; k++) {
      const word = this.tokens[k].text.toUpperCase();
      if (word === ')' || word === ';' || CLAUSE_ENDS.has(word)) break;
      if (word === 'LIMIT' || word === 'OFFSET' || word === 'FETCH') {
        this.refuse(t, 'a query cannot have both TOP and LIMIT/OFFSET');
        return this.same(i);
      }
      if (word === '(') k = this.match[k] ?? k;
      last = k;
    }
    this.after.set(last, ` LIMIT ${count.text}`);
    return this.pieces(i, i + 2, []);
  }

  /** MySQL's `LIMIT offset, count` is `LIMIT count OFFSET offset`. */
  private limit(i: number, limit: number): number {
    const [offset, comma, count] = [this.tokens[i + 1], this.tokens[i + 2], this.tokens[i + 3]];
    if (!offset || comma?.text !== ',' || !count || i + 4 > limit) return this.same(i);
    return this.pieces(i, i + 4, ['LIMIT ', { from: i + 3, to: i + 4 }, ' OFFSET ', { from: i + 1, to: i + 2 }]);
  }

  private isTableHint(open: number): boolean {
    const close = this.match[open];
    if (close === undefined) return false;
    for (let k = open + 1; k < close; k++) {
      const t = this.tokens[k];
      if (t.text !== ',' && !(t.type === 'word' && TABLE_HINTS.has(t.text.toUpperCase()))) return false;
    }
    return close > open + 1;
  }
}

function doubleQuoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
