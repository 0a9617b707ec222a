// DuckDB functions and operators in each target dialect. A function is rendered only when Sluice knows its
// equivalent there (a rule below, or a name that means the same everywhere); any other function is refused
// with its position, because a function that exists under the same name may still mean something else.

import {
  type ConstantExpression,
  type ExpressionNode,
  type FunctionExpression,
  type LambdaExpression,
  type WindowExpression,
  isCast,
  isColumnRef,
  isConstant,
  isFunction,
  isLambda,
  stringConstant,
} from '../sql/ast';
import { strftimeFormat } from './formats';
import type { Printer } from './printer';
import { dialectTitle } from './typeNames';
import type { TargetDialect } from './types';

type Target = Exclude<TargetDialect, 'duckdb'>;

/** What a rule gets: the call, its arguments printed on demand, and the printer. */
export interface Call {
  p: Printer;
  f: FunctionExpression;
  args: ExpressionNode[];
  a(i: number): string;
  /** name(args) with the call's DISTINCT, ORDER BY and FILTER carried over as the dialect allows. */
  aggregate(name: string, args: string[], options?: AggregateOptions): string;
  refuse(message: string): string;
}

type Rule = (c: Call) => string;

// DuckDB's other names for the same function.
const ALIASES: Record<string, string> = {
  ifnull: 'coalesce', listagg: 'string_agg', group_concat: 'string_agg', datediff: 'date_diff', datetrunc: 'date_trunc',
  datepart: 'date_part', max_by: 'arg_max', min_by: 'arg_min', argmax: 'arg_max', argmin: 'arg_min', substr: 'substring',
  list_has: 'list_contains', array_has: 'list_contains', array_contains: 'list_contains', len: 'list_length',
  array_length: 'list_length', list_apply: 'list_transform', array_transform: 'list_transform', array_apply: 'list_transform',
  array_filter: 'list_filter', get_current_timestamp: 'now', transaction_timestamp: 'now', today: 'current_date',
  stddev: 'stddev_samp', variance: 'var_samp', instr: 'strpos', position: 'strpos', array_value: 'list_value',
  regexp_full_match: 'regexp_full_match', list_element: 'list_extract', array_extract: 'list_extract', 'list_pack': 'list_value',
};

// Names that mean the same thing (same arguments, same NULL handling) in the target.
const SAME = ['abs', 'ceil', 'floor', 'sqrt', 'exp', 'ln', 'sign', 'lower', 'upper', 'length', 'replace', 'coalesce', 'nullif', 'lpad', 'rpad', 'reverse', 'sum', 'min', 'max', 'avg', 'count', 'stddev_samp', 'stddev_pop', 'var_samp', 'var_pop', 'left', 'right', 'ltrim', 'rtrim', 'corr', 'covar_pop', 'covar_samp'];
const PASS: Record<Target, Set<string>> = {
  postgres: new Set([...SAME, 'power', 'mod', 'trim', 'concat', 'greatest', 'least', 'split_part', 'starts_with', 'strpos', 'md5', 'concat_ws', 'ascii', 'chr', 'initcap', 'repeat', 'translate']),
  bigquery: new Set([...SAME, 'power', 'mod', 'trim', 'starts_with', 'strpos', 'ascii', 'initcap', 'repeat', 'translate']),
  snowflake: new Set([...SAME, 'power', 'mod', 'trim', 'split_part', 'md5', 'ascii', 'chr', 'initcap', 'repeat', 'translate']),
};

// Aggregates that skip NULL inputs, so FILTER (WHERE c) can become an argument wrapped in CASE WHEN c.
const NULL_IGNORING = new Set(['sum', 'count', 'min', 'max', 'avg', 'string_agg', 'any_value', 'stddev_samp', 'stddev_pop', 'var_samp', 'var_pop', 'bool_and', 'bool_or', 'median']);

const by = (rules: Partial<Record<Target, Rule>>) => rules;

/** A date part argument as a lower-case word, or undefined when it is not a constant. */
function part(c: Call, i: number): string | undefined {
  return stringConstant(c.args[i])?.toLowerCase().replace(/s$/, '');
}

const BQ_PARTS: Record<string, string> = {
  microsecond: 'MICROSECOND', millisecond: 'MILLISECOND', second: 'SECOND', minute: 'MINUTE', hour: 'HOUR', day: 'DAY',
  week: 'ISOWEEK', month: 'MONTH', quarter: 'QUARTER', year: 'YEAR', isoyear: 'ISOYEAR',
};
const TRUNC_PARTS = new Set(['microsecond', 'millisecond', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year']);

const dateTrunc = by({
  postgres: (c) => (TRUNC_PARTS.has(part(c, 0) ?? '') ? `date_trunc(${c.p.string(part(c, 0)!)}, ${c.a(1)})` : c.refuse('date_trunc needs a constant date part here')),
  bigquery: (c) => {
    const unit = BQ_PARTS[part(c, 0) ?? ''];
    return unit && TRUNC_PARTS.has(part(c, 0)!) ? `DATE_TRUNC(${c.a(1)}, ${unit})` : c.refuse('date_trunc needs a constant date part here');
  },
  snowflake: (c) => (TRUNC_PARTS.has(part(c, 0) ?? '') ? `DATE_TRUNC(${c.p.string(part(c, 0)!)}, ${c.a(1)})` : c.refuse('date_trunc needs a constant date part here')),
});

// DuckDB's date_diff counts the part boundaries crossed between the two values (like Snowflake's DATEDIFF).
const PG_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 };
const dateDiff = by({
  postgres: (c) => {
    const unit = part(c, 0);
    const [from, to] = [c.a(1), c.a(2)];
    if (unit && PG_SECONDS[unit]) {
      const t = (x: string) => `EXTRACT(EPOCH FROM date_trunc(${c.p.string(unit)}, ${x}))`;
      return `CAST((${t(to)} - ${t(from)}) / ${PG_SECONDS[unit]} AS BIGINT)`;
    }
    const y = (x: string) => `EXTRACT(YEAR FROM ${x})`;
    if (unit === 'year') return `CAST(${y(to)} - ${y(from)} AS BIGINT)`;
    if (unit === 'month') return `CAST((${y(to)} - ${y(from)}) * 12 + EXTRACT(MONTH FROM ${to}) - EXTRACT(MONTH FROM ${from}) AS BIGINT)`;
    if (unit === 'quarter') return `CAST((${y(to)} - ${y(from)}) * 4 + EXTRACT(QUARTER FROM ${to}) - EXTRACT(QUARTER FROM ${from}) AS BIGINT)`;
    return c.refuse('date_diff needs a constant part (second, minute, hour, day, week, month, quarter or year) here');
  },
  bigquery: (c) => {
    const unit = part(c, 0);
    const name = BQ_PARTS[unit ?? ''];
    if (!unit || !name || unit === 'isoyear') return c.refuse('date_diff needs a constant part here');
    if (['day', 'week', 'month', 'quarter', 'year'].includes(unit)) return `DATE_DIFF(DATE(${c.a(2)}), DATE(${c.a(1)}), ${name})`;
    return `TIMESTAMP_DIFF(TIMESTAMP_TRUNC(${c.a(2)}, ${name}), TIMESTAMP_TRUNC(${c.a(1)}, ${name}), ${name})`;
  },
  snowflake: (c) => (part(c, 0) ? `DATEDIFF(${part(c, 0)}, ${c.a(1)}, ${c.a(2)})` : c.refuse('date_diff needs a constant part here')),
});

const INTEGER_PARTS: Record<string, { pg: string; bq?: string; sf: string }> = {
  year: { pg: 'YEAR', bq: 'YEAR', sf: 'year' }, quarter: { pg: 'QUARTER', bq: 'QUARTER', sf: 'quarter' },
  month: { pg: 'MONTH', bq: 'MONTH', sf: 'month' }, day: { pg: 'DAY', bq: 'DAY', sf: 'day' },
  hour: { pg: 'HOUR', bq: 'HOUR', sf: 'hour' }, minute: { pg: 'MINUTE', bq: 'MINUTE', sf: 'minute' },
  week: { pg: 'WEEK', bq: 'ISOWEEK', sf: 'weekiso' }, doy: { pg: 'DOY', bq: 'DAYOFYEAR', sf: 'dayofyear' },
  dayofyear: { pg: 'DOY', bq: 'DAYOFYEAR', sf: 'dayofyear' }, dow: { pg: 'DOW', sf: 'dayofweek' },
  dayofweek: { pg: 'DOW', sf: 'dayofweek' }, isoyear: { pg: 'ISOYEAR', bq: 'ISOYEAR', sf: 'yearofweekiso' },
  isodow: { pg: 'ISODOW', sf: 'dayofweekiso' },
};

function datePartRule(fixed?: string): Partial<Record<Target, Rule>> {
  const which = (c: Call) => fixed ?? part(c, 0);
  const value = (c: Call) => (fixed ? c.a(0) : c.a(1));
  return by({
    postgres: (c) => {
      const unit = which(c);
      if (unit === 'second') return `CAST(floor(EXTRACT(SECOND FROM ${value(c)})) AS BIGINT)`;
      if (unit === 'epoch') return `CAST(EXTRACT(EPOCH FROM ${value(c)}) AS DOUBLE PRECISION)`;
      const p = INTEGER_PARTS[unit ?? ''];
      return p ? `CAST(EXTRACT(${p.pg} FROM ${value(c)}) AS BIGINT)` : c.refuse(`date part ${unit ?? '(not a constant)'} is not supported here`);
    },
    bigquery: (c) => {
      const unit = which(c);
      if (unit === 'second') return `EXTRACT(SECOND FROM ${value(c)})`;
      if (unit === 'dow' || unit === 'dayofweek') return `(EXTRACT(DAYOFWEEK FROM ${value(c)}) - 1)`;
      const p = INTEGER_PARTS[unit ?? ''];
      return p?.bq ? `EXTRACT(${p.bq} FROM ${value(c)})` : c.refuse(`date part ${unit ?? '(not a constant)'} is not supported on BigQuery`);
    },
    snowflake: (c) => {
      const unit = which(c);
      if (unit === 'second') return `DATE_PART(second, ${value(c)})`;
      if (unit === 'epoch') return `DATE_PART(epoch_second, ${value(c)})`;
      const p = INTEGER_PARTS[unit ?? ''];
      return p ? `DATE_PART(${p.sf}, ${value(c)})` : c.refuse(`date part ${unit ?? '(not a constant)'} is not supported here`);
    },
  });
}

/** Whether an epoch_ms argument is a number of milliseconds (true), a timestamp (false), or unknown. */
function epochArgument(e: ExpressionNode): boolean | undefined {
  if (isConstant(e)) return /INT|DECIMAL|DOUBLE/.test(e.value?.type?.id ?? '') ? true : undefined;
  if (isCast(e)) {
    const id = e.cast_type?.id ?? '';
    if (/INT/.test(id)) return true;
    if (/TIMESTAMP|DATE/.test(id)) return false;
  }
  if (isFunction(e) && ['now', 'date_trunc', 'to_timestamp', 'make_timestamp', 'current_timestamp'].includes(e.function_name.toLowerCase())) return false;
  if (isColumnRef(e) && e.column_names.length === 1 && e.column_names[0].toLowerCase() === 'current_timestamp') return false;
  return undefined;
}

const EPOCH_HINT = 'epoch_ms: cannot tell whether the argument is milliseconds or a timestamp; write epoch_ms(CAST(x AS BIGINT)) or epoch_ms(CAST(x AS TIMESTAMP))';
const epochMs = by({
  postgres: (c) => {
    const kind = epochArgument(c.args[0]);
    if (kind === undefined) return c.refuse(EPOCH_HINT);
    return kind ? `(to_timestamp(${c.a(0)} / 1000.0) AT TIME ZONE 'UTC')` : `CAST(floor(EXTRACT(EPOCH FROM ${c.a(0)}) * 1000) AS BIGINT)`;
  },
  bigquery: (c) => {
    const kind = epochArgument(c.args[0]);
    if (kind === undefined) return c.refuse(EPOCH_HINT);
    return kind ? `DATETIME(TIMESTAMP_MILLIS(${c.a(0)}))` : `UNIX_MILLIS(TIMESTAMP(${c.a(0)}))`;
  },
  snowflake: (c) => {
    const kind = epochArgument(c.args[0]);
    if (kind === undefined) return c.refuse(EPOCH_HINT);
    return kind ? `TO_TIMESTAMP_NTZ(${c.a(0)}, 3)` : `DATE_PART(epoch_millisecond, ${c.a(0)})`;
  },
});

function formatCall(c: Call, target: Target): string {
  // DuckDB takes strftime(value, format) and also strftime(format, value).
  const formatAt = stringConstant(c.args[1]) !== undefined ? 1 : stringConstant(c.args[0]) !== undefined ? 0 : -1;
  if (formatAt < 0) return c.refuse('strftime needs a constant format here');
  const converted = strftimeFormat(stringConstant(c.args[formatAt])!, target);
  if ('refused' in converted) return c.refuse(converted.refused);
  const value = c.a(1 - formatAt);
  if (target === 'bigquery') return `FORMAT_TIMESTAMP(${c.p.string(converted.format)}, CAST(${value} AS TIMESTAMP))`;
  return `${target === 'postgres' ? 'to_char' : 'TO_CHAR'}(${value}, ${c.p.string(converted.format)})`;
}

/** list_transform / list_filter: a lambda over the list's elements, in order. */
function lambdaOverList(c: Call, target: Target, filter: boolean): string {
  const lambda = c.args[1];
  if (!lambda || !isLambda(lambda) || !isColumnRef(lambda.lhs) || lambda.lhs.column_names.length !== 1) {
    return c.refuse(`${c.f.function_name} needs a one-parameter lambda (x -> ...) here`);
  }
  const param = c.p.ident(lambda.lhs.column_names[0]);
  const body = c.p.expr((lambda as LambdaExpression).expr);
  const ord = c.p.ident('_sluice_ord');
  if (target === 'snowflake') return `${filter ? 'FILTER' : 'TRANSFORM'}(${c.a(0)}, ${param} -> ${body})`;
  // DuckDB maps a NULL list to NULL; ARRAY(SELECT ...) over it would give an empty array.
  const nullSafe = (array: string) => `CASE WHEN ${c.a(0)} IS NULL THEN NULL ELSE ${array} END`;
  const selected = filter ? param : body;
  const where = filter ? ` WHERE ${body}` : '';
  if (target === 'bigquery') return nullSafe(`ARRAY(SELECT ${selected} FROM UNNEST(${c.a(0)}) AS ${param} WITH OFFSET AS ${ord}${where} ORDER BY ${ord})`);
  return nullSafe(`ARRAY(SELECT ${selected} FROM unnest(${c.a(0)}) WITH ORDINALITY AS ${c.p.ident('_sluice_list')}(${param}, ${ord})${where} ORDER BY ${ord})`);
}

/** DuckDB's '' for "no match" (NULL stays NULL): COALESCE with an empty string only when the input is not NULL. */
function emptyWhenMissing(c: Call, value: string): string {
  return `COALESCE(${value}, CASE WHEN ${c.a(0)} IS NOT NULL THEN '' END)`;
}

function regexpGroupPattern(c: Call, i: number): string | undefined {
  const pattern = stringConstant(c.args[i]);
  return pattern === undefined ? undefined : `(${pattern})`;
}

const RULES: Record<string, Partial<Record<Target, Rule>>> = {
  count_star: by({
    postgres: (c) => c.aggregate('count', ['*']),
    bigquery: (c) => (c.f.filter ? `COUNTIF(${c.p.expr(c.f.filter)})` : 'count(*)'),
    snowflake: (c) => (c.f.filter ? `COUNT_IF(${c.p.expr(c.f.filter)})` : 'count(*)'),
  }),
  count_if: by({
    postgres: (c) => `count(CASE WHEN ${c.a(0)} THEN 1 END)`,
    bigquery: (c) => `COUNTIF(${c.a(0)})`,
    snowflake: (c) => `COUNT_IF(${c.a(0)})`,
  }),
  any_value: by({
    // PostgreSQL's any_value arrived in version 16; the first non-NULL value works on every version.
    postgres: (c) => `(${c.aggregate('array_agg', [c.a(0)], { extraFilter: `${c.a(0)} IS NOT NULL` })})[1]`,
    bigquery: (c) => c.aggregate('ANY_VALUE', [c.a(0)], { nullIgnoring: true }),
    snowflake: (c) => c.aggregate('ANY_VALUE', [c.a(0)], { nullIgnoring: true }),
  }),
  arg_max: argExtreme('DESC', 'MAX_BY'),
  arg_min: argExtreme('ASC', 'MIN_BY'),
  string_agg: by({
    postgres: (c) => c.aggregate('string_agg', [`CAST(${c.a(0)} AS TEXT)`, c.args[1] ? c.a(1) : c.p.string(',')], { orderInside: true }),
    bigquery: (c) => c.aggregate('STRING_AGG', [`CAST(${c.a(0)} AS STRING)`, c.args[1] ? c.a(1) : c.p.string(',')], { orderInside: true, nullIgnoring: true }),
    snowflake: (c) => {
      const orders = c.f.order_bys?.orders ?? [];
      const call = c.aggregate('LISTAGG', [c.a(0), c.args[1] ? c.a(1) : c.p.string(',')], { nullIgnoring: true, orderOutside: true });
      return orders.length > 0 ? `${call} WITHIN GROUP (ORDER BY ${c.p.orderList(orders)})` : call;
    },
  }),
  bool_and: by({ postgres: (c) => c.aggregate('bool_and', [c.a(0)]), bigquery: (c) => c.aggregate('LOGICAL_AND', [c.a(0)], { nullIgnoring: true }), snowflake: (c) => c.aggregate('BOOLAND_AGG', [c.a(0)], { nullIgnoring: true }) }),
  bool_or: by({ postgres: (c) => c.aggregate('bool_or', [c.a(0)]), bigquery: (c) => c.aggregate('LOGICAL_OR', [c.a(0)], { nullIgnoring: true }), snowflake: (c) => c.aggregate('BOOLOR_AGG', [c.a(0)], { nullIgnoring: true }) }),
  median: by({
    postgres: (c) => (c.f.filter || c.f.distinct ? c.refuse('median with FILTER or DISTINCT is not supported on PostgreSQL') : `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${c.a(0)})`),
    snowflake: (c) => c.aggregate('MEDIAN', [c.a(0)], { nullIgnoring: true }),
  }),
  date_trunc: dateTrunc,
  date_diff: dateDiff,
  date_part: datePartRule(),
  year: datePartRule('year'), month: datePartRule('month'), day: datePartRule('day'), hour: datePartRule('hour'),
  minute: datePartRule('minute'), second: datePartRule('second'), quarter: datePartRule('quarter'),
  dayofweek: datePartRule('dow'), dayofyear: datePartRule('doy'), week: datePartRule('week'), isodow: datePartRule('isodow'),
  epoch_ms: epochMs,
  strftime: by({ postgres: (c) => formatCall(c, 'postgres'), bigquery: (c) => formatCall(c, 'bigquery'), snowflake: (c) => formatCall(c, 'snowflake') }),
  now: by({ postgres: () => 'now()', bigquery: () => 'CURRENT_TIMESTAMP()', snowflake: () => 'CURRENT_TIMESTAMP()' }),
  current_date: by({ postgres: () => 'CURRENT_DATE', bigquery: () => 'CURRENT_DATE()', snowflake: () => 'CURRENT_DATE()' }),
  make_date: by({ postgres: (c) => `make_date(${c.a(0)}, ${c.a(1)}, ${c.a(2)})`, bigquery: (c) => `DATE(${c.a(0)}, ${c.a(1)}, ${c.a(2)})`, snowflake: (c) => `DATE_FROM_PARTS(${c.a(0)}, ${c.a(1)}, ${c.a(2)})` }),
  substring: by({
    postgres: (c) => `substr(${c.args.map((_, i) => c.a(i)).join(', ')})`,
    bigquery: (c) => `SUBSTR(${c.args.map((_, i) => c.a(i)).join(', ')})`,
    snowflake: (c) => `SUBSTR(${c.args.map((_, i) => c.a(i)).join(', ')})`,
  }),
  trim: by({ postgres: (c) => (c.args.length === 2 ? `btrim(${c.a(0)}, ${c.a(1)})` : `trim(${c.a(0)})`) }),
  round: by({
    // PostgreSQL rounds to a number of digits only on NUMERIC.
    postgres: (c) => (c.args.length === 2 ? `round(CAST(${c.a(0)} AS NUMERIC), ${c.a(1)})` : `round(${c.a(0)})`),
    bigquery: (c) => `ROUND(${c.args.map((_, i) => c.a(i)).join(', ')})`,
    snowflake: (c) => `ROUND(${c.args.map((_, i) => c.a(i)).join(', ')})`,
  }),
  concat: by({
    // DuckDB's concat skips NULLs; BigQuery's and Snowflake's return NULL.
    bigquery: (c) => `CONCAT(${c.args.map((_, i) => `COALESCE(CAST(${c.a(i)} AS STRING), '')`).join(', ')})`,
    snowflake: (c) => `CONCAT(${c.args.map((_, i) => `COALESCE(CAST(${c.a(i)} AS VARCHAR), '')`).join(', ')})`,
  }),
  split_part: by({ bigquery: (c) => emptyWhenMissing(c, `SPLIT(${c.a(0)}, ${c.a(1)})[SAFE_ORDINAL(${c.a(2)})]`) }),
  starts_with: by({ snowflake: (c) => `STARTSWITH(${c.a(0)}, ${c.a(1)})` }),
  ends_with: by({ postgres: (c) => `(right(${c.a(0)}, length(${c.a(1)})) = ${c.a(1)})`, bigquery: (c) => `ENDS_WITH(${c.a(0)}, ${c.a(1)})`, snowflake: (c) => `ENDSWITH(${c.a(0)}, ${c.a(1)})` }),
  contains: by({ postgres: (c) => `(strpos(${c.a(0)}, ${c.a(1)}) > 0)`, bigquery: (c) => `(STRPOS(${c.a(0)}, ${c.a(1)}) > 0)`, snowflake: (c) => `CONTAINS(${c.a(0)}, ${c.a(1)})` }),
  strpos: by({ snowflake: (c) => `POSITION(${c.a(1)}, ${c.a(0)})` }),
  md5: by({ bigquery: (c) => `TO_HEX(MD5(${c.a(0)}))` }),
  regexp_matches: by({
    postgres: (c) => (c.args.length > 2 ? c.refuse('regexp_matches options are not supported here') : `(${c.a(0)} ~ ${c.a(1)})`),
    bigquery: (c) => (c.args.length > 2 ? c.refuse('regexp_matches options are not supported here') : `REGEXP_CONTAINS(${c.a(0)}, ${c.a(1)})`),
    snowflake: (c) => (c.args.length > 2 ? c.refuse('regexp_matches options are not supported here') : `(REGEXP_INSTR(${c.a(0)}, ${c.a(1)}) > 0)`),
  }),
  regexp_replace: by({
    postgres: (c) => `regexp_replace(${c.args.map((_, i) => c.a(i)).join(', ')})`,
    bigquery: (c) => (stringConstant(c.args[3])?.includes('g') ? `REGEXP_REPLACE(${c.a(0)}, ${c.a(1)}, ${c.a(2)})` : c.refuse("BigQuery's REGEXP_REPLACE replaces every match; DuckDB's only the first (add the 'g' option to replace all)")),
    snowflake: (c) => `REGEXP_REPLACE(${c.a(0)}, ${c.a(1)}, ${c.a(2)}, 1, ${stringConstant(c.args[3])?.includes('g') ? 0 : 1})`,
  }),
  regexp_extract: by({
    // DuckDB gives '' when nothing matches and group 0 is the whole match: the pattern is wrapped in a group.
    postgres: (c) => {
      const pattern = regexpGroupPattern(c, 1);
      const group = c.args[2] ? Number((c.args[2] as ConstantExpression).value?.value) : 0;
      if (pattern === undefined || !Number.isInteger(group)) return c.refuse('regexp_extract needs a constant pattern and group here');
      return emptyWhenMissing(c, `(regexp_match(${c.a(0)}, ${c.p.string(pattern)}))[${group + 1}]`);
    },
    bigquery: (c) => (c.args.length === 2 && !stringConstant(c.args[1])?.includes('(') ? emptyWhenMissing(c, `REGEXP_EXTRACT(${c.a(0)}, ${c.a(1)})`) : c.refuse('regexp_extract with groups is not supported on BigQuery')),
    snowflake: (c) => emptyWhenMissing(c, c.args.length === 2 ? `REGEXP_SUBSTR(${c.a(0)}, ${c.a(1)})` : `REGEXP_SUBSTR(${c.a(0)}, ${c.a(1)}, 1, 1, 'e', ${c.a(2)})`),
  }),
  list_value: by({
    postgres: (c) => (c.args.length === 0 ? c.refuse('an empty list has no element type on PostgreSQL') : `ARRAY[${c.args.map((_, i) => c.a(i)).join(', ')}]`),
    bigquery: (c) => `[${c.args.map((_, i) => c.a(i)).join(', ')}]`,
    snowflake: (c) => `ARRAY_CONSTRUCT(${c.args.map((_, i) => c.a(i)).join(', ')})`,
  }),
  list_length: by({ postgres: (c) => `cardinality(${c.a(0)})`, bigquery: (c) => `ARRAY_LENGTH(${c.a(0)})`, snowflake: (c) => `ARRAY_SIZE(${c.a(0)})` }),
  list_contains: by({ postgres: (c) => `(${c.a(1)} = ANY(${c.a(0)}))`, bigquery: (c) => `(${c.a(1)} IN UNNEST(${c.a(0)}))`, snowflake: (c) => `ARRAY_CONTAINS(CAST(${c.a(1)} AS VARIANT), ${c.a(0)})` }),
  list_extract: by({ postgres: (c) => `(${c.a(0)})[${c.a(1)}]`, bigquery: (c) => `${c.a(0)}[SAFE_ORDINAL(${c.a(1)})]`, snowflake: (c) => `${c.a(0)}[${c.a(1)} - 1]` }),
  list_transform: by({ postgres: (c) => lambdaOverList(c, 'postgres', false), bigquery: (c) => lambdaOverList(c, 'bigquery', false), snowflake: (c) => lambdaOverList(c, 'snowflake', false) }),
  list_filter: by({ postgres: (c) => lambdaOverList(c, 'postgres', true), bigquery: (c) => lambdaOverList(c, 'bigquery', true), snowflake: (c) => lambdaOverList(c, 'snowflake', true) }),
  struct_pack: by({
    bigquery: (c) => `STRUCT(${c.args.map((x, i) => `${c.a(i)} AS ${c.p.ident(x.alias ?? `v${i + 1}`)}`).join(', ')})`,
    snowflake: (c) => `OBJECT_CONSTRUCT(${c.args.map((x, i) => `${c.p.string(x.alias ?? `v${i + 1}`)}, ${c.a(i)}`).join(', ')})`,
  }),
  struct_extract: by({
    bigquery: (c) => (stringConstant(c.args[1]) !== undefined ? `${c.a(0)}.${c.p.ident(stringConstant(c.args[1])!)}` : c.refuse('struct_extract needs a constant field name')),
    snowflake: (c) => `GET(${c.a(0)}, ${c.a(1)})`,
  }),
  to_timestamp: by({ postgres: (c) => `to_timestamp(${c.a(0)})`, bigquery: (c) => `TIMESTAMP_MICROS(CAST(${c.a(0)} * 1000000 AS INT64))`, snowflake: (c) => `TO_TIMESTAMP_LTZ(${c.a(0)})` }),
};

function argExtreme(direction: 'DESC' | 'ASC', name: string): Partial<Record<Target, Rule>> {
  return by({
    // Rows whose ordering value is NULL do not count, as in DuckDB.
    postgres: (c) => `(${c.aggregate('array_agg', [`${c.a(0)} ORDER BY ${c.a(1)} ${direction}`], { extraFilter: `${c.a(1)} IS NOT NULL` })})[1]`,
    bigquery: (c) => c.aggregate(name, [c.a(0), c.a(1)]),
    snowflake: (c) => c.aggregate(name, [c.a(0), c.a(1)]),
  });
}

// ---- operators ----

const INFIX = new Set(['+', '-', '*', '||']);

function operator(p: Printer, f: FunctionExpression, name: string): string | undefined {
  const args = f.children ?? [];
  const a = (i: number) => p.expr(args[i]);
  const d = p.dialect.name;
  if (args.length === 1 && (name === '-' || name === '+')) return `(${name}${a(0)})`;
  if (args.length !== 2) return undefined;
  if (INFIX.has(name)) return `(${a(0)} ${name} ${a(1)})`;
  switch (name) {
    // DuckDB divides as floating point and gives NULL for a zero divisor.
    case '/':
      if (d === 'postgres') return `(CAST(${a(0)} AS DOUBLE PRECISION) / NULLIF(${a(1)}, 0))`;
      if (d === 'bigquery') return `SAFE_DIVIDE(${a(0)}, ${a(1)})`;
      return `(${a(0)} / NULLIF(${a(1)}, 0))`;
    case '//':
      if (d === 'postgres') return `div(${a(0)}, NULLIF(${a(1)}, 0))`;
      if (d === 'bigquery') return `DIV(${a(0)}, NULLIF(${a(1)}, 0))`;
      return `TRUNC(${a(0)} / NULLIF(${a(1)}, 0))`;
    case '%':
      return d === 'bigquery' ? `MOD(${a(0)}, NULLIF(${a(1)}, 0))` : `(${a(0)} % NULLIF(${a(1)}, 0))`;
    case '**':
    case '^':
      return `${d === 'postgres' ? 'power' : 'POWER'}(${a(0)}, ${a(1)})`;
    case '~~': return like(p, f, 'LIKE', false);
    case '!~~': return like(p, f, 'NOT LIKE', false);
    case '~~*': return like(p, f, 'LIKE', true);
    case '!~~*': return like(p, f, 'NOT LIKE', true);
  }
  return undefined;
}

/**
 * DuckDB's LIKE has no escape character; the others read a backslash in the pattern as one. PostgreSQL
 * can switch that off (ESCAPE ''); elsewhere a pattern is rendered only when it is a constant without one.
 */
function like(p: Printer, f: FunctionExpression, op: string, caseless: boolean): string {
  const [value, pattern] = f.children ?? [];
  const constant = stringConstant(pattern);
  const d = p.dialect.name;
  if (d !== 'postgres' && (constant === undefined || constant.includes('\\'))) {
    return p.refuse(`${dialectTitle(d)} reads a backslash in a LIKE pattern as an escape; only constant patterns without one are rendered`, f);
  }
  const escape = d === 'postgres' && (constant === undefined || constant.includes('\\')) ? " ESCAPE ''" : '';
  if (caseless && d === 'bigquery') return `(LOWER(${p.expr(value)}) ${op} LOWER(${p.expr(pattern)}))`;
  const word = caseless ? op.replace('LIKE', 'ILIKE') : op;
  return `(${p.expr(value)} ${word} ${p.expr(pattern)}${escape})`;
}

// ---- entry points ----

export function printFunction(p: Printer, f: FunctionExpression): string {
  const raw = f.function_name.toLowerCase();
  if (p.native) return nativeCall(p, f);
  if (f.schema && f.schema !== 'main' && f.schema !== 'pg_catalog') return p.refuse(`${f.schema}.${f.function_name} is not supported outside DuckDB`, f);
  if (/^to_(years|months|weeks|days|hours|minutes|seconds|milliseconds|microseconds)$/.test(raw)) return printIntervalFunction(p, f);
  if (f.is_operator || /^[^a-z_]/.test(raw)) {
    const text = operator(p, f, raw);
    return text ?? p.refuse(`the operator ${f.function_name} is not supported outside DuckDB`, f);
  }
  const name = ALIASES[raw] ?? raw;
  const target = p.dialect.name as Target;
  const call = makeCall(p, f);
  const rule = RULES[name]?.[target];
  if (rule) return rule(call);
  if (PASS[target].has(name)) return call.aggregate(name, call.args.map((_, i) => call.a(i)), { nullIgnoring: NULL_IGNORING.has(name), orderInside: target !== 'snowflake' });
  const title = dialectTitle(target);
  return p.refuse(RULES[name] || PASS.postgres.has(name) || PASS.bigquery.has(name) || PASS.snowflake.has(name)
    ? `${f.function_name} has no equivalent on ${title}`
    : `${f.function_name} is not a function Sluice can render for ${title} (known functions are listed in docs/engines.md)`, f);
}

function makeCall(p: Printer, f: FunctionExpression): Call {
  const args = f.children ?? [];
  const call: Call = {
    p,
    f,
    args,
    a: (i) => (args[i] ? p.expr(args[i]) : p.refuse(`${f.function_name} is missing an argument`, f)),
    refuse: (message) => p.refuse(message, f),
    aggregate: (name, printed, options = {}) => aggregateCall(p, f, name, printed, options),
  };
  return call;
}

interface AggregateOptions {
  orderInside?: boolean;
  nullIgnoring?: boolean;
  /** The ORDER BY goes after the call (Snowflake's WITHIN GROUP), printed by the rule. */
  orderOutside?: boolean;
  /** A condition the aggregate needs on top of the call's own FILTER. */
  extraFilter?: string;
}

function aggregateCall(p: Printer, f: FunctionExpression, name: string, printed: string[], options: AggregateOptions): string {
  const orders = f.order_bys?.orders ?? [];
  let args = printed;
  let order = '';
  if (orders.length > 0 && !options.orderOutside) {
    if (!options.orderInside && p.dialect.name !== 'postgres') return p.refuse(`ORDER BY inside ${f.function_name}(...) is not supported on ${dialectTitle(p.dialect.name)}`, f);
    order = ` ORDER BY ${p.orderList(orders)}`;
  }
  const conditions = [f.filter ? p.expr(f.filter) : undefined, options.extraFilter].filter((x): x is string => x !== undefined);
  let filter = '';
  if (conditions.length > 0) {
    if (p.dialect.name === 'postgres') filter = ` FILTER (WHERE ${conditions.join(' AND ')})`;
    else if (options.nullIgnoring && args.length >= 1) {
      // Without FILTER: the aggregate skips NULLs, so rows that do not pass give it a NULL.
      const when = conditions.join(' AND ');
      args = args[0] === '*' ? [`CASE WHEN ${when} THEN 1 END`] : [`CASE WHEN ${when} THEN ${args[0]} END`, ...args.slice(1)];
    } else return p.refuse(`FILTER (WHERE ...) on ${f.function_name} is not supported on ${dialectTitle(p.dialect.name)}`, f);
  }
  return `${name}(${f.distinct ? 'DISTINCT ' : ''}${args.join(', ')}${order})${filter}`;
}

/** DuckDB's own spelling of a call, for the duckdb dialect. */
function nativeCall(p: Printer, f: FunctionExpression): string {
  const args = (f.children ?? []).map((c) => {
    const value = isLambda(c) ? `${p.expr(c.lhs)} -> ${p.expr(c.expr)}` : p.expr(c);
    // struct_pack(k := v): the field name is the argument's alias.
    return c.alias !== undefined ? `${p.ident(c.alias)} := ${value}` : value;
  });
  const name = f.function_name;
  if (f.is_operator || /^[^a-z_]/i.test(name)) {
    if (args.length === 1) return `(${name}${args[0]})`;
    if (args.length === 2) return `(${args[0]} ${name} ${args[1]})`;
  }
  if (name === 'count_star') args.push('*');
  const callName = name === 'count_star' ? 'count' : f.schema && f.schema !== 'main' ? `${p.ident(f.schema)}.${p.ident(name)}` : name;
  const orders = f.order_bys?.orders ?? [];
  const order = orders.length > 0 ? ` ORDER BY ${p.orderList(orders)}` : '';
  const filter = f.filter ? ` FILTER (WHERE ${p.expr(f.filter)})` : '';
  return `${callName}(${f.distinct ? 'DISTINCT ' : ''}${args.join(', ')}${order})${filter}`;
}

const WINDOW_ONLY = new Set(['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value']);

export function printWindowFunction(p: Printer, w: WindowExpression): string {
  const raw = w.function_name.toLowerCase();
  const name = ALIASES[raw] ?? raw;
  const args = (w.children ?? []).map((c) => p.expr(c));
  if (w.offset_expr) args.push(p.expr(w.offset_expr));
  if (w.default_expr) args.push(p.expr(w.default_expr));
  if (w.ignore_nulls) {
    if (p.dialect.name === 'postgres') return p.lacks('IGNORE NULLS in window functions', w);
    args[0] = `${args[0]} IGNORE NULLS`;
  }
  if (w.distinct && !p.native) return p.refuse('DISTINCT in a window function is not supported here', w);
  if (w.arg_orders?.length && !p.native) return p.refuse('ORDER BY inside a window function call is not supported here', w);
  let call: string;
  if ((name === 'count' || name === 'count_star') && args.length === 0) call = 'count(*)';
  else if (p.native || WINDOW_ONLY.has(name)) call = `${raw === 'count_star' ? 'count' : w.function_name}(${raw === 'count_star' ? '*' : args.join(', ')})`;
  else if (name === 'count_star') call = 'count(*)';
  else if (PASS[p.dialect.name as Target].has(name) && NULL_IGNORING.has(name)) call = `${name}(${args.join(', ')})`;
  else return p.refuse(`${w.function_name} as a window function is not supported on ${dialectTitle(p.dialect.name)}`, w);
  if (w.filter_expr) {
    if (p.dialect.name === 'postgres' || p.native) call += ` FILTER (WHERE ${p.expr(w.filter_expr)})`;
    else return p.refuse(`FILTER in a window function is not supported on ${dialectTitle(p.dialect.name)}`, w);
  }
  return `${call} ${p.window(w)}`;
}

// ---- intervals ----

const INTERVAL_UNITS: Record<string, { unit: string; bq: string }> = {
  years: { unit: 'year', bq: 'YEAR' }, months: { unit: 'month', bq: 'MONTH' }, weeks: { unit: 'week', bq: 'WEEK' },
  days: { unit: 'day', bq: 'DAY' }, hours: { unit: 'hour', bq: 'HOUR' }, minutes: { unit: 'minute', bq: 'MINUTE' },
  seconds: { unit: 'second', bq: 'SECOND' }, milliseconds: { unit: 'millisecond', bq: 'MILLISECOND' }, microseconds: { unit: 'microsecond', bq: 'MICROSECOND' },
};

/** DuckDB writes INTERVAL n DAY as to_days(CAST(trunc(CAST(n AS DOUBLE)) AS INTEGER)); this finds n. */
function intervalCount(e: ExpressionNode): ExpressionNode {
  let cur = e;
  for (;;) {
    if (isCast(cur)) cur = cur.child;
    else if (isFunction(cur) && cur.function_name === 'trunc' && cur.children?.length === 1) cur = cur.children[0];
    else return cur;
  }
}

function printIntervalFunction(p: Printer, f: FunctionExpression): string {
  const unit = INTERVAL_UNITS[f.function_name.toLowerCase().slice(3)];
  const arg = f.children?.[0];
  if (!unit || !arg) return p.refuse(`${f.function_name} is not supported here`, f);
  const count = intervalCount(arg);
  const constant = isConstant(count) && /INT/.test(count.value?.type?.id ?? '') ? String(count.value.value) : undefined;
  const d = p.dialect.name;
  if (d === 'bigquery') {
    if (unit.unit === 'week') return constant !== undefined ? `INTERVAL ${Number(constant) * 7} DAY` : `INTERVAL (${p.expr(count)}) * 7 DAY`;
    return `INTERVAL ${constant ?? `(${p.expr(count)})`} ${unit.bq}`;
  }
  if (constant !== undefined) return `INTERVAL ${p.string(`${constant} ${unit.unit}`)}`;
  if (d === 'postgres') return `(${p.expr(count)} * INTERVAL ${p.string(`1 ${unit.unit}`)})`;
  return p.refuse('Snowflake has no INTERVAL of a computed length; use DATEADD', f);
}

/** CAST('2 hours' AS INTERVAL) and INTERVAL '2 hours'. */
export function printIntervalCast(p: Printer, e: ExpressionNode & { child: ExpressionNode }): string {
  const text = stringConstant(e.child);
  const d = p.dialect.name;
  if (text === undefined) return d === 'postgres' ? `CAST(${p.expr(e.child)} AS INTERVAL)` : p.refuse(`${dialectTitle(d)} cannot cast a computed value to an interval`, e);
  if (d !== 'bigquery') return `INTERVAL ${p.string(text)}`;
  const m = /^\s*(-?\d+)\s*(year|month|week|day|hour|minute|second)s?\s*$/i.exec(text);
  if (!m) return p.refuse(`the interval '${text}' has no single-unit BigQuery form`, e);
  const unit = m[2].toLowerCase();
  return unit === 'week' ? `INTERVAL ${Number(m[1]) * 7} DAY` : `INTERVAL ${m[1]} ${unit.toUpperCase()}`;
}

/** x[i] on a list and s['f'] on a struct. */
export function printExtract(p: Printer, e: ExpressionNode, children: ExpressionNode[]): string {
  const [target, index] = children;
  const field = stringConstant(index);
  const d = p.dialect.name;
  if (p.native) return `${p.expr(target)}[${p.expr(index)}]`;
  if (field !== undefined) {
    if (d === 'bigquery') return `${p.expr(target)}.${p.ident(field)}`;
    if (d === 'snowflake') return `GET(${p.expr(target)}, ${p.string(field)})`;
    return p.lacks('struct field access (no STRUCT type)', e);
  }
  if (d === 'postgres') return `(${p.expr(target)})[${p.expr(index)}]`;
  if (d === 'bigquery') return `${p.expr(target)}[SAFE_ORDINAL(${p.expr(index)})]`;
  return `${p.expr(target)}[${p.expr(index)} - 1]`;
}
