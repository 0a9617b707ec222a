// sluice/listTests and sluice/runTests: model unit tests (tests/test_*.yaml, run by core/quality on in-memory
// DuckDB) and model audits (run against the model's table in the warehouse, opened read-only), for the
// editor's Testing view. Listing only reads files; running executes the project's SQL.

import fs from 'node:fs';
import * as path from 'node:path';
import type { ModelProject } from '../../core/dag';
import { describeError } from '../../core/errors';
import { discoverAudits, discoverTests, resolveAudits, runAudits, runUnitTests, type AuditSpec } from '../../core/quality';
import type { AuditInfo, FileLocation, ListTests, RunTests, TestOutcome, TestProblem, UnitTestInfo } from '../../core/protocol';
import { withWarehouse } from '../../core/warehouse/connection';
import type { Position } from '../../core/models';
import type { WarehouseGate } from '../warehouse/gate';

const AUDIT_PREFIX = 'audit:';

export function testId(projectDir: string, file: string, name: string): string {
  return `${path.relative(projectDir, file).split(path.sep).join('/')}::${name}`;
}

export function auditId(model: string, label: string): string {
  return `${AUDIT_PREFIX}${model}::${label}`;
}

interface ProjectAudit {
  info: AuditInfo;
  spec: AuditSpec;
  /** Name parts of the model's table. */
  table: string[];
}

/** Unit tests and audits of one project, read from files (models as the editor has them). */
export async function listProjectTests(dir: string, project: ModelProject): Promise<Omit<ListTests.Result['projects'][number], 'project'>> {
  const discovered = await discoverTests(dir);
  const tests: UnitTestInfo[] = discovered.tests.map((t) => {
    const info: UnitTestInfo = { id: testId(dir, t.file, t.name), name: t.name, model: t.model, location: at(t.file, t.start) };
    if (t.description) info.description = t.description;
    return info;
  });
  const problems: TestProblem[] = discovered.diagnostics.map((d) => ({ message: d.message, location: at(d.file, d.start) }));
  const { audits, problems: auditProblems } = await projectAudits(dir, project);
  return { tests, audits: audits.map((a) => a.info), problems: [...problems, ...auditProblems] };
}

async function projectAudits(dir: string, project: ModelProject): Promise<{ audits: ProjectAudit[]; problems: TestProblem[] }> {
  const files = await discoverAudits(dir);
  const audits: ProjectAudit[] = [];
  const problems: TestProblem[] = [];
  for (const model of project.models()) {
    const prepared = project.preparedModel(model.key);
    const definition = prepared?.parsed.definition;
    if (!prepared || !definition) continue;
    const { variables, macros } = project.settingsOf(prepared.file);
    const resolved = resolveAudits(prepared.parsed, files, { variables, macros });
    for (const d of resolved.diagnostics) problems.push({ message: d.message, location: at(d.file || prepared.file, d.start) });
    const where = definition.properties.audits?.start ?? definition.properties.name?.start;
    for (const spec of resolved.audits) {
      audits.push({
        info: {
          id: auditId(model.key, spec.label),
          model: model.key,
          name: spec.name,
          label: spec.label,
          blocking: spec.blocking,
          location: where ? at(prepared.file, where) : { file: prepared.file, line: 0, character: 0 },
        },
        spec,
        table: definition.nameParts,
      });
    }
  }
  return { audits, problems };
}

export interface RunDeps {
  gate: WarehouseGate;
  warehouse: string;
}

/** Runs the requested tests and audits (all of them when ids is empty). */
export async function runProjectTests(dir: string, project: ModelProject, ids: readonly string[] | undefined, deps: RunDeps): Promise<RunTests.Result> {
  const started = performance.now();
  const wanted = ids && ids.length > 0 ? new Set(ids) : undefined;
  const outcomes: TestOutcome[] = [];

  const testIds = wanted ? [...wanted].filter((id) => !id.startsWith(AUDIT_PREFIX)) : undefined;
  if (!testIds || testIds.length > 0) {
    // One id: let core/quality pick it; several: run the suite once and keep the wanted ones.
    const filter = testIds?.length === 1 ? testIds[0] : undefined;
    const summary = await runUnitTests(dir, filter);
    for (const r of summary.results) {
      const id = testId(dir, r.file, r.name);
      if (testIds && !testIds.includes(id)) continue;
      const outcome: TestOutcome = { id, status: r.status, mismatches: r.mismatches, durationMs: Math.round(r.durationMs) };
      if (r.message) outcome.message = r.message;
      outcomes.push(outcome);
    }
    for (const id of testIds ?? []) {
      if (!outcomes.some((o) => o.id === id)) outcomes.push({ id, status: 'error', message: `no test ${id} in ${dir}`, mismatches: [], durationMs: 0 });
    }
  }

  const { audits } = await projectAudits(dir, project);
  const selected = audits.filter((a) => (wanted ? wanted.has(a.info.id) : true));
  if (selected.length > 0) outcomes.push(...(await runSelectedAudits(selected, deps)));
  return { outcomes, durationMs: Math.round(performance.now() - started) };
}

async function runSelectedAudits(audits: ProjectAudit[], deps: RunDeps): Promise<TestOutcome[]> {
  const failAll = (message: string): TestOutcome[] =>
    audits.map((a) => ({ id: a.info.id, status: 'error' as const, message, mismatches: [], durationMs: 0 }));
  if (!fs.existsSync(deps.warehouse)) return failAll('the warehouse does not exist yet; load a source and apply a plan first');
  try {
    return await deps.gate.read(deps.warehouse, () =>
      withWarehouse(
        deps.warehouse,
        async (wh) => {
          const out: TestOutcome[] = [];
          for (const audit of audits) {
            const begun = performance.now();
            const [schema, table] = audit.table.length >= 2 ? audit.table.slice(-2) : ['main', audit.table[0]];
            const exists = await wh.json(
              'SELECT 1 FROM information_schema.tables WHERE table_catalog = current_database() AND lower(table_schema) = lower($1) AND lower(table_name) = lower($2)',
              [schema, table],
            );
            if (exists.length === 0) {
              out.push({ id: audit.info.id, status: 'error', message: `model ${audit.info.model} is not built in the warehouse yet; apply a plan first`, mismatches: [], durationMs: 0 });
              continue;
            }
            const [result] = await runAudits(wh, { schema, table }, [audit.spec], { start: '1970-01-01', end: new Date().toISOString().slice(0, 10) });
            const outcome: TestOutcome = {
              id: audit.info.id,
              status: result.error ? 'error' : result.passed ? 'passed' : 'failed',
              mismatches: [],
              durationMs: Math.round(performance.now() - begun),
              violations: result.violations,
            };
            if (result.error) outcome.message = result.error;
            else if (!result.passed) {
              outcome.message = `${result.violations} row${result.violations === 1 ? '' : 's'} break ${audit.info.label}`;
              if (result.sample.length > 0) {
                outcome.mismatches.push({ output: 'violating rows', diff: result.sample.map((row) => JSON.stringify(row)).join('\n') });
              }
            }
            out.push(outcome);
          }
          return out;
        },
        { readOnly: true },
      ),
    );
  } catch (err) {
    return failAll(describeError(err));
  }
}

function at(file: string, p: Position): FileLocation {
  return { file, line: Math.max(0, p.line - 1), character: Math.max(0, p.column - 1) };
}
