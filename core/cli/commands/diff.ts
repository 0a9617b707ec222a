// `sluice diff ENV_A:ENV_B MODEL`: how a model's data differs between two environments.

import type { Command } from 'commander';
import { tableKeyOfName } from '../../dag/names';
import { environmentName } from '../../plan/names';
import { openGateway } from '../../engine/open';
import { chooseGateway } from '../../project/gateways';
import { formatDiff, storedGrain } from '../../plan/diffReport';
import { diffEnvironments } from '../../plan/tableDiff';
import { pathsOption, resolveProject } from '../context';
import { CliFailure, printJson } from '../output';
import { parsePositiveInt } from './ingest';
import { usage } from './plan';

interface DiffFlags {
  project?: string;
  /** --paths: project folders read as one project. */
  paths?: string[];
  json?: boolean;
  grain?: string;
  limit?: number;
  gateway?: string;
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description("compare a model's data in two environments: schema, row counts, one-sided rows, match rate per column")
    .argument('<environments>', 'ENV_A:ENV_B, e.g. prod:dev')
    .argument('<model>', 'model name, e.g. analytics.orders')
    .option('--grain <columns>', "comma-separated columns identifying a row (default: the model's grain)")
    .option('--limit <n>', 'sample rows to show for each side (default 5)', parsePositiveInt)
    .option('--gateway <name>', "the gateway's engine to work on (default: default_gateway, else the warehouse file)")
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .addOption(pathsOption())
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (environments: string, model: string, flags: DiffFlags) => {
      const [a, b, ...rest] = environments.split(':');
      if (b === undefined || rest.length > 0) throw new CliFailure(`expected two environments as ENV_A:ENV_B, got ${environments}`, 2);
      const left = usage(() => environmentName(a));
      const right = usage(() => environmentName(b));
      const key = tableKeyOfName(model);
      if (!key) throw new CliFailure(`${model} is not a model name (schema.table)`, 2);
      const project = resolveProject(flags.project, flags.paths);
      usage(() => chooseGateway(project, flags.gateway));
      const wh = await openGateway(project, flags.gateway, { readOnly: true });
      try {
        const grain = flags.grain ? flags.grain.split(',').map((g) => g.trim()).filter(Boolean) : await storedGrain(wh, key, [right, left]);
        const diff = await diffEnvironments(wh, key, left, right, { grain, limit: flags.limit });
        if (flags.json) printJson(diff);
        else process.stdout.write(formatDiff(diff));
      } finally {
        wh.close();
      }
    });
}
