// Reads schemas/<source>.schema.yaml back into the schema model (the inverse of schemaToDocument), for
// editors that show what a source's schema file says. Bad input is an error naming the file and the table.

import { parse } from 'yaml';
import { SluiceError } from '../errors';
import type { ColumnSchema, DataType, SourceSchema, TableSchema, WriteDisposition } from './types';

export function parseSchemaYaml(text: string, file: string): SourceSchema {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new SluiceError(`${file}: not valid YAML: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
  }
  if (!isRecord(raw) || typeof raw.name !== 'string' || !isRecord(raw.tables)) {
    throw new SluiceError(`${file}: a source schema needs a name and a tables mapping`);
  }
  const tables: TableSchema[] = [];
  for (const [name, value] of Object.entries(raw.tables)) {
    if (!isRecord(value) || !isRecord(value.columns)) throw new SluiceError(`${file}: table ${name} has no columns mapping`);
    const columns: ColumnSchema[] = Object.entries(value.columns).map(([column, spec]) => readColumn(column, isRecord(spec) ? spec : {}));
    const table: TableSchema = {
      name,
      resource: typeof value.resource === 'string' ? value.resource : name,
      writeDisposition: (typeof value.write_disposition === 'string' ? value.write_disposition : 'append') as WriteDisposition,
      columns,
    };
    if (typeof value.parent === 'string') table.parent = value.parent;
    if (typeof value.field === 'string') table.path = value.field.replace(/\[\]$/, '').split('.');
    tables.push(table);
  }
  return { name: raw.name, version: typeof raw.version === 'number' ? raw.version : 0, tables };
}

function readColumn(name: string, spec: Record<string, unknown>): ColumnSchema {
  const column: ColumnSchema = {
    name,
    dataType: (typeof spec.data_type === 'string' ? spec.data_type : 'text') as DataType,
    nullable: spec.nullable !== false,
  };
  if (Number.isInteger(spec.precision)) {
    column.precision = spec.precision as number;
    column.scale = Number.isInteger(spec.scale) ? (spec.scale as number) : 0;
  }
  if (spec.primary_key === true) column.primaryKey = true;
  if (spec.merge_key === true) column.mergeKey = true;
  if (typeof spec.variant_of === 'string') column.variantOf = spec.variant_of;
  // The file gives child-table fields from the root item (labels[].name); kept as written.
  if (typeof spec.field === 'string') column.path = [spec.field];
  return column;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
