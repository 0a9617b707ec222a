// The readable report of how a model's data differs between two environments, as `sluice diff` prints it
// and the editor shows it.

import { formatTable } from '../cli/output';
import type { EngineConnection } from '../engine';
import { readEnvironments, readSnapshots } from './state';
import type { TableDiff } from './tableDiff';

/** The grain recorded with the model's version in either environment. */
export async function storedGrain(wh: EngineConnection, key: string, environments: string[]): Promise<string[] | undefined> {
  const envs = await readEnvironments(wh);
  for (const name of environments) {
    const entry = envs.find((e) => e.name === name)?.snapshots.find((s) => s.name === key);
    if (!entry) continue;
    const [record] = await readSnapshots(wh, [entry.fingerprint]);
    if (record?.grain && record.grain.length > 0) return record.grain;
  }
  return undefined;
}

export function formatDiff(diff: TableDiff): string {
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
