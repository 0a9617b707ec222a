// What the Schemas view shows, as plain text (no VS Code API, so it can be tested on its own): each
// source's inferred tables and columns, and the schema changes of its recent loads, the last load's marked.

import { countOf } from '../../core/labels';
import type { SchemaChangeInfo, SchemaColumnInfo, SchemaTableInfo, SourceSchemaInfo } from '../../core/protocol';
import { exactTime, relativeTime } from '../format';

/** "new in last load", "widened from bigint 3 d ago", ... */
export function changeLabel(change: SchemaChangeInfo, now: number): string {
  const when = change.lastLoad ? 'in last load' : (relativeTime(change.at, now) ?? `in version ${change.version}`);
  switch (change.kind) {
    case 'table_added':
    case 'column_added':
      return change.lastLoad ? 'new in last load' : `added ${when}`;
    case 'variant_added':
      return `new variant of ${change.variantOf ?? '?'} ${when}`;
    case 'type_widened':
      return `widened from ${change.from ?? '?'} ${when}`;
  }
}

/** One line per change, for a source's tooltip. */
export function changeLine(change: SchemaChangeInfo): string {
  const where = change.column ? `${change.table}.${change.column}` : change.table;
  const what =
    change.kind === 'table_added'
      ? `table ${where} added`
      : change.kind === 'column_added'
        ? `column ${where} ${change.dataType ?? ''} added`
        : change.kind === 'variant_added'
          ? `variant ${where} ${change.dataType ?? ''} of ${change.variantOf ?? '?'} added`
          : `${where} widened ${change.from ?? '?'} → ${change.dataType ?? '?'}`;
  return `${what.replace(/ {2,}/g, ' ')} (version ${change.version}, ${exactTime(change.at)}${change.lastLoad ? ', last load' : ''})`;
}

/** "v3 · 4 tables · 2 changes in last load" */
export function sourceDescription(source: SourceSchemaInfo): string {
  if (source.tables.length === 0) return source.error ? 'could not be read' : 'not loaded yet';
  const parts = [source.version !== undefined ? `v${source.version}` : '', countOf(source.tables.length, 'table')];
  const last = source.changes.filter((c) => c.lastLoad).length;
  if (last > 0) parts.push(`${countOf(last, 'change')} in last load`);
  else if (source.changes.length > 0) parts.push(`${countOf(source.changes.length, 'recent change')}`);
  if (source.from === 'warehouse') parts.push('no schema file');
  return parts.filter(Boolean).join(' · ');
}

export function sourceTooltip(source: SourceSchemaInfo): string {
  const lines = [`Source ${source.source}`];
  if (source.schemaFile) lines.push(`schema file: ${source.schemaFile}`);
  else if (source.from === 'warehouse') lines.push('no schema file: the schema is the warehouse\'s latest version');
  if (source.error) lines.push(`problem: ${source.error}`);
  if (source.changes.length > 0) lines.push('', 'Recent schema changes (newest first):', ...source.changes.map((c) => `  ${changeLine(c)}`));
  return lines.join('\n');
}

/** "child of orders · merge · 80 rows · new in last load" */
export function tableDescription(table: SchemaTableInfo, now: number): string {
  const parts = [table.parent ? `child of ${table.parent}` : '', table.writeDisposition ?? '', table.rows !== undefined ? `${table.rowsEstimated ? '~' : ''}${countOf(table.rows, 'row')}` : ''];
  if (table.change) parts.push(changeLabel(table.change, now));
  return parts.filter(Boolean).join(' · ');
}

/** "bigint · pk · new in last load" */
export function columnDescription(column: SchemaColumnInfo, now: number): string {
  const parts = [column.dataType, column.primaryKey ? 'pk' : '', column.variantOf ? `variant of ${column.variantOf}` : ''];
  if (column.change) parts.push(changeLabel(column.change, now));
  return parts.filter(Boolean).join(' · ');
}

export function columnTooltip(column: SchemaColumnInfo): string {
  const lines = [`${column.name}: ${column.dataType}${column.warehouseType ? ` (DuckDB ${column.warehouseType})` : ''}`, column.nullable ? 'nullable' : 'not null'];
  if (column.primaryKey) lines.push('primary key');
  if (column.variantOf) lines.push(`holds the values of ${column.variantOf} of type ${column.dataType}, which ${column.variantOf}'s own type cannot take`);
  if (column.field) lines.push(`from field ${column.field}`);
  if (column.change) lines.push(changeLine(column.change));
  return lines.join('\n');
}

/** Whether a change is the last load's: those get the highlight. */
export function isFresh(change: SchemaChangeInfo | undefined): boolean {
  return change?.lastLoad === true;
}
