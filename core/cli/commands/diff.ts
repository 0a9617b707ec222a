// `sluice diff ENV_A:ENV_B MODEL`: how a model's data differs between two environments.

import type { Command } from 'commander';
import { tableKeyOfName } from '../../dag/names';
import { environmentName } from '../../plan/names';
import { openWarehouse } from '../../plan/session';
import { readEnvironments, readSnapshots } from '../../plan/state';
import { diffEnvironments, type TableDiff } from '../../plan/tableDiff';
import type { Warehouse } from '../../warehouse/connection';
import { resolveProject } from '../context';
import { CliFailure, formatTable, printJson } from '../output';
import { parsePositiveInt } from './ingest';
import { usage } from './plan';

interface DiffFlags {
  project?: string;
  json?: boolean;
  grain?: string;
  limit?: number;
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description("compare a model's data in two environments: schema, row counts, one-sided rows, match rate per column")
    .argument('<environments>', 'ENV_A:ENV_B, e.g. prod:dev')
    .argument('<model>', 'model name, e.g. analytics.orders')
    .option('--grain <columns>', "comma-separated columns identifying a row (default: the model's grain)")
    .option('--limit <n>', 'sample rows to show for each side (default 5)', parsePositiveInt)
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (environments: string, model: string, flags: DiffFlags) => {
      const [a, b, ...rest] = environments.split(':');
      if (b === undefined || rest.length > 0) throw new CliFailure(`expected two environments as ENV_A:ENV_B, got ${environments}`, 2);
      const left = usage(() => environmentName(a));
      const right = usage(() => environmentName(b));
      const key = tableKeyOfName(model);
      if (!key) throw new CliFailure(`${model} is not a model name (schema.table)`, 2);
      const project = resolveProject(flags.project);
      const wh = await openWarehouse(project.warehouse, { readOnly: true });
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

/** The grain recorded with the model's version in either environment. */
async function storedGrain(wh: Warehouse, key: string, environments: string[]): Promise<string[] | undefined> {
  const envs = await readEnvironments(wh);
  for (const name of environments) {
    const entry = envs.find((e) => e.name === name)?.snapshots.find((s) => s.name === key);
    if (!entry) continue;
    const [record] = await readSnapshots(wh, [entry.fingerprint]);
    if (record?.grain && record.grain.length > 0) return record.grain;
  }
  return undefined;
}

function formatDiff(diff: TableDiff): string {
  const lines: string[] = [`${diff.model}: ${diff.left.environment} (${diff.left.relation}) vs ${diff.right.environment} (${diff.right.relation})`, ''];
  const s = diff.schema;
  if (s.added.length + s.removed.length + s.retyped.length === 0) lines.push('Schema: the same');
  else {
    lines.push('Schema:');
    for (const c of s.added) lines.push(`  + ${c.column} ${c.type}`);
    for (const c of s.removed) lines.push(`  - ${c.column} ${c.type}`);
    for (const c of s.retyped) lines.push(`  ~ ${c.column} ${c.from} → ${c.to}`);
  }
  lines.push('', `Rows: ${diff.left.rows} in ${diff.left.environment}, ${diff.right.rows} in ${diff.right.environment}`);
  lines.push(`Only in ${diff.left.environment}: ${diff.onlyLeft.count}; only in ${diff.right.environment}: ${diff.onlyRight.count}`);
  for (const [label, side] of [[diff.left.environment, diff.onlyLeft], [diff.right.environment, diff.onlyRight]] as const) {
    if (side.sample.length === 0) continue;
    const header = Object.keys(side.sample[0]);
    lines.push('', `Sample of rows only in ${label}:`, formatTable(header, side.sample.map((r) => header.map((h) => String(r[h] ?? 'NULL')))).trimEnd());
  }
  if (diff.grain) {
    const g = diff.grain;
    lines.push('', `On grain (${g.columns.join(', ')}): ${g.joined} rows in both, ${g.leftOnly} only in ${diff.left.environment}, ${g.rightOnly} only in ${diff.right.environment}`);
    if (g.columnsCompared.length > 0) {
      lines.push(formatTable(['column', 'match', 'mismatched'], g.columnsCompared.map((c) => [c.column, `${(c.matchRate * 100).toFixed(1)}%`, c.mismatched])).trimEnd());
    }
  } else {
    lines.push('', 'No grain: give --grain (or a grain in the MODEL block) to compare values per column.');
  }
  return lines.join('\n') + '\n';
}
