import fs from 'node:fs';
import type { Command } from 'commander';
import { withWarehouse } from '../../warehouse/connection';
import { listLoads } from '../../warehouse/system';
import { resolveProject } from '../context';
import { formatTable, printJson } from '../output';
import { parsePositiveInt } from './ingest';

interface Flags { project?: string; json?: boolean; source?: string; limit?: number }

export function registerLoads(program: Command): void {
  program
    .command('loads')
    .description('list recent load packages')
    .option('--source <name>', 'only loads of this source')
    .option('--limit <n>', 'how many (default 20)', parsePositiveInt)
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .option('--json', 'print one JSON object')
    .action(async (flags: Flags) => {
      const project = resolveProject(flags.project);
      const loads = fs.existsSync(project.warehouse)
        ? await withWarehouse(project.warehouse, (wh) => listLoads(wh, { source: flags.source, limit: flags.limit ?? 20 }), { readOnly: true })
        : [];
      if (flags.json) return printJson({ loads });
      if (loads.length === 0) return void process.stdout.write('No loads yet.\n');
      process.stdout.write(
        formatTable(
          ['load_id', 'source', 'status', 'started', 'rows', 'error'],
          loads.map((l) => [l.loadId, l.source, l.status, l.startedAt, Object.values(l.rows ?? {}).reduce((a, b) => a + b, 0), l.error ?? '']),
        ),
      );
    });
}
