// The project settings SQLMesh's config and sluice.yaml share: model_defaults, variables,
// default_target_environment, before_all / after_all and model_naming, read from either file through a
// ConfigSource (which knows where each value is written, for errors that name the file and line).

import { SluiceError } from '../errors';
import type { ModelDefaults } from '../models/defaults';
import { parseModelFile } from '../models/parse';
import { parseEnvironmentTtl } from '../plan/environments';
import type { MacroValue } from '../models/render';
import { quoteIdent, quoteLiteral } from '../warehouse/quote';

/** Where settings are read from: plain values by key path, and where each one is written. */
export interface ConfigSource {
  /** Absolute path of the file. */
  file: string;
  /** The value at a key path, as plain data (undefined when absent). */
  value(keys: readonly (string | number)[]): unknown;
  /** `file:line:col` of the value at a key path (or of the nearest part of it that is written). */
  where(keys: readonly (string | number)[], place?: 'key' | 'value'): string;
}

/** What models need from the project: defaults for unset properties, variables, name inference. */
export interface ModelSettings {
  defaults: ModelDefaults;
  variables: Record<string, MacroValue>;
  /** SQLMesh's model_naming.infer_names. */
  inferNames?: boolean;
}

export interface SharedSettings {
  models: ModelSettings;
  /** default_target_environment: what plan, apply and run work on when no environment is named. */
  defaultEnvironment?: string;
  /** environment_ttl in ms (null: never): how long a dev environment lasts after its last apply. */
  environmentTtlMs?: number | null;
  beforeAll?: string[];
  afterAll?: string[];
  /** Settings read but not acted on, and other things the user should know, each naming where. */
  notes: string[];
}

const APPLIED_DEFAULTS = ['dialect', 'kind', 'start', 'cron', 'owner'] as const;

export function readSharedSettings(source: ConfigSource): SharedSettings {
  const notes: string[] = [];
  const settings: SharedSettings = { models: { defaults: readModelDefaults(source, notes), variables: readVariables(source, ['variables'], notes) }, notes };
  const environment = source.value(['default_target_environment']);
  if (environment !== undefined) settings.defaultEnvironment = text(source, ['default_target_environment'], environment);
  const ttl = source.value(['environment_ttl']);
  if (ttl !== undefined && ttl !== null) {
    const ms = typeof ttl === 'string' ? parseEnvironmentTtl(ttl) : undefined;
    if (ms === undefined) {
      throw new SluiceError(`${source.where(['environment_ttl'])}: environment_ttl must be a duration such as 7d, 12h, 2w or 'in 1 week', or never`);
    }
    settings.environmentTtlMs = ms;
  }
  for (const [key, field] of [['before_all', 'beforeAll'], ['after_all', 'afterAll']] as const) {
    const value = source.value([key]);
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new SluiceError(`${source.where([key])}: ${key} must be a list of SQL statements`);
    settings[field] = value as string[];
  }
  const infer = source.value(['model_naming', 'infer_names']);
  if (infer !== undefined) {
    if (typeof infer !== 'boolean') throw new SluiceError(`${source.where(['model_naming', 'infer_names'])}: model_naming.infer_names must be true or false`);
    settings.models.inferNames = infer;
  }
  return settings;
}

/** variables (or a gateway's variables): names, case-insensitive, to scalars or lists of them. */
export function readVariables(source: ConfigSource, keys: readonly string[], notes: string[]): Record<string, MacroValue> {
  const value = source.value(keys);
  if (value === undefined || value === null) return {};
  const label = keys.join('.');
  if (!isRecord(value)) throw new SluiceError(`${source.where(keys)}: ${label} must map variable names to values`);
  const out: Record<string, MacroValue> = {};
  for (const [name, v] of Object.entries(value)) {
    const macro = macroValue(v);
    if (macro === undefined) {
      notes.push(`${source.where([...keys, name])}: ${label}.${name} is a mapping; Sluice supports variables holding a value or a list of values, so @${name} is not defined`);
      continue;
    }
    out[name.toLowerCase()] = macro;
  }
  return out;
}

function macroValue(value: unknown): MacroValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (Array.isArray(value)) {
    const items = value.map(macroValue);
    return items.every((v) => v !== undefined) ? (items as MacroValue[]) : undefined;
  }
  return undefined;
}

/** model_defaults: checked as if they were written in a MODEL block. */
function readModelDefaults(source: ConfigSource, notes: string[]): ModelDefaults {
  const value = source.value(['model_defaults']);
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new SluiceError(`${source.where(['model_defaults'])}: model_defaults must be a mapping (dialect, kind, start, cron, ...)`);
  const properties: Partial<Record<keyof ModelDefaults, string>> = {};
  for (const [key, setting] of Object.entries(value)) {
    const at = ['model_defaults', key];
    if (!(APPLIED_DEFAULTS as readonly string[]).includes(key)) {
      notes.push(`${source.where(at)}: model_defaults.${key} is not applied by Sluice`);
      continue;
    }
    if (setting === null || setting === undefined) continue;
    properties[key as keyof ModelDefaults] = key === 'kind' ? kindText(source, at, setting) : quoteLiteral(scalar(source, at, setting));
  }
  const keys = Object.keys(properties) as (keyof ModelDefaults)[];
  const header = keys.map((key) => `${key} ${properties[key]}`);
  const parsed = parseModelFile(`MODEL (\nname default.model,\n${header.join(',\n')}\n);\nSELECT 1`, 'model_defaults');
  for (const d of parsed.diagnostics) {
    // Line 1 is "MODEL (", line 2 the name, then one line per setting.
    const key = keys[d.start.line - 3] ?? keys[0];
    const message = `${source.where(['model_defaults', key])}: model_defaults.${key}: ${d.message}`;
    if (d.severity === 'error') throw new SluiceError(message);
    notes.push(message);
  }
  const definition = parsed.definition!;
  const defaults: ModelDefaults = {};
  if (properties.kind !== undefined) defaults.kind = definition.kind;
  for (const key of ['dialect', 'start', 'cron', 'owner'] as const) {
    if (properties[key] !== undefined && definition[key] !== undefined) defaults[key] = definition[key];
  }
  return defaults;
}

/** A kind as MODEL text: FULL, or { name: INCREMENTAL_BY_TIME_RANGE, time_column: ds } → INCREMENTAL_BY_TIME_RANGE (time_column ds). */
function kindText(source: ConfigSource, at: string[], value: unknown): string {
  const bad = () => new SluiceError(`${source.where(at)}: model_defaults.kind must be a kind name such as FULL, or a mapping with its name and options`);
  if (typeof value === 'string') {
    if (!/^\w+$/.test(value)) throw bad();
    return value;
  }
  if (!isRecord(value) || typeof value.name !== 'string' || !/^\w+$/.test(value.name)) throw bad();
  const options = Object.entries(value)
    .filter(([key]) => key !== 'name')
    .map(([key, option]) => `${key} ${optionText(key, option, () => new SluiceError(`${source.where([...at, key])}: model_defaults.kind.${key} must be a value or a list of values`))}`);
  return options.length === 0 ? value.name : `${value.name} (${options.join(', ')})`;
}

/** Options naming columns are written as identifiers; other strings as string literals. */
const COLUMN_OPTIONS = new Set(['time_column', 'unique_key', 'partition_by', 'columns']);

function optionText(key: string, value: unknown, bad: () => Error): string {
  const item = (v: unknown, asColumn: boolean): string => {
    if (typeof v === 'number' || typeof v === 'boolean') return String(v).toUpperCase();
    if (typeof v === 'string') return asColumn ? (/^[A-Za-z_]\w*$/.test(v) ? v : quoteIdent(v)) : quoteLiteral(v);
    throw bad();
  };
  if (Array.isArray(value)) {
    // time_column [ds, '%Y-%m-%d']: the column, then its format.
    return `(${value.map((v, i) => item(v, COLUMN_OPTIONS.has(key) && !(key === 'time_column' && i > 0))).join(', ')})`;
  }
  return item(value, COLUMN_OPTIONS.has(key));
}

function scalar(source: ConfigSource, at: string[], value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new SluiceError(`${source.where(at)}: ${at.join('.')} must be a string`);
}

export function text(source: ConfigSource, at: (string | number)[], value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new SluiceError(`${source.where(at)}: ${at.join('.')} must be a string`);
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Merges settings; those of `over` win, per model default and per variable. */
export function mergeShared(base: SharedSettings, over: SharedSettings): SharedSettings {
  const models: ModelSettings = {
    defaults: { ...base.models.defaults, ...over.models.defaults },
    variables: { ...base.models.variables, ...over.models.variables },
  };
  const inferNames = over.models.inferNames ?? base.models.inferNames;
  if (inferNames !== undefined) models.inferNames = inferNames;
  return {
    models,
    defaultEnvironment: over.defaultEnvironment ?? base.defaultEnvironment,
    environmentTtlMs: over.environmentTtlMs !== undefined ? over.environmentTtlMs : base.environmentTtlMs,
    beforeAll: over.beforeAll ?? base.beforeAll,
    afterAll: over.afterAll ?? base.afterAll,
    notes: [...base.notes, ...over.notes],
  };
}
