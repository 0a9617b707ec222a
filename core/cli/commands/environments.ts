// `sluice environments`: the environments in the warehouse, how old each is, who made and last applied it,
// the models it shows differently from prod, and when it expires. `sluice invalidate ENV`: removes one
// (its views and record), then the janitor drops the tables nobody needs any more.

import fs from 'node:fs';
import type { Command } from 'commander';
import { nowMs } from '../../clock';
import { durationSetting } from '../../health/settings';
import { formatActor } from '../../plan/actor';
import { relativeTime, summarizeEnvironments, type EnvironmentSummary } from '../../plan/environments';
import { invalidateEnvironment } from '../../plan/invalidate';
import { runJanitor } from '../../plan/janitor';
import { environmentName, PROD } from '../../plan/names';
import { openGateway, readFromGateway } from '../../engine/open';
import { readEnvironments } from '../../plan/state';
import type { Project } from '../../project/config';
import { chooseGateway } from '../../project/gateways';
import { resolveProject } from '../context';
import { lockWaitOption, writerLockWait, type LockWaitFlags } from '../lockWait';
import { CliFailure, formatTable, printJson } from '../output';
import { progressLogger } from './apply';
import { usage } from './plan';

export function registerEnvironments(program: Command): void {
  program
    .command('environments')
    .description('list the environments: age, who made and last applied each, models that differ from prod, expiry')
    .option('--gateway <name>', "the gateway's engine to read (default: default_gateway, else the warehouse file)")
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (flags: { project?: string; json?: boolean; gateway?: string }) => {
      const project = resolveProject(flags.project);
      usage(() => chooseGateway(project, flags.gateway));
      const at = nowMs();
      const records = await readFromGateway(project, flags.gateway, readEnvironments, []);
      const summaries = summarizeEnvironments(records, project.environmentTtlMs, at);
      if (flags.json) {
        printJson({ now: new Date(at).toISOString(), environment_ttl: ttlText(project), environments: summaries.map(summaryJson) });
        return;
      }
      process.stdout.write(formatEnvironments(summaries, project, at));
    });
}

export function registerInvalidate(program: Command): void {
  program
    .command('invalidate')
    .description("remove an environment (its views and record; never prod), then drop the tables no environment needs")
    .argument('<environment>', 'environment to remove, e.g. dev or pr_123')
    .addOption(lockWaitOption())
    .option('--gateway <name>', "the gateway's engine to work on (default: default_gateway, else the warehouse file)")
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (name: string, flags: { project?: string; json?: boolean; gateway?: string } & LockWaitFlags) => {
      const project = resolveProject(flags.project);
      const environment = usage(() => environmentName(name));
      if (environment === PROD) throw new CliFailure('prod cannot be invalidated: it is what the project serves; name a dev environment such as dev or pr_123', 2);
      const result = await invalidate(project, environment, flags);
      if (flags.json) {
        printJson({ environment, dropped_views: result.droppedViews, dropped_tables: result.droppedTables });
        return;
      }
      const lines = [`Environment ${environment} removed: ${result.droppedViews.length} view${result.droppedViews.length === 1 ? '' : 's'} dropped.`];
      if (result.droppedTables.length > 0) lines.push(`Dropped ${result.droppedTables.length} table${result.droppedTables.length === 1 ? '' : 's'} no environment needs:`, ...result.droppedTables.map((t) => `  ${t}`));
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/** Removes an environment and runs the janitor; a missing warehouse or environment is an error (exit 1). */
export async function invalidate(project: Project, environment: string, flags: LockWaitFlags & { json?: boolean; gateway?: string }): Promise<{ droppedViews: string[]; droppedTables: string[] }> {
  const gateway = usage(() => chooseGateway(project, flags.gateway));
  if (gateway.type === 'duckdb' && !fs.existsSync(gateway.path!)) throw new CliFailure(`there is no warehouse yet (${gateway.path}), so no environment ${environment}`, 1);
  const wh = await openGateway(project, flags.gateway, writerLockWait(project, flags, progressLogger(flags.json === true)));
  try {
    const { droppedViews } = await invalidateEnvironment(wh, environment);
    const janitor = await runJanitor(wh);
    return { droppedViews, droppedTables: janitor.dropped };
  } finally {
    wh.close();
  }
}

function formatEnvironments(summaries: readonly EnvironmentSummary[], project: Project, at: number): string {
  if (summaries.length === 0) return `No environments yet: sluice apply creates prod (or sluice apply dev, a dev environment).\n`;
  const rows = summaries.map((s) => [
    s.name,
    s.models,
    relativeTime(Date.parse(s.updatedAt), at),
    formatActor(s.appliedBy),
    s.createdAt ? `${relativeTime(Date.parse(s.createdAt), at)} by ${formatActor(s.createdBy)}` : 'unknown',
    s.overrides ? overrideCounts(s) : '',
    s.expiresAt === undefined ? 'never' : s.expired ? `expired ${relativeTime(Date.parse(s.expiresAt), at)}` : relativeTime(Date.parse(s.expiresAt), at),
  ]);
  const lines = [formatTable(['ENVIRONMENT', 'MODELS', 'APPLIED', 'BY', 'CREATED', 'VS PROD', 'EXPIRES'], rows).trimEnd()];
  for (const s of summaries) {
    if (!s.overrides || s.overrides.length === 0) continue;
    lines.push('', `${s.name} differs from prod:`);
    const marks = { added: '+', changed: '~', removed: '-' } as const;
    for (const o of s.overrides) lines.push(`  ${marks[o.change]} ${o.model}  ${o.change}`);
  }
  const ttl = ttlText(project);
  lines.push('', ttl === null ? 'Dev environments never expire (environment_ttl: never).' : `Dev environments expire ${ttl} after their last apply; sluice janitor removes expired ones.`);
  if (summaries.some((s) => s.expired)) lines.push(`Expired: ${summaries.filter((s) => s.expired).map((s) => s.name).join(', ')} (run sluice janitor to remove).`);
  return lines.join('\n') + '\n';
}

function overrideCounts(s: EnvironmentSummary): string {
  const count = (change: string) => s.overrides!.filter((o) => o.change === change).length;
  if (s.overrides!.length === 0) return 'same as prod';
  return [['+', count('added')], ['~', count('changed')], ['-', count('removed')]].filter(([, n]) => n !== 0).map(([mark, n]) => `${mark}${n}`).join(' ');
}

function ttlText(project: Project): string | null {
  return project.environmentTtlMs === null ? null : durationSetting(project.environmentTtlMs);
}

function summaryJson(s: EnvironmentSummary): Record<string, unknown> {
  return {
    name: s.name,
    models: s.models,
    created_at: s.createdAt ?? null,
    created_by: s.createdBy ?? null,
    updated_at: s.updatedAt,
    applied_by: s.appliedBy ?? null,
    ...(s.overrides ? { overrides: s.overrides } : {}),
    expires_at: s.expiresAt ?? null,
    expired: s.expired,
  };
}
