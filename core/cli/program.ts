import { Command } from 'commander';

export async function runCli(argv: string[]): Promise<number> {
  const program = new Command('sluice');
  program.description('Sluice: sources into DuckDB, SQL models, lineage.');
  await program.parseAsync(argv);
  return 0;
}
