// Markdown for hovers: a table with its columns, a column with its type, description and upstream columns
// (recursively, down to the source field each one was loaded from), each upstream column a link to where
// it is defined. Plain functions over a ModelProject and a Locator.

import type { ModelProject } from '../../core/dag';
import type { LineageNode } from '../../core/lineage/project';
import type { FileLocation, TableKindName } from '../../core/protocol';
import { locationLink, type Locator } from './locations';

/** At most this many lines of an upstream tree, so a hover over a wide column stays readable. */
const MAX_TREE_LINES = 40;
const MAX_COLUMNS = 60;

export interface DescribeContext {
  project: ModelProject;
  locator: Locator;
  toUri(file: string): string;
}

export function tableKindOf(project: ModelProject, key: string): TableKindName {
  const info = project.table(key);
  if (!info) return 'unknown';
  if (info.kind !== 'model') return info.kind;
  return project.model(key)?.kind === 'SEED' ? 'seed' : 'model';
}

export function columnType(project: ModelProject, table: string, column: string): string | undefined {
  return project.table(table)?.columns?.find((c) => c.name === column.toLowerCase())?.type;
}

export function columnDescription(project: ModelProject, table: string, column: string): string | undefined {
  const descriptions = project.preparedModel(table)?.parsed.definition?.columnDescriptions ?? {};
  const wanted = column.toLowerCase();
  for (const [name, text] of Object.entries(descriptions)) if (name.toLowerCase() === wanted) return text;
  return undefined;
}

/** "model (FULL)", "source table", "external model", "seed". */
function kindLabel(project: ModelProject, key: string): string {
  const kind = tableKindOf(project, key);
  if (kind === 'model') return `model (${project.model(key)?.kind ?? 'FULL'})`;
  if (kind === 'source') return 'source table';
  if (kind === 'external') return 'external model';
  if (kind === 'seed') return 'seed';
  return 'unknown table';
}

async function link(ctx: DescribeContext, text: string, where: Promise<FileLocation | undefined> | FileLocation | undefined): Promise<string> {
  const location = await where;
  return location ? `[${escape(text)}](${locationLink(location, ctx.toUri)})` : `\`${text}\``;
}

/** A table or model: kind, description, columns with types, what it reads and what reads it. */
export async function describeTable(ctx: DescribeContext, key: string): Promise<string> {
  const { project } = ctx;
  const info = project.table(key);
  if (!info) return `\`${key}\` is not a model, a table a source loaded, or an external model of this project`;
  const lines = [`${await link(ctx, key, ctx.locator.table(key))} · ${kindLabel(project, key)}`];
  const model = info.kind === 'model' ? project.model(key) : undefined;
  if (model?.description) lines.push('', model.description);
  if (info.kind === 'source') {
    const first = info.columns?.find((c) => !c.name.startsWith('_sluice_'));
    const origin = first ? project.origin(key, first.name) : undefined;
    if (origin) lines.push('', `Loaded by source \`${origin.source}\`, resource \`${origin.resource}\``);
  }
  const columns = info.columns;
  if (!columns) lines.push('', 'Its columns are not known (its query does not parse).');
  else {
    lines.push('', `**${columns.length} column${columns.length === 1 ? '' : 's'}**`, '');
    for (const c of columns.slice(0, MAX_COLUMNS)) {
      const description = model ? columnDescription(project, key, c.name) : undefined;
      lines.push(`- \`${c.name}\`${c.type ? ` · ${c.type}` : ''}${description ? ` — ${escape(description)}` : ''}`);
    }
    if (columns.length > MAX_COLUMNS) lines.push(`- … and ${columns.length - MAX_COLUMNS} more`);
  }
  if (model && model.upstream.length > 0) lines.push('', `Reads: ${model.upstream.map((u) => `\`${u}\``).join(', ')}`);
  if (model && model.downstream.length > 0) lines.push('', `Read by: ${model.downstream.map((u) => `\`${u}\``).join(', ')}`);
  return lines.join('\n');
}

/** A column of a model or base table: type, description, and its upstream columns down to the source fields. */
export async function describeColumn(ctx: DescribeContext, table: string, column: string, heading?: string): Promise<string> {
  const { project } = ctx;
  const col = column.toLowerCase();
  const type = columnType(project, table, col);
  const lines = [`${heading ? `${heading} — ` : ''}${await link(ctx, `${table}.${col}`, ctx.locator.column(table, col))}${type ? ` · ${type}` : ''}`];
  const description = columnDescription(project, table, col);
  if (description) lines.push('', escape(description));
  const origin = project.origin(table, col);
  if (origin) lines.push('', originText(origin));
  if (project.model(table)) {
    const tree = project.lineage.tree(table, col);
    const sources = tree.children.filter((c) => c.role === 'source');
    const filters = tree.children.filter((c) => c.role === 'filter');
    if (sources.length > 0) {
      lines.push('', '**Upstream**', '');
      const budget = { left: MAX_TREE_LINES };
      for (const child of sources) lines.push(...(await treeLines(ctx, child, 0, budget)));
      if (budget.left < 0) lines.push('- …');
    } else if (tree.children.length === 0) {
      lines.push('', 'No upstream columns: a constant, or computed from no table column.');
    }
    if (filters.length > 0) {
      lines.push('', '**Rows decided by**', '');
      for (const f of filters.slice(0, 20)) lines.push(`- ${await link(ctx, f.column, locateColumn(ctx, f.column))}`);
      if (filters.length > 20) lines.push(`- … and ${filters.length - 20} more`);
    }
  }
  return lines.join('\n');
}

async function treeLines(ctx: DescribeContext, node: LineageNode, depth: number, budget: { left: number }): Promise<string[]> {
  if (--budget.left < 0) return [];
  const [table, column] = splitColumn(node.column);
  const type = columnType(ctx.project, table, column);
  let line = `${'  '.repeat(depth)}- ${await link(ctx, node.column, locateColumn(ctx, node.column))}${type ? ` · ${type}` : ''}`;
  if (node.origin) line += ` — ${originText(node.origin)}`;
  else if (node.kind === 'external') line += ' — external model';
  else if (node.kind === 'unknown') line += ' — not declared in this project';
  if (node.repeated) line += ' (see above)';
  const out = [line];
  for (const child of node.children) {
    if (child.role !== 'source') continue;
    out.push(...(await treeLines(ctx, child, depth + 1, budget)));
  }
  return out;
}

function originText(origin: { source: string; resource: string; field?: string }): string {
  const field = origin.field !== undefined ? ` · field \`${origin.field}\`` : ' · added by Sluice';
  return `source \`${origin.source}\` · resource \`${origin.resource}\`${field}`;
}

function locateColumn(ctx: DescribeContext, qualified: string): Promise<FileLocation | undefined> {
  const [table, column] = splitColumn(qualified);
  return ctx.locator.column(table, column);
}

/** `schema.table.column` → [`schema.table`, `column`]. */
export function splitColumn(qualified: string): [string, string] {
  const parts = qualified.split('.');
  const column = parts.pop() ?? '';
  return [parts.join('.'), column];
}

/** A star and the columns it stands for. */
export function describeStar(ctx: DescribeContext, columns: { name: string; base?: { table: string; column: string } }[]): string {
  const lines = [`\`*\` expands to **${columns.length} column${columns.length === 1 ? '' : 's'}**`, ''];
  for (const c of columns.slice(0, MAX_COLUMNS)) {
    const type = c.base ? columnType(ctx.project, c.base.table, c.base.column) : undefined;
    lines.push(`- \`${c.name}\`${type ? ` · ${type}` : ''}${c.base ? ` — from \`${c.base.table}.${c.base.column}\`` : ''}`);
  }
  if (columns.length > MAX_COLUMNS) lines.push(`- … and ${columns.length - MAX_COLUMNS} more`);
  return lines.join('\n');
}

/** Markdown-escapes text written by users (descriptions, names). */
export function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|]/g, (c) => `\\${c}`);
}
