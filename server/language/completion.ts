// Completion in model files, from the text around the cursor (a query being typed rarely parses):
// MODEL properties and kinds inside the MODEL block; macro variables after @; after `alias.` the columns of
// the table that alias stands for, after `schema.` the tables of that schema; elsewhere the tables and
// models of the project (after FROM/JOIN) or the columns of the tables the query reads.

import { CompletionItemKind, type CompletionItem, type Position } from 'vscode-languageserver/node';
import type { ModelProject, ProjectInputs } from '../../core/dag';
import { tableKeyOfName } from '../../core/dag/names';
import { MODEL_PROPERTIES, SUPPORTED_KIND_NAMES } from '../../core/models/properties';
import { temporalVariables } from '../../core/models/temporal';
import type { ModelFileContext } from './context';
import { allScopes, resolvedQuery } from './resolution';

/** Relations of each model file's last query that parsed: typing usually breaks the current one. */
const lastRelations = new Map<string, Map<string, string[]>>();

const MACRO_VARIABLES = [
  ...temporalVariables(0, 0, 0).keys(),
  'this_model', 'this_env', 'gateway', 'runtime_stage', 'model_kind_name',
];
const MACRO_FUNCTIONS = ['DEF', 'VAR'];

const MODEL_PROPERTY_HINTS: Record<string, string> = {
  name: 'schema.table the model is built into',
  kind: 'FULL, VIEW, INCREMENTAL_BY_TIME_RANGE (time_column ...), INCREMENTAL_BY_UNIQUE_KEY (unique_key ...), INCREMENTAL_BY_PARTITION, INCREMENTAL_UNMANAGED, SCD_TYPE_2_BY_TIME (unique_key ...), SCD_TYPE_2_BY_COLUMN (unique_key ..., columns ...), SEED (path ...)',
  cron: "when the model runs, e.g. '@daily'",
  start: 'first date of data',
  grain: 'the column(s) that identify a row',
  audits: 'checks run after each build, e.g. not_null(columns := (id))',
  column_descriptions: "column = 'description', ...",
  columns: 'column types, for models whose query Sluice cannot see through',
  depends_on: 'models read in ways the query does not show',
  description: 'what the model holds',
  owner: 'who to ask about it',
  tags: 'labels',
  freshness: 'how old the data may get: (warn_after := 6h, error_after := 24h)',
  dialect: 'SQL dialect of the query (default duckdb)',
  enabled: 'false leaves the model out',
};

export async function completionsAt(ctx: ModelFileContext, position: Position, inputs: ProjectInputs): Promise<CompletionItem[]> {
  const text = ctx.document.getText();
  const offset = ctx.document.offsetAt(position);
  const before = text.slice(0, offset);
  rememberRelations(ctx);

  // @ and a partial name: macro variables and functions.
  const macro = /@([\p{L}_][\p{L}\p{N}_]*)?$/u.exec(before);
  if (macro) return macroItems(ctx);

  if (inModelBlock(before)) return modelBlockItems(before);

  const qualified = /((?:"[^"]+"|[\p{L}_][\p{L}\p{N}_$]*)(?:\.(?:"[^"]+"|[\p{L}_][\p{L}\p{N}_$]*))?)\.([\p{L}\p{N}_$]*)$/u.exec(before);
  if (qualified) {
    const qualifier = unquote(qualified[1]).toLowerCase();
    const relations = relationsInText(ctx, text);
    const columns = relations.get(qualifier);
    if (columns) return columnItems(columns.map((c) => ({ name: c.name, type: c.type, table: c.table })));
    return tableItems(ctx.project, inputs, qualifier);
  }

  const afterTableKeyword = /\b(from|join)\s+[\p{L}\p{N}_$"]*$/iu.test(before);
  if (afterTableKeyword) return tableItems(ctx.project, inputs);
  const columns = [...relationsInText(ctx, text).values()].flat();
  const seen = new Set<string>();
  const unique = columns.filter((c) => !seen.has(c.name) && seen.add(c.name));
  return [...columnItems(unique), ...tableItems(ctx.project, inputs)];
}

interface ScopedColumn {
  name: string;
  type?: string;
  table: string;
}

/** Aliases and table names of the query → their columns: from the last parse, and the FROM/JOIN clauses of the text. */
function relationsInText(ctx: ModelFileContext, text: string): Map<string, ScopedColumn[]> {
  const out = new Map<string, ScopedColumn[]>();
  const known = lastRelations.get(ctx.file);
  for (const [name, columns] of known ?? []) out.set(name, columns.map((c) => ({ name: c, type: undefined, table: name })));
  const re = /\b(?:from|join)\s+((?:"[^"]+"|[\p{L}_][\p{L}\p{N}_$]*)(?:\s*\.\s*(?:"[^"]+"|[\p{L}_][\p{L}\p{N}_$]*)){0,2})(?:\s+(?:as\s+)?([\p{L}_][\p{L}\p{N}_$]*))?/giu;
  const keywords = /^(on|using|where|join|left|right|inner|full|cross|natural|group|order|limit|union|qualify|having|window|as|positional|asof|anti|semi|lateral)$/i;
  for (const m of text.matchAll(re)) {
    const key = tableKeyOfName(m[1].replace(/\s+/g, ''));
    if (!key) continue;
    const table = ctx.project.table(key);
    if (!table?.columns) continue;
    const columns = table.columns.map((c) => ({ name: c.name, type: c.type, table: key }));
    const alias = m[2] && !keywords.test(m[2]) ? m[2].toLowerCase() : undefined;
    out.set(alias ?? key.split('.').pop()!, columns);
    if (!alias) out.set(key, columns);
  }
  return out;
}

/** Keeps the relations of the current query when it parses, for when the next keystroke breaks it. */
function rememberRelations(ctx: ModelFileContext): void {
  if (!ctx.prepared) return;
  const resolved = resolvedQuery(ctx.project, ctx.prepared);
  if (!resolved) return;
  const relations = new Map<string, string[]>();
  for (const scope of allScopes(resolved)) {
    if (scope.kind !== 'select') continue;
    for (const rel of scope.relations) if (rel.columns && !relations.has(rel.name)) relations.set(rel.name, rel.columns);
  }
  lastRelations.set(ctx.file, relations);
}

function columnItems(columns: readonly ScopedColumn[]): CompletionItem[] {
  return columns.map((c) => ({
    label: c.name,
    kind: CompletionItemKind.Field,
    detail: `${c.type ? `${c.type} · ` : ''}${c.table}`,
    sortText: `0${c.name}`,
  }));
}

/** Models, source tables and external models; with a schema, the tables in it (by table name). */
function tableItems(project: ModelProject, inputs: ProjectInputs, schema?: string): CompletionItem[] {
  const tables = new Map<string, string>();
  for (const m of project.models()) tables.set(m.key, `model (${m.kind})`);
  for (const t of inputs.sources) {
    const key = `${t.source}.${t.table}`;
    if (!tables.has(key)) tables.set(key, `source table · resource ${t.resource}`);
  }
  for (const t of inputs.externals) if (!tables.has(t.key)) tables.set(t.key, 'external model');
  const items: CompletionItem[] = [];
  for (const [key, detail] of [...tables].sort()) {
    const [tableSchema, table] = key.split('.');
    if (schema !== undefined && tableSchema !== schema) continue;
    items.push({
      label: schema !== undefined ? table : key,
      kind: detail.startsWith('model') ? CompletionItemKind.Class : CompletionItemKind.Struct,
      detail,
      sortText: `1${key}`,
    });
  }
  return items;
}

function macroItems(ctx: ModelFileContext): CompletionItem[] {
  const defs = Object.keys(ctx.prepared?.parsed.defs ?? {});
  return [
    ...defs.map((name) => ({ label: name, kind: CompletionItemKind.Variable, detail: '@DEF variable of this model' })),
    ...MACRO_VARIABLES.map((name) => ({ label: name, kind: CompletionItemKind.Variable, detail: 'macro variable' })),
    ...MACRO_FUNCTIONS.map((name) => ({ label: name, kind: CompletionItemKind.Function, detail: 'macro function' })),
  ];
}

/** Whether the text before the cursor ends inside an open MODEL ( ... ) block. */
function inModelBlock(before: string): boolean {
  const start = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*MODEL\s*\(/i.exec(before);
  if (!start) return false;
  let depth = 0;
  let quote: string | undefined;
  for (let i = start[0].length - 1; i < before.length; i++) {
    const c = before[i];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return false;
  }
  return true;
}

function modelBlockItems(before: string): CompletionItem[] {
  if (/\bkind\s+[A-Z_]*$/i.test(before)) {
    return SUPPORTED_KIND_NAMES.map((name) => ({ label: name, kind: CompletionItemKind.EnumMember, detail: 'model kind' }));
  }
  return [...MODEL_PROPERTIES].sort().map((name) => ({
    label: name,
    kind: CompletionItemKind.Property,
    detail: MODEL_PROPERTY_HINTS[name] ?? 'MODEL property',
    sortText: `${MODEL_PROPERTY_HINTS[name] ? 0 : 1}${name}`,
  }));
}

function unquote(name: string): string {
  return name.replace(/"/g, '');
}
