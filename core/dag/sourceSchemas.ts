// The tables sources have loaded, read from schemas/<source>.schema.yaml (written after every load).
// Besides columns and types, these files hold each column's field path in the source items, which is
// what lets lineage end at "resource issues, field user.login" rather than at a warehouse column.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { LineMap } from '../models/position';
import { columnDuckdbType, DATA_TYPES, type DataType } from '../schema/types';
import type { ProjectDiagnostic, SourceColumnInfo, SourceTableInfo } from './types';

export interface SourceSchemasResult {
  tables: SourceTableInfo[];
  diagnostics: ProjectDiagnostic[];
}

/** Reads every schemas/*.schema.yaml of a project. A missing folder means no source has loaded yet. */
export async function readSourceSchemas(projectDir: string): Promise<SourceSchemasResult> {
  const dir = path.join(projectDir, 'schemas');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const files = names.filter((n) => n.toLowerCase().endsWith('.schema.yaml')).sort();
  const tables: SourceTableInfo[] = [];
  const diagnostics: ProjectDiagnostic[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const parsed = parseSourceSchema(text, file);
    tables.push(...parsed.tables);
    diagnostics.push(...parsed.diagnostics);
  }
  return { tables, diagnostics };
}

/** Parses the text of one source schema file; never throws. */
export function parseSourceSchema(text: string, file: string): SourceSchemasResult {
  const lines = new LineMap(text);
  const diagnostics: ProjectDiagnostic[] = [];
  const report = (message: string, offset = 0): void => {
    const at = lines.position(offset);
    diagnostics.push({ file, message, start: at, end: at, severity: 'error' });
  };
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    report(`cannot read the source schema: ${doc.errors[0].message.split('\n')[0]}`, doc.errors[0].pos[0]);
    return { tables: [], diagnostics };
  }
  const raw = doc.toJS() as unknown;
  if (!isRecord(raw) || typeof raw.name !== 'string' || !isRecord(raw.tables)) {
    report('a source schema needs a name and a tables mapping');
    return { tables: [], diagnostics };
  }
  const source = raw.name.toLowerCase();
  const tables: SourceTableInfo[] = [];
  const tablesNode = doc.get('tables', true);
  for (const [tableName, tableValue] of Object.entries(raw.tables)) {
    const where = isMap(tablesNode) ? (tablesNode.items.find((p) => String((p.key as { value?: unknown })?.value) === tableName)?.key as { range?: number[] } | undefined)?.range?.[0] : undefined;
    if (!isRecord(tableValue) || !isRecord(tableValue.columns)) {
      report(`table ${tableName} has no columns mapping`, where);
      continue;
    }
    const columns: SourceColumnInfo[] = [];
    for (const [columnName, columnValue] of Object.entries(tableValue.columns)) {
      const spec = isRecord(columnValue) ? columnValue : {};
      const dataType = typeof spec.data_type === 'string' ? spec.data_type : 'text';
      const column: SourceColumnInfo = {
        name: columnName.toLowerCase(),
        dataType,
        // A decimal of known precision (a database's numeric(p,s)) is stored as DECIMAL(p,s), not the default.
        type: (DATA_TYPES as readonly string[]).includes(dataType)
          ? columnDuckdbType({ dataType: dataType as DataType, ...decimalPrecision(spec) })
          : undefined,
      };
      if (typeof spec.field === 'string') column.field = spec.field;
      columns.push(column);
    }
    const info: SourceTableInfo = {
      source,
      table: tableName.toLowerCase(),
      resource: typeof tableValue.resource === 'string' ? tableValue.resource : tableName,
      columns,
      file,
    };
    if (typeof tableValue.parent === 'string') info.parent = tableValue.parent.toLowerCase();
    tables.push(info);
  }
  return { tables, diagnostics };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** precision and scale of a column spec, when written as whole numbers. */
function decimalPrecision(spec: Record<string, unknown>): { precision?: number; scale?: number } {
  if (!Number.isInteger(spec.precision)) return {};
  return { precision: spec.precision as number, scale: Number.isInteger(spec.scale) ? (spec.scale as number) : 0 };
}
