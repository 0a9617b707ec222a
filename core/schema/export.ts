// Writes schemas/<source>.schema.yaml after each load, so schema evolution can be reviewed in git.

import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { SourceSchema } from './types';

export function schemaToDocument(schema: SourceSchema): Record<string, unknown> {
  const tables: Record<string, unknown> = {};
  // By name, not by when each table appeared: resources run concurrently, and the file is reviewed in git.
  const byName = [...schema.tables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const table of byName) {
    const columns: Record<string, unknown> = {};
    // Fields of child-table rows are given from the root item, through the list: labels[].name.
    const listPrefix = table.path ? `${table.path.join('.')}[].` : '';
    for (const column of table.columns) {
      columns[column.name] = {
        data_type: column.dataType,
        ...(column.precision !== undefined ? { precision: column.precision, scale: column.scale ?? 0 } : {}),
        nullable: column.nullable,
        ...(column.primaryKey ? { primary_key: true } : {}),
        ...(column.mergeKey ? { merge_key: true } : {}),
        ...(column.variantOf ? { variant_of: column.variantOf } : {}),
        ...(column.path ? { field: listPrefix + column.path.join('.') } : {}),
      };
    }
    tables[table.name] = {
      resource: table.resource,
      ...(table.parent ? { parent: table.parent } : {}),
      ...(table.path ? { field: `${table.path.join('.')}[]` } : {}),
      write_disposition: table.writeDisposition,
      ...(table.mergeStrategy ? { merge_strategy: table.mergeStrategy } : {}),
      columns,
    };
  }
  return { name: schema.name, version: schema.version, tables };
}

export function exportSchemaYaml(projectDir: string, schema: SourceSchema): string {
  const file = path.join(projectDir, 'schemas', `${schema.name}.schema.yaml`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text =
    `# Inferred by Sluice from source "${schema.name}". Regenerated after every load; review changes in git.\n` +
    stringify(schemaToDocument(schema), { lineWidth: 0 });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  return file;
}
