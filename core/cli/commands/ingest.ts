import type { Command } from 'commander';
import { now as clockNow } from '../../clock';
import { ingest, type IngestResult } from '../../ingest/pipeline';
import type { Logger } from '../../ingest/types';
import type { SchemaChange } from '../../schema/types';
import { describeError } from '../../errors';
import { eventKey, ingestEvent } from '../../notify/events';
import type { Project } from '../../project/config';
import { announce, commandLine } from '../notifications';
import { resolveProject } from '../context';
import { lockWaitOption, type LockWaitFlags } from '../lockWait';
import { CliFailure, formatCount, formatTable, printJson } from '../output';
import { ResourceProgress } from '../progress';

interface IngestFlags extends LockWaitFlags {
  resources?: string;
  limit?: number;
  fullRefresh?: boolean;
  gateway?: string;
  project?: string;
  json?: boolean;
  verbose?: boolean;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('run a source into the warehouse as one atomic load package')
    .argument('<source>', 'source name (sources/<name>.ts)')
    .option('--resources <names>', 'comma-separated resources to run instead of those enabled in sluice.yaml')
    .option('--limit <n>', 'take at most N items per resource', parsePositiveInt)
    .option('--gateway <name>', "load into this gateway's engine (default: default_gateway, else the warehouse file)")
    .option('--full-refresh', 'drop the resources\' data and incremental state and start over')
    .addOption(lockWaitOption())
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--verbose', 'show debug lines too, such as each HTTP request of a REST source and its status')
    .action(async (sourceName: string, flags: IngestFlags) => {
      const interactive = !flags.json && process.stderr.isTTY === true;
      const progress = interactive ? new ResourceProgress() : undefined;
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      let result: IngestResult;
      let project: Project | undefined;
      try {
        project = resolveProject(flags.project);
        result = await ingest({
          project,
          source: sourceName,
          resources: flags.resources?.split(',').map((s) => s.trim()).filter(Boolean),
          limit: flags.limit,
          fullRefresh: flags.fullRefresh,
          gateway: flags.gateway,
          lockWaitMs: flags.lockWait,
          signal: controller.signal,
          log: stderrLogger(flags.json === true, flags.verbose === true),
          onProgress: progress ? (counts) => progress.update(counts) : undefined,
        });
      } catch (err) {
        // Failures before a load starts (broken sluice.yaml, unknown source, syntax error) still answer
        // --json with one object.
        result = failedBeforeLoad(sourceName, describeError(err));
        if (!flags.json) {
          const failed = result;
          await announce(project, () => ({ events: [ingestEvent(project!, failed, commandLine())] }));
          throw err;
        }
      } finally {
        progress?.stop();
        process.removeListener('SIGINT', onSignal);
      }
      if (flags.json) printJson(result);
      else printSummary(result);
      const done = result;
      await announce(project, () => ({
        events: [ingestEvent(project!, done, commandLine())],
        ...(done.status === 'loaded' ? { resolve: { keys: [eventKey(project!, 'ingest', done.source)] } } : {}),
      }));
      if (result.status !== 'loaded') throw new CliFailure(`ingest of ${sourceName} failed: ${result.error}`, 1);
    });
}

function failedBeforeLoad(source: string, error: string): IngestResult {
  const now = clockNow().toISOString();
  return { load_id: null, source, status: 'failed', tables: {}, schema_changes: [], resources: [], started_at: now, finished_at: now, duration_ms: 0, error };
}

function printSummary(result: IngestResult): void {
  if (result.status !== 'loaded') return;
  const rows = Object.entries(result.tables).map(([table, t]) => [`${result.source}.${table}`, t.rows] as (string | number)[]);
  const seconds = (result.duration_ms / 1000).toFixed(2);
  process.stdout.write(`Loaded ${result.source} in ${seconds}s (load ${result.load_id})\n\n`);
  if (rows.length > 0) process.stdout.write(formatTable(['table', 'rows'], rows));
  else process.stdout.write('No rows.\n');
  if (result.schema_changes.length > 0) process.stdout.write(`\nSchema changes:\n${describeChanges(result.schema_changes)}`);
}

/** New tables in one line each; new columns of tables that already existed listed by name. */
function describeChanges(changes: SchemaChange[]): string {
  const newTables = new Set(changes.filter((c) => c.kind === 'table_added').map((c) => c.table));
  const lines: string[] = [];
  for (const table of newTables) {
    const columns = changes.filter((c) => (c.kind === 'column_added' || c.kind === 'variant_added') && c.table === table).length;
    lines.push(`  + table ${table} (${formatCount(columns)} columns)`);
  }
  for (const change of changes) {
    if (change.kind === 'table_added' || newTables.has(change.table)) continue;
    if (change.kind === 'type_widened') {
      lines.push(`  ~ column ${change.table}.${change.column} ${change.from} → ${change.dataType}`);
      continue;
    }
    const note = change.kind === 'variant_added' ? ` (variant of ${change.variantOf})` : '';
    lines.push(`  + column ${change.table}.${change.column} ${change.dataType}${note}`);
  }
  return lines.join('\n') + '\n';
}

function stderrLogger(quiet: boolean, verbose: boolean): Logger {
  return {
    info: (m) => { if (!quiet) process.stderr.write(`${m}\n`); },
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
    debug: (m) => { if (verbose || process.env.SLUICE_DEBUG) process.stderr.write(`${m}\n`); },
  };
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliFailure(`expected a positive whole number, got "${value}"`, 2);
  return n;
}
