// SQLMesh's built-in audits, written for DuckDB. Each builds a query that returns the violating rows (or one
// summary row when a whole-table property fails); the audit passes when that query returns nothing. Every
// audit also takes `condition` (only rows where it holds are audited) and has a _non_blocking variant.

import { quoteLiteral } from '../warehouse/quote';
import { booleanLiteral, identifierList, sqlExpression, sqlList } from './sqlFragments';
import type { BuiltinArg, BuiltinArgs } from './types';

type ParamKind = 'identifier' | 'identifiers' | 'expression' | 'list' | 'flag';

interface Param {
  kind: ParamKind;
  required?: boolean;
}

/** Argument values ready to paste: identifiers quoted, expressions rendered; plus the audited relation. */
export interface AuditPieces {
  relation: string;
  ids(name: string): string[];
  expr(name: string): string | undefined;
  list(name: string): string[];
  flag(name: string, fallback: boolean): boolean;
  /** The `condition` argument, or TRUE. */
  condition: string;
}

interface BuiltinAudit {
  params: Record<string, Param>;
  /** At least one of these must be given. */
  oneOf?: string[];
  build(p: AuditPieces): string;
}

const COMMON_PARAMS: Record<string, Param> = { condition: { kind: 'expression' } };

const column: Param = { kind: 'identifier', required: true };
const columns: Param = { kind: 'identifiers', required: true };
const requiredExpression: Param = { kind: 'expression', required: true };
const requiredList: Param = { kind: 'list', required: true };
const range: Record<string, Param> = { min_v: { kind: 'expression' }, max_v: { kind: 'expression' }, inclusive: { kind: 'flag' } };

const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';
const EMAIL_PATTERN = '^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+$';
const URL_PATTERN = '^(https?|ftp)://[^\\s/$.?#].[^\\s]*$';
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT'];

/** Rows of the relation (where `condition` holds) for which `predicate` is true. */
function rowsWhere(p: AuditPieces, predicate: string): string {
  return `SELECT *\nFROM ${p.relation}\nWHERE (${predicate})\n  AND (${p.condition})`;
}

const anyOf = (parts: string[]): string => parts.map((x) => `(${x})`).join(' OR ');
const first = (p: AuditPieces, name: string): string => p.ids(name)[0];

/** `value` lies outside [min_v, max_v] (or the open range with inclusive := false). */
function outsideRange(value: string, p: AuditPieces): string {
  const inclusive = p.flag('inclusive', true);
  const parts: string[] = [];
  const min = p.expr('min_v');
  const max = p.expr('max_v');
  if (min !== undefined) parts.push(`${value} ${inclusive ? '<' : '<='} (${min})`);
  if (max !== undefined) parts.push(`${value} ${inclusive ? '>' : '>='} (${max})`);
  return parts.join(' OR ');
}

/** One summary row when an aggregate over the audited rows falls outside the range. */
function aggregateOutsideRange(aggregate: string, alias: string, p: AuditPieces): string {
  return `SELECT ${alias}\nFROM (\n  SELECT ${aggregate} AS ${alias}\n  FROM ${p.relation}\n  WHERE (${p.condition})\n) AS summary\nWHERE ${outsideRange(alias, p)}`;
}

export const BUILTIN_AUDITS: Readonly<Record<string, BuiltinAudit>> = {
  not_null: {
    params: { columns },
    build: (p) => rowsWhere(p, p.ids('columns').map((c) => `${c} IS NULL`).join(' OR ')),
  },
  unique_values: {
    params: { columns },
    build: (p) => {
      const ranks = p.ids('columns').map((_, i) => `"__sluice_rank_${i + 1}"`);
      const windows = p.ids('columns').map((c, i) => `row_number() OVER (PARTITION BY ${c} ORDER BY ${c}) AS ${ranks[i]}`);
      return (
        `SELECT * EXCLUDE (${ranks.join(', ')})\nFROM (\n  SELECT *, ${windows.join(', ')}\n  FROM ${p.relation}\n  WHERE (${p.condition})\n) AS ranked\n` +
        `WHERE ${ranks.map((r) => `${r} > 1`).join(' OR ')}`
      );
    },
  },
  unique_combination_of_columns: {
    params: { columns },
    build: (p) => {
      const cols = p.ids('columns').join(', ');
      return `SELECT ${cols}, count(*) AS duplicates\nFROM ${p.relation}\nWHERE (${p.condition})\nGROUP BY ${cols}\nHAVING count(*) > 1`;
    },
  },
  accepted_values: {
    params: { column, is_in: requiredList },
    build: (p) => rowsWhere(p, `${first(p, 'column')} NOT IN (${p.list('is_in').join(', ')})`),
  },
  not_accepted_values: {
    params: { column, is_in: requiredList },
    build: (p) => rowsWhere(p, `${first(p, 'column')} IN (${p.list('is_in').join(', ')})`),
  },
  number_of_rows: {
    params: { threshold: requiredExpression },
    // Counting stops just past the threshold, so a huge table is not scanned to the end.
    build: (p) => {
      const threshold = p.expr('threshold');
      return `SELECT count(*) AS row_count\nFROM (\n  SELECT 1\n  FROM ${p.relation}\n  WHERE (${p.condition})\n  LIMIT (${threshold}) + 1\n) AS counted\nHAVING count(*) <= (${threshold})`;
    },
  },
  forall: {
    params: { criteria: requiredList },
    build: (p) => rowsWhere(p, p.list('criteria').map((c) => `NOT (${c})`).join(' OR ')),
  },
  not_constant: {
    params: { column },
    build: (p) =>
      `SELECT distinct_values\nFROM (\n  SELECT count(DISTINCT ${first(p, 'column')}) AS distinct_values\n  FROM ${p.relation}\n  WHERE (${p.condition})\n) AS summary\nWHERE distinct_values <= 1`,
  },
  accepted_range: {
    params: { column, ...range },
    oneOf: ['min_v', 'max_v'],
    build: (p) => rowsWhere(p, outsideRange(first(p, 'column'), p)),
  },
  at_least_one: {
    params: { column },
    // Grouped, as in SQLMesh: an empty table has no group and passes.
    build: (p) =>
      `SELECT count(audited_value) AS non_null_values\nFROM (\n  SELECT ${first(p, 'column')} AS audited_value, 1 AS one_group\n  FROM ${p.relation}\n  WHERE (${p.condition})\n) AS audited\n` +
      `GROUP BY one_group\nHAVING count(audited_value) = 0`,
  },
  not_null_proportion: {
    params: { column, threshold: requiredExpression },
    // As SQLMesh computes it: fails when the non-NULL rows are at most `threshold` of all rows.
    build: (p) =>
      `SELECT total_rows, non_null_rows\nFROM (\n  SELECT count(*) AS total_rows, count(${first(p, 'column')}) AS non_null_rows\n  FROM ${p.relation}\n  WHERE (${p.condition})\n) AS summary\n` +
      `WHERE non_null_rows <= total_rows * (${p.expr('threshold')})`,
  },
  not_empty_string: {
    params: { column },
    build: (p) => rowsWhere(p, `${first(p, 'column')} = ''`),
  },
  string_length_equal: {
    params: { column, v: requiredExpression },
    build: (p) => rowsWhere(p, `length(${first(p, 'column')}) <> (${p.expr('v')})`),
  },
  string_length_between: {
    params: { column, ...range },
    oneOf: ['min_v', 'max_v'],
    build: (p) => rowsWhere(p, outsideRange(`length(${first(p, 'column')})`, p)),
  },
  valid_uuid: {
    params: { column },
    build: (p) => rowsWhere(p, `NOT regexp_matches(lower(${first(p, 'column')}), ${quoteLiteral(UUID_PATTERN)})`),
  },
  valid_email: {
    params: { column },
    build: (p) => rowsWhere(p, `NOT regexp_matches(${first(p, 'column')}, ${quoteLiteral(EMAIL_PATTERN)})`),
  },
  valid_url: {
    params: { column },
    build: (p) => rowsWhere(p, `NOT regexp_matches(${first(p, 'column')}, ${quoteLiteral(URL_PATTERN)})`),
  },
  valid_http_method: {
    params: { column },
    build: (p) => rowsWhere(p, `${first(p, 'column')} NOT IN (${HTTP_METHODS.map(quoteLiteral).join(', ')})`),
  },
  match_regex_pattern_list: {
    params: { column, patterns: requiredList },
    build: (p) => rowsWhere(p, `NOT (${anyOf(p.list('patterns').map((re) => `regexp_matches(${first(p, 'column')}, ${re})`))})`),
  },
  not_match_regex_pattern_list: {
    params: { column, patterns: requiredList },
    build: (p) => rowsWhere(p, anyOf(p.list('patterns').map((re) => `regexp_matches(${first(p, 'column')}, ${re})`))),
  },
  match_like_pattern_list: {
    params: { column, patterns: requiredList },
    build: (p) => rowsWhere(p, `NOT (${anyOf(p.list('patterns').map((like) => `${first(p, 'column')} LIKE ${like}`))})`),
  },
  not_match_like_pattern_list: {
    params: { column, patterns: requiredList },
    build: (p) => rowsWhere(p, anyOf(p.list('patterns').map((like) => `${first(p, 'column')} LIKE ${like}`))),
  },
  mean_in_range: {
    params: { column, ...range },
    oneOf: ['min_v', 'max_v'],
    build: (p) => aggregateOutsideRange(`avg(${first(p, 'column')})`, 'mean', p),
  },
  stddev_in_range: {
    params: { column, ...range },
    oneOf: ['min_v', 'max_v'],
    build: (p) => aggregateOutsideRange(`stddev_samp(${first(p, 'column')})`, 'stddev', p),
  },
  z_score: {
    params: { column, threshold: requiredExpression },
    build: (p) => {
      const c = `audited.${first(p, 'column')}`;
      const z = `(${c} - stats.mean) / nullif(stats.stddev, 0)`;
      return (
        `WITH stats AS (\n  SELECT avg(${first(p, 'column')}) AS mean, stddev_samp(${first(p, 'column')}) AS stddev\n  FROM ${p.relation}\n  WHERE (${p.condition})\n)\n` +
        `SELECT ${c}, ${z} AS z_score\nFROM ${p.relation} AS audited, stats\nWHERE abs(${z}) > (${p.expr('threshold')})\n  AND (${p.condition})`
      );
    },
  },
  sequential_values: {
    params: { column, interval: { kind: 'expression' } },
    build: (p) => {
      const c = first(p, 'column');
      return (
        `SELECT *\nFROM (\n  SELECT ${c}, lag(${c}) OVER (ORDER BY ${c}) AS previous_value\n  FROM ${p.relation}\n  WHERE (${p.condition})\n) AS ordered\n` +
        `WHERE NOT (${c} = previous_value + (${p.expr('interval') ?? '1'}))`
      );
    },
  },
  mutually_exclusive_ranges: {
    params: { lower_bound_column: column, upper_bound_column: column },
    build: (p) => {
      const lo = first(p, 'lower_bound_column');
      const hi = first(p, 'upper_bound_column');
      return (
        `SELECT *\nFROM (\n  SELECT ${lo} AS lower_bound, ${hi} AS upper_bound,\n    lead(${lo}) OVER (ORDER BY ${lo}, ${hi}) AS next_lower_bound,\n` +
        `    row_number() OVER (ORDER BY ${lo} DESC, ${hi} DESC) = 1 AS is_last_range\n  FROM ${p.relation}\n  WHERE (${p.condition})\n) AS ranges\n` +
        `WHERE NOT (coalesce(lower_bound <= upper_bound, FALSE) AND coalesce(upper_bound <= next_lower_bound, is_last_range, FALSE))`
      );
    },
  },
};

/** SQLMesh built-ins Sluice knows about but does not implement. */
export const UNSUPPORTED_BUILTINS: ReadonlySet<string> = new Set(['kl_divergence', 'chi_square']);

const NON_BLOCKING_SUFFIX = '_non_blocking';

/** The built-in a name refers to (not_null, not_null_non_blocking, ...), or undefined. */
export function lookupBuiltin(name: string): { base: string; blocking: boolean } | undefined {
  const key = name.toLowerCase();
  if (Object.hasOwn(BUILTIN_AUDITS, key) || UNSUPPORTED_BUILTINS.has(key)) return { base: key, blocking: true };
  if (key.endsWith(NON_BLOCKING_SUFFIX)) {
    const base = key.slice(0, -NON_BLOCKING_SUFFIX.length);
    if (Object.hasOwn(BUILTIN_AUDITS, base) || UNSUPPORTED_BUILTINS.has(base)) return { base, blocking: false };
  }
  return undefined;
}

export interface ArgProblem {
  /** The argument the problem is about; absent when it is about the call as a whole. */
  arg?: string;
  message: string;
}

/** Checks a built-in's raw arguments (blocking already removed) and splits them into usable pieces. */
export function readBuiltinArgs(base: string, raw: Record<string, string>): { args: BuiltinArgs; problems: ArgProblem[] } {
  const audit = BUILTIN_AUDITS[base];
  const params = { ...audit.params, ...COMMON_PARAMS };
  const args: BuiltinArgs = {};
  const problems: ArgProblem[] = [];
  for (const [name, text] of Object.entries(raw)) {
    const param = Object.hasOwn(params, name) ? params[name] : undefined;
    if (!param) {
      problems.push({ arg: name, message: `${base} has no argument '${name}'; it takes ${Object.keys(params).join(', ')}, blocking` });
      continue;
    }
    const read = readArg(param.kind, text);
    if ('error' in read) problems.push({ arg: name, message: `${base}: ${name} ${read.error}` });
    else args[name] = read.arg;
  }
  for (const [name, param] of Object.entries(params)) {
    if (param.required && !Object.hasOwn(raw, name)) problems.push({ message: `${base} needs the argument ${name} := ${example(param.kind)}` });
  }
  if (audit.oneOf && !audit.oneOf.some((name) => Object.hasOwn(raw, name))) {
    problems.push({ message: `${base} needs at least one of ${audit.oneOf.join(', ')}` });
  }
  return { args, problems };
}

function readArg(kind: ParamKind, text: string): { arg: BuiltinArg } | { error: string } {
  switch (kind) {
    case 'identifier': {
      const ids = identifierList(text);
      if (!ids.ok || ids.value.length !== 1 || /^\s*[([]/.test(text)) return { error: `must be one column name, found ${oneLine(text)}` };
      return { arg: { kind: 'identifiers', sql: ids.value } };
    }
    case 'identifiers': {
      const ids = identifierList(text);
      if (!ids.ok) return { error: `must be a column name or a list of them like (a, b); ${ids.error}` };
      return { arg: { kind: 'identifiers', sql: ids.value } };
    }
    case 'list': {
      const items = sqlList(text);
      if (!items.ok) return { error: `must be a list like (x, y): ${items.error}` };
      if (items.value.length === 0) return { error: 'must not be an empty list' };
      return { arg: { kind: 'list', sql: items.value } };
    }
    case 'flag': {
      const value = booleanLiteral(text);
      if (value === undefined) return { error: `must be true or false, found ${oneLine(text)}` };
      return { arg: { kind: 'flag', value } };
    }
    case 'expression': {
      const expr = sqlExpression(text);
      if (!expr.ok) return { error: `is not a usable SQL expression: ${expr.error}` };
      return { arg: { kind: 'expression', sql: expr.value } };
    }
  }
}

function example(kind: ParamKind): string {
  return kind === 'identifiers' ? '(a, b)' : kind === 'identifier' ? 'column_name' : kind === 'list' ? "('x', 'y')" : kind === 'flag' ? 'true' : '10';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The audit query of a built-in, from argument pieces already rendered. */
export function buildBuiltinQuery(base: string, pieces: AuditPieces): string {
  return BUILTIN_AUDITS[base].build(pieces);
}
