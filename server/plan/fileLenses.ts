// Every CodeLens above a model's MODEL block: its columns and place in the graph (language/modelLenses.ts),
// its plan status (planLens.ts), its health (health/healthLens.ts) and, last, Preview (its rows in the
// result grid). While the file has errors the first two cannot be trusted (a query that does not parse has no columns and reads nothing; the plan would
// compare a broken query), so a single lens says how many errors stand in the way instead, and opens the
// Problems view.

import * as path from 'node:path';
import type { CodeLens } from 'vscode-languageserver/node';
import type { ModelProject } from '../../core/dag/project';
import type { ModelHealthSummary } from '../../core/health/modelSummary';
import type { EditorPlan } from '../../core/plan/editor';
import { healthCodeLenses } from '../health/healthLens';
import type { ModelFileContext } from '../language/context';
import { modelBlockRange, modelCodeLenses } from '../language/modelLenses';
import { planCodeLenses } from './planLens';

/** The cached health of the file's project, by model. */
export interface HealthLensInput {
  environment: string;
  models: ReadonlyMap<string, ModelHealthSummary>;
}

export const SHOW_PROBLEMS_COMMAND = 'workbench.actions.view.problems';
export const PREVIEW_QUERY_COMMAND = 'sluice.previewQuery';

export function modelFileLenses(ctx: ModelFileContext, plan: EditorPlan | undefined, health?: HealthLensInput): CodeLens[] {
  const errors = fileErrorCount(ctx.project, ctx.file);
  if (errors === 0) {
    const summary = health && ctx.prepared?.key ? health.models.get(ctx.prepared.key) : undefined;
    const lenses = [...modelCodeLenses(ctx), ...planCodeLenses(ctx, plan), ...(health ? healthCodeLenses(ctx, health.environment, summary) : [])];
    return ctx.prepared?.key ? [...lenses, previewLens(ctx)] : lenses;
  }
  return [{ range: modelBlockRange(ctx), command: { title: `$(error) ${errorsTitle(errors, plan !== undefined)}`, command: SHOW_PROBLEMS_COMMAND } }];
}

/** Last of the lenses: runs the model's query and shows its rows in the result grid. */
function previewLens(ctx: ModelFileContext): CodeLens {
  return {
    range: modelBlockRange(ctx),
    command: { title: '$(play) Preview', tooltip: 'Run the model\'s query and show its rows (Ctrl+Enter)', command: PREVIEW_QUERY_COMMAND, arguments: [{ uri: ctx.document.uri }] },
  };
}

/** "fix 1 error to see the plan and columns"; without a plan for the project, only the columns are missing. */
export function errorsTitle(errors: number, planned: boolean): string {
  return `fix ${errors} error${errors === 1 ? '' : 's'} to see the ${planned ? 'plan and columns' : 'columns'}`;
}

/** Errors the project reports in the file: its own (MODEL block, syntax, macros) and those of its analysis. */
export function fileErrorCount(project: ModelProject, file: string): number {
  const target = path.resolve(file);
  return project.diagnostics().filter((d) => d.severity === 'error' && path.resolve(d.file) === target).length;
}
