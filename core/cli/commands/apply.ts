// `sluice apply [ENV]`: carries the plan out: runs the project's before_all, builds what must be built,
// upstream first, runs blocking audits, processes missing intervals, swaps the environment's views in one
// transaction, then runs after_all. On any failure before the swap the environment stays as it was. Models
// with errors (and their downstream) are left out, as in the plan, unless --strict. `--rollback` swaps back
// to what the environment showed before.

import * as path from 'node:path';
import type { Command } from 'commander';
import { describeError } from '../../errors';
import { loadProjectMacros } from '../../models/loadMacros';
import type { ProjectMacros } from '../../models/macroApi';
import { applyPlan, rollbackEnvironment, type ApplyResult } from '../../plan/apply';
import type { ModelProject } from '../../dag/project';
import { applyEvents, eventKey } from '../../notify/events';
import type { RunResult } from '../../plan/run';
import { announce, commandLine, modelInfo } from '../notifications';
import { formatPlan } from '../../plan/format';
import { computePlan } from '../../plan/plan';
import { renderProjectStatements, type ProjectStatements } from '../../plan/projectStatements';
import { openGateway } from '../../engine/open';
import { existingTables } from '../../plan/session';
import { chooseGateway } from '../../project/gateways';
import { readPlanState } from '../../plan/state';
import type { Plan } from '../../plan/types';
import { PROJECT_FILE, type Project } from '../../project/config';
import { closeSqlParser } from '../../sql/duckdbParser';
import { pathsOption, resolveProject } from '../context';
import { lockWaitOption, writerLockWait, type LockWaitFlags } from '../lockWait';
import { CliFailure, printJson } from '../output';
import { allowDestructiveOption, categorizeOption, loadModelsOrFail, planJson, planOptions, targetEnvironment, usage, withEngineChecks, withPythonTables, type PlanFlags } from './plan';

export interface ApplyFlags extends PlanFlags, LockWaitFlags {
  rollback?: boolean;
}

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('build what the plan needs, run audits, then switch the environment to the new versions at once')
    .argument('[environment]', "environment to apply (prod, or any name such as dev; default: the project's default_target_environment, else prod)")
    .option('--restate <model>', 'reprocess this model and everything downstream of it over --start .. --end')
    .option('--start <time>', 'start of the range to restate; without --restate, of the range a dev environment backfills')
    .option('--end <time>', 'end of that range (a date includes that day)')
    .option('--execution-time <time>', 'process intervals due at this time instead of now')
    .option('--forward-only', 'keep the tables of changed FULL and incremental models: no rebuild, the new query from now on (outside prod: a preview over the last interval)')
    .addOption(allowDestructiveOption())
    .option('--rollback', 'switch the environment back to what it showed before its last apply (nothing is computed)')
    .option('--strict', 'stop at any error instead of leaving the models with errors out')
    .option('--gateway <name>', "apply on this gateway's engine (default: default_gateway, else the warehouse file)")
    .addOption(categorizeOption())
    .addOption(lockWaitOption())
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .addOption(pathsOption())
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (environment: string | undefined, flags: ApplyFlags) => {
      const project = resolveProject(flags.project, flags.paths);
      const env = targetEnvironment(environment, project);
      const log = progressLogger(flags.json === true);
      const lockWait = writerLockWait(project, flags, log);
      const gateway = usage(() => chooseGateway(project, flags.gateway));
      try {
        if (flags.rollback) {
          const wh = await openGateway(project, flags.gateway, lockWait);
          try {
            const result = await rollbackEnvironment(wh, env, { log });
            if (flags.json) printJson({ environment: env, rolled_back: true, models: result.restored });
            else process.stdout.write(`Environment ${env} switched back to its previous versions (${result.restored} models); nothing was computed.\n`);
          } finally {
            wh.close();
          }
          return;
        }
        await applyEnvironment(project, env, flags);
      } finally {
        await closeSqlParser();
      }
    });
}

/**
 * Plans ENV again while holding the warehouse and carries the plan out (what `sluice apply` does, and what
 * `sluice plan` runs once the plan is accepted). `planShown`: the plan was just printed, do not print it again.
 */
export async function applyEnvironment(project: Project, env: string, flags: ApplyFlags, planShown = false): Promise<void> {
  const log = progressLogger(flags.json === true);
  const warn = (m: string) => process.stderr.write(`warning: ${m}\n`);
  const lockWait = writerLockWait(project, flags, log);
  const gateway = usage(() => chooseGateway(project, flags.gateway));
  const options = planOptions(flags, env);
  const models = await loadModelsOrFail(project, env, flags);
  await withEngineChecks(models, gateway, env, flags);
  const statements = await projectStatements(project, env, models.project.settings().macros);
  const wh = await openGateway(project, flags.gateway, lockWait);
  let plan: Plan | undefined;
  let result: ApplyResult | undefined;
  let failure: CliFailure | undefined;
  try {
    const errors = await withPythonTables(models, await existingTables(wh), env, flags);
    plan = computePlan(await readPlanState(wh), models.project, env, { ...options, drafts: models.drafts, errors, strict: flags.strict });
    if (!flags.json && !planShown) process.stdout.write(formatPlan(plan, { diffs: false }));
    result = await applyPlan(wh, plan, { log, warn, statements, macros: models.project.settings().macros });
    if (flags.json) printJson({ ...planJson(plan), result: resultJson(result) });
    else process.stdout.write(summary(result));
  } catch (err) {
    if (err instanceof CliFailure) throw err;
    if (flags.json) printJson({ ...(plan ? planJson(plan) : { environment: env }), error: describeError(err) });
    failure = new CliFailure(`apply of ${env} failed: ${describeError(err)}; environment ${env} is unchanged`, 1);
  } finally {
    wh.close();
  }
  await announceApply(project, env, 'apply', models.project, result ?? { error: failure!.message, models: plan?.models.filter((m) => m.action === 'build' || m.auditReused || m.missing.length > 0).map((m) => m.record.name) ?? [] });
  if (failure || !result) throw failure;
  if (result.afterAllError) throw new CliFailure(`environment ${env} was applied, but ${result.afterAllError}`, 1);
}

/** The project's before_all / after_all with their macro variables expanded; one that cannot be stops the command (exit 1). */
export async function projectStatements(project: Project, env: string, loaded?: ProjectMacros): Promise<ProjectStatements> {
  const macros = loaded ?? (project.beforeAll.length + project.afterAll.length > 0 ? await loadProjectMacros(project.dir) : undefined);
  const configFile = project.sqlmeshConfig ?? path.join(project.dir, PROJECT_FILE);
  try {
    return renderProjectStatements(project, { environment: env, variables: project.models.variables, macros, configFile });
  } catch (err) {
    throw new CliFailure(describeError(err), 1);
  }
}

/** plan_applied or apply_failed, and audit_failed per model; a success resolves the environment's open incidents. */
export async function announceApply(
  project: Project,
  env: string,
  kind: 'apply' | 'run',
  models: ModelProject | undefined,
  outcome: ApplyResult | RunResult | { error: string; models: string[] },
): Promise<void> {
  await announce(project, () => {
    const failed = 'error' in outcome;
    const touched = failed ? outcome.models : [...new Set([...('built' in outcome ? outcome.built : outcome.refreshed), ...outcome.processed.map((p) => p.model)])];
    const events = applyEvents(project, {
      environment: env, kind, models: touched,
      ...(failed ? { error: outcome.error } : { durationMs: outcome.durationMs }),
      failedAudits: failed ? [] : outcome.failedAudits,
    }, models ? modelInfo(models) : () => undefined, commandLine());
    const audited = failed ? [] : touched.filter((m) => !outcome.failedAudits.some((a) => a.model === m));
    return {
      events,
      ...(failed ? {} : { resolve: { keys: [eventKey(project, kind, env), ...audited.map((m) => eventKey(project, 'audit', env, m))] } }),
    };
  });
}

/** Progress on stderr for people; with --json only under SLUICE_DEBUG. */
export function progressLogger(json: boolean): (message: string) => void {
  return (message) => {
    if (!json || process.env.SLUICE_DEBUG) process.stderr.write(`${message}\n`);
  };
}

function resultJson(result: ApplyResult): Record<string, unknown> {
  return {
    plan_id: result.planId,
    built: result.built,
    reused: result.reused,
    processed: result.processed,
    restated: result.restated,
    changed_in_place: result.changedInPlace,
    removed: result.removed,
    swapped: result.swapped,
    duration_ms: Math.round(result.durationMs),
    ...(result.recovered ? { recovered: result.recovered } : {}),
    ...(result.afterAllError ? { after_all_error: result.afterAllError } : {}),
  };
}

function summary(result: ApplyResult): string {
  const lines: string[] = [''];
  if (result.recovered) lines.push(`Note: ${result.recovered}.`);
  lines.push(`Built ${result.built.length} table${result.built.length === 1 ? '' : 's'}, reused ${result.reused.length}.`);
  for (const p of result.processed) lines.push(`Processed ${p.model}: ${p.intervals.map(([s, e]) => (s === e ? s : `${s} .. ${e}`)).join(', ')}`);
  if (result.restated.length > 0) lines.push(`Restated ${result.restated.join(', ')}.`);
  for (const c of result.changedInPlace) lines.push(`Forward-only ${c.model}: table kept${c.changes.length > 0 ? `, ${c.changes.join(', ')}` : ''}.`);
  lines.push(result.swapped ? `Environment ${result.environment} now shows the new versions (${(result.durationMs / 1000).toFixed(2)}s).` : `Environment ${result.environment} was already up to date.`);
  return lines.join('\n') + '\n';
}
