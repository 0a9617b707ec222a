// Values in unit-test files: reading them from YAML and CSV the way SQLMesh does (unquoted dates are dates,
// quoted ones strings), guessing a DuckDB type for a column when none is declared, and turning each value
// into a prepared-statement parameter plus the cast that gives it its column's type.

import { isAlias, isMap, isScalar, isSeq, Scalar, type Document, type Node } from 'yaml';
import { quoteIdent } from '../warehouse/quote';
import type { FixtureValue } from './types';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
const TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[Zz]|[+-]\d{1,2}(?::?\d{2})?)$/;
const TIME = /^\d{2}:\d{2}:\d{2}(?:\.\d+)?$/;
const DECIMAL_TEXT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const INTEGER_TEXT = /^[-+]?\d+$/;

export const NULL_VALUE: FixtureValue = { type: 'null' };

/** A YAML node as a fixture value. Nodes that are not plain data (tags, ...) come back as their text. */
export function valueFromYaml(node: unknown, doc: Document): FixtureValue {
  if (isAlias(node)) return valueFromYaml(node.resolve(doc), doc);
  if (node === null || node === undefined) return NULL_VALUE;
  if (isScalar(node)) return scalarValue(node);
  if (isSeq(node)) return { type: 'list', items: node.items.map((item) => valueFromYaml(item, doc)) };
  if (isMap(node)) {
    const fields: Array<[string, FixtureValue]> = [];
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      fields.push([key, valueFromYaml(pair.value, doc)]);
    }
    return { type: 'struct', fields };
  }
  return { type: 'string', value: String((node as Node).toJSON?.() ?? node) };
}

function scalarValue(node: Scalar): FixtureValue {
  const v = node.value;
  if (v === null || v === undefined) return NULL_VALUE;
  if (typeof v === 'boolean') return { type: 'boolean', value: v };
  if (typeof v === 'number' || typeof v === 'bigint') {
    // The text as written keeps every digit (a DECIMAL(38, 10) value would not survive a double).
    const source = typeof node.source === 'string' ? node.source.trim() : '';
    const text = DECIMAL_TEXT.test(source) ? source : String(v);
    return { type: 'number', text, integer: INTEGER_TEXT.test(text) };
  }
  const text = String(v);
  if (node.type === Scalar.PLAIN || node.type === undefined) {
    const temporal = temporalValue(text);
    if (temporal) return temporal;
  }
  return { type: 'string', value: text };
}

function temporalValue(text: string): FixtureValue | undefined {
  if (DATE.test(text)) return { type: 'date', text };
  if (TIMESTAMP.test(text)) return { type: 'timestamp', text };
  if (TIMESTAMPTZ.test(text)) return { type: 'timestamptz', text };
  if (TIME.test(text)) return { type: 'time', text };
  return undefined;
}

/** A CSV field: empty is NULL; numbers, true/false and dates are recognised as pandas would read them. */
export function valueFromCsv(field: string): FixtureValue {
  if (field === '') return NULL_VALUE;
  if (DECIMAL_TEXT.test(field)) return { type: 'number', text: field, integer: INTEGER_TEXT.test(field) };
  const lower = field.toLowerCase();
  if (lower === 'true' || lower === 'false') return { type: 'boolean', value: lower === 'true' };
  return temporalValue(field) ?? { type: 'string', value: field };
}

/** Splits CSV text (quotes with "" escapes, any line ending) into rows of fields. Blank lines are skipped. */
export function parseCsv(text: string, separator = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  const endRow = () => {
    if (fieldStarted || row.length > 0 || field !== '') row.push(field);
    if (row.length > 0 && !(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') {
      quoted = true;
      fieldStarted = true;
    } else if (text.startsWith(separator, i)) {
      row.push(field);
      field = '';
      fieldStarted = true;
      i += separator.length - 1;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  endRow();
  return rows;
}

// ---------- type inference ----------

const NUMERIC_RANK = ['INTEGER', 'BIGINT', 'HUGEINT', 'DOUBLE'];
const TEMPORAL_RANK = ['DATE', 'TIMESTAMP', 'TIMESTAMPTZ'];

/** The DuckDB type a value suggests, or undefined for NULL (and lists/structs holding only NULLs). */
export function inferType(value: FixtureValue): string | undefined {
  switch (value.type) {
    case 'null':
      return undefined;
    case 'boolean':
      return 'BOOLEAN';
    case 'number':
      return value.integer ? integerType(value.text) : 'DOUBLE';
    case 'string':
      return 'VARCHAR';
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'timestamptz':
      return 'TIMESTAMPTZ';
    case 'time':
      return 'TIME';
    case 'list': {
      let item: string | undefined;
      for (const v of value.items) {
        const t = inferType(v);
        if (t === undefined) continue;
        const merged: string | undefined = item === undefined ? t : mergeTypes(item, t);
        if (merged === undefined) return undefined;
        item = merged;
      }
      return item === undefined ? undefined : `${item}[]`;
    }
    case 'struct': {
      const fields: string[] = [];
      for (const [name, v] of value.fields) {
        const t = inferType(v);
        if (t === undefined) return undefined;
        fields.push(`${quoteIdent(name)} ${t}`);
      }
      return fields.length > 0 ? `STRUCT(${fields.join(', ')})` : undefined;
    }
  }
}

function integerType(text: string): string {
  const n = BigInt(text);
  if (n >= -2147483648n && n <= 2147483647n) return 'INTEGER';
  if (n >= -9223372036854775808n && n <= 9223372036854775807n) return 'BIGINT';
  return 'HUGEINT';
}

/** The type both values fit in (wider number, finer time), or undefined when they do not mix. */
export function mergeTypes(a: string, b: string): string | undefined {
  if (a === b) return a;
  for (const rank of [NUMERIC_RANK, TEMPORAL_RANK]) {
    const i = rank.indexOf(a);
    const j = rank.indexOf(b);
    if (i >= 0 && j >= 0) return rank[Math.max(i, j)];
  }
  return undefined;
}

// ---------- binding ----------

/** A value as a prepared-statement parameter: text for scalars, JSON for lists and structs. */
export function parameterOf(value: FixtureValue): { param: string | null; json: boolean } {
  switch (value.type) {
    case 'null':
      return { param: null, json: false };
    case 'boolean':
      return { param: value.value ? 'true' : 'false', json: false };
    case 'number':
      return { param: value.text, json: false };
    case 'string':
      return { param: value.value, json: false };
    case 'list':
    case 'struct':
      return { param: JSON.stringify(toJson(value)), json: true };
    default:
      return { param: value.text, json: false };
  }
}

function toJson(value: FixtureValue): unknown {
  switch (value.type) {
    case 'null':
      return null;
    case 'boolean':
      return value.value;
    case 'number': {
      const n = Number(value.text);
      return Number.isFinite(n) ? n : value.text;
    }
    case 'string':
      return value.value;
    case 'list':
      return value.items.map(toJson);
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of value.fields) Object.defineProperty(out, k, { value: toJson(v), enumerable: true, writable: true, configurable: true });
      return out;
    }
    default:
      return value.text;
  }
}

/** SQL for parameter $index cast to `type`; list/struct values travel as JSON and are cast from it. */
export function castParameter(index: number, type: string, json: boolean): string {
  return json ? `CAST(CAST($${index} AS JSON) AS ${type})` : `CAST($${index} AS ${type})`;
}

/** A value as a short readable text for messages and diffs. */
export function describeValue(value: FixtureValue): string {
  switch (value.type) {
    case 'null':
      return 'NULL';
    case 'boolean':
      return String(value.value);
    case 'number':
      return value.text;
    case 'string':
      return JSON.stringify(value.value);
    case 'list':
    case 'struct':
      return JSON.stringify(toJson(value));
    default:
      return value.text;
  }
}
