// In source modules: a CodeLens row above each resource (run it, run its first 100 items, and what its last
// run loaded with the inferred schema), and the last failed load of the source (a contract violation, a
// resource that threw) as a diagnostic on the resource it names. Everything comes from reading files and
// the cached load history; the module itself is never run for this.

import * as path from 'node:path';
import { DiagnosticSeverity, type CodeLens, type Diagnostic } from 'vscode-languageserver/node';
import type { SourceTableInfo } from '../../core/dag';
import { columnsLabel } from '../../core/labels';
import type { LoadRecord } from '../../core/warehouse/system';
import { DIAGNOSTIC_SOURCE } from '../diagnostics/modelDiagnostics';
import type { SourceLoads } from './loadHistory';
import { resourceLocation, resourceRange, type SourceText } from './sourceFiles';

/** The client commands the lenses call. */
export const RUN_RESOURCE_COMMAND = 'sluice.runResource';
export const SHOW_OUTPUT_COMMAND = 'sluice.showOutput';
export const TRY_ENDPOINT_COMMAND = 'sluice.tryEndpoint';
export const SAMPLE_LIMIT = 100;

const SOURCE_FILE = /^[^.][^\\/]*\.(ts|js|mjs|cjs)$/;

/** Whether a file is a source module of the project in projectDir: sources/<name>.{ts,js,mjs,cjs}. */
export function isSourceFile(projectDir: string, file: string): boolean {
  return path.dirname(file) === path.join(projectDir, 'sources') && SOURCE_FILE.test(path.basename(file)) && !file.endsWith('.d.ts');
}

export interface ResourceRun {
  /** Rows in the resource's tables in the last successful load; undefined when it was not loaded. */
  rows?: number;
  childRows?: number;
  columns: { name: string; type: string }[];
}

/** What the last successful load and the schema file say about one resource. */
export function resourceRun(resource: string, tables: readonly SourceTableInfo[], loads: SourceLoads | undefined): ResourceRun {
  const own = tables.filter((t) => t.resource === resource);
  const root = own.find((t) => !t.parent) ?? own[0];
  const columns = (root?.columns ?? []).filter((c) => !c.name.startsWith('_sluice_')).map((c) => ({ name: c.name, type: c.dataType }));
  const rowsByTable = loads?.lastLoaded?.rows;
  if (!rowsByTable) return { columns };
  const names = own.length > 0 ? own.map((t) => t.table) : Object.keys(rowsByTable).filter((t) => t === resource || t.startsWith(`${resource}__`));
  let rows: number | undefined;
  let childRows = 0;
  for (const table of names) {
    const n = rowsByTable[table];
    if (n === undefined) continue;
    if (table === (root?.table ?? resource)) rows = (rows ?? 0) + n;
    else childRows += n;
  }
  return { rows, childRows, columns };
}

/** Columns a resource's lens names; the rest are counted ("+6 more") and listed in its tooltip. */
const LENS_COLUMNS = 4;

/** "last run: 40 rows (+80 in child tables) · 10 columns: id bigint, customer_id bigint, status text, total double +6 more" */
function runLabel(run: ResourceRun, loads: SourceLoads | undefined): { title: string; tooltip?: string } {
  const parts: string[] = [];
  const failed = loads?.last?.status === 'failed';
  if (failed) parts.push('last run failed');
  if (run.rows !== undefined) {
    const children = run.childRows ? ` (+${count(run.childRows, 'row')} in child tables)` : '';
    parts.push(`${failed ? 'last loaded' : 'last run'}: ${count(run.rows, 'row')}${children}`);
  } else if (!failed) parts.push('not loaded yet');
  if (run.columns.length === 0) return { title: parts.join(' · ') };
  const columns = columnsLabel(run.columns, LENS_COLUMNS);
  parts.push(columns.title);
  return { title: parts.join(' · '), tooltip: columns.tooltip };
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

export function sourceCodeLenses(source: SourceText, uri: string, tables: readonly SourceTableInfo[], loads: SourceLoads | undefined): CodeLens[] {
  const lenses: CodeLens[] = [];
  // A declarative REST source's resources are endpoints: fetching a page or two shows what they give.
  const rest = /\brestApiSource\s*\(/.test(source.text);
  const locations = source.scanned.resources.map((resource) => resourceLocation(source, resource.name));
  const perLine = new Map<number, number>();
  for (const at of locations) perLine.set(at.line, (perLine.get(at.line) ?? 0) + 1);
  for (const [i, resource] of source.scanned.resources.entries()) {
    const at = locations[i];
    const range = { start: { line: at.line, character: 0 }, end: { line: at.line, character: 0 } };
    // Resources listed on one line (sqlDatabase's tables: ['a', 'b']) share its lenses: each names its own.
    const own = (perLine.get(at.line) ?? 0) > 1 ? ` ${resource.name}` : '';
    const label = runLabel(resourceRun(resource.name, tables, loads), loads);
    lenses.push(
      { range, command: { title: `$(play) Run${own} to DuckDB`, command: RUN_RESOURCE_COMMAND, arguments: [uri, resource.name, null] } },
      { range, command: { title: `Run first ${SAMPLE_LIMIT}${own ? ` of${own}` : ''}`, command: RUN_RESOURCE_COMMAND, arguments: [uri, resource.name, SAMPLE_LIMIT] } },
      { range, command: { ...label, title: own ? `${resource.name}: ${label.title}` : label.title, command: SHOW_OUTPUT_COMMAND } },
    );
    if (rest) lenses.push({ range, command: { title: `Try endpoint${own}`, command: TRY_ENDPOINT_COMMAND, arguments: [uri, resource.name] } });
  }
  return lenses;
}

/** The last failed load of the source, shown at the resource its message names (else at the source's name). */
export function sourceDiagnostics(source: SourceText, loads: SourceLoads | undefined): Diagnostic[] {
  const last = loads?.last;
  if (!last || last.status !== 'failed' || !last.error) return [];
  const named = /resource ['"]([^'"]+)['"]/.exec(last.error)?.[1];
  const range = (named && resourceRange(source, named)) || undefined;
  const at = range ? range.start : resourceLocation(source, undefined);
  const end = range ? range.end : { line: at.line, character: at.character + 1 };
  return [
    {
      range: { start: { line: at.line, character: at.character }, end: { line: end.line, character: end.character } },
      message: `the last load of this source failed (${describeWhen(last)}): ${last.error}`,
      severity: DiagnosticSeverity.Error,
      source: DIAGNOSTIC_SOURCE,
      code: /contract/i.test(last.error) ? 'contract' : 'load-failed',
    },
  ];
}

function describeWhen(load: LoadRecord): string {
  return `load ${load.loadId}${load.finishedAt ? `, ${load.finishedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : ''}`;
}
