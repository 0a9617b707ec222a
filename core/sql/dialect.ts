// Models may declare another SQL dialect (`dialect mysql` in the MODEL block). DuckDB only parses its own
// SQL, so such a query is parsed by node-sql-parser in its dialect and printed back with node-sql-parser's
// PostgreSQL printer, the closest to DuckDB. The printer keeps some of the source dialect's spelling
// (backticks, `LIMIT o, n`, `TOP n`, MySQL's `||` meaning OR, T-SQL's `+` on strings, backslash escapes);
// the small rewrites below fix those on the syntax tree before printing. This covers ordinary SELECT
// queries, not every function of every dialect: a function DuckDB does not know stays as written and
// DuckDB reports it when the model is built.

import { SourceText, type SqlDiagnostic } from './diagnostic';

/** What the SQL becomes: DuckDB SQL, or the text as given when it was not translated. */
export interface TranspiledSql {
  sql: string;
  diagnostics: SqlDiagnostic[];
  /** True when sql is a translation; false when it is the input unchanged (DuckDB, unknown dialect, error). */
  translated: boolean;
}

/** How a dialect differs from DuckDB in the ways the rewrites care about. */
interface DialectProfile {
  /** node-sql-parser's name for the grammar. */
  database: string;
  /** "text" is a string, not an identifier (MySQL, BigQuery, Hive). */
  doubleQuotedStrings?: boolean;
  /** Backslash escapes inside string literals ('it\'s'). */
  backslashEscapes?: boolean;
  /** `||` is logical OR and `&&` logical AND (MySQL without PIPES_AS_CONCAT). */
  pipesAreOr?: boolean;
  /** `+` concatenates strings (T-SQL). */
  plusConcatenates?: boolean;
  /** A backtick-quoted `project.dataset.table` is a dotted path, not one name (BigQuery). */
  dottedQuotedNames?: boolean;
  /** DATE_TRUNC(value, PART) with the part last and unquoted (BigQuery). */
  truncPartLast?: boolean;
}

const MYSQL: DialectProfile = { database: 'mysql', doubleQuotedStrings: true, backslashEscapes: true, pipesAreOr: true };
const POSTGRES: DialectProfile = { database: 'postgresql' };
const HIVE: DialectProfile = { database: 'hive', doubleQuotedStrings: true, backslashEscapes: true };

// SQLMesh (sqlglot) dialect names. Close relatives share a grammar, which also keeps the bundle smaller:
// MariaDB, StarRocks and Doris speak MySQL; Materialize and RisingWave speak PostgreSQL; Presto and
// Athena (engine 3) are Trino; Spark SQL and Databricks are read with the Hive grammar (same quoting and
// literals, fewer functions).
const DIALECTS: Record<string, DialectProfile> = {
  mysql: MYSQL,
  mariadb: MYSQL,
  starrocks: MYSQL,
  doris: MYSQL,
  postgres: POSTGRES,
  postgresql: POSTGRES,
  materialize: POSTGRES,
  risingwave: POSTGRES,
  redshift: { database: 'redshift', backslashEscapes: true },
  bigquery: { database: 'bigquery', doubleQuotedStrings: true, backslashEscapes: true, dottedQuotedNames: true, truncPartLast: true },
  snowflake: { database: 'snowflake', backslashEscapes: true },
  tsql: { database: 'transactsql', plusConcatenates: true },
  fabric: { database: 'transactsql', plusConcatenates: true },
  sqlite: { database: 'sqlite' },
  trino: { database: 'trino' },
  presto: { database: 'trino' },
  athena: { database: 'trino' },
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

/**
 * Translates one query from a SQLMesh dialect to SQL DuckDB accepts. Never throws: a syntax error in the
 * source dialect is an error diagnostic at the line and column node-sql-parser reports (offsets are
 * UTF-16 indexes into `sql`), and the text comes back unchanged. DuckDB (or no dialect) is returned as
 * is; an unknown dialect gives a warning and the text unchanged, so DuckDB parses it as DuckDB SQL.
 */
export function transpileToDuckDb(sql: string, dialect: string | undefined): TranspiledSql {
  if (isDuckDbDialect(dialect)) return { sql, diagnostics: [], translated: false };
  const source = new SourceText(sql);
  const name = dialect!.trim().toLowerCase();
  const profile = profileOf(name);
  if (!profile) {
    const message = `dialect '${name}' cannot be translated (known: ${supportedDialects().join(', ')}); the query is read as DuckDB SQL`;
    return { sql, diagnostics: [source.diagnosticAt(0, message, 'warning')], translated: false };
  }
  const parser = parserFor(profile.database);
  let tree: unknown;
  try {
    // trimQuery: false keeps the reported positions relative to the text as given.
    tree = parser.astify(sql, { database: profile.database, trimQuery: false });
  } catch (err) {
    return { sql, diagnostics: [syntaxDiagnostic(source, name, err)], translated: false };
  }
  const diagnostics: SqlDiagnostic[] = [];
  try {
    rewriteTree(tree, profile, (message) => diagnostics.push(source.diagnosticAt(0, message, 'error')));
    if (diagnostics.length > 0) return { sql, diagnostics, translated: false };
    const printed = parser.sqlify(tree as Parameters<Parser['sqlify']>[0], { database: 'postgresql' });
    return { sql: backticksToDoubleQuotes(printed), diagnostics, translated: true };
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { sql, diagnostics: [source.diagnosticAt(0, `could not translate the ${name} query to DuckDB SQL: ${reason}`, 'error')], translated: false };
  }
}

// ---- node-sql-parser ----

type Parser = import('node-sql-parser').Parser;

const parsers = new Map<string, Parser>();

// Each grammar is its own bundle of a few hundred kilobytes; only the ones a project uses are loaded.
// The requires are literal so that bundlers see them.
function parserFor(database: string): Parser {
  let parser = parsers.get(database);
  if (!parser) {
    parser = new (loadGrammar(database).Parser)();
    parsers.set(database, parser);
  }
  return parser;
}

type Grammar = typeof import('node-sql-parser');

function loadGrammar(database: string): Grammar {
  switch (database) {
    case 'mysql': return require('node-sql-parser/build/mysql') as Grammar;
    case 'postgresql': return require('node-sql-parser/build/postgresql') as Grammar;
    case 'redshift': return require('node-sql-parser/build/redshift') as Grammar;
    case 'bigquery': return require('node-sql-parser/build/bigquery') as Grammar;
    case 'snowflake': return require('node-sql-parser/build/snowflake') as Grammar;
    case 'transactsql': return require('node-sql-parser/build/transactsql') as Grammar;
    case 'sqlite': return require('node-sql-parser/build/sqlite') as Grammar;
    case 'trino': return require('node-sql-parser/build/trino') as Grammar;
    case 'hive': return require('node-sql-parser/build/hive') as Grammar;
    default: throw new Error(`no grammar for ${database}`);
  }
}

interface PegSyntaxError {
  message?: string;
  found?: string | null;
  location?: { start?: { offset?: number } };
}

/** One short line instead of node-sql-parser's list of every token it expected. */
function syntaxDiagnostic(source: SourceText, dialect: string, err: unknown): SqlDiagnostic {
  const e = (typeof err === 'object' && err !== null ? err : {}) as PegSyntaxError;
  const offset = e.location?.start?.offset;
  if (typeof offset !== 'number' || offset < 0 || offset > source.text.length) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return source.diagnosticAt(0, `${dialect} syntax error: ${reason}`, 'error');
  }
  const token = /^(?:[\p{L}\p{N}_$@#]+|\S)/u.exec(source.text.slice(offset, offset + 80))?.[0];
  const what = token === undefined ? 'the end of the query' : JSON.stringify(token);
  return source.diagnosticAt(offset, `${dialect} syntax error at ${what}`, 'error');
}

// ---- rewrites on node-sql-parser's syntax tree ----

type Node = Record<string, unknown>;

const STRING_LITERALS = new Set(['single_quote_string', 'double_quote_string', 'string', 'natural_string', 'var_string', 'regex_string']);

// Functions DuckDB spells differently; only plain renames with the same arguments.
const FUNCTION_RENAMES: Record<string, string> = {
  NVL: 'COALESCE',
  IFF: 'IF',
  GETDATE: 'NOW',
  SYSDATETIME: 'NOW',
  CURDATE: 'CURRENT_DATE',
};

// Cast targets DuckDB does not know by that name.
const TYPE_RENAMES: Record<string, string> = {
  FLOAT64: 'DOUBLE',
  SIGNED: 'BIGINT',
  UNSIGNED: 'UBIGINT',
  BIGNUMERIC: 'DECIMAL(38, 9)',
};

function rewriteTree(tree: unknown, profile: DialectProfile, fail: (message: string) => void): void {
  const done = new WeakSet<object>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null || done.has(value)) return;
    done.add(value);
    const node = value as Node;
    for (const key of Object.keys(node)) visit(node[key]);
    // Children first: `'a' + b + 'c'` needs its inner `+` decided before the outer one.
    rewriteNode(node, profile, fail);
  };
  visit(tree);
}

function rewriteNode(node: Node, profile: DialectProfile, fail: (message: string) => void): void {
  if (Array.isArray(node.from)) for (const item of node.from) tableName(item as Node, profile);
  if (node.type === 'column_ref') columnNames(node);
  if (typeof node.as === 'string') node.as = escapeQuotes(node.as);
  if (typeof node.type === 'string' && STRING_LITERALS.has(node.type) && typeof node.value === 'string') stringLiteral(node, profile);
  if (node.type === 'binary_expr') operator(node, profile);
  if (node.type === 'function') functionCall(node, profile);
  // BigQuery's `* EXCEPT (a)` is DuckDB's `* EXCLUDE (a)`; both have `* REPLACE (...)`.
  if (node.type === 'except' && node.expr && (node.expr as Node).column === '*') node.type = 'exclude';
  if (node.type === 'cast') cast(node);
  limit(node, fail);
}

/**
 * Table names become `schema.table`. Sluice's warehouse is one DuckDB database, so a catalog part
 * (BigQuery's project, Snowflake's database, T-SQL's database and server) is dropped: BigQuery's
 * `project.dataset.table` is the DuckDB table `dataset.table`. Quoting follows the printer's (double quotes).
 */
function tableName(item: Node, profile: DialectProfile): void {
  if (typeof item !== 'object' || item === null || typeof item.table !== 'string' || item.expr) return;
  const surround = (item.surround ?? {}) as Record<string, string | undefined>;
  let tableParts = [item.table];
  if (profile.dottedQuotedNames && surround.table === '`' && item.table.includes('.')) tableParts = item.table.split('.');
  // BigQuery's and Snowflake's grammars repeat the first part of a three-part name as both db and catalog.
  const parts = [item.db, item.schema, ...tableParts].map(identifierText).filter((p): p is string => p !== undefined && p !== '');
  item.table = escapeQuotes(parts[parts.length - 1]);
  item.db = parts.length >= 2 ? escapeQuotes(parts[parts.length - 2]) : null;
  delete item.schema;
  delete item.catalog;
  delete item.server;
  delete item.surround;
  // T-SQL table hints (WITH (NOLOCK)) are about locking, which DuckDB has no use for.
  delete item.table_hint;
}

/** `t.col` qualifiers written with backticks become plain names, which the printer double-quotes. */
function columnNames(node: Node): void {
  for (const key of ['db', 'schema', 'table']) {
    const text = identifierText(node[key]);
    if (text !== undefined) node[key] = escapeQuotes(text);
  }
  if (typeof node.column === 'string' && node.column !== '*') node.column = escapeQuotes(node.column);
}

// The printer wraps plain names in double quotes without escaping them.
function escapeQuotes(name: string): string {
  return name.replace(/"/g, '""');
}

function identifierText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as Node).value === 'string') return (value as Node).value as string;
  return undefined;
}

/**
 * Every string literal is printed in DuckDB's form: single quotes, a quote doubled, backslashes literal.
 * node-sql-parser keeps literals nearly as written (quote pairs and backslash escapes not undone).
 */
function stringLiteral(node: Node, profile: DialectProfile): void {
  const raw = node.value as string;
  let text: string;
  switch (node.type) {
    case 'double_quote_string':
      // In most dialects "x" is an identifier, which the printer writes back as "x".
      if (!profile.doubleQuotedStrings) return;
      text = unescapeString(raw, '"', profile.backslashEscapes === true);
      break;
    case 'string': // BigQuery's "text"
      text = unescapeString(raw, '"', profile.backslashEscapes === true);
      break;
    case 'regex_string': // BigQuery's r'raw' strings: no escapes at all
      text = raw;
      break;
    default:
      text = unescapeString(raw, "'", profile.backslashEscapes === true);
  }
  node.type = 'single_quote_string';
  node.value = text.replace(/'/g, "''");
}

const BACKSLASH_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', '0': '\0', Z: '\x1a' };

/** The characters a literal stands for, from its text between the quotes. */
function unescapeString(raw: string, quote: string, backslashes: boolean): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === quote && raw[i + 1] === quote) {
      out += quote;
      i++;
    } else if (backslashes && c === '\\' && i + 1 < raw.length) {
      const next = raw[++i];
      // MySQL keeps the backslash of \% and \_ so that LIKE patterns still see an escaped wildcard.
      out += next === '%' || next === '_' ? `\\${next}` : BACKSLASH_ESCAPES[next] ?? next;
    } else out += c;
  }
  return out;
}

function isStringExpression(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return false;
  const n = node as Node;
  if (n.type === 'single_quote_string') return true;
  return n.type === 'binary_expr' && n.operator === '||';
}

function operator(node: Node, profile: DialectProfile): void {
  if (profile.pipesAreOr && node.operator === '||') node.operator = 'OR';
  else if (profile.pipesAreOr && node.operator === '&&') node.operator = 'AND';
  else if (profile.plusConcatenates && node.operator === '+' && (isStringExpression(node.left) || isStringExpression(node.right))) {
    // T-SQL adds strings with +; DuckDB concatenates with ||. Only visible when one side is a string literal.
    node.operator = '||';
  }
}

const TRUNC_FUNCTIONS = new Set(['DATE_TRUNC', 'DATETIME_TRUNC', 'TIMESTAMP_TRUNC', 'TIME_TRUNC']);

function functionCall(node: Node, profile: DialectProfile): void {
  const name = node.name as { name?: { type?: string; value?: unknown }[]; schema?: { value?: unknown } } | undefined;
  // The BigQuery grammar files some function names under `schema` with no name parts.
  const written = name?.name?.length === 1 ? name.name[0].value : name?.name?.length === 0 ? name.schema?.value : undefined;
  if (typeof written !== 'string') return;
  const upper = written.toUpperCase();
  const args = (node.args as { value?: unknown[] } | undefined)?.value;
  const rename = (to: string) => (node.name = { name: [{ type: 'default', value: to }] });
  // T-SQL's ISNULL(a, b) is COALESCE; MySQL's one-argument ISNULL(a) is a test and stays.
  if (upper === 'ISNULL' && Array.isArray(args) && args.length === 2) rename('COALESCE');
  else if (Object.prototype.hasOwnProperty.call(FUNCTION_RENAMES, upper)) rename(FUNCTION_RENAMES[upper]);
  else if (profile.truncPartLast && TRUNC_FUNCTIONS.has(upper) && Array.isArray(args) && args.length === 2) {
    // BigQuery's DATE_TRUNC(d, MONTH) is DuckDB's date_trunc('month', d).
    const part = datePart(args[1]);
    if (part === undefined) return;
    rename('date_trunc');
    (node.args as { value: unknown[] }).value = [{ type: 'single_quote_string', value: part }, args[0]];
  }
}

/** The name of a date part written as a bare word (MONTH), which the grammars read as a keyword or a column. */
function datePart(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const n = arg as Node;
  const word = n.type === 'origin' ? n.value : n.type === 'column_ref' && !n.table ? identifierText((n.column as Node | string | undefined) && typeof n.column === 'object' ? (n.column as Node).expr : n.column) : undefined;
  return typeof word === 'string' && /^[A-Za-z_]+$/.test(word) ? word.toLowerCase() : undefined;
}

function cast(node: Node): void {
  if (typeof node.keyword === 'string' && node.keyword.toLowerCase() === 'safe_cast') node.keyword = 'try_cast';
  if (!Array.isArray(node.target)) return;
  for (const target of node.target as Node[]) {
    const type = typeof target?.dataType === 'string' ? target.dataType.toUpperCase() : undefined;
    if (type !== undefined && Object.prototype.hasOwnProperty.call(TYPE_RENAMES, type)) target.dataType = TYPE_RENAMES[type];
  }
}

/** MySQL's `LIMIT offset, count` and T-SQL's `TOP n` become `LIMIT count OFFSET offset`. */
function limit(node: Node, fail: (message: string) => void): void {
  const current = node.limit as { seperator?: string; value?: unknown[] } | undefined;
  if (current && current.seperator === ',' && Array.isArray(current.value) && current.value.length === 2) {
    node.limit = { seperator: 'offset', value: [current.value[1], current.value[0]] };
  }
  const top = node.top as { value?: unknown; percent?: unknown } | undefined;
  if (!top) return;
  if (top.percent) {
    fail('TOP ... PERCENT has no DuckDB equivalent; use LIMIT with a count');
    return;
  }
  const existing = node.limit as { value?: unknown[]; fetch?: unknown; offset?: unknown } | undefined;
  if (existing && ((Array.isArray(existing.value) && existing.value.length > 0) || existing.fetch || existing.offset)) {
    fail('a query cannot have both TOP and LIMIT/OFFSET');
    return;
  }
  const count = typeof top.value === 'number' || typeof top.value === 'string' ? { type: 'number', value: top.value } : top.value;
  node.limit = { seperator: '', value: [count] };
  delete node.top;
}

// ---- text ----

/**
 * Backticks left by the printer (identifiers it copies as written) become DuckDB's double quotes.
 * Strings and double-quoted identifiers are skipped over, so a backtick inside them stays.
 */
export function backticksToDoubleQuotes(sql: string): string {
  if (!sql.includes('`')) return sql;
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '`') {
      const end = closingQuote(sql, i, '`');
      const name = sql.slice(i + 1, end - 1).replace(/``/g, '`');
      out += `"${name.replace(/"/g, '""')}"`;
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Index just after the quote closing the one at start (a doubled quote is part of the text). */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}
