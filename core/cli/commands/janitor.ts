// `sluice janitor`: removes expired dev environments (environment_ttl), then drops the physical tables no
// environment references (now or as its rollback target).

import type { Command } from 'commander';
import { runJanitor } from '../../plan/janitor';
import { openGateway } from '../../engine/open';
import { chooseGateway } from '../../project/gateways';
import { resolveProject } from '../context';
import { lockWaitOption, writerLockWait, type LockWaitFlags } from '../lockWait';
import { printJson } from '../output';
import { progressLogger } from './apply';
import { usage } from './plan';

export function registerJanitor(program: Command): void {
  program
    .command('janitor')
    .description('remove expired dev environments, then drop the physical tables no environment references')
    .option('--dry-run', 'list what would be dropped, drop nothing')
    .addOption(lockWaitOption())
    .option('--gateway <name>', "the gateway's engine to work on (default: default_gateway, else the warehouse file)")
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (flags: { project?: string; json?: boolean; dryRun?: boolean; gateway?: string } & LockWaitFlags) => {
      const project = resolveProject(flags.project);
      usage(() => chooseGateway(project, flags.gateway));
      const wh = await openGateway(project, flags.gateway, writerLockWait(project, flags, progressLogger(flags.json === true)));
      try {
        const result = await runJanitor(wh, { dryRun: flags.dryRun, ttlMs: project.environmentTtlMs });
        if (flags.json) {
          printJson({
            dropped: result.dropped, forgotten_snapshots: result.forgotten, kept: result.kept, dry_run: result.dryRun,
            expired_environments: result.expired.map((e) => ({ environment: e.environment, updated_at: e.updatedAt, dropped_views: e.droppedViews })),
          });
          return;
        }
        const verb = result.dryRun ? 'Would drop' : 'Dropped';
        for (const e of result.expired) {
          process.stdout.write(`${result.dryRun ? 'Would remove' : 'Removed'} expired environment ${e.environment} (last applied ${e.updatedAt}, ${e.droppedViews.length} view${e.droppedViews.length === 1 ? '' : 's'}).\n`);
        }
        if (result.dropped.length === 0) process.stdout.write(`Nothing to drop; ${result.kept} physical table${result.kept === 1 ? '' : 's'} in use.\n`);
        else process.stdout.write(`${verb} ${result.dropped.length}:\n${result.dropped.map((d) => `  ${d}`).join('\n')}\nKept ${result.kept} in use.\n`);
      } finally {
        wh.close();
      }
    });
}
