// Every CodeLens above a model's MODEL block: its columns and place in the graph (language/modelLenses.ts),
// its plan status (planLens.ts) and its health (health/healthLens.ts). While the file has errors the first
// two cannot be trusted (a query that does not parse has no columns and reads nothing; the plan would
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

export function modelFileLenses(ctx: ModelFileContext, plan: EditorPlan | undefined, health?: HealthLensInput): CodeLens[] {
  const errors = fileErrorCount(ctx.project, ctx.file);
  if (errors === 0) {
    const summary = health && ctx.prepared?.key ? health.models.get(ctx.prepared.key) : undefined;
    return [...modelCodeLenses(ctx), ...planCodeLenses(ctx, plan), ...(health ? healthCodeLenses(ctx, health.environment, summary) : [])];
  }
  return [{ range: modelBlockRange(ctx), command: { title: `$(error) ${errorsTitle(errors, plan !== undefined)}`, command: SHOW_PROBLEMS_COMMAND } }];
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
