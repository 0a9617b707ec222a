// A plan of a project as the language server holds it (editor text included) against a plan state, with
// the model errors that keep it from being applied. Shared by the plan CodeLens, sluice/plan and sluice/apply.

import path from 'node:path';
import type { ModelProject } from '../../core/dag/project';
import type { ProjectDiagnostic } from '../../core/dag/types';
import { changeLabel } from '../../core/plan/format';
import { describeModels } from '../../core/plan/fingerprint';
import { computePlan } from '../../core/plan/plan';
import type { Plan, PlanState } from '../../core/plan/types';
import type { PlanChangeInfo, PlanRequest } from '../../core/protocol';
import { discoverAudits } from '../../core/quality/auditFile';

export interface ProjectPlan {
  plan: Plan;
  /** Model and audit errors: applying is refused while there are any. */
  errors: ProjectDiagnostic[];
}

export async function planProject(project: ModelProject, state: PlanState, environment: string): Promise<ProjectPlan> {
  const auditFiles = await discoverAudits(project.dir);
  const described = describeModels(project, { auditFiles });
  const errors = [...project.diagnostics(), ...auditFiles.flatMap((f) => f.diagnostics), ...described.diagnostics].filter((d) => d.severity === 'error');
  return { plan: computePlan(state, project, environment, { drafts: described.drafts }), errors };
}

/** "models/x.sql:3: message", relative to the project. */
export function describeProblem(projectDir: string, d: ProjectDiagnostic): string {
  const file = path.relative(projectDir, d.file).split(path.sep).join('/') || d.file;
  return `${file}:${d.start.line}: ${d.message}`;
}

/** "3 errors in the project's models; fix them before applying dev". */
export function errorsSummary(count: number, doing: string): string {
  return `${count} error${count === 1 ? '' : 's'} in the project's models; fix ${count === 1 ? 'it' : 'them'} before ${doing}`;
}

export function planResult(info: { name: string; dir: string }, project: ModelProject, { plan, errors }: ProjectPlan): PlanRequest.Result {
  const changes: PlanChangeInfo[] = plan.changes.map((c) => {
    const out: PlanChangeInfo = {
      model: c.model,
      change: c.change,
      category: c.category,
      label: changeLabel(c),
      reason: c.reason,
      diff: c.diff,
      columns: { added: [...c.columns.added], removed: [...c.columns.removed], retyped: [...c.columns.retyped] },
      impacted: [...c.impacted],
      rebuild: c.rebuild,
    };
    const file = project.model(c.model)?.file;
    if (file) out.file = file;
    return out;
  });
  return {
    project: info.name,
    projectDir: info.dir,
    environment: plan.environment,
    base: plan.base,
    changes,
    build: plan.models.filter((m) => m.action === 'build').map((m) => m.record.name),
    reuse: plan.models.filter((m) => m.action === 'reuse').map((m) => m.record.name),
    backfill: plan.backfill.map((b) => ({ model: b.model, intervals: b.intervals.map(([s, e]) => [s, e] as [string, string]) })),
    removed: [...plan.removed],
    empty: plan.empty,
    errors: errors.map((d) => describeProblem(info.dir, d)),
  };
}
