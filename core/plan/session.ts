// What the plan commands share: reading a project's models and audits, opening the warehouse with a
// readable message when another process holds it, and reading the plan state.

import fs from 'node:fs';
import { ModelProject, type ModelProjectOptions } from '../dag/project';
import type { ProjectDiagnostic } from '../dag/types';
import { SluiceError } from '../errors';
import { LockTimeoutError } from '../lockWait';
import { discoverAudits } from '../quality/auditFile';
import { Warehouse, type OpenOptions } from '../warehouse/connection';
import { engineOf, type EngineConnection } from '../engine';
import { describeModels, type ModelDraft } from './fingerprint';
import { emptyState, readPlanState } from './state';
import type { PlanState } from './types';

export interface LoadedModels {
  project: ModelProject;
  drafts: ModelDraft[];
  /** Model, audit and project problems. */
  diagnostics: ProjectDiagnostic[];
}

/** Loads and analyses the models (with the project's own settings unless options are given), resolves their audits and fingerprints them. */
export async function loadModels(projectDir: string, options?: ModelProjectOptions): Promise<LoadedModels> {
  const dirs = [projectDir, ...(options?.repos ?? []).map((repo) => repo.dir)];
  const [project, auditFiles] = await Promise.all([ModelProject.load(projectDir, options), Promise.all(dirs.map((dir) => discoverAudits(dir))).then((all) => all.flat())]);
  const described = describeModels(project, { auditFiles });
  const diagnostics = [...project.diagnostics(), ...auditFiles.flatMap((f) => f.diagnostics), ...described.diagnostics];
  return { project, drafts: described.drafts, diagnostics };
}

/**
 * Python models Sluice cannot build whose table is not in the warehouse: an error on each (so the models
 * reading it are left out of the plan), saying where the table should come from.
 */
export function missingPythonTables(project: ModelProject, existing: ReadonlySet<string>): ProjectDiagnostic[] {
  const out: ProjectDiagnostic[] = [];
  for (const model of project.models()) {
    const prepared = project.preparedModel(model.key);
    if (!prepared?.parsed.python || existing.has(model.key)) continue;
    const where = prepared.parsed.definition?.properties.name ?? { start: prepared.parsed.queryStart, end: prepared.parsed.queryStart };
    out.push({
      file: prepared.file,
      message: `the warehouse has no table ${model.key}, and Sluice cannot run the Python model that builds it: build it elsewhere first (the models reading it are left out until then)`,
      start: where.start,
      end: where.end,
      severity: 'error',
      model: model.key,
    });
  }
  return out;
}

/** `schema.table` (lower-case) of every table and view in the warehouse's default database. */
export async function existingTables(wh: EngineConnection): Promise<Set<string>> {
  const rows = await engineOf(wh).relations();
  return new Set(rows.map((r) => `${r.schema.toLowerCase()}.${r.name.toLowerCase()}`));
}

/** existingTables of a warehouse file, opened read-only; none when the file does not exist yet. */
export async function existingTablesOf(file: string): Promise<Set<string>> {
  if (!fs.existsSync(file)) return new Set();
  const wh = await openWarehouse(file, { readOnly: true });
  try {
    return await existingTables(wh);
  } finally {
    wh.close();
  }
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
