// `sluice health [TARGET] [--env prod] [--now TIME] [--json] [--html FILE]`: is the data fresh? For each
// model column: the source fields it depends on, the loads that fed it, its model's build and audits, and a
// status with its reason; for each source resource: its last runs, row volume and anomalies. Answers come
// from the warehouse's _sluice tables. Exits 1 when anything is failing or stale beyond error_after, 3 when
// the warehouse cannot be read.

import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { nowMs, parseTime } from '../../clock';
import { describeError, SluiceError } from '../../errors';
import { evaluateHealth } from '../../health/evaluate';
import { renderHealthHtml } from '../../health/html';
import { healthModels } from '../../health/project';
import { targetModel } from '../../health/target';
import { emptyFacts, readHealthFacts } from '../../health/read';
import { ago } from '../../health/text';
import type { ColumnHealth, HealthReport, HealthStatus } from '../../health/types';
import { freshnessBreaches, judgedKeys } from '../../notify/events';
import { environmentName } from '../../plan/names';
import { withWarehouse } from '../../warehouse/connection';
import { pathsOption, resolveProject } from '../context';
import { announce } from '../notifications';
import { CliFailure, formatCount, formatTable, printJson } from '../output';
import { displayPath, withModelProject } from './models';
import { usage } from './plan';
import { STATUS_ORDER as ORDER } from '../../health/modelSummary';

interface HealthFlags { env: string; now?: string; html?: string; notify?: boolean; project?: string; paths?: string[]; json?: boolean }


export function registerHealth(program: Command): void {
  program
    .command('health')
    .description('is the data fresh: per model column the loads that fed it, its build and audits; per resource its loads and volume')
    .argument('[target]', 'MODEL, MODEL.COLUMN, SOURCE or SOURCE.RESOURCE; default: everything')
    .option('--env <environment>', 'environment whose models are judged', 'prod')
    .option('--now <time>', 'judge as if it were this ISO time (SLUICE_NOW does the same for every command)')
    .option('--html <file>', 'also write the report as one self-contained HTML file')
    .option('--notify', 'send freshness_breached to the notification targets, once per breach')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .addOption(pathsOption())
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (target: string | undefined, flags: HealthFlags) => {
      const environment = usage(() => environmentName(flags.env));
      const at = flags.now === undefined ? nowMs() : usage(() => parseTime(flags.now!, '--now'));
      const project = resolveProject(flags.project, flags.paths);
      const report = await withModelProject(flags.project, flags.paths, async (models) => {
        const errors = models.diagnostics().filter((d) => d.severity === 'error').length;
        if (errors > 0) process.stderr.write(`warning: the project's models have ${errors} error${errors === 1 ? '' : 's'} (see sluice models); their lineage may be incomplete\n`);
        const facts = fs.existsSync(project.warehouse) ? await readFacts(project.warehouse, environment) : emptyFacts();
        // A model or column asks for that model's lineage alone; a source for every column it feeds.
        const model = target === undefined ? undefined : targetModel(target, (key) => models.model(key) !== undefined);
        const lineage = healthModels(models, model === undefined ? undefined : new Set([model]));
        return usage(() => evaluateHealth({ environment, nowMs: at, models: lineage, sources: project.sources, facts, target }));
      });
      if (flags.html) writeHtml(flags.html, report, flags.json === true);
      if (flags.json) printJson(report);
      else process.stdout.write(formatReport(report, target !== undefined, at));
      if (flags.notify) {
        if (!project.notifications?.length) process.stderr.write('Notifications: none configured (notifications: in sluice.yaml).\n');
        await announce(project, () => ({ breaches: freshnessBreaches(project, report), ...(target === undefined ? {} : { judged: judgedKeys(project, report) }) }));
      }
      if (!report.summary.ok) throw new CliFailure(problemSummary(report), 1);
    });
}

const UNJUDGED_EXIT_CODE = 3;

/**
 * A warehouse that cannot be read (held by a writer past the lock wait, damaged) says nothing about the
 * data: exit 3, so that a cron check can tell it from data that is failing or stale (1).
 */
async function readFacts(warehouse: string, environment: string) {
  try {
    return await withWarehouse(warehouse, (wh) => readHealthFacts(wh, environment), { readOnly: true });
  } catch (err) {
    throw new CliFailure(`cannot judge health: ${describeError(err)}`, UNJUDGED_EXIT_CODE);
  }
}

function writeHtml(file: string, report: HealthReport, json: boolean): void {
  try {
    fs.writeFileSync(path.resolve(file), renderHealthHtml(report));
  } catch (err) {
    throw new SluiceError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!json) process.stderr.write(`Wrote ${displayPath(path.resolve(file))}\n`);
}

function problemSummary(report: HealthReport): string {
  const bad = (items: { status: HealthStatus; breach: string | null }[]) => items.filter((h) => h.status === 'failing' || h.breach === 'error_after').length;
  const columns = bad(Object.values(report.columns));
  const sources = bad(Object.values(report.sources));
  const parts = [columns > 0 ? `${formatCount(columns)} column${columns === 1 ? '' : 's'}` : '', sources > 0 ? `${formatCount(sources)} resource${sources === 1 ? '' : 's'}` : ''].filter(Boolean);
  return `health of ${report.environment}: ${parts.join(' and ')} failing or stale beyond error_after`;
}

/** The report for people: resources as a table, then columns, the failing ones first. */
function formatReport(report: HealthReport, targeted: boolean, atMs: number): string {
  const lines: string[] = [`Health of ${report.environment} at ${report.generated_at}`, ''];
  const sources = Object.entries(report.sources).sort(([a, x], [b, y]) => ORDER.indexOf(x.status) - ORDER.indexOf(y.status) || (a < b ? -1 : 1));
  if (sources.length > 0) {
    lines.push('Sources');
    const table = formatTable(
      ['status', 'resource', 'last success', 'rows', 'last failure', 'volume'],
      sources.map(([key, s]) => [
        s.status,
        key,
        s.last_success ? `${ago(Date.parse(s.last_success.at), atMs)} (${s.last_success.load_id})` : '-',
        s.last_success?.rows == null ? '-' : formatCount(s.last_success.rows),
        s.last_failure ? `${ago(Date.parse(s.last_failure.at), atMs)} (${s.last_failure.load_id})` : '-',
        s.anomaly ? 'ANOMALY' : s.volume.length > 0 ? 'usual' : '-',
      ]),
    );
    lines.push(...table.trimEnd().split('\n').map((l) => `  ${l}`));
    for (const [key, s] of sources) {
      if (s.status !== 'fresh') lines.push(`  ${key}: ${s.reason}`);
      if (s.anomaly) lines.push(`  ${key}: unusual volume: ${s.anomaly}`);
    }
    lines.push('');
  }
  const columns = Object.entries(report.columns).sort(([a, x], [b, y]) => ORDER.indexOf(x.status) - ORDER.indexOf(y.status) || (a < b ? -1 : 1));
  if (columns.length > 0) {
    lines.push('Columns');
    // Everything at once: the problems one by one, the fresh columns counted per model.
    const shown = targeted ? columns : columns.filter(([, c]) => c.status !== 'fresh');
    for (const [, c] of shown) lines.push(...formatColumn(c, targeted && columns.length === 1));
    if (!targeted) {
      const fresh = new Map<string, number>();
      for (const [, c] of columns) if (c.status === 'fresh') fresh.set(c.model.name, (fresh.get(c.model.name) ?? 0) + 1);
      for (const [model, n] of [...fresh].sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(`  fresh    ${model}: ${formatCount(n)} column${n === 1 ? '' : 's'} (sluice health ${model})`);
    }
    lines.push('');
  }
  const count = (c: HealthReport['summary']['columns']) => ORDER.filter((s) => c[s] > 0).map((s) => `${formatCount(c[s])} ${s}`).join(', ') || 'none';
  lines.push(`Columns: ${count(report.summary.columns)}. Resources: ${count(report.summary.sources)}.`);
  return lines.join('\n') + '\n';
}

function formatColumn(c: ColumnHealth, detailed: boolean): string[] {
  const lines = [`  ${c.status.padEnd(8)} ${c.reason}`];
  if (!detailed) return lines;
  lines.push(`           model ${c.model.name} (${c.model.kind}): built ${c.model.built_at ?? 'never'}, audits ${c.model.audits}${c.model.owner ? `, owner ${c.model.owner}` : ''}${c.model.tags.length > 0 ? `, tags ${c.model.tags.join(', ')}` : ''}`);
  for (const s of c.sources) {
    const fed = s.fed_by ? `fed by ${s.fed_by.load_id} (${s.fed_by.at}${s.fed_by.rows == null ? '' : `, ${formatCount(s.fed_by.rows)} rows`})` : 'no load feeds it';
    const failure = s.last_failure ? `; last failure ${s.last_failure.load_id} (${s.last_failure.at})` : '';
    lines.push(`           ${s.field}: ${s.status}, ${fed}${failure}`);
  }
  if (c.filters.length > 0) lines.push(`           rows picked by ${c.filters.map((f) => (f.status === 'fresh' ? f.field : `${f.field} (${f.status})`)).join(', ')}`);
  return lines;
}
