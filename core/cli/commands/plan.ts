// `sluice plan [ENV]`: what the model files change in an environment (default prod, or the project's
// default_target_environment): added, removed, directly and indirectly modified models with their category,
// diff, column changes and what they reach, the tables to build and the intervals to backfill. A model with
// an error, and what is downstream of it, is left out with the reason (--strict: any error stops the plan).
// Reads the warehouse only.

import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import { CATEGORIZE_MODES, type CategorizeMode } from '../../plan/categorize';
import { nowMs } from '../../clock';
import { modelOptionsOf } from '../../dag/project';
import type { ProjectDiagnostic } from '../../dag/types';
import { SluiceError } from '../../errors';
import type { Project } from '../../project/config';
import { formatPlan } from '../../plan/format';
import { parseModelTime } from '../../plan/intervals';
import { environmentName, PROD } from '../../plan/names';
import { computePlan } from '../../plan/plan';
import { gatewayTables, readGatewayState } from '../../engine/open';
import { loadModels, missingPythonTables, type LoadedModels } from '../../plan/session';
import { chooseGateway, type Gateway } from '../../project/gateways';
import { dialectDiagnostics } from '../../engine/check';
import type { Plan, PlanOptions } from '../../plan/types';
import { closeSqlParser } from '../../sql/duckdbParser';
import { runUnitTests } from '../../quality/unitTest';
import { unitTestOptions } from './test';
import { pathsOption, resolveProject } from '../context';
import { lockWaitOption, type LockWaitFlags } from '../lockWait';
import { applyEnvironment } from './apply';
import { CliFailure, printJson } from '../output';
import { displayPath, reportDiagnostics } from './models';

export interface PlanFlags {
  project?: string;
  /** --paths: project folders read as one project. */
  paths?: string[];
  json?: boolean;
  restate?: string;
  start?: string;
  end?: string;
  executionTime?: string;
  diff?: boolean;
  strict?: boolean;
  forwardOnly?: boolean;
  /** --allow-destructive-model: names or globs whose destructive forward-only changes go through. */
  allowDestructiveModel?: string[];
  gateway?: string;
  categorize?: CategorizeMode;
}

/** --allow-destructive-model NAME...: as SQLMesh's, a name or a glob (`analytics.*`), repeatable. */
export function allowDestructiveOption(): Option {
  return new Option('--allow-destructive-model <names...>', 'let forward-only changes drop or retype columns of these models (names or globs) whatever their on_destructive_change');
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
    .option('--start <time>', 'start of the range to restate; without --restate, of the range a dev environment backfills')
    .option('--end <time>', 'end of that range (a date includes that day)')
    .option('--execution-time <time>', 'plan intervals due at this time instead of now')
    .option('--forward-only', 'keep the tables of changed FULL and incremental models: no rebuild, the new query from now on (outside prod: a preview over the last interval)')
    .addOption(allowDestructiveOption())
    .option('--no-diff', 'leave the diffs out of the text output')
    .option('--verbose', "name each changed model's physical table and environment view")
    .option('--skip-tests', 'do not run the unit tests before planning')
    .option('--yes', 'apply the plan without asking')
    .option('--auto-apply', 'the same as --yes (SQLMesh\'s name)')
    .option('--strict', 'stop at any error instead of leaving the models with errors out of the plan')
    .option('--gateway <name>', "plan against this gateway's engine (default: default_gateway, else the warehouse file)")
    .addOption(categorizeOption())
    .addOption(lockWaitOption())
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .addOption(pathsOption())
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (environment: string | undefined, flags: PlanCommandFlags) => {
      const project = resolveProject(flags.project, flags.paths);
      const env = targetEnvironment(environment, project);
      try {
        const options = planOptions(flags, env);
        const tests = flags.skipTests ? undefined : await unitTestsBeforePlan(project, env, flags.json === true);
        const models = await loadModelsOrFail(project, env, flags);
        await withEngineChecks(models, usage(() => chooseGateway(project, flags.gateway)), env, flags);
        const state = await readGatewayState(project, flags.gateway);
        const errors = await withPythonTables(models, await gatewayTables(project, flags.gateway), env, flags);
        const plan = computePlan(state, models.project, env, { ...options, drafts: models.drafts, errors, strict: flags.strict });
        // With --json and --yes, apply prints the one JSON object (the plan it applied and the result).
        const autoApply = !plan.empty && (flags.yes === true || flags.autoApply === true);
        if (flags.json) {
          if (!autoApply) printJson({ ...planJson(plan), ...(tests ? { tests } : {}) });
        } else {
          process.stdout.write(`${testsLine(tests)}${formatPlan(plan, { diffs: flags.diff !== false, verbose: flags.verbose === true })}`);
        }
        if (plan.empty || !(autoApply || (await askToApply(env, flags)))) return;
        await applyEnvironment(project, env, flags, true);
      } finally {
        await closeSqlParser();
      }
    });
}

interface PlanCommandFlags extends PlanFlags, LockWaitFlags {
  verbose?: boolean;
  skipTests?: boolean;
  yes?: boolean;
  autoApply?: boolean;
}

/** On a terminal (not --json) the user is asked whether to apply; otherwise the plan is only shown. */
async function askToApply(env: string, flags: PlanCommandFlags): Promise<boolean> {
  if (flags.json || !process.stdin.isTTY || !process.stdout.isTTY) return false;
  const answer = await ask(`\nApply the plan to ${env}? [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

interface TestsOutcome {
  passed: number;
  failed: number;
  errors: number;
}

/** The project's unit tests, run before planning as SQLMesh does; a failing one stops the plan (exit 1). */
async function unitTestsBeforePlan(project: Project, env: string, json: boolean): Promise<TestsOutcome> {
  const summary = await runUnitTests(project.dir, undefined, await unitTestOptions(project));
  reportDiagnostics(summary.diagnostics);
  const outcome = { passed: summary.passed, failed: summary.failed, errors: summary.errors };
  const bad = summary.results.filter((r) => r.status !== 'passed');
  if (bad.length === 0) return outcome;
  for (const r of bad) process.stderr.write(`${r.status === 'failed' ? 'FAIL' : 'ERROR'} ${r.name} (${displayPath(r.file)}:${r.start.line})${r.message ? `: ${r.message}` : ''}\n`);
  const message = `${bad.length} of ${summary.results.length} unit tests did not pass; fix them (sluice test shows the row diffs) or plan ${env} with --skip-tests`;
  if (json) printJson({ environment: env, error: message, tests: outcome });
  throw new CliFailure(message, 1);
}

/** "Unit tests: N passed" above the plan; nothing when they were skipped or the project has none. */
function testsLine(tests: TestsOutcome | undefined): string {
  return tests && tests.passed > 0 ? `Unit tests: ${tests.passed} passed\n\n` : '';
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
export function planOptions(flags: PlanFlags, env?: string): PlanOptions {
  const options: PlanOptions = {};
  if (flags.restate !== undefined) {
    if (flags.start === undefined || flags.end === undefined) throw new CliFailure('--restate needs --start and --end, e.g. --restate analytics.orders --start 2024-01-01 --end 2024-01-31', 2);
    options.restate = { model: flags.restate, start: flags.start, end: flags.end };
  } else if (flags.start !== undefined || flags.end !== undefined) {
    // Without --restate they limit what a dev environment backfills, as in SQLMesh.
    if (env === undefined || env === PROD) throw new CliFailure('--start and --end go with --restate MODEL, or limit the backfill of a dev environment (prod is always backfilled in full)', 2);
    options.backfillRange = { start: flags.start, end: flags.end };
  }
  if (flags.categorize !== undefined) options.categorize = flags.categorize;
  if (flags.forwardOnly) options.forwardOnly = true;
  if (flags.allowDestructiveModel?.length) options.allowDestructive = flags.allowDestructiveModel;
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

/** On an engine other than DuckDB, a model that cannot be rendered in its dialect is an error too (printed, strict-checked). */
export async function withEngineChecks(models: CheckedModels, gateway: Gateway, env: string, flags: { json?: boolean; strict?: boolean }): Promise<void> {
  if (gateway.type === 'duckdb') return;
  const problems = await dialectDiagnostics(models.project, gateway.type);
  reportDiagnostics(problems);
  models.errors.push(...problems);
  if (flags.strict) failOnAnyError(models.errors, env, flags.json === true);
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
