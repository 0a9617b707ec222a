// What the plan commands share: reading a project's models and audits, opening the warehouse with a
// readable message when another process holds it, and reading the plan state.

import fs from 'node:fs';
import { ModelProject } from '../dag/project';
import type { ProjectDiagnostic } from '../dag/types';
import { SluiceError } from '../errors';
import { LockTimeoutError } from '../lockWait';
import { discoverAudits } from '../quality/auditFile';
import { Warehouse, type OpenOptions } from '../warehouse/connection';
import { describeModels, type ModelDraft } from './fingerprint';
import { emptyState, readPlanState } from './state';
import type { PlanState } from './types';

export interface LoadedModels {
  project: ModelProject;
  drafts: ModelDraft[];
  /** Model, audit and project problems. */
  diagnostics: ProjectDiagnostic[];
}

/** Loads and analyses the models, resolves their audits and fingerprints them. */
export async function loadModels(projectDir: string): Promise<LoadedModels> {
  const [project, auditFiles] = await Promise.all([ModelProject.load(projectDir), discoverAudits(projectDir)]);
  const described = describeModels(project, { auditFiles });
  const diagnostics = [...project.diagnostics(), ...auditFiles.flatMap((f) => f.diagnostics), ...described.diagnostics];
  return { project, drafts: described.drafts, diagnostics };
}

/**
 * Opens the warehouse; a lock held by another process becomes one clear line. The CLI's writers pass a long
 * wait (see cli/lockWait.ts); the editor and reads keep the short default.
 */
export async function openWarehouse(file: string, options: OpenOptions = {}): Promise<Warehouse> {
  try {
    return await Warehouse.open(file, options);
  } catch (err) {
    if (err instanceof LockTimeoutError) {
      const pid = err.holder === undefined ? '' : ` (pid ${err.holder})`;
      throw new SluiceError(`another apply, run or ingest holds the warehouse ${file}${pid}${err.outcome}`);
    }
    throw err;
  }
}

/** The plan state of a warehouse file; empty when the file does not exist yet (nothing is created). */
export async function readStateOf(file: string): Promise<PlanState> {
  if (!fs.existsSync(file)) return emptyState();
  const wh = await openWarehouse(file, { readOnly: true });
  try {
    return await readPlanState(wh);
  } finally {
    wh.close();
  }
}
