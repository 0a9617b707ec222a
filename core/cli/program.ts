// The `sluice` command line: subcommands are registered from core/cli/commands.
import { Command, CommanderError } from 'commander';
import { describeError, SluiceError } from '../errors';
import { registerIngest } from './commands/ingest';
import { registerLoads } from './commands/loads';
import { registerSchema, registerSources } from './commands/sources';
import { CliFailure } from './output';

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
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 failed, 2 usage error. Never prints a stack trace. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message (help and version exit with code 0).
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliFailure) {
      process.stderr.write(`sluice: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`sluice: ${describeError(err)}\n`);
    if (!(err instanceof SluiceError) && process.env.SLUICE_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}
