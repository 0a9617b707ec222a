// Checks that a source module exported what Sluice can run, before anything is run.
// Every problem becomes one line naming the file, the resource and the property.

import { SluiceError } from '../../errors';
import { DATA_TYPES, decimalFits } from '../../schema/types';
import type { SourceDef } from '../types';
import { describeType, describeValue, isPlainObject } from './describe';
import { hasPreparer } from './prepare';

const SOURCE_KEYS = ['name', 'resources'];
const RESOURCE_KEYS = [
  'name', 'rows', 'transformer', 'table', 'primaryKey', 'mergeKey', 'writeDisposition',
  'incremental', 'maxNesting', 'maxColumns', 'columns', 'contract', 'selected',
];
const DISPOSITIONS = ['append', 'replace', 'merge'];
const STRATEGIES = ['delete-insert', 'upsert', 'scd2'];
const CONTRACT_MODES = ['evolve', 'freeze', 'discard_row', 'discard_value'];
const CONTRACT_ENTITIES = ['tables', 'columns', 'data_type'];
const INCREMENTAL_KEYS = ['cursor', 'initialValue', 'lastValue', 'endValue'];
const COLUMN_HINT_KEYS = ['dataType', 'nullable', 'primaryKey', 'precision', 'scale'];

/**
 * Returns the value as a SourceDef when it is one; throws a SluiceError otherwise.
 * where names the source in messages, e.g. "sources/github.ts".
 */
export function validateSource(value: unknown, where: string): SourceDef {
  const fail = (message: string): never => {
    throw new SluiceError(`${where}: ${message}`);
  };
  if (!isPlainObject(value)) {
    fail(`the default export must be a source object { name, resources }, got ${describeType(value)}`);
  }
  const source = value as Record<string, unknown>;
  checkKeys(source, SOURCE_KEYS, 'the source', fail);
  if (typeof source.name !== 'string' || !source.name.trim()) {
    fail(`the source needs a name (a non-empty string), got ${describeValue(source.name)}`);
  }
  const nameProblem = sourceNameProblem(source.name as string);
  if (nameProblem) fail(`the source name ${describeValue(source.name)} ${nameProblem}`);
  if (!Array.isArray(source.resources)) fail(`resources must be an array, got ${describeType(source.resources)}`);
  const resources = source.resources as unknown[];
  if (resources.length === 0 && !hasPreparer(value)) fail('resources is empty: a source needs at least one resource');

  const names = new Set<string>();
  resources.forEach((resource, index) => {
    if (!isPlainObject(resource)) fail(`resources[${index}] must be an object, got ${describeType(resource)}`);
    const r = resource as Record<string, unknown>;
    if (typeof r.name !== 'string' || !r.name.trim()) {
      fail(`resources[${index}] needs a name (a non-empty string), got ${describeValue(r.name)}`);
    }
    const name = r.name as string;
    if (CONTROL_CHARACTER.test(name)) fail(`resources[${index}] name ${describeValue(name)} contains a control character`);
    if (names.has(name)) fail(`resource "${name}" is defined twice`);
    names.add(name);
    validateResource(r, (message) => fail(`resource "${name}": ${message}`));
  });
  checkTransformerParents(resources as Record<string, unknown>[], names, fail);
  return value as unknown as SourceDef;
}

type Fail = (message: string) => never;

/** Names end up in one-line messages, file names and the warehouse: line breaks and the like have no place there. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A source's name is the DuckDB schema its tables land in and the file name of schemas/<name>.schema.yaml.
 * Any text works as a quoted DuckDB name, but not as a file name, and _sluice is Sluice's own schema.
 */
function sourceNameProblem(name: string): string | undefined {
  if (CONTROL_CHARACTER.test(name)) return 'contains a control character';
  if (/[/\\]/.test(name)) return 'contains a path separator (/ or \\)';
  if (name === '.' || name === '..') return 'is not usable as a file name';
  if (name.toLowerCase() === '_sluice') return 'is reserved for Sluice\'s own tables';
  return undefined;
}

function validateResource(r: Record<string, unknown>, fail: Fail): void {
  checkKeys(r, RESOURCE_KEYS, 'resource', fail);
  const hasRows = r.rows !== undefined;
  const hasTransformer = r.transformer !== undefined;
  if (!hasRows && !hasTransformer) fail('needs rows(ctx) or transformer: { from, transform }');
  if (hasRows && hasTransformer) fail('has both rows and transformer; a resource has one or the other');
  if (hasRows && typeof r.rows !== 'function') fail(`rows must be a function, got ${describeType(r.rows)}`);
  if (hasTransformer) {
    const t = r.transformer;
    if (!isPlainObject(t)) fail(`transformer must be an object { from, transform }, got ${describeType(t)}`);
    const tr = t as Record<string, unknown>;
    checkKeys(tr, ['from', 'transform'], 'transformer', fail);
    if (typeof tr.from !== 'string' || !tr.from) fail(`transformer.from must name a resource, got ${describeValue(tr.from)}`);
    if (typeof tr.transform !== 'function') fail(`transformer.transform must be a function, got ${describeType(tr.transform)}`);
  }
  if (r.table !== undefined && (typeof r.table !== 'string' || !r.table.trim())) {
    fail(`table must be a non-empty string, got ${describeValue(r.table)}`);
  }
  checkKeyList(r.primaryKey, 'primaryKey', fail);
  checkKeyList(r.mergeKey, 'mergeKey', fail);
  checkWriteDisposition(r.writeDisposition, fail);
  checkIncremental(r.incremental, fail);
  if (r.maxNesting !== undefined && !(Number.isInteger(r.maxNesting) && (r.maxNesting as number) >= 0)) {
    fail(`maxNesting must be a whole number >= 0, got ${describeValue(r.maxNesting)}`);
  }
  if (r.maxColumns !== undefined && !(Number.isInteger(r.maxColumns) && (r.maxColumns as number) >= 1)) {
    fail(`maxColumns must be a whole number >= 1, got ${describeValue(r.maxColumns)}`);
  }
  checkColumns(r.columns, fail);
  checkContract(r.contract, fail);
  if (r.selected !== undefined && typeof r.selected !== 'boolean') {
    fail(`selected must be true or false, got ${describeValue(r.selected)}`);
  }
}

function checkKeyList(value: unknown, prop: string, fail: Fail): void {
  if (value === undefined) return;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((k) => typeof k !== 'string' || !k)) {
    fail(`${prop} must be a field name or a non-empty list of field names, got ${describeValue(value)}`);
  }
}

function checkWriteDisposition(value: unknown, fail: Fail): void {
  if (value === undefined) return;
  if (typeof value === 'string') {
    if (!DISPOSITIONS.includes(value)) fail(`writeDisposition must be one of ${DISPOSITIONS.join(', ')}, got ${describeValue(value)}`);
    return;
  }
  if (!isPlainObject(value)) {
    fail(`writeDisposition must be one of ${DISPOSITIONS.join(', ')} or { disposition, strategy }, got ${describeType(value)}`);
  }
  const wd = value as Record<string, unknown>;
  checkKeys(wd, ['disposition', 'strategy'], 'writeDisposition', fail);
  if (typeof wd.disposition !== 'string' || !DISPOSITIONS.includes(wd.disposition)) {
    fail(`writeDisposition.disposition must be one of ${DISPOSITIONS.join(', ')}, got ${describeValue(wd.disposition)}`);
  }
  if (wd.strategy !== undefined) {
    if (typeof wd.strategy !== 'string' || !STRATEGIES.includes(wd.strategy)) {
      fail(`writeDisposition.strategy must be one of ${STRATEGIES.join(', ')}, got ${describeValue(wd.strategy)}`);
    }
    if (wd.disposition !== 'merge') fail(`writeDisposition.strategy only applies to disposition "merge", not ${describeValue(wd.disposition)}`);
  }
}

function checkIncremental(value: unknown, fail: Fail): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) fail(`incremental must be an object { cursor, initialValue, ... }, got ${describeType(value)}`);
  const inc = value as Record<string, unknown>;
  checkKeys(inc, INCREMENTAL_KEYS, 'incremental', fail);
  if (typeof inc.cursor !== 'string' || !inc.cursor.trim()) {
    fail(`incremental needs a cursor (the field path, e.g. "updated_at"), got ${describeValue(inc.cursor)}`);
  }
  const cursor = inc.cursor as string;
  if (cursor.split('.').some((part) => part === '')) fail(`incremental.cursor ${JSON.stringify(cursor)} has an empty path segment`);
  const lv = inc.lastValue;
  if (lv !== undefined && lv !== 'max' && lv !== 'min' && typeof lv !== 'function') {
    fail(`incremental.lastValue must be "max", "min" or a function, got ${describeValue(lv)}`);
  }
}

function checkColumns(value: unknown, fail: Fail): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) fail(`columns must be an object of column hints, got ${describeType(value)}`);
  for (const [column, hint] of Object.entries(value as Record<string, unknown>)) {
    const at = `columns.${column}`;
    if (!isPlainObject(hint)) fail(`${at} must be an object { dataType, nullable, primaryKey }, got ${describeType(hint)}`);
    const h = hint as Record<string, unknown>;
    checkKeys(h, COLUMN_HINT_KEYS, at, fail);
    if (h.dataType !== undefined && !(DATA_TYPES as readonly unknown[]).includes(h.dataType)) {
      fail(`${at}.dataType must be one of ${DATA_TYPES.join(', ')}, got ${describeValue(h.dataType)}`);
    }
    for (const flag of ['nullable', 'primaryKey']) {
      if (h[flag] !== undefined && typeof h[flag] !== 'boolean') fail(`${at}.${flag} must be true or false, got ${describeValue(h[flag])}`);
    }
    checkPrecision(h, at, fail);
  }
}

/** precision/scale describe a decimal column that DECIMAL(38,9), the staging type, can carry exactly. */
function checkPrecision(h: Record<string, unknown>, at: string, fail: Fail): void {
  if (h.precision === undefined && h.scale === undefined) return;
  if (h.dataType !== 'decimal') fail(`${at}: precision and scale apply to dataType "decimal" only`);
  const p = h.precision;
  const s = h.scale ?? 0;
  if (!Number.isInteger(p) || !Number.isInteger(s) || (p as number) < 1 || !decimalFits(p as number, s as number)) {
    fail(`${at}: precision and scale must be whole numbers with 0 <= scale <= 9, scale <= precision and precision - scale <= 29, got ${describeValue(p)}, ${describeValue(h.scale)}`);
  }
}

function checkContract(value: unknown, fail: Fail): void {
  if (value === undefined) return;
  if (typeof value === 'string') {
    if (!CONTRACT_MODES.includes(value)) fail(`contract must be one of ${CONTRACT_MODES.join(', ')}, got ${describeValue(value)}`);
    return;
  }
  if (!isPlainObject(value)) fail(`contract must be a mode or { tables, columns, data_type }, got ${describeType(value)}`);
  const c = value as Record<string, unknown>;
  checkKeys(c, CONTRACT_ENTITIES, 'contract', fail);
  for (const entity of CONTRACT_ENTITIES) {
    const mode = c[entity];
    if (mode !== undefined && (typeof mode !== 'string' || !CONTRACT_MODES.includes(mode))) {
      fail(`contract.${entity} must be one of ${CONTRACT_MODES.join(', ')}, got ${describeValue(mode)}`);
    }
  }
}

/** Every transformer's parent exists, and following parents never comes back to the start. */
function checkTransformerParents(resources: Record<string, unknown>[], names: Set<string>, fail: Fail): void {
  const parentOf = new Map<string, string>();
  for (const r of resources) {
    const t = r.transformer as { from: string } | undefined;
    if (!t) continue;
    if (!names.has(t.from)) {
      fail(`resource "${r.name}": transformer.from ${JSON.stringify(t.from)} names no resource (resources: ${[...names].join(', ')})`);
    }
    if (t.from === r.name) fail(`resource "${r.name}": transformer.from names the resource itself`);
    parentOf.set(r.name as string, t.from);
  }
  for (const start of parentOf.keys()) {
    const seen = new Set([start]);
    for (let at = parentOf.get(start); at !== undefined; at = parentOf.get(at)) {
      if (seen.has(at)) fail(`transformers form a cycle: ${[...seen, at].join(' -> ')}`);
      seen.add(at);
    }
  }
}

/** Rejects unknown properties, suggesting the intended one for near misses like primary_key. */
function checkKeys(obj: Record<string, unknown>, known: string[], what: string, fail: Fail): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const squash = (k: string) => k.toLowerCase().replace(/[_\-\s]/g, '');
    const near = known.find((k) => squash(k) === squash(key));
    const hint = near ? `did you mean "${near}"?` : `known: ${known.join(', ')}`;
    fail(`unknown property ${JSON.stringify(key)} in ${what} (${hint})`);
  }
}
