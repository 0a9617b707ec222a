// The `sluice` command line: subcommands are registered from core/cli/commands.
import { Command, CommanderError } from 'commander';
import { describeError, SluiceError } from '../errors';
import { registerApply } from './commands/apply';
import { registerCi } from './commands/ci';
import { registerDiff } from './commands/diff';
import { registerEnvironments, registerInvalidate } from './commands/environments';
import { registerFormat } from './commands/format';
import { registerHealth } from './commands/health';
import { registerJanitor } from './commands/janitor';
import { registerPlan } from './commands/plan';
import { registerRun } from './commands/run';
import { registerTest } from './commands/test';
import { registerIngest } from './commands/ingest';
import { registerInit } from './commands/init';
import { registerLineage } from './commands/lineage';
import { registerLoads } from './commands/loads';
import { registerModels } from './commands/models';
import { registerNotify } from './commands/notify';
import { registerProfile } from './commands/profile';
import { registerQuery } from './commands/query';
import { registerSchema, registerSources } from './commands/sources';
import { CliFailure, hasPrintedJson, printJson } from './output';

export function buildProgram(): Command {
  const program = new Command('sluice');
  program
    .description('Sluice: TypeScript sources into DuckDB, SQL models, lineage.')
    .version(process.env.SLUICE_VERSION ?? '0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerIngest(program);
  registerSources(program);
  registerSchema(program);
  registerLoads(program);
  registerModels(program);
  registerLineage(program);
  registerPlan(program);
  registerApply(program);
  registerRun(program);
  registerJanitor(program);
  registerEnvironments(program);
  registerInvalidate(program);
  registerCi(program);
  registerTest(program);
  registerDiff(program);
  registerFormat(program);
  registerHealth(program);
  registerNotify(program);
  registerQuery(program);
  registerProfile(program);
  registerInit(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 failed, 2 usage error. Never prints a stack trace. */
export async function runCli(argv: string[]): Promise<number> {
  const wantsJson = argv.includes('--json');
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message (help and version exit with code 0).
      if (err.exitCode !== 0 && wantsJson && !hasPrintedJson()) printJson({ status: 'failed', error: describeError(err) });
      return err.exitCode === 0 ? 0 : 2;
    }
    const message = describeError(err);
    // --json promises exactly one object on stdout, also when a command fails before answering.
    if (wantsJson && !hasPrintedJson()) printJson({ status: 'failed', error: message });
    process.stderr.write(`sluice: ${message}\n`);
    if (!(err instanceof SluiceError) && !(err instanceof CliFailure) && process.env.SLUICE_DEBUG && err instanceof Error) {
      process.stderr.write(`${err.stack}\n`);
    }
    return err instanceof CliFailure ? err.exitCode : 1;
  }
}
