// textDocument/hover in model files: a column shows its type, description and upstream columns down to the
// source fields; a table or model reference its columns and description; a star the columns it expands to.

import { MarkupKind, type Hover, type Position } from 'vscode-languageserver/node';
import type { ModelFileContext } from './context';
import { targetAt } from './cursor';
import { describeColumn, describeStar, describeTable } from './describe';

export async function hoverAt(ctx: ModelFileContext, position: Position): Promise<Hover | null> {
  if (!ctx.prepared) return null;
  const target = targetAt(ctx.project, ctx.prepared, ctx.document.offsetAt(position));
  if (!target) return null;
  let value: string;
  switch (target.kind) {
    case 'model':
    case 'table':
      value = await describeTable(ctx, target.kind === 'model' ? target.model : target.key);
      break;
    case 'output':
      value = await describeColumn(ctx, target.model, target.column, `column \`${target.column}\` of this model`);
      break;
    case 'column':
      value = await describeColumn(ctx, target.base.table, target.base.column);
      break;
    case 'derived':
      value = `\`${target.name}\` is computed in \`${target.relation}\` (a CTE or subquery of this query)`;
      break;
    case 'star':
      value = describeStar(ctx, target.columns);
      break;
  }
  return {
    contents: { kind: MarkupKind.Markdown, value },
    range: { start: ctx.document.positionAt(target.range.start), end: ctx.document.positionAt(target.range.end) },
  };
}
