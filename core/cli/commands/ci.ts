// `sluice ci`: a pull request's check. Plans the working tree against a base environment (prod), runs the
// unit tests, and writes a pull-request comment (Markdown, or JSON) to stdout; exits 1 on breaking or
// destructive changes not allowed with --allow-breaking, failing unit tests, models with errors or a failed
// apply. `--env pr_123 --apply` builds the pull request's environment (audits run); `--close --env pr_123`
// removes it.

import fs from 'node:fs';
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { ciMarkdown, CI_MARKER } from '../../ci/markdown';
import { ciReport, type CiInput, type CiReport, type CiTests } from '../../ci/report';
import { describeError } from '../../errors';
import { applyPlan } from '../../plan/apply';
import { environmentName, PROD } from '../../plan/names';
import { computePlan } from '../../plan/plan';
import { existingTables, existingTablesOf, openWarehouse, readStateOf } from '../../plan/session';
import { readEnvironments, readPlanState } from '../../plan/state';
import type { Plan, PlanState } from '../../plan/types';
import type { Project } from '../../project/config';
import { runUnitTests } from '../../quality/unitTest';
import { closeSqlParser } from '../../sql/duckdbParser';
import { withWarehouse } from '../../warehouse/connection';
import { pathsOption, resolveProject } from '../context';
import { lockWaitOption, writerLockWait, type LockWaitFlags } from '../lockWait';
import { CliFailure, printJson } from '../output';
import { progressLogger, projectStatements } from './apply';
import { invalidate } from './environments';
import { displayPath } from './models';
import { categorizeOption, loadModelsOrFail, usage, withPythonTables, type CheckedModels } from './plan';
import { unitTestOptions } from './test';
import type { CategorizeMode } from '../../plan/categorize';

interface CiFlags extends LockWaitFlags {
  base: string;
  env?: string;
  apply?: boolean;
  close?: boolean;
  format: 'markdown' | 'json';
  allowBreaking?: string[];
  skipTests?: boolean;
  strict?: boolean;
  categorize?: CategorizeMode;
  project?: string;
  /** --paths: project folders read as one project. */
  paths?: string[];
  json?: boolean;
}

export function registerCi(program: Command): void {
  program
    .command('ci')
    .description('check a pull request: plan against the base environment, run unit tests, write a PR comment; exit 1 on breaking or destructive changes')
    .option('--base <environment>', 'environment the pull request is compared with', 'prod')
    .option('--env <environment>', "the pull request's own environment, e.g. pr_123")
    .option('--apply', 'apply the plan to --env, creating or updating it (audits run)')
    .option('--close', 'remove --env: the pull request was closed or merged')
    .addOption(new Option('--format <format>', 'what to write on stdout').choices(['markdown', 'json']).default('markdown'))
    .option('--allow-breaking <models...>', 'accept breaking or destructive changes of these models (names, or comma-separated)')
    .option('--skip-tests', 'do not run the unit tests')
    .option('--strict', 'stop at any error instead of leaving the models with errors out')
    .addOption(categorizeOption())
    .addOption(lockWaitOption())
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .addOption(pathsOption())
    .option('--json', 'the same as --format json')
    .action(async (flags: CiFlags) => {
      const project = resolveProject(flags.project, flags.paths);
      const json = flags.json === true || flags.format === 'json';
      const base = usage(() => environmentName(flags.base));
      const env = flags.env === undefined ? undefined : usage(() => environmentName(flags.env));
      if ((flags.apply || flags.close) && env === undefined) throw new CliFailure(`--${flags.apply ? 'apply' : 'close'} needs --env, the pull request's environment (e.g. --env pr_123)`, 2);
      if (flags.apply && flags.close) throw new CliFailure('--apply and --close do not go together', 2);
      if (env === PROD || (env !== undefined && env === base)) throw new CliFailure(`--env names the pull request's own environment, not ${env}; prod is applied with sluice apply prod once merged`, 2);
      if (flags.close) {
        await close(project, env!, flags, json);
        return;
      }
      try {
        await check(project, base, env, flags, json);
      } finally {
        await closeSqlParser();
      }
    });
}

async function check(project: Project, base: string, env: string | undefined, flags: CiFlags, json: boolean): Promise<void> {
  const target = env ?? base;
  const models = await loadModelsOrFail(project, target, { json, strict: flags.strict });
  const tests = flags.skipTests ? undefined : await unitTests(project);
  const input: Omit<CiInput, 'plan'> = {
    base,
    allowBreaking: (flags.allowBreaking ?? []).flatMap((m) => m.split(',')).map((m) => m.trim()).filter((m) => m !== ''),
    downstreamTree: (model, column) => models.project.lineage.downstreamTree(model, column),
    ...(tests ? { tests } : {}),
  };
  let report: CiReport;
  if (flags.apply) {
    const statements = await projectStatements(project, target, models.project.settings().macros);
    const log = progressLogger(true);
    const wh = await openWarehouse(project.warehouse, writerLockWait(project, flags, log));
    try {
      const plan = await planAgainst(await readPlanState(wh), models, project, target, base, await existingTables(wh), flags, json);
      let apply: CiInput['apply'];
      try {
        apply = { result: await applyPlan(wh, plan, { log, warn: (m) => process.stderr.write(`warning: ${m}\n`), statements, macros: models.project.settings().macros }) };
      } catch (err) {
        apply = { error: describeError(err) };
      }
      report = ciReport({ ...input, plan, apply });
    } finally {
      wh.close();
    }
  } else {
    const plan = await planAgainst(await readStateOf(project.warehouse), models, project, target, base, await existingTablesOf(project.warehouse), flags, json);
    report = ciReport({ ...input, plan });
  }
  const comment = ciMarkdown(report);
  if (json) printJson({ ...reportJson(report), comment });
  else process.stdout.write(comment);
  if (!report.passed) throw new CliFailure(report.failures.join('; '), 1);
}

/** The plan of the working tree for `target`, judged against `base`. A base other than prod must exist. */
async function planAgainst(
  state: PlanState, models: CheckedModels, project: Project, target: string, base: string, existing: ReadonlySet<string>, flags: CiFlags, json: boolean,
): Promise<Plan> {
  if (base !== PROD && !state.environments.has(base)) throw new CliFailure(`there is no environment ${base} to compare with in ${project.warehouse}`, 2);
  const errors = await withPythonTables(models, existing, target, { json, strict: flags.strict });
  return computePlan(state, models.project, target, { drafts: models.drafts, errors, base, categorize: flags.categorize, strict: flags.strict });
}

async function unitTests(project: Project): Promise<CiTests> {
  const summary = await runUnitTests(project.dir, undefined, await unitTestOptions(project));
  const relative = (file: string) => path.relative(project.dir, file).split(path.sep).join('/');
  return {
    passed: summary.passed,
    failed: summary.failed,
    errors: summary.errors,
    failures: summary.results
      .filter((r) => r.status !== 'passed')
      .map((r) => ({ name: r.name, model: r.model, where: `${relative(r.file)}:${r.start.line}`, status: r.status as 'failed' | 'error', ...(r.message ? { message: r.message } : {}) })),
    problems: summary.diagnostics.filter((d) => d.severity === 'error').map((d) => `${displayPath(d.file)}:${d.start.line}:${d.start.column}: ${d.message}`),
  };
}

/** Removes the pull request's environment; one that is not there (never applied) is nothing to do. */
async function close(project: Project, env: string, flags: CiFlags, json: boolean): Promise<void> {
  const exists = fs.existsSync(project.warehouse) && (await withWarehouse(project.warehouse, readEnvironments, { readOnly: true })).some((e) => e.name === env);
  const result = exists ? await invalidate(project, env, { ...flags, json }) : { droppedViews: [], droppedTables: [] };
  const text = exists
    ? `Environment \`${env}\` was removed: ${result.droppedViews.length} view${result.droppedViews.length === 1 ? '' : 's'} dropped, and ${result.droppedTables.length} table${result.droppedTables.length === 1 ? '' : 's'} no other environment needs.`
    : `Environment \`${env}\` did not exist; nothing to remove.`;
  const comment = `${CI_MARKER}\n## Sluice: pull request closed\n\n${text}\n`;
  if (json) printJson({ environment: env, closed: true, existed: exists, dropped_views: result.droppedViews, dropped_tables: result.droppedTables, comment });
  else process.stdout.write(comment);
}

function reportJson(r: CiReport): Record<string, unknown> {
  return {
    status: r.passed ? 'passed' : 'failed',
    base: r.base,
    environment: r.environment,
    failures: r.failures,
    summary: r.summary,
    changes: r.changes,
    blocking: r.blocking,
    unused_allowances: r.unusedAllowances,
    held_back: r.heldBack,
    build: r.build,
    reuse: r.reuse,
    backfill: r.backfill,
    tests: r.tests ?? null,
    audits: r.audits,
    apply: r.apply ?? null,
    lineage: r.lineage,
  };
}
