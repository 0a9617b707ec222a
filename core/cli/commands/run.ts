// `sluice run [ENV]`: processes the intervals of incremental models that have become due per their cron, and
// rebuilds FULL models whose cron ticked since their last build.

import type { Command } from 'commander';
import { runEnvironment } from '../../plan/run';
import { openGateway } from '../../engine/open';
import { chooseGateway } from '../../project/gateways';
import { closeSqlParser } from '../../sql/duckdbParser';
import { pathsOption, resolveProject } from '../context';
import { modelOptionsOf } from '../../dag/project';
import { lockWaitOption, writerLockWait, type LockWaitFlags } from '../lockWait';
import { CliFailure, printJson } from '../output';
import { describeError } from '../../errors';
import { announceApply, progressLogger, projectStatements } from './apply';
import { planOptions, targetEnvironment, usage } from './plan';

interface RunFlags extends LockWaitFlags {
  paths?: string[];
  project?: string;
  gateway?: string;
  json?: boolean;
  executionTime?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('process the intervals of incremental models that are due per their cron, and refresh FULL models on theirs')
    .argument('[environment]', "environment to run (default: the project's default_target_environment, else prod)")
    .option('--execution-time <time>', 'run as if it were this time')
    .addOption(lockWaitOption())
    .option('--gateway <name>', "the gateway's engine to work on (default: default_gateway, else the warehouse file)")
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .addOption(pathsOption())
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (environment: string | undefined, flags: RunFlags) => {
      const project = resolveProject(flags.project, flags.paths);
      usage(() => chooseGateway(project, flags.gateway));
      const env = targetEnvironment(environment, project);
      const { now } = planOptions({ executionTime: flags.executionTime });
      const log = progressLogger(flags.json === true);
      // Every folder's macros when --paths reads several.
      const macros = (await modelOptionsOf(project)).macros;
      const statements = await projectStatements(project, env, macros);
      const wh = await openGateway(project, flags.gateway, writerLockWait(project, flags, log));
      let afterAllError: string | undefined;
      let outcome: Parameters<typeof announceApply>[4] | undefined;
      try {
        const result = await runEnvironment(wh, env, { now, log, warn: (m) => process.stderr.write(`warning: ${m}\n`), statements, macros });
        outcome = result;
        afterAllError = result.afterAllError;
        if (flags.json) {
          printJson({ environment: env, processed: result.processed, refreshed: result.refreshed, duration_ms: Math.round(result.durationMs) });
        } else if (result.processed.length === 0 && result.refreshed.length === 0) {
          process.stdout.write(`Nothing is due in ${env}.\n`);
        } else {
          for (const p of result.processed) process.stdout.write(`Processed ${p.model}: ${p.intervals.map(([s, e]) => (s === e ? s : `${s} .. ${e}`)).join(', ')}\n`);
          for (const model of result.refreshed) process.stdout.write(`Refreshed ${model} (full rebuild on its cron)\n`);
        }
      } catch (err) {
        outcome = { error: describeError(err), models: [] };
        throw err;
      } finally {
        wh.close();
        await closeSqlParser();
        // Only a run that did something (or failed) is news.
        if (outcome && ('error' in outcome || outcome.processed.length > 0 || ('refreshed' in outcome && outcome.refreshed.length > 0))) await announceApply(project, env, 'run', undefined, outcome);
      }
      if (afterAllError) throw new CliFailure(`environment ${env} was run, but ${afterAllError}`, 1);
    });
}
