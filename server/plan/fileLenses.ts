// Every CodeLens above a model's MODEL block: its columns and place in the graph (language/modelLenses.ts)
// and its plan status (planLens.ts). While the file has errors neither can be trusted (a query that does
// not parse has no columns and reads nothing; the plan would compare a broken query), so a single lens
// says how many errors stand in the way instead, and opens the Problems view.

import * as path from 'node:path';
import type { CodeLens } from 'vscode-languageserver/node';
import type { ModelProject } from '../../core/dag/project';
import type { EditorPlan } from '../../core/plan/editor';
import type { ModelFileContext } from '../language/context';
import { modelBlockRange, modelCodeLenses } from '../language/modelLenses';
import { planCodeLenses } from './planLens';

export const SHOW_PROBLEMS_COMMAND = 'workbench.actions.view.problems';

export function modelFileLenses(ctx: ModelFileContext, plan: EditorPlan | undefined): CodeLens[] {
  const errors = fileErrorCount(ctx.project, ctx.file);
  if (errors === 0) return [...modelCodeLenses(ctx), ...planCodeLenses(ctx, plan)];
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
