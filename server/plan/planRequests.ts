// sluice/plan and sluice/apply: the plan of the project as the editor has it, and carrying it out like
// `sluice apply`. Planning only reads (the warehouse read-only, closed at once); applying runs the
// project's SQL, so it needs Workspace Trust, and holds the warehouse only while it runs.

import { describeError } from '../../core/errors';
import { applyPlan } from '../../core/plan/apply';
import { environmentName } from '../../core/plan/names';
import { openWarehouse, readStateOf } from '../../core/plan/session';
import { readPlanState } from '../../core/plan/state';
import { SluiceErrorCodes, type ApplyRequest, type PlanRequest } from '../../core/protocol';
import type { ModelIndex } from '../models/modelIndex';
import { RefusedError } from '../rpc';
import type { WorkspaceTrust } from '../trust';
import type { WarehouseGate } from '../warehouse/gate';
import type { ProjectEntry } from '../workspace/projects';
import { errorsSummary, planProject, planResult } from './planOf';

export interface PlanRequestDeps {
  models: ModelIndex;
  gate: WarehouseGate;
  trust: WorkspaceTrust;
  /** Brings the text of the project's open model editors into the analysed project (edits not yet checked). */
  syncOpenDocuments(dir: string): Promise<void>;
  /** The apply wrote the warehouse (plan lenses read it again). */
  written(warehouse: string): void;
  log(message: string): void;
}

export async function planRequest(deps: PlanRequestDeps, entry: ProjectEntry, params: PlanRequest.Params): Promise<PlanRequest.Result> {
  const environment = environmentOf(entry, params.environment);
  await deps.syncOpenDocuments(entry.info.dir);
  const project = await deps.models.project(entry.info.dir);
  const state = await deps.gate.read(entry.info.warehouse, () => readStateOf(entry.info.warehouse));
  return planResult(entry.info, project, await planProject(project, state, environment));
}

/** Warehouses an apply of this server is writing right now. */
const applying = new Set<string>();

export async function applyRequest(deps: PlanRequestDeps, entry: ProjectEntry, params: ApplyRequest.Params): Promise<ApplyRequest.Result> {
  deps.trust.require('Applying a plan');
  const environment = environmentOf(entry, params.environment);
  const warehouse = entry.info.warehouse;
  if (applying.has(warehouse) || deps.gate.busy(warehouse)) {
    throw new RefusedError(SluiceErrorCodes.Busy, `${entry.info.name}: the warehouse is busy with another apply or a source run; try again when it is done`);
  }
  const started = performance.now();
  const result: ApplyRequest.Result = {
    environment, built: [], reused: [], removed: [], backfilled: [], audits: { run: 0, passed: 0, failed: 0 }, swapped: false, durationMs: 0,
  };
  applying.add(warehouse);
  try {
    await deps.syncOpenDocuments(entry.info.dir);
    const project = await deps.models.project(entry.info.dir);
    await deps.gate.run(warehouse, async () => {
      const wh = await openWarehouse(warehouse);
      try {
        const { plan, errors } = await planProject(project, await readPlanState(wh), environment);
        if (errors.length > 0) throw new Error(errorsSummary(errors.length, `applying ${environment}`));
        const applied = await applyPlan(wh, plan, { log: deps.log, warn: (m) => deps.log(`warning: ${m}`), macros: project.settings().macros });
        result.built = applied.built;
        result.reused = applied.reused;
        result.removed = applied.removed;
        result.backfilled = applied.processed.map((p) => ({ model: p.model, intervals: p.intervals.map(([s, e]) => [s, e] as [string, string]), rows: p.rows }));
        result.audits = { ...applied.audits };
        result.swapped = applied.swapped;
      } finally {
        wh.close();
      }
    });
  } catch (err) {
    result.error = `apply of ${environment} failed: ${describeError(err)}; environment ${environment} is unchanged`;
  } finally {
    applying.delete(warehouse);
    result.durationMs = Math.round(performance.now() - started);
    deps.written(warehouse);
  }
  return result;
}

function environmentOf(entry: ProjectEntry, requested: unknown): string {
  const name = typeof requested === 'string' && requested.trim() !== '' ? requested : entry.info.environment || 'prod';
  return environmentName(name);
}
