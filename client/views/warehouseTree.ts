// What the Warehouse view shows, as plain data (no VS Code API, so it can be tested on its own): the
// project's schemas first, Sluice's own (environments, model versions, bookkeeping) in one "internal"
// group, tables with their rows and short types, and the long forms for tooltips.

import { countOf, shortType } from '../../core/labels';
import type { ProjectInfo, TableOrigin, WarehouseSchema, WarehouseTable } from '../../core/protocol';
import { formatCount } from '../format';

export type WarehouseNode =
  | { kind: 'project'; id: string; project: ProjectInfo }
  | { kind: 'schema'; id: string; project: ProjectInfo; schema: WarehouseSchema; parent?: WarehouseNode }
  | { kind: 'internal'; id: string; project: ProjectInfo; schemas: WarehouseSchema[]; parent?: WarehouseNode }
  | { kind: 'table'; id: string; project: ProjectInfo; schema: WarehouseSchema; table: WarehouseTable; parent: WarehouseNode }
  | { kind: 'column'; id: string; name: string; type: string; parent: WarehouseNode };

export const INTERNAL_LABEL = 'internal';

/** The project's schemas, then one group with the internal ones (when there are any). */
export function schemaNodes(project: ProjectInfo, schemas: readonly WarehouseSchema[], parent?: WarehouseNode): WarehouseNode[] {
  const user = schemas.filter((s) => s.role === 'user');
  const internal = schemas.filter((s) => s.role !== 'user');
  const nodes: WarehouseNode[] = user.map((schema) => ({ kind: 'schema', id: `${project.dir}::schema::${schema.name}`, project, schema, parent }));
  if (internal.length > 0) nodes.push({ kind: 'internal', id: `${project.dir}::internal`, project, schemas: internal, parent });
  return nodes;
}

export function childNodes(node: WarehouseNode): WarehouseNode[] {
  switch (node.kind) {
    case 'internal':
      return node.schemas.map((schema) => ({ kind: 'schema', id: `${node.project.dir}::schema::${schema.name}`, project: node.project, schema, parent: node }));
    case 'schema':
      return node.schema.tables.map((table) => ({ kind: 'table', id: `${node.id}::${table.name}`, project: node.project, schema: node.schema, table, parent: node }));
    case 'table':
      return node.table.columns.map((c) => ({ kind: 'column', id: `${node.id}::${c.name}`, name: c.name, type: c.type, parent: node }));
    default:
      return [];
  }
}

const ROLE_NOTES: Record<WarehouseSchema['role'], string> = {
  user: '',
  environment: 'environment',
  physical: 'model versions',
  system: 'bookkeeping',
};

/** "3 tables · environment dev" (short: the side bar is narrow; schemaTooltip says it in full). */
export function schemaDescription(schema: WarehouseSchema): string {
  const note = schema.role === 'environment' ? `${ROLE_NOTES.environment} ${schema.environment}` : ROLE_NOTES[schema.role];
  return [countOf(schema.tables.length, 'table'), note].filter(Boolean).join(' · ');
}

export function schemaTooltip(schema: WarehouseSchema): string {
  switch (schema.role) {
    case 'environment':
      return `${schema.name}: the views of environment ${schema.environment} (what it shows in place of prod's schema)`;
    case 'physical':
      return `${schema.name}: the tables of each model version, which environments' views show`;
    case 'system':
      return `${schema.name}: Sluice's bookkeeping (loads, schema versions, state, environments)`;
    default:
      return schema.name;
  }
}

/** "view · 1,234 rows · 12 columns" (~ before an estimate) */
export function tableDescription(table: WarehouseTable): string {
  const rows = table.rows === undefined ? '' : `${table.rowsEstimated ? '~' : ''}${countOf(table.rows, 'row')}`;
  return [table.kind === 'view' ? 'view' : '', rows, countOf(table.columns.length, 'column')].filter(Boolean).join(' · ');
}

export function tableTooltip(schema: string, table: WarehouseTable): string {
  const lines = [`${sqlName(schema, table.name)} (${table.kind})`];
  if (table.origin) lines.push(describeOrigin(table.origin));
  if (table.rows !== undefined) {
    const how = table.rowsEstimated ? "DuckDB's estimate" : 'counted';
    lines.push(`${formatCount(table.rows)} rows (${how}${table.kind === 'view' ? ', of the table the view shows' : ''})`);
  }
  lines.push('', ...table.columns.map((c) => `${c.name}  ${c.type}`));
  return lines.join('\n');
}

export function describeOrigin(origin: TableOrigin): string {
  if (origin.kind === 'source') return `loaded by source ${origin.source}${origin.resource ? `, resource ${origin.resource}` : ''}`;
  return `built by model ${origin.model}${origin.environment ? ` in environment ${origin.environment}` : ''}${origin.file ? '' : ' (not in the project)'}`;
}

/** A column's type in the description; the tooltip has it in full. */
export function columnDescription(type: string): string {
  return shortType(type);
}

/** schema.table as SQL would name it: each part quoted only when it has to be. */
export function sqlName(schema: string, table: string): string {
  return `${sqlPart(schema)}.${sqlPart(table)}`;
}

function sqlPart(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** DuckDB's reserved keywords (duckdb_keywords() of category reserved): a table named so must be quoted. */
const RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create default deferrable desc describe ' +
    'distinct do else end except false fetch for foreign from group having in initially intersect into lambda lateral leading limit not null offset ' +
    'on only or order pivot pivot_longer pivot_wider placing primary qualify references returning select show some summarize symmetric table then ' +
    'to trailing true union unique unpivot using variadic when where window with').split(' '),
);
