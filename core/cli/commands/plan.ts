// `sluice plan [ENV]`: what the model files change in an environment (default prod, or the project's
// default_target_environment): added, removed, directly and indirectly modified models with their category,
// diff, column changes and what they reach, the tables to build and the intervals to backfill. A model with
// an error, and what is downstream of it, is left out with the reason (--strict: any error stops the plan).
// Reads the warehouse only.

import { Option, type Command } from 'commander';
import { CATEGORIZE_MODES, type CategorizeMode } from '../../plan/categorize';
import { nowMs } from '../../clock';
import { modelOptionsOf } from '../../dag/project';
import type { ProjectDiagnostic } from '../../dag/types';
import { SluiceError } from '../../errors';
import type { Project } from '../../project/config';
import { formatPlan } from '../../plan/format';
import { parseModelTime } from '../../plan/intervals';
import { environmentName } from '../../plan/names';
import { computePlan } from '../../plan/plan';
import { existingTablesOf, loadModels, missingPythonTables, readStateOf, type LoadedModels } from '../../plan/session';
import type { Plan, PlanOptions } from '../../plan/types';
import { closeSqlParser } from '../../sql/duckdbParser';
import { resolveProject } from '../context';
import { CliFailure, printJson } from '../output';
import { displayPath, reportDiagnostics } from './models';

export interface PlanFlags {
  project?: string;
  json?: boolean;
  restate?: string;
  start?: string;
  end?: string;
  executionTime?: string;
  diff?: boolean;
  strict?: boolean;
  categorize?: CategorizeMode;
}

/** --categorize: SQLMesh's categorization rules (default) or Sluice's stricter ones. */
export function categorizeOption(): Option {
  return new Option('--categorize <rules>', "change categories: 'sqlmesh' agrees with SQLMesh; 'strict' also counts CTE columns, incremental kind switches and seed columns as breaking")
    .choices([...CATEGORIZE_MODES])
    .default('sqlmesh');
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('show what the model files change in an environment, before anything is built')
    .argument('[environment]', "environment to plan (prod, or any name such as dev; default: the project's default_target_environment, else prod)")
    .option('--restate <model>', 'reprocess this model and everything downstream of it over --start .. --end')
    .option('--start <time>', 'start of the range to restate')
    .option('--end <time>', 'end of the range to restate (a date includes that day)')
    .option('--execution-time <time>', 'plan intervals due at this time instead of now')
    .option('--no-diff', 'leave the diffs out of the text output')
    .option('--strict', 'stop at any error instead of leaving the models with errors out of the plan')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (environment: string | undefined, flags: PlanFlags) => {
      const project = resolveProject(flags.project);
      const env = targetEnvironment(environment, project);
      try {
        const models = await loadModelsOrFail(project, env, flags);
        const state = await readStateOf(project.warehouse);
        const errors = await withPythonTables(models, await existingTablesOf(project.warehouse), env, flags);
        const plan = computePlan(state, models.project, env, { ...planOptions(flags), drafts: models.drafts, errors });
        if (flags.json) printJson(planJson(plan));
        else process.stdout.write(formatPlan(plan, { diffs: flags.diff !== false }));
      } finally {
        await closeSqlParser();
      }
    });
}

/** Runs fn; a SluiceError it throws is a usage error (exit 2). */
export function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SluiceError) throw new CliFailure(err.message, 2);
    throw err;
  }
}

/** --restate/--start/--end/--execution-time as plan options, checked. */
export function planOptions(flags: PlanFlags): PlanOptions {
  const options: PlanOptions = {};
  if (flags.restate !== undefined) {
    if (flags.start === undefined || flags.end === undefined) throw new CliFailure('--restate needs --start and --end, e.g. --restate analytics.orders --start 2024-01-01 --end 2024-01-31', 2);
    options.restate = { model: flags.restate, start: flags.start, end: flags.end };
  } else if (flags.start !== undefined || flags.end !== undefined) {
    throw new CliFailure('--start and --end go with --restate MODEL', 2);
  }
  if (flags.categorize !== undefined) options.categorize = flags.categorize;
  if (flags.executionTime !== undefined) {
    options.now = usage(() => parseModelTime(flags.executionTime!, '--execution-time', nowMs()).ms);
  }
  return options;
}

/** The environment named on the command line, else the project's default_target_environment, else prod. */
export function targetEnvironment(named: string | undefined, project: Project): string {
  return usage(() => environmentName(named ?? project.defaultEnvironment ?? 'prod'));
}

/** Loaded models and the errors among their problems. */
export interface CheckedModels extends LoadedModels {
  errors: ProjectDiagnostic[];
}

/**
 * Loads the models with the project's settings; problems are printed. With --strict any error stops the
 * command (exit 1); otherwise the errors are returned, for the plan to leave their models out.
 */
export async function loadModelsOrFail(project: Project, env: string, flags: { json?: boolean; strict?: boolean }): Promise<CheckedModels> {
  const models = await loadModels(project.dir, await modelOptionsOf(project));
  reportDiagnostics(models.diagnostics);
  const errors = models.diagnostics.filter((d) => d.severity === 'error');
  if (flags.strict) failOnAnyError(errors, env, flags.json === true);
  return { ...models, errors };
}

/** Adds an error for each Python model whose table is not in the warehouse (printed, and strict-checked, like the rest). */
export async function withPythonTables(models: CheckedModels, existing: ReadonlySet<string>, env: string, flags: { json?: boolean; strict?: boolean }): Promise<ProjectDiagnostic[]> {
  const missing = missingPythonTables(models.project, existing);
  reportDiagnostics(missing);
  const errors = [...models.errors, ...missing];
  if (flags.strict) failOnAnyError(errors, env, flags.json === true);
  return errors;
}

function failOnAnyError(errors: readonly ProjectDiagnostic[], env: string, json: boolean): void {
  if (errors.length === 0) return;
  const message = `${errors.length} error${errors.length === 1 ? '' : 's'} in the project's models; fix ${errors.length === 1 ? 'it' : 'them'} before planning ${env}`;
  if (json) {
    printJson({
      environment: env,
      error: message,
      diagnostics: errors.map((d) => ({ file: displayPath(d.file), line: d.start.line, column: d.start.column, message: d.message })),
    });
  }
  throw new CliFailure(message, 1);
}

/** The plan as one JSON object: the spec's fields first, then what apply will do. */
export function planJson(plan: Plan): Record<string, unknown> {
  return {
    environment: plan.environment,
    base: plan.base,
    changes: plan.changes,
    backfill: plan.backfill,
    build: plan.models.filter((m) => m.action === 'build').map((m) => m.record.name),
    reuse: plan.models.filter((m) => m.action === 'reuse').map((m) => m.record.name),
    removed: plan.removed,
    empty: plan.empty,
    held_back: plan.heldBack,
  };
}
