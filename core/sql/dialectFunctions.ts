// Functions of other SQL dialects written the DuckDB way. A rule gets the call's arguments (each one is
// translated on its own and copied to wherever the rule puts it, so positions inside it stay exact) and
// returns the DuckDB text as pieces, or refuses with the reason. A function with no rule is copied as
// written; the project analysis then checks that DuckDB has a function of that name.

import { patternToStrftime, percentFormatToStrftime, wordPatternToStrftime, type FormatConversion } from '../dialect/formats';

/** The dialect families whose functions differ (close relatives share one: MariaDB is MySQL, Spark is Hive). */
export type DialectFamily = 'mysql' | 'postgres' | 'redshift' | 'bigquery' | 'snowflake' | 'tsql' | 'sqlite' | 'trino' | 'hive';

/** A piece of the rewritten call: DuckDB text, or argument i as translated. */
export type CallPiece = string | { arg: number };

export interface CallSite {
  family: DialectFamily;
  /** The function name, upper-case. */
  name: string;
  argCount: number;
  /** The text of a string-literal argument, or undefined. */
  stringArg(i: number): string | undefined;
  /** A bare word or string argument (a date part such as MONTH or 'month'), lower-case. */
  wordArg(i: number): string | undefined;
}

/** The call as pieces; only the function's name replaced (the arguments copied as written); or a refusal. */
export type CallRewrite = CallPiece[] | { rename: string } | { refused: string };
type Rule = (c: CallSite) => CallRewrite | undefined;

const a = (i: number): CallPiece => ({ arg: i });
const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
const refuse = (refused: string): CallRewrite => ({ refused });

/** name(args...) with every argument carried over. */
function renamed(name: string, c: CallSite): CallPiece[] {
  const out: CallPiece[] = [`${name}(`];
  for (let i = 0; i < c.argCount; i++) out.push(...(i > 0 ? [', '] : []), a(i));
  out.push(')');
  return out;
}

// Date parts as the dialects abbreviate them (Snowflake, T-SQL, Redshift), to DuckDB's names.
const PARTS: Record<string, string> = {
  year: 'year', years: 'year', y: 'year', yy: 'year', yyy: 'year', yyyy: 'year', yr: 'year', yrs: 'year',
  quarter: 'quarter', quarters: 'quarter', q: 'quarter', qq: 'quarter', qtr: 'quarter', qtrs: 'quarter',
  month: 'month', months: 'month', mm: 'month', m: 'month', mon: 'month', mons: 'month',
  week: 'week', weeks: 'week', w: 'week', wk: 'week', ww: 'week', weekofyear: 'week', woy: 'week', wy: 'week',
  day: 'day', days: 'day', d: 'day', dd: 'day', dayofmonth: 'day',
  hour: 'hour', hours: 'hour', h: 'hour', hh: 'hour', hr: 'hour', hrs: 'hour',
  minute: 'minute', minutes: 'minute', mi: 'minute', min: 'minute', mins: 'minute', n: 'minute',
  second: 'second', seconds: 'second', s: 'second', ss: 'second', sec: 'second', secs: 'second',
  millisecond: 'millisecond', milliseconds: 'millisecond', ms: 'millisecond', msec: 'millisecond',
  microsecond: 'microsecond', microseconds: 'microsecond', us: 'microsecond', usec: 'microsecond', mcs: 'microsecond',
};

function part(c: CallSite, i: number): string | undefined {
  const word = c.wordArg(i);
  return word === undefined ? undefined : PARTS[word];
}

const PART_HINT = 'needs a date part written as a word (day, month, ...)';

/** DATEADD(part, n, value): value plus n parts (Snowflake, T-SQL, Redshift). */
const dateAddPartFirst: Rule = (c) => {
  const unit = part(c, 0);
  if (c.argCount !== 3) return undefined;
  if (!unit) return refuse(`${c.name} ${PART_HINT}`);
  return ['(', a(2), ' + INTERVAL (', a(1), `) ${unit.toUpperCase()})`];
};

/** DATEDIFF(part, from, to): the part boundaries crossed, which is DuckDB's date_diff. */
const dateDiffPartFirst: Rule = (c) => {
  if (c.argCount !== 3) return undefined;
  const unit = part(c, 0);
  if (!unit) return refuse(`${c.name} ${PART_HINT}`);
  return [`date_diff(${quote(unit)}, `, a(1), ', ', a(2), ')'];
};

/** DATE_TRUNC(part, value) / DATE_PART(part, value) with the part unquoted (Snowflake, Redshift, T-SQL's DATETRUNC). */
const partFirst = (duckdb: string): Rule => (c) => {
  if (c.argCount !== 2) return undefined;
  const unit = part(c, 0) ?? c.wordArg(0);
  if (!unit || !/^[a-z_]+$/.test(unit)) return refuse(`${c.name} ${PART_HINT}`);
  return [`${duckdb}(${quote(unit)}, `, a(1), ')'];
};

/** A format argument turned into a strftime format, or a refusal naming the specifier. */
function strftimeArg(c: CallSite, i: number, convert: (format: string) => { format: string } | { refused: string }): { format: string } | { refused: string } {
  const format = c.stringArg(i);
  if (format === undefined) return { refused: `${c.name} needs its format as a string literal to be translated` };
  const converted = convert(format);
  return 'refused' in converted ? { refused: `${c.name}: ${converted.refused}` } : converted;
}

/** f(value, format) → strftime(value, format') */
const formatValueFirst = (convert: (f: string) => { format: string } | { refused: string }): Rule => (c) => {
  if (c.argCount !== 2) return undefined;
  const f = strftimeArg(c, 1, convert);
  return 'refused' in f ? f : ['strftime(', a(0), `, ${quote(f.format)})`];
};

/** f(string, format) → strptime(string, format'), cast when the function gives a date. */
const parseValueFirst = (convert: (f: string) => { format: string } | { refused: string }, cast?: string): Rule => (c) => {
  if (c.argCount === 1 && cast) return ['CAST(', a(0), ` AS ${cast})`];
  if (c.argCount !== 2) return undefined;
  const f = strftimeArg(c, 1, convert);
  if ('refused' in f) return f;
  return cast ? ['CAST(strptime(', a(0), `, ${quote(f.format)}) AS ${cast})`] : ['strptime(', a(0), `, ${quote(f.format)})`];
};

const castTo = (type: string): Rule => (c) => (c.argCount === 1 ? ['CAST(', a(0), ` AS ${type})`] : undefined);

// ---- formats ----

type Converted = FormatConversion;

// Java's DateTimeFormatter letters (Hive, Spark, Databricks), longest first.
const JAVA_PATTERNS: [string, string][] = [
  ['yyyy', '%Y'], ['yy', '%y'], ['y', '%Y'], ['MMMM', '%B'], ['MMM', '%b'], ['MM', '%m'], ['M', '%-m'], ['dd', '%d'], ['d', '%-d'],
  ['HH', '%H'], ['H', '%-H'], ['hh', '%I'], ['h', '%-I'], ['mm', '%M'], ['m', '%-M'], ['ss', '%S'], ['s', '%-S'],
  ['SSSSSS', '%f'], ['SSS', '%g'], ['a', '%p'], ['EEEE', '%A'], ['EEE', '%a'], ['E', '%a'], ['DDD', '%j'], ['D', '%-j'],
];

export function javaToStrftime(pattern: string): Converted {
  return wordPatternToStrftime(pattern, JAVA_PATTERNS, { quote: "'", wholeRuns: true });
}

// MySQL's DATE_FORMAT specifiers that DuckDB spells differently; the rest are the same as strftime's.
const MYSQL_SPECIFIERS: Record<string, string | null> = {
  Y: '%Y', y: '%y', m: '%m', c: '%-m', d: '%d', e: '%-d', H: '%H', k: '%-H', h: '%I', I: '%I', l: '%-I', i: '%M', s: '%S',
  S: '%S', f: '%f', p: '%p', a: '%a', W: '%A', b: '%b', M: '%B', j: '%j', w: '%w', T: '%H:%M:%S', r: '%I:%M:%S %p',
  U: '%U', u: '%W', '%': '%%', D: null, V: null, v: null, X: null, x: null,
};

export function mysqlToStrftime(format: string): Converted {
  return percentFormatToStrftime(format, (spec) => MYSQL_SPECIFIERS[spec] ?? undefined);
}

// BigQuery's format elements are strftime's; these few are not DuckDB's.
const BIGQUERY_SPECIFIERS: Record<string, string> = { F: '%Y-%m-%d', T: '%H:%M:%S', D: '%m/%d/%y', R: '%H:%M', e: '%-d', k: '%-H', l: '%-I', P: '%p' };
const STRFTIME_SAME = new Set('aAwdbBhmyYHIpMSfzZjUWcxX%'.split(''));

export function bigqueryToStrftime(format: string): Converted {
  return percentFormatToStrftime(format, (spec) => (STRFTIME_SAME.has(spec) ? `%${spec}` : BIGQUERY_SPECIFIERS[spec]));
}

const toCharFormat = (target: 'postgres' | 'snowflake') => (format: string): Converted => patternToStrftime(format, target);

// ---- the rules ----

// Spelled differently in DuckDB, same arguments; in every dialect.
const RENAMES: Record<string, string> = { NVL: 'coalesce', IFF: 'if', IIF: 'if', GETDATE: 'now', SYSDATETIME: 'now', SYSDATE: 'now', CURDATE: 'current_date', SAFE_CAST: 'TRY_CAST' };

const COMMON: Record<string, Rule> = {
  NVL2: (c) => (c.argCount === 3 ? ['CASE WHEN ', a(0), ' IS NOT NULL THEN ', a(1), ' ELSE ', a(2), ' END'] : undefined),
  // DuckDB has these as keywords only: current_timestamp() does not run there.
  CURRENT_TIMESTAMP: (c) => (c.argCount === 0 ? ['current_timestamp'] : undefined),
  CURRENT_TIME: (c) => (c.argCount === 0 ? ['current_time'] : undefined),
  LOCALTIMESTAMP: (c) => (c.argCount === 0 ? ['localtimestamp'] : undefined),
  ZEROIFNULL: (c) => (c.argCount === 1 ? ['coalesce(', a(0), ', 0)'] : undefined),
  // T-SQL's ISNULL(a, b) is COALESCE; MySQL's one-argument ISNULL(a) is a test DuckDB has too.
  ISNULL: (c) => (c.argCount === 2 ? renamed('coalesce', c) : undefined),
};

/** DATE_ADD(d, INTERVAL ...) / DATE_SUB: MySQL's and BigQuery's interval arithmetic. */
const intervalArithmetic = (op: '+' | '-', cast?: string): Rule => (c) => {
  if (c.argCount !== 2) return undefined;
  const body: CallPiece[] = ['(', a(0), ` ${op} `, a(1), ')'];
  return cast ? ['CAST(', ...body, ` AS ${cast})`] : body;
};

/** BigQuery's X_DIFF(a, b, PART) is a - b in parts: date_diff('part', b, a). */
const bigqueryDiff: Rule = (c) => {
  if (c.argCount !== 3) return undefined;
  const unit = part(c, 2);
  if (!unit) return refuse(`${c.name} ${PART_HINT}`);
  return [`date_diff(${quote(unit)}, `, a(1), ', ', a(0), ')'];
};

/** BigQuery's X_TRUNC(value, PART); DATE_TRUNC gives a DATE there. */
const bigqueryTrunc = (cast?: string): Rule => (c) => {
  if (c.argCount !== 2) return undefined;
  const unit = part(c, 1);
  if (!unit) return refuse(`${c.name} ${PART_HINT}`);
  const call: CallPiece[] = [`date_trunc(${quote(unit)}, `, a(0), ')'];
  return cast ? ['CAST(', ...call, ` AS ${cast})`] : call;
};

/** BigQuery's FORMAT_DATE(format, value). */
const bigqueryFormat: Rule = (c) => {
  if (c.argCount !== 2) return undefined;
  const f = strftimeArg(c, 0, bigqueryToStrftime);
  return 'refused' in f ? f : ['strftime(', a(1), `, ${quote(f.format)})`];
};

/** BigQuery's PARSE_DATE(format, string). */
const bigqueryParse = (cast?: string): Rule => (c) => {
  if (c.argCount !== 2) return undefined;
  const f = strftimeArg(c, 0, bigqueryToStrftime);
  if ('refused' in f) return f;
  return cast ? ['CAST(strptime(', a(1), `, ${quote(f.format)}) AS ${cast})`] : ['strptime(', a(1), `, ${quote(f.format)})`];
};

const dayArithmetic = (op: '+' | '-'): Rule => (c) => (c.argCount === 2 ? ['(CAST(', a(0), ` AS DATE) ${op} CAST(`, a(1), ' AS INTEGER))'] : undefined);

const BY_FAMILY: Partial<Record<DialectFamily, Record<string, Rule>>> = {
  hive: {
    DATE_ADD: dayArithmetic('+'),
    DATE_SUB: dayArithmetic('-'),
    // datediff(end, start) in days; Databricks also has datediff(unit, start, end).
    DATEDIFF: (c) => (c.argCount === 2 ? ["date_diff('day', CAST(", a(1), ' AS DATE), CAST(', a(0), ' AS DATE))'] : dateDiffPartFirst(c)),
    ADD_MONTHS: (c) => (c.argCount === 2 ? ['CAST(CAST(', a(0), ' AS DATE) + to_months(CAST(', a(1), ' AS INTEGER)) AS DATE)'] : undefined),
    DATE_FORMAT: formatValueFirst(javaToStrftime),
    TO_DATE: parseValueFirst(javaToStrftime, 'DATE'),
    TO_TIMESTAMP: parseValueFirst(javaToStrftime, 'TIMESTAMP'),
    DATEADD: dateAddPartFirst,
    TIMESTAMPADD: dateAddPartFirst,
    TIMESTAMPDIFF: dateDiffPartFirst,
  },
  bigquery: {
    DATE_ADD: intervalArithmetic('+', 'DATE'),
    DATE_SUB: intervalArithmetic('-', 'DATE'),
    DATETIME_ADD: intervalArithmetic('+'),
    DATETIME_SUB: intervalArithmetic('-'),
    TIMESTAMP_ADD: intervalArithmetic('+'),
    TIMESTAMP_SUB: intervalArithmetic('-'),
    DATE_DIFF: bigqueryDiff,
    DATETIME_DIFF: bigqueryDiff,
    TIMESTAMP_DIFF: bigqueryDiff,
    DATE_TRUNC: bigqueryTrunc('DATE'),
    DATETIME_TRUNC: bigqueryTrunc(),
    TIMESTAMP_TRUNC: bigqueryTrunc(),
    FORMAT_DATE: bigqueryFormat,
    FORMAT_DATETIME: bigqueryFormat,
    FORMAT_TIMESTAMP: bigqueryFormat,
    PARSE_DATE: bigqueryParse('DATE'),
    PARSE_DATETIME: bigqueryParse(),
    PARSE_TIMESTAMP: bigqueryParse(),
  },
  snowflake: {
    DATEADD: dateAddPartFirst,
    TIMEADD: dateAddPartFirst,
    TIMESTAMPADD: dateAddPartFirst,
    DATEDIFF: dateDiffPartFirst,
    TIMEDIFF: dateDiffPartFirst,
    TIMESTAMPDIFF: dateDiffPartFirst,
    DATE_TRUNC: partFirst('date_trunc'),
    DATE_PART: partFirst('date_part'),
    TO_DATE: parseValueFirst(toCharFormat('snowflake'), 'DATE'),
    TO_TIMESTAMP: parseValueFirst(toCharFormat('snowflake'), 'TIMESTAMP'),
    TO_CHAR: (c) => (c.argCount === 1 ? castTo('VARCHAR')(c) : formatValueFirst(toCharFormat('snowflake'))(c)),
    TO_VARCHAR: (c) => (c.argCount === 1 ? castTo('VARCHAR')(c) : formatValueFirst(toCharFormat('snowflake'))(c)),
    FLATTEN: () => refuse("Snowflake's FLATTEN has no DuckDB translation; write it with unnest()"),
    PARSE_JSON: castTo('JSON'),
  },
  tsql: {
    DATEADD: dateAddPartFirst,
    DATEDIFF: dateDiffPartFirst,
    DATETRUNC: partFirst('date_trunc'),
    DATEPART: partFirst('date_part'),
    LEN: (c) => (c.argCount === 1 ? renamed('length', c) : undefined),
    CONVERT: () => refuse("T-SQL's CONVERT has no DuckDB translation; write CAST(value AS type)"),
  },
  redshift: {
    DATEADD: dateAddPartFirst,
    DATEDIFF: dateDiffPartFirst,
    DATE_TRUNC: partFirst('date_trunc'),
    DATE_PART: partFirst('date_part'),
    TO_CHAR: formatValueFirst(toCharFormat('postgres')),
    TO_DATE: parseValueFirst(toCharFormat('postgres'), 'DATE'),
  },
  postgres: {
    TO_CHAR: formatValueFirst(toCharFormat('postgres')),
    TO_DATE: parseValueFirst(toCharFormat('postgres'), 'DATE'),
  },
  mysql: {
    DATE_ADD: intervalArithmetic('+'),
    DATE_SUB: intervalArithmetic('-'),
    ADDDATE: intervalArithmetic('+'),
    SUBDATE: intervalArithmetic('-'),
    DATEDIFF: (c) => (c.argCount === 2 ? ["date_diff('day', CAST(", a(1), ' AS DATE), CAST(', a(0), ' AS DATE))'] : undefined),
    DATE_FORMAT: formatValueFirst(mysqlToStrftime),
    STR_TO_DATE: parseValueFirst(mysqlToStrftime),
  },
};

/** The DuckDB form of a call, undefined when it is copied as written. */
export function rewriteCall(c: CallSite): CallRewrite | undefined {
  const rule = BY_FAMILY[c.family]?.[c.name] ?? COMMON[c.name];
  if (rule) {
    const rewritten = rule(c);
    if (rewritten) return rewritten;
  }
  const rename = RENAMES[c.name];
  return rename ? { rename } : undefined;
}
