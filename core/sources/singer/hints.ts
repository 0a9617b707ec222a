// A Singer stream's JSON Schema as Sluice column hints, so that typed warehouses stay typed: integer →
// bigint, number → double (decimal with multipleOf), boolean → bool, string with format date-time/date →
// timestamp/date. Nested objects give hints for their fields (dotted, flattened by the normalizer);
// arrays and values of several types get none and are left to the normalizer.

import { isPlainObject } from '../../ingest/extract/describe';
import type { ColumnHint } from '../../ingest/types';
import type { DataType } from '../../schema/types';

/** Hints for the properties of an object schema, keyed by (dotted) field path. */
export function schemaHints(schema: unknown, prefix = ''): Record<string, ColumnHint> {
  const out: Record<string, ColumnHint> = {};
  if (!isPlainObject(schema) || !isPlainObject(schema.properties)) return out;
  for (const [field, property] of Object.entries(schema.properties)) {
    const path = prefix + field;
    const types = typesOf(property);
    if (types.length !== 1) continue;
    const [only] = types;
    if (only.type === 'object') Object.assign(out, schemaHints(only.schema, `${path}.`));
    else {
      const dataType = dataTypeOf(only.type, only.schema);
      if (dataType) out[path] = { dataType };
    }
  }
  return out;
}

interface TypedSchema {
  type: string;
  schema: Record<string, unknown>;
}

/** The non-null types a property may have: "type" as a string or a list, or the branches of anyOf/oneOf. */
function typesOf(schema: unknown): TypedSchema[] {
  if (!isPlainObject(schema)) return [];
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches)) return branches.flatMap(typesOf);
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  return types.filter((t): t is string => typeof t === 'string' && t !== 'null').map((type) => ({ type, schema }));
}

function dataTypeOf(type: string, schema: Record<string, unknown>): DataType | undefined {
  switch (type) {
    case 'integer': return 'bigint';
    case 'number': return schema.multipleOf === undefined ? 'double' : 'decimal';
    case 'boolean': return 'bool';
    case 'string':
      if (schema.format === 'date-time') return 'timestamp';
      if (schema.format === 'date') return 'date';
      return 'text';
    default: return undefined;
  }
}
