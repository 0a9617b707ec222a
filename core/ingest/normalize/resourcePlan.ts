// A resource definition checked and resolved once into what the flattener needs on every item:
// table name, nesting limit, disposition, contract and column hints keyed by column name.

import { SluiceError } from '../../errors';
import { DATA_TYPES, type DataType, type MergeStrategy, type WriteDisposition } from '../../schema/types';
import type { Contract, ResourceDef } from '../types';
import { resolveContract, type ResolvedContract } from './contract';
import { columnNameForField, normalizeSegment, rootTableName } from './naming';
import { previewValue } from './serialize';

export const DEFAULT_MAX_NESTING = 1000;
/**
 * Columns per table by default. DuckDB builds a row group of every column on each loading thread, so a
 * table of thousands of sparse columns (free-form metadata gaining keys) costs gigabytes to load; past
 * this limit, further fields go to one JSON column instead.
 */
export const DEFAULT_MAX_COLUMNS = 500;

export interface ResolvedHint {
  /** The field as the resource definition spelled it (for messages). */
  field: string;
  column: string;
  dataType?: DataType;
  nullable: boolean;
  primaryKey: boolean;
  mergeKey: boolean;
  /** DECIMAL(precision, scale) for a decimal hint of known precision. */
  precision?: number;
  scale?: number;
}

export interface ResourcePlan {
  resource: string;
  rootTable: string;
  /** Root table name before shortening; child table names are built from it. */
  rootFullName: string;
  maxNesting: number;
  /** Columns a table may have before further fields go to its overflow column. */
  maxColumns: number;
  disposition: WriteDisposition;
  strategy: MergeStrategy | undefined;
  /** Child tables carry _sluice_root_id. */
  merge: boolean;
  /** Root rows are identified by content and carry validity columns. */
  scd2: boolean;
  contract: ResolvedContract;
  /** Hints for root table columns, by column name. */
  hints: Map<string, ResolvedHint>;
  /** Hints whose column must have a value in every root row. */
  required: ResolvedHint[];
}

const DISPOSITIONS: readonly WriteDisposition[] = ['append', 'replace', 'merge'];
const STRATEGIES: readonly MergeStrategy[] = ['delete-insert', 'upsert', 'scd2'];

function disposition(def: ResourceDef): { disposition: WriteDisposition; strategy: MergeStrategy | undefined } {
  const raw = def.writeDisposition;
  const where = `resource '${def.name}'`;
  if (raw === undefined) return { disposition: 'append', strategy: undefined };
  const spec = typeof raw === 'string' ? { disposition: raw, strategy: undefined } : raw;
  if (!DISPOSITIONS.includes(spec.disposition)) {
    throw new SluiceError(`${where}: writeDisposition ${previewValue(spec.disposition)} is not one of ${DISPOSITIONS.join(', ')}`);
  }
  if (spec.strategy !== undefined && !STRATEGIES.includes(spec.strategy)) {
    throw new SluiceError(`${where}: merge strategy ${previewValue(spec.strategy)} is not one of ${STRATEGIES.join(', ')}`);
  }
  if (spec.disposition !== 'merge') {
    if (spec.strategy !== undefined) {
      throw new SluiceError(`${where}: a merge strategy ('${spec.strategy}') needs writeDisposition 'merge', not '${spec.disposition}'`);
    }
    return { disposition: spec.disposition, strategy: undefined };
  }
  return { disposition: 'merge', strategy: spec.strategy ?? 'delete-insert' };
}

function fieldList(value: string | string[] | undefined, option: string, resource: string): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  for (const field of list) {
    if (typeof field !== 'string' || field === '') {
      throw new SluiceError(`resource '${resource}': ${option} entries must be non-empty field names, got ${previewValue(field)}`);
    }
  }
  return list;
}

function hints(def: ResourceDef): Map<string, ResolvedHint> {
  const out = new Map<string, ResolvedHint>();
  const entry = (field: string): ResolvedHint => {
    const column = columnNameForField(field);
    let hint = out.get(column);
    if (!hint) {
      hint = { field, column, nullable: true, primaryKey: false, mergeKey: false };
      out.set(column, hint);
    }
    return hint;
  };
  const explicitNullable = new Map<string, boolean>();
  for (const [field, raw] of Object.entries(def.columns ?? {})) {
    const where = `resource '${def.name}': column hint '${field}'`;
    if (typeof raw !== 'object' || raw === null) throw new SluiceError(`${where} must be an object, got ${previewValue(raw)}`);
    const hint = entry(field);
    if (raw.dataType !== undefined) {
      if (!DATA_TYPES.includes(raw.dataType)) {
        throw new SluiceError(`${where}: dataType ${previewValue(raw.dataType)} is not one of ${DATA_TYPES.join(', ')}`);
      }
      hint.dataType = raw.dataType;
    }
    if (raw.dataType === 'decimal' && raw.precision !== undefined) {
      hint.precision = raw.precision;
      hint.scale = raw.scale ?? 0;
    }
    if (raw.nullable !== undefined) {
      if (typeof raw.nullable !== 'boolean') throw new SluiceError(`${where}: nullable must be true or false`);
      explicitNullable.set(hint.column, raw.nullable);
    }
    if (raw.primaryKey) hint.primaryKey = true;
  }
  for (const field of fieldList(def.primaryKey, 'primaryKey', def.name)) entry(field).primaryKey = true;
  for (const field of fieldList(def.mergeKey, 'mergeKey', def.name)) entry(field).mergeKey = true;
  // Primary key columns must have a value unless a hint explicitly allows null.
  for (const hint of out.values()) hint.nullable = explicitNullable.get(hint.column) ?? !hint.primaryKey;
  return out;
}

export function planResource(def: ResourceDef, sourceContract: Contract | undefined): ResourcePlan {
  if (typeof def?.name !== 'string' || def.name === '') {
    throw new SluiceError(`a resource has no name (got ${previewValue(def?.name)})`);
  }
  const maxNesting = def.maxNesting ?? DEFAULT_MAX_NESTING;
  if (!Number.isInteger(maxNesting) || maxNesting < 0) {
    throw new SluiceError(`resource '${def.name}': maxNesting must be a whole number ≥ 0, got ${previewValue(def.maxNesting)}`);
  }
  const maxColumns = def.maxColumns ?? DEFAULT_MAX_COLUMNS;
  if (!Number.isInteger(maxColumns) || maxColumns < 1) {
    throw new SluiceError(`resource '${def.name}': maxColumns must be a whole number ≥ 1, got ${previewValue(def.maxColumns)}`);
  }
  const { disposition: d, strategy } = disposition(def);
  const hintMap = hints(def);
  return {
    resource: def.name,
    rootTable: rootTableName(def),
    rootFullName: normalizeSegment(def.table ?? def.name),
    maxNesting,
    maxColumns,
    disposition: d,
    strategy,
    merge: d === 'merge',
    scd2: strategy === 'scd2',
    contract: resolveContract(def.name, def.contract, sourceContract),
    hints: hintMap,
    required: [...hintMap.values()].filter((h) => !h.nullable),
  };
}
