// The `kind` property: which kind a model is and that kind's options, checked as SQLMesh checks them.

import type { HeaderProperty, HeaderValue } from './headerParser';
import { KIND_OPTIONS, SQLMESH_KIND_NAMES, SUPPORTED_KIND_NAMES } from './properties';
import { setOwn } from './objects';
import type { DestructiveChangePolicy, ForwardOnlyOptions, ModelKind } from './types';
import {
  booleanValue, integerValue, listItems, nameOrExpressionList, plainValue, rawText, scalarText, stringValue,
  type ValueContext,
} from './values';

export interface KindContext extends ValueContext {
  /** Records an option's raw text under 'kind.<option>'. */
  record(key: string, value: HeaderValue, keyStart?: number, keyEnd?: number): void;
}

const CHANGE_POLICIES = new Set(['allow', 'warn', 'error', 'ignore']);
const CSV_SETTINGS = new Set([
  'delimiter', 'quotechar', 'doublequote', 'escapechar', 'skipinitialspace', 'lineterminator', 'encoding',
  'na_values', 'keep_default_na',
]);

const OPTION_EXAMPLES: Record<string, string> = { path: "'seeds/file.csv'", unique_key: 'id', columns: '[name, price]' };

export function interpretKind(ctx: KindContext, value: HeaderValue): ModelKind | undefined {
  if (value.type !== 'kind') return undefined; // the parser already reported what it found instead
  const name = value.name.toUpperCase();
  if (!SQLMESH_KIND_NAMES.includes(name)) {
    ctx.report(
      `unknown model kind '${value.name}'; expected one of ${SUPPORTED_KIND_NAMES.join(', ')}`,
      value.nameStart,
      value.nameEnd,
    );
    return undefined;
  }
  if (name === 'CUSTOM') {
    ctx.report(
      'model kind CUSTOM cannot run in Sluice: a custom materialization is a Python class, and Sluice does not run Python; use one of ' +
        `${SUPPORTED_KIND_NAMES.filter((k) => k !== 'SCD_TYPE_2').join(', ')}`,
      value.nameStart,
      value.nameEnd,
    );
    return undefined;
  }
  if (name === 'MANAGED') {
    ctx.report(
      'model kind MANAGED cannot run in Sluice: it hands the table to the engine to keep up to date (a Snowflake dynamic table, a Databricks materialized view), which DuckDB and PostgreSQL do not have; use FULL or one of the incremental kinds',
      value.nameStart,
      value.nameEnd,
    );
    return undefined;
  }
  if (!SUPPORTED_KIND_NAMES.includes(name)) {
    ctx.report(
      `model kind ${name} is not supported by Sluice yet (supported: ${SUPPORTED_KIND_NAMES.join(', ')})`,
      value.nameStart,
      value.nameEnd,
    );
    return undefined;
  }

  const allowed = KIND_OPTIONS[name];
  const options = new Map<string, HeaderProperty & { value: HeaderValue }>();
  for (const option of value.options ?? []) {
    if (options.has(option.key)) {
      ctx.report(`kind option '${option.key}' is set twice`, option.keyStart, option.keyEnd);
      continue;
    }
    if (!allowed.has(option.key)) {
      const valid = [...allowed];
      ctx.report(
        valid.length === 0
          ? `kind ${name} takes no options, found '${option.key}'`
          : `kind ${name} has no option '${option.key}' (options: ${valid.join(', ')})`,
        option.keyStart,
        option.keyEnd,
      );
      continue;
    }
    if (!option.value) continue; // "has no value" already reported
    ctx.record(`kind.${option.key}`, option.value, option.keyStart, option.keyEnd);
    options.set(option.key, option as HeaderProperty & { value: HeaderValue });
  }

  const opt = (key: string): HeaderValue | undefined => options.get(key)?.value;
  const requireOption = (key: string): HeaderValue | undefined => {
    const v = opt(key);
    if (!v && !(value.options ?? []).some((o) => o.key === key)) {
      ctx.report(`kind ${name} needs a ${key}, e.g. ${name} (${key} ${OPTION_EXAMPLES[key] ?? 'ds'})`, value.nameStart, value.nameEnd);
    }
    return v;
  };

  checkCommonOptions(ctx, name, opt);
  const forwardOnly = forwardOnlyOptions(opt);

  switch (name) {
    case 'FULL':
    case 'EMBEDDED':
    case 'EXTERNAL':
      return { name };
    case 'VIEW': {
      const materialized = opt('materialized');
      const kind: ModelKind = { name: 'VIEW' };
      if (materialized) {
        const b = booleanValue(ctx, materialized, 'materialized');
        if (b !== undefined) kind.materialized = b;
      }
      return kind;
    }
    case 'INCREMENTAL_BY_TIME_RANGE': {
      const timeColumnValue = requireOption('time_column');
      const time = timeColumnValue ? timeColumn(ctx, timeColumnValue) : undefined;
      if (!time) return undefined;
      const kind: ModelKind = { name: 'INCREMENTAL_BY_TIME_RANGE', timeColumn: time.column };
      const format = opt('format');
      const formatText = format ? stringValue(ctx, format, 'format', false) : undefined;
      if (time.format !== undefined) kind.timeColumnFormat = time.format;
      else if (formatText !== undefined) kind.timeColumnFormat = formatText;
      const batchSize = opt('batch_size');
      if (batchSize) {
        const n = integerValue(ctx, batchSize, 'batch_size', 1);
        if (n !== undefined) kind.batchSize = n;
      }
      const lookback = opt('lookback');
      if (lookback) {
        const n = integerValue(ctx, lookback, 'lookback', 0);
        if (n !== undefined) kind.lookback = n;
      }
      return { ...kind, ...forwardOnly };
    }
    case 'INCREMENTAL_BY_UNIQUE_KEY': {
      const keyValue = requireOption('unique_key');
      if (!keyValue) return undefined;
      const uniqueKey = nameOrExpressionList(ctx, keyValue);
      if (uniqueKey.length === 0) {
        ctx.report('unique_key needs at least one column', keyValue.start, keyValue.end);
        return undefined;
      }
      const kind: ModelKind = { name: 'INCREMENTAL_BY_UNIQUE_KEY', uniqueKey };
      const whenMatched = opt('when_matched');
      if (whenMatched) kind.whenMatched = unwrapParens(ctx, whenMatched);
      for (const key of ['batch_size', 'lookback']) {
        const v = opt(key);
        if (v) integerValue(ctx, v, key, key === 'lookback' ? 0 : 1);
      }
      return { ...kind, ...forwardOnly };
    }
    case 'INCREMENTAL_BY_PARTITION':
      // partitioned_by is a property of the model, not of the kind: the definition fills it in and checks it.
      return { name, partitionedBy: [], ...forwardOnly };
    case 'INCREMENTAL_UNMANAGED': {
      const overwrite = opt('insert_overwrite');
      return { name, insertOverwrite: (overwrite && booleanValue(ctx, overwrite, 'insert_overwrite')) ?? false, ...forwardOnly };
    }
    case 'SCD_TYPE_2':
    case 'SCD_TYPE_2_BY_TIME':
    case 'SCD_TYPE_2_BY_COLUMN':
      return withForwardOnly(scd2Kind(ctx, name, opt, requireOption), forwardOnly);
    case 'SEED': {
      const pathValue = requireOption('path');
      const path = pathValue ? stringValue(ctx, pathValue, 'path') : undefined;
      if (path === undefined) return undefined;
      const kind: ModelKind = { name: 'SEED', path: path.replace(/\\/g, '/') };
      const batchSize = opt('batch_size');
      if (batchSize) integerValue(ctx, batchSize, 'batch_size', 1);
      const csv = opt('csv_settings');
      if (csv) {
        const settings = csvSettings(ctx, csv);
        if (settings) kind.csvSettings = settings;
      }
      return kind;
    }
  }
  return undefined;
}

/** forward_only and on_destructive_change as written (absent when not written; checkCommonOptions reported bad values). */
function forwardOnlyOptions(opt: (key: string) => HeaderValue | undefined): ForwardOnlyOptions {
  const out: ForwardOnlyOptions = {};
  const text = (key: string) => {
    const v = opt(key);
    return v ? scalarText(v)?.toLowerCase() : undefined;
  };
  const flag = text('forward_only');
  if (flag === 'true' || flag === '1') out.forwardOnly = true;
  else if (flag === 'false' || flag === '0') out.forwardOnly = false;
  const policy = text('on_destructive_change');
  if (policy && CHANGE_POLICIES.has(policy)) out.onDestructiveChange = policy as DestructiveChangePolicy;
  return out;
}

function withForwardOnly(kind: ModelKind | undefined, options: ForwardOnlyOptions): ModelKind | undefined {
  return kind && (kind.name === 'SCD_TYPE_2_BY_TIME' || kind.name === 'SCD_TYPE_2_BY_COLUMN') ? { ...kind, ...options } : kind;
}

/** SCD_TYPE_2 (an old name of SCD_TYPE_2_BY_TIME), SCD_TYPE_2_BY_TIME and SCD_TYPE_2_BY_COLUMN, with SQLMesh's defaults. */
function scd2Kind(
  ctx: KindContext,
  name: string,
  opt: (key: string) => HeaderValue | undefined,
  requireOption: (key: string) => HeaderValue | undefined,
): ModelKind | undefined {
  const keyValue = requireOption('unique_key');
  const uniqueKey = keyValue ? nameOrExpressionList(ctx, keyValue) : [];
  if (keyValue && uniqueKey.length === 0) ctx.report('unique_key needs at least one column', keyValue.start, keyValue.end);
  const column = (key: string, fallback: string): string => {
    const v = opt(key);
    return (v && columnName(ctx, v, key)) || fallback;
  };
  const flag = (key: string): boolean => {
    const v = opt(key);
    return (v && booleanValue(ctx, v, key)) ?? false;
  };
  const common = {
    uniqueKey,
    validFromName: column('valid_from_name', 'valid_from'),
    validToName: column('valid_to_name', 'valid_to'),
    invalidateHardDeletes: flag('invalidate_hard_deletes'),
    timeDataType: 'TIMESTAMP',
  };
  const typeValue = opt('time_data_type');
  if (typeValue) {
    const type = rawText(ctx, typeValue).replace(/^'(.*)'$/s, '$1').trim();
    if (type === '') ctx.report('time_data_type must be a type such as TIMESTAMP or DATE', typeValue.start, typeValue.end);
    else common.timeDataType = type;
  }
  const batchSize = opt('batch_size');
  const batch = batchSize ? integerValue(ctx, batchSize, 'batch_size', 1) : undefined;
  if (common.validFromName.toLowerCase() === common.validToName.toLowerCase()) {
    const at = opt('valid_to_name') ?? opt('valid_from_name')!;
    ctx.report(`valid_from_name and valid_to_name are both ${common.validToName}; they must differ`, at.start, at.end);
    return undefined;
  }
  if (uniqueKey.length === 0) return undefined;
  let kind: ModelKind;
  if (name === 'SCD_TYPE_2_BY_COLUMN') {
    const columnsValue = requireOption('columns');
    if (!columnsValue) return undefined;
    const star = rawText(ctx, columnsValue).replace(/^'(.*)'$/, '$1').trim() === '*';
    const columns = star ? ('*' as const) : listItems(columnsValue).map((item) => columnName(ctx, item, 'columns'));
    if (columns !== '*' && (columns.length === 0 || columns.some((c) => c === undefined))) {
      if (columns.length === 0) ctx.report("columns needs at least one column, or '*' for all of them", columnsValue.start, columnsValue.end);
      return undefined;
    }
    const updatedAt = opt('updated_at_name');
    kind = { name: 'SCD_TYPE_2_BY_COLUMN', ...common, columns: columns as string[] | '*', executionTimeAsValidFrom: flag('execution_time_as_valid_from') };
    if (updatedAt) {
      const updatedAtName = columnName(ctx, updatedAt, 'updated_at_name');
      if (updatedAtName) kind.updatedAtName = updatedAtName;
    }
  } else {
    kind = { name: 'SCD_TYPE_2_BY_TIME', ...common, updatedAtName: column('updated_at_name', 'updated_at'), updatedAtAsValidFrom: flag('updated_at_as_valid_from') };
  }
  if (batch !== undefined) kind.batchSize = batch;
  return kind;
}

/** A single column name: unquoted names are lower-cased, as DuckDB reads them. */
function columnName(ctx: KindContext, value: HeaderValue, what: string): string | undefined {
  if (value.type === 'name' && value.parts.length === 1) return value.parts[0].quoted ? value.parts[0].value : value.parts[0].value.toLowerCase();
  if (value.type === 'string' && value.value.trim() !== '') return value.value;
  ctx.report(`${what} must be a column name, found ${rawText(ctx, value)}`, value.start, value.end);
  return undefined;
}

/** Options shared by the incremental kinds, validated so typos surface at the right place. */
function checkCommonOptions(ctx: KindContext, kindName: string, opt: (key: string) => HeaderValue | undefined): void {
  for (const key of ['forward_only', 'disable_restatement', 'partition_by_time_column']) {
    const v = opt(key);
    if (v) booleanValue(ctx, v, key);
  }
  for (const key of ['on_destructive_change', 'on_additive_change']) {
    const v = opt(key);
    if (!v) continue;
    const text = scalarText(v)?.toLowerCase();
    if (!text || !CHANGE_POLICIES.has(text)) {
      ctx.report(`${key} must be one of allow, warn, error, ignore; found ${rawText(ctx, v)}`, v.start, v.end);
    }
  }
  for (const key of ['batch_concurrency', 'auto_restatement_intervals']) {
    const v = opt(key);
    if (v) integerValue(ctx, v, key, 1);
  }
  const concurrency = opt('batch_concurrency');
  if (concurrency && kindName === 'INCREMENTAL_BY_UNIQUE_KEY' && !(concurrency.type === 'number' && concurrency.value === 1)) {
    ctx.report('batch_concurrency must be 1 for INCREMENTAL_BY_UNIQUE_KEY: merges cannot run in parallel', concurrency.start, concurrency.end);
  }
  const cron = opt('auto_restatement_cron');
  if (cron) stringValue(ctx, cron, 'auto_restatement_cron', false);
}

/** time_column ds | time_column "ds" | time_column (ds, '%Y-%m-%d') */
function timeColumn(ctx: KindContext, value: HeaderValue): { column: string; format?: string } | undefined {
  const bad = (): undefined => {
    ctx.report(
      `time_column must be a column name, optionally with a format string: time_column (ds, '%Y-%m-%d'); found ${rawText(ctx, value)}`,
      value.start,
      value.end,
    );
    return undefined;
  };
  const column = (v: HeaderValue): string | undefined => (v.type === 'name' && v.parts.length === 1 ? v.parts[0].value : undefined);
  if (value.type === 'name') return column(value) !== undefined ? { column: column(value)! } : bad();
  if (value.type !== 'tuple' || value.items.length < 1 || value.items.length > 2) return bad();
  const name = column(value.items[0]);
  if (name === undefined) return bad();
  if (value.items.length === 1) return { column: name };
  const format = value.items[1];
  if (format.type !== 'string') {
    ctx.report(`the time_column format must be a string such as '%Y-%m-%d', found ${rawText(ctx, format)}`, format.start, format.end);
    return undefined;
  }
  return { column: name, format: format.value };
}

function unwrapParens(ctx: KindContext, value: HeaderValue): string {
  if (value.type === 'tuple' && value.items.length === 1) return rawText(ctx, value.items[0]);
  return rawText(ctx, value);
}

function csvSettings(ctx: KindContext, value: HeaderValue): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const item of listItems(value)) {
    if (item.type !== 'assign') {
      ctx.report(`csv_settings entries must be written as key = value, found ${rawText(ctx, item)}`, item.start, item.end);
      continue;
    }
    const key = scalarText(item.key)?.toLowerCase();
    if (!key || !CSV_SETTINGS.has(key)) {
      ctx.report(`unknown csv setting '${rawText(ctx, item.key)}' (settings: ${[...CSV_SETTINGS].join(', ')})`, item.key.start, item.key.end);
      continue;
    }
    setOwn(out, key, plainValue(ctx, item.value));
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
