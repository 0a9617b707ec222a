// `sluice lineage [MODEL[.COLUMN]] [--downstream] [--deep] [--json]`: column lineage across models, down to
// the tables sources loaded and the fields of their items, or up from any column to everything it feeds.

import type { Command } from 'commander';
import { closestName } from '../../dag/unknownTable';
import type { ModelProject } from '../../dag/project';
import { tableKeyOfName } from '../../dag/names';
import { columnText, type ColumnOrigin, type LineageNode } from '../../lineage/project';
import { downstreamLabel, renderTree } from '../../lineage/tree';
import { CliFailure, printJson } from '../output';
import { pathsOption } from '../context';
import { failOnErrors, reportDiagnostics, withModelProject } from './models';

interface LineageFlags { project?: string; paths?: string[]; json?: boolean; deep?: boolean; downstream?: boolean }

/** What the argument names: a whole model, or one column of a model or of any known table. */
type Target = { kind: 'model'; model: string } | { kind: 'column'; table: string; column: string; isModel: boolean };

interface ColumnEntry {
  sources: string[];
  filters: string[];
  origins?: ColumnOrigin[];
}

export function registerLineage(program: Command): void {
  program
    .command('lineage')
    .description('column lineage: where each model column comes from, across models, down to source fields')
    .argument('[target]', 'MODEL or MODEL.COLUMN (or SOURCE.TABLE.COLUMN with --downstream); default: every model')
    .option('--downstream', 'show every model column that depends on the column instead (impact analysis)')
    .option('--deep', 'list the ultimate source-table columns (and their source fields) instead of one hop')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .addOption(pathsOption())
    .option('--json', 'print one JSON object')
    .action(async (target: string | undefined, flags: LineageFlags) => {
      await withModelProject(flags.project, flags.paths, (project) => {
        const resolved = target === undefined ? undefined : resolveTarget(project, target);
        if (flags.downstream && !resolved) throw new CliFailure('--downstream needs a column or model: sluice lineage MODEL.COLUMN --downstream', 2);
        const diagnostics = project.diagnostics();
        if (flags.downstream) printDownstream(project, resolved!, flags);
        else if (resolved?.kind === 'column') printColumn(project, resolved, flags);
        else printModels(project, resolved ? [resolved.model] : project.models().map((m) => m.key), flags);
        failOnErrors(reportDiagnostics(diagnostics));
      });
    });
}

function resolveTarget(project: ModelProject, text: string): Target {
  const whole = tableKeyOfName(text);
  if (whole && project.model(whole) && !text.endsWith('.')) return { kind: 'model', model: whole };
  const wholeTable = whole ? project.table(whole) : undefined;
  if (wholeTable && text.split('.').length === 2) {
    const example = (wholeTable.columns?.find((c) => !c.name.startsWith('_sluice')) ?? wholeTable.columns?.[0])?.name ?? 'column';
    throw new CliFailure(`${wholeTable.key} is a table models read, not a model: name one of its columns, e.g. ${wholeTable.key}.${example} --downstream`, 2);
  }
  const dot = text.lastIndexOf('.');
  const column = dot > 0 ? text.slice(dot + 1).replace(/^"(.*)"$/, '$1').toLowerCase() : '';
  const tableKey = dot > 0 ? tableKeyOfName(text.slice(0, dot)) : undefined;
  const table = tableKey ? project.table(tableKey) : undefined;
  if (!table || column === '') {
    const known = [...project.models().map((m) => m.key)];
    const near = whole ? closestName(whole, known) : undefined;
    throw new CliFailure(`no model or table column named ${text}${near ? ` (did you mean ${near}?)` : ''}`, 2);
  }
  if (table.columns && !table.columns.some((c) => c.name === column)) {
    const names = table.columns.map((c) => c.name);
    throw new CliFailure(`${table.key} has no column ${column}; it has ${names.join(', ')}`, 2);
  }
  return { kind: 'column', table: table.key, column, isModel: table.kind === 'model' };
}

function entryFor(project: ModelProject, model: string, column: string, deep: boolean): ColumnEntry {
  const result = project.columnLineage(model, column, { deep });
  const entry: ColumnEntry = { sources: result?.sources ?? [], filters: result?.filters ?? [] };
  if (deep) entry.origins = result?.origins ?? [];
  return entry;
}

function modelEntries(project: ModelProject, model: string, deep: boolean): Map<string, ColumnEntry> {
  const out = new Map<string, ColumnEntry>();
  for (const col of project.model(model)?.columns ?? []) {
    if (!out.has(col.name)) out.set(col.name, entryFor(project, model, col.name, deep));
  }
  return out;
}

function printModels(project: ModelProject, models: string[], flags: LineageFlags): void {
  const deep = flags.deep === true;
  if (flags.json) {
    const json: Record<string, { columns: Record<string, ColumnEntry> }> = {};
    for (const model of models) json[model] = { columns: Object.fromEntries(modelEntries(project, model, deep)) };
    printJson({ models: json });
    return;
  }
  const lines: string[] = [];
  for (const model of models) {
    const info = project.model(model)!;
    lines.push(`${model} (${info.kind})`);
    for (const [column, entry] of modelEntries(project, model, deep)) {
      lines.push(`  ${column} ← ${entry.sources.length > 0 ? entry.sources.join(', ') : '(no column sources)'}`);
      if (entry.filters.length > 0) lines.push(`  ${' '.repeat(column.length)}   filtered by ${entry.filters.join(', ')}`);
      for (const o of entry.origins ?? []) lines.push(`  ${' '.repeat(column.length)}   ${o.column} ← ${describeOrigin(o)}`);
    }
    lines.push('');
  }
  process.stdout.write(lines.length > 0 ? lines.join('\n') : 'No models in models/.\n');
}

function printColumn(project: ModelProject, target: Extract<Target, { kind: 'column' }>, flags: LineageFlags): void {
  const deep = flags.deep === true;
  const tree = project.lineage.tree(target.table, target.column);
  if (flags.json) {
    const models: Record<string, { columns: Record<string, ColumnEntry> }> = {};
    if (target.isModel) models[target.table] = { columns: { [target.column]: entryFor(project, target.table, target.column, deep) } };
    printJson({ models, tree });
    return;
  }
  // The text tree follows values only; what filters the rows is listed after it, to keep the tree readable.
  const lines = renderTree(tree, upstreamLabel, (n) => n.role === 'source');
  if (target.isModel) {
    const entry = entryFor(project, target.table, target.column, deep);
    if (deep) lines.push('', `sources: ${entry.sources.length > 0 ? entry.sources.join(', ') : '(none)'}`);
    if (entry.filters.length > 0) lines.push(...(deep ? [] : ['']), `filtered by: ${entry.filters.join(', ')}`);
    for (const o of entry.origins ?? []) lines.push(`${o.column} ← ${describeOrigin(o)}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

function printDownstream(project: ModelProject, target: Target, flags: LineageFlags): void {
  const columns = target.kind === 'model'
    ? (project.model(target.model)?.columns ?? []).map((c) => ({ table: target.model, column: c.name }))
    : [{ table: target.table, column: target.column }];
  const unique = [...new Map(columns.map((c) => [columnText(c), c])).values()];
  if (flags.json) {
    const downstream: Record<string, unknown> = {};
    for (const c of unique) downstream[columnText(c)] = project.lineage.downstream(c.table, c.column);
    const out: Record<string, unknown> = { downstream };
    if (target.kind === 'column') out.tree = project.lineage.downstreamTree(target.table, target.column);
    printJson(out);
    return;
  }
  const lines: string[] = [];
  for (const c of unique) {
    const tree = project.lineage.downstreamTree(c.table, c.column);
    lines.push(...renderTree(tree, downstreamLabel));
    if (tree.children.length === 0) lines.push('  (no model column depends on it)');
  }
  process.stdout.write(lines.join('\n') + '\n');
}

function describeOrigin(o: ColumnOrigin): string {
  const table = o.table === o.resource ? '' : `, table ${o.table}`;
  return `source ${o.source}, resource ${o.resource}${table}${o.field !== undefined ? `, field ${o.field}` : ''}`;
}

function upstreamLabel(node: LineageNode): string {
  const role = node.role === 'filter' ? 'filter: ' : '';
  let note = '';
  if (node.origin) note = `  [${describeOrigin(node.origin)}]`;
  else if (node.kind === 'external') note = '  [external model]';
  else if (node.kind === 'unknown') note = '  [unknown table]';
  return `${role}${node.column}${note}${node.repeated ? '  (shown above)' : ''}`;
}
