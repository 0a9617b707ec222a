// What the editor shows above a model ("non-breaking · +2 columns · 3 downstream"): the plan of the editor's
// environment, computed from a project the language server already holds. Reading the state opens the
// warehouse read-only for a moment; when another process holds it the plan is made against no state and
// says so.

import type { ModelProject } from '../dag/project';
import { describeError } from '../errors';
import { discoverAudits } from '../quality/auditFile';
import { describeModels } from './fingerprint';
import { changeLabel } from './format';
import { computePlan } from './plan';
import { readStateOf } from './session';
import { emptyState } from './state';
import type { ChangeCategory, PlanChange, PlanState } from './types';

export interface EditorModelChange {
  change: PlanChange['change'];
  category: ChangeCategory;
  label: string;
  rebuild: boolean;
}

export interface EditorPlan {
  environment: string;
  /** Model key → its change; unchanged models are absent. */
  models: Record<string, EditorModelChange>;
  /** Models the plan would build. */
  builds: number;
  /** Set when the warehouse could not be read (the plan is then against an empty state). */
  stateError?: string;
}

export interface EditorPlanOptions {
  environment?: string;
  /** The warehouse file (project setting or sluice.yaml's). */
  warehouse: string;
  /** State already read (tests); otherwise read from the warehouse. */
  state?: PlanState;
}

export async function planForEditor(project: ModelProject, options: EditorPlanOptions): Promise<EditorPlan> {
  let state = options.state;
  let stateError: string | undefined;
  if (!state) {
    try {
      state = await readStateOf(options.warehouse);
    } catch (err) {
      stateError = describeError(err);
      state = emptyState();
    }
  }
  const auditFiles = await discoverAudits(project.dir);
  const plan = computePlan(state, project, options.environment ?? 'dev', { drafts: describeModels(project, { auditFiles }).drafts });
  const models: Record<string, EditorModelChange> = {};
  for (const change of plan.changes) {
    models[change.model] = { change: change.change, category: change.category, label: changeLabel(change), rebuild: change.rebuild };
  }
  const result: EditorPlan = { environment: plan.environment, models, builds: plan.models.filter((m) => m.action === 'build').length };
  if (stateError) result.stateError = stateError;
  return result;
}
