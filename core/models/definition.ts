// From the parsed MODEL property list to a ModelDefinition, with SQLMesh's rules checked and every
// property also kept as raw text.

import { blueprintName, type Blueprint } from './blueprints';
import type { HeaderProperty, HeaderValue } from './headerParser';
import { interpretKind, type KindContext } from './kind';
import type { LineMap } from './position';
import { freshnessProblems, parseDuration, type Freshness } from '../health/settings';
import { CRON_ALIASES, INTERVAL_UNITS, MODEL_PROPERTIES } from './properties';
import { setOwn } from './objects';
import type { AuditRef, ModelDefinition, ModelKind, PropertyText } from './types';
import { isDuckDbDialect, isSupportedDialect } from '../sql/dialect';
import {
  booleanValue, listItems, nameOrExpressionList, rawText, scalarText, stringValue, wordList, type ValueContext,
} from './values';

export interface DefinitionInput extends ValueContext {
  lines: LineMap;
  properties: HeaderProperty[];
  /** Where the MODEL keyword is, for problems that belong to the block as a whole. */
  modelStart: number;
  modelEnd: number;
  /** Comments written before MODEL; SQLMesh uses them as the description when there is no description property. */
  leadingComments: string[];
  /** Name to use when there is no name property (SQLMesh's infer_names). */
  inferredName?: readonly string[];
  /** The blueprint the model is made from: its variables fill in the name. */
  blueprint?: Blueprint;
}

export function buildDefinition(input: DefinitionInput): ModelDefinition | undefined {
  const { lines, report } = input;
  const properties: Record<string, PropertyText> = {};
  const record = (key: string, value: HeaderValue, keyStart?: number, keyEnd?: number): void => {
    const entry: PropertyText = { raw: rawText(input, value), start: lines.position(value.start), end: lines.position(value.end) };
    if (keyStart !== undefined && keyEnd !== undefined) {
      entry.keyStart = lines.position(keyStart);
      entry.keyEnd = lines.position(keyEnd);
    }
    setOwn(properties, key, entry);
  };

  // First occurrence wins; later ones are reported where they are written.
  const byKey = new Map<string, HeaderProperty & { value: HeaderValue }>();
  for (const prop of input.properties) {
    const first = byKey.get(prop.key) ?? input.properties.find((p) => p.key === prop.key && p !== prop && p.keyStart < prop.keyStart);
    if (first) {
      const line = lines.position(first.keyStart).line;
      report(`property '${prop.key}' is set twice (first on line ${line})`, prop.keyStart, prop.keyEnd);
      continue;
    }
    if (!MODEL_PROPERTIES.has(prop.key)) {
      report(`unknown model property '${prop.key}'`, prop.keyStart, prop.keyEnd, 'warning');
    }
    if (!prop.value) continue;
    record(prop.key, prop.value, prop.keyStart, prop.keyEnd);
    // A blueprint's name is a template of its variables (read by modelName).
    const template = prop.key === 'name' && input.blueprint !== undefined;
    if (INTERPRETED.has(prop.key) && !template && reportMacro(input, prop.key, prop.value)) continue;
    byKey.set(prop.key, prop as HeaderProperty & { value: HeaderValue });
  }
  const get = (key: string): HeaderValue | undefined => byKey.get(key)?.value;

  const name = modelName(input, get('name'), input.properties.some((p) => p.key === 'name'));

  const kindCtx: KindContext = { ...input, record };
  const kindValue = get('kind');
  const kind: ModelKind = (kindValue && interpretKind(kindCtx, kindValue)) || { name: 'VIEW' };

  if (!name) return undefined;
  const definition: ModelDefinition = {
    name: name.text,
    nameParts: name.parts,
    kind,
    audits: [],
    columnDescriptions: {},
    properties,
  };

  const cron = get('cron');
  if (cron) {
    const text = stringValue(input, cron, 'cron', false);
    if (text !== undefined && checkCron(input, cron, text)) definition.cron = text;
  }
  const intervalUnit = get('interval_unit');
  if (intervalUnit) {
    const text = stringValue(input, intervalUnit, 'interval_unit')?.toLowerCase();
    if (text !== undefined && !INTERVAL_UNITS.has(text)) {
      report(`interval_unit must be one of ${[...INTERVAL_UNITS].join(', ')}; found ${rawText(input, intervalUnit)}`, intervalUnit.start, intervalUnit.end);
    }
  }
  for (const key of ['start', 'end'] as const) {
    const v = get(key);
    if (!v) continue;
    const text = stringValue(input, v, key);
    if (text !== undefined) definition[key] = text;
  }
  const owner = get('owner');
  if (owner) definition.owner = stringValue(input, owner, 'owner');

  const description = get('description');
  if (description) definition.description = stringValue(input, description, 'description', false);
  else if (input.leadingComments.length > 0) definition.description = input.leadingComments.join('\n');

  const dialect = get('dialect');
  if (dialect) {
    const text = stringValue(input, dialect, 'dialect')?.toLowerCase();
    if (text !== undefined) {
      definition.dialect = text;
      if (text !== '' && !isDuckDbDialect(text) && !isSupportedDialect(text)) {
        report(`dialect '${text}' is not one Sluice can translate: the query is read as DuckDB SQL`, dialect.start, dialect.end, 'warning');
      }
    }
  }

  const grain = get('grain');
  const grains = get('grains');
  if (grain && grains) {
    const second = byKey.get('grain')!.keyStart > byKey.get('grains')!.keyStart ? byKey.get('grain')! : byKey.get('grains')!;
    report("use either 'grain' or 'grains', not both", second.keyStart, second.keyEnd);
  }
  if (grain ?? grains) definition.grain = nameOrExpressionList(input, (grain ?? grains)!);

  const tags = get('tags');
  if (tags) definition.tags = wordList(input, tags, 'tags');

  const freshness = get('freshness');
  if (freshness) definition.freshness = freshnessValue(input, freshness);

  const audits = get('audits');
  if (audits) definition.audits = auditRefs(input, audits);

  const columnDescriptions = get('column_descriptions');
  if (columnDescriptions) definition.columnDescriptions = describeColumns(input, columnDescriptions);

  const columns = get('columns');
  if (columns) definition.columns = columnTypes(input, columns);

  const partitionedBy = get('partitioned_by');
  if (partitionedBy) definition.partitionedBy = nameOrExpressionList(input, partitionedBy);
  if (kind.name === 'INCREMENTAL_BY_PARTITION') {
    if (definition.partitionedBy && definition.partitionedBy.length > 0) kind.partitionedBy = definition.partitionedBy;
    else {
      const at = partitionedBy ?? (kindValue?.type === 'kind' ? { start: kindValue.nameStart, end: kindValue.nameEnd } : kindValue!);
      report('kind INCREMENTAL_BY_PARTITION needs the model property partitioned_by, e.g. partitioned_by (region): each run replaces the partitions its query returns', at.start, at.end);
      definition.kind = { name: 'VIEW' };
    }
  }

  const storage: NonNullable<ModelDefinition['storage']> = {};
  const tableFormat = get('table_format');
  if (tableFormat) storage.tableFormat = stringValue(input, tableFormat, 'table_format');
  const storageFormat = get('storage_format');
  if (storageFormat) storage.storageFormat = stringValue(input, storageFormat, 'storage_format');
  const clusteredBy = get('clustered_by');
  if (clusteredBy) storage.clusteredBy = nameOrExpressionList(input, clusteredBy);
  if (Object.keys(storage).length > 0) definition.storage = storage;

  const dependsOn = get('depends_on');
  if (dependsOn) definition.dependsOn = nameOrExpressionList(input, dependsOn);

  const enabled = get('enabled');
  if (enabled) definition.enabled = booleanValue(input, enabled, 'enabled');
  for (const key of ['allow_partials', 'optimize_query', 'formatting', 'validate_query']) {
    const v = get(key);
    if (v) booleanValue(input, v, key);
  }

  const defaultCatalog = byKey.get('default_catalog');
  if (defaultCatalog) report('default_catalog cannot be set on a model; it belongs to the connection', defaultCatalog.keyStart, defaultCatalog.keyEnd);

  return definition;
}

/** Properties Sluice reads itself; the rest (audits, physical_properties, ...) are kept raw and may hold macros. */
const INTERPRETED = new Set([
  'name', 'kind', 'cron', 'interval_unit', 'start', 'end', 'owner', 'description', 'dialect', 'grain', 'grains',
  'tags', 'column_descriptions', 'columns', 'partitioned_by', 'clustered_by', 'table_format', 'storage_format',
  'depends_on', 'enabled', 'freshness',
]);

/** Reports the first macro in an interpreted property's value; true when there was one. */
function reportMacro(input: DefinitionInput, key: string, value: HeaderValue): boolean {
  for (let i = value.first; i <= value.last; i++) {
    const t = input.tokens[i];
    if (t.type === 'macro' || (t.type === 'ident' && t.templated) || t.macroString) {
      input.report(`macros in the '${key}' property are not supported by Sluice yet`, t.start, t.end);
      return true;
    }
  }
  return false;
}

function modelName(
  input: DefinitionInput,
  value: HeaderValue | undefined,
  written: boolean,
): { text: string; parts: string[] } | undefined {
  if (!value && !written && input.inferredName) {
    const parts = [...input.inferredName];
    if (parts.length < 2) {
      input.report(`no name is given and none can be inferred from the path: put the file in a folder named after its schema, or add name schema.${parts[0] ?? 'table'}`, input.modelStart, input.modelEnd);
      return undefined;
    }
    return { text: parts.join('.'), parts };
  }
  if (value && input.blueprint) return blueprintName(rawText(input, value), input.blueprint, value, input.report);
  if (!value) {
    if (!written) input.report('the MODEL block has no name; add e.g. name analytics.my_model', input.modelStart, input.modelEnd);
    return undefined;
  }
  if (value.type === 'string') {
    input.report(`the model name must be written as an identifier (e.g. ${value.value || 'schema.table'}), not as a string`, value.start, value.end);
    return undefined;
  }
  if (value.type !== 'name') {
    input.report(`the model name must be an identifier like schema.table, found ${rawText(input, value)}`, value.start, value.end);
    return undefined;
  }
  const parts = value.parts.map((p) => p.value);
  if (parts.length < 2) {
    input.report(`the model name '${parts[0]}' needs a schema, e.g. analytics.${parts[0]}`, value.start, value.end);
    return undefined;
  }
  if (parts.length > 3) {
    input.report(`the model name has ${parts.length} parts; use [catalog.]schema.table`, value.start, value.end);
    return undefined;
  }
  if (parts.some((p) => p === '')) {
    input.report('the model name has an empty part', value.start, value.end);
    return undefined;
  }
  return { text: rawText(input, value), parts };
}

function checkCron(input: DefinitionInput, value: HeaderValue, text: string): boolean {
  const trimmed = text.trim();
  if (CRON_ALIASES.has(trimmed.toLowerCase())) return true;
  const fields = trimmed.split(/\s+/);
  if (fields.length >= 5 && fields.length <= 6 && fields.every((f) => /^[\d*/,\-?LW#A-Za-z]+$/.test(f))) return true;
  input.report(`cron must be @hourly, @daily, @weekly, @monthly or a cron expression like '0 6 * * *'; found ${rawText(input, value)}`, value.start, value.end);
  return false;
}

/** freshness (warn_after := 6h, error_after := 24h): how old the model's data may get (see docs/health.md). */
function freshnessValue(input: DefinitionInput, value: HeaderValue): Freshness | undefined {
  const example = 'freshness (warn_after := 6h, error_after := 24h)';
  if (value.type !== 'tuple' || value.items.length === 0) {
    input.report(`freshness must be written like ${example}, found ${rawText(input, value)}`, value.start, value.end);
    return undefined;
  }
  const out: Freshness = {};
  let ok = true;
  for (const item of value.items) {
    const key = item.type === 'assign' ? scalarText(item.key)?.toLowerCase() : undefined;
    if (item.type !== 'assign' || (key !== 'warn_after' && key !== 'error_after')) {
      input.report(`freshness takes warn_after and error_after, e.g. ${example}; found ${rawText(input, item)}`, item.start, item.end);
      ok = false;
      continue;
    }
    // 6h is read as a number then a word, so the value is taken as written; '6h' works as well.
    const text = item.value.type === 'string' ? item.value.value : rawText(input, item.value);
    const ms = parseDuration(text);
    if (ms === undefined) {
      input.report(`${key} must be a duration such as 30m, 6h or 1d; found ${rawText(input, item.value)}`, item.value.start, item.value.end);
      ok = false;
      continue;
    }
    if (key === 'warn_after') out.warnAfterMs = ms;
    else out.errorAfterMs = ms;
  }
  if (!ok) return undefined;
  const problem = freshnessProblems(out)[0];
  if (problem) {
    input.report(`freshness: ${problem}`, value.start, value.end);
    return undefined;
  }
  return out;
}

/** audits (name, name(arg := value, ...), ...) */
function auditRefs(input: DefinitionInput, value: HeaderValue): AuditRef[] {
  const out: AuditRef[] = [];
  for (const item of listItems(value)) {
    if (item.type === 'name' && item.parts.length === 1) {
      out.push({ name: item.parts[0].value.toLowerCase(), args: {} });
      continue;
    }
    if (item.type !== 'call') {
      input.report(`expected an audit name or call such as not_null(columns := [id]), found ${rawText(input, item)}`, item.start, item.end);
      continue;
    }
    const args: Record<string, string> = {};
    let ok = true;
    for (const arg of item.args) {
      const key = arg.type === 'assign' ? scalarText(arg.key) : undefined;
      if (arg.type !== 'assign' || key === undefined) {
        input.report(`audit ${item.name} takes named arguments like ${item.name}(column := id); found ${rawText(input, arg)}`, arg.start, arg.end);
        ok = false;
        continue;
      }
      setOwn(args, key.toLowerCase(), rawText(input, arg.value));
    }
    if (ok) out.push({ name: item.name.toLowerCase(), args });
  }
  return out;
}

/** column_descriptions (a = 'text', b = 'text') */
function describeColumns(input: DefinitionInput, value: HeaderValue): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of listItems(value)) {
    if (item.type !== 'assign' || item.key.type !== 'name') {
      input.report(`column_descriptions entries must be written as column = 'description', found ${rawText(input, item)}`, item.start, item.end);
      continue;
    }
    if (item.value.type !== 'string') {
      input.report(`the description of column ${rawText(input, item.key)} must be a string, found ${rawText(input, item.value)}`, item.value.start, item.value.end);
      continue;
    }
    setOwn(out, item.key.parts.map((p) => p.value).join('.'), item.value.value);
  }
  return out;
}

/** columns (id INT, name VARCHAR(20), price DECIMAL(10, 2)) */
function columnTypes(input: DefinitionInput, value: HeaderValue): Record<string, string> {
  const out: Record<string, string> = {};
  if (value.type !== 'tuple') {
    input.report(`columns must be a list like (id INT, name TEXT), found ${rawText(input, value)}`, value.start, value.end);
    return out;
  }
  for (const item of value.items) {
    const nameToken = input.tokens[item.first];
    if (nameToken.type !== 'ident' && nameToken.type !== 'qident') {
      input.report(`expected a column name, found ${rawText(input, item)}`, item.start, item.end);
      continue;
    }
    if (item.first === item.last) {
      input.report(`column '${nameToken.value}' has no data type`, nameToken.start, nameToken.end);
      continue;
    }
    const typeStart = input.tokens[item.first + 1].start;
    setOwn(out, nameToken.value, input.text.slice(typeStart, item.end));
  }
  return out;
}
