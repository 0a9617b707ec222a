// CodeLens above a model's MODEL block: its inferred output schema ("8 columns: id bigint, …") and its
// place in the graph (what it reads, what reads it); both open the lineage panel on the model.

import type { CodeLens, Range } from 'vscode-languageserver/node';
import { columnsLabel } from '../../core/labels';
import type { ModelFileContext } from './context';

export const SHOW_LINEAGE_COMMAND = 'sluice.showLineage';

export function modelCodeLenses(ctx: ModelFileContext): CodeLens[] {
  const prepared = ctx.prepared;
  const key = prepared?.key;
  const model = key ? ctx.project.model(key) : undefined;
  if (!prepared || !key || !model) return [];
  const range = modelBlockRange(ctx);
  const args = [{ file: ctx.file, model: key }];
  return [
    { range, command: { ...schemaLabel(model.columns), command: SHOW_LINEAGE_COMMAND, arguments: args } },
    { range, command: { title: graphTitle(model.upstream, model.downstream), command: SHOW_LINEAGE_COMMAND, arguments: args } },
  ];
}

/** An empty range at the start of the line where the MODEL block opens (where model lenses go). */
export function modelBlockRange(ctx: ModelFileContext): Range {
  const line = Math.max(0, (ctx.prepared?.parsed.definition?.properties.name?.start.line ?? 1) - 1);
  // The MODEL keyword's line: the line of the name, walked back to where the block opens.
  const lines = ctx.document.getText().split(/\r?\n/);
  let top = line;
  while (top > 0 && !/^\s*MODEL\s*\(/i.test(lines[top] ?? '')) top--;
  if (!/^\s*MODEL\s*\(/i.test(lines[top] ?? '')) top = line;
  return { start: { line: top, character: 0 }, end: { line: top, character: 0 } };
}

/** Columns a model's schema lens names; the rest are counted ("+4 more") and listed in its tooltip. */
const LENS_COLUMNS = 4;

/** "8 columns: id bigint, name varchar, status varchar, total double +4 more" (types where they are known). */
function schemaLabel(columns: readonly { name: string; type?: string }[]): { title: string; tooltip?: string } {
  if (columns.length === 0) return { title: 'columns not known yet' };
  return columnsLabel(columns, LENS_COLUMNS);
}

function graphTitle(upstream: readonly string[], downstream: readonly string[]): string {
  const up = upstream.length === 0 ? 'reads no table' : `reads ${upstream.length === 1 ? upstream[0] : `${upstream.length} tables`}`;
  const down = downstream.length === 0 ? 'read by no model' : `read by ${downstream.length === 1 ? downstream[0] : `${downstream.length} models`}`;
  return `$(type-hierarchy) ${up} · ${down}`;
}
