// `sluice profile TABLE`: the first rows of a table or model view, and per column nulls, distinct values,
// min/max, top values and a histogram (core/query/profile.ts). Reads an environment's view of a model
// (default dev when applied, else prod), read-only or from a copy while another process writes.

import type { Command } from 'commander';
import { openForQuery } from '../../query/access';
import { environmentViews } from '../../query/environment';
import { cellText } from '../../query/format';
import { profileTable, type ColumnProfile, type TableProfile } from '../../query/profile';
import { disposeSnapshots } from '../../query/snapshot';
import { closeSqlParser } from '../../sql/duckdbParser';
import { resolveProject } from '../context';
import { formatCount, formatTable, printJson } from '../output';
import { formatResultTable } from './query';

interface ProfileFlags {
  project?: string;
  env?: string;
  json?: boolean;
}

const BARS = '▁▂▃▄▅▆▇█';

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description('first rows of a table, and per column nulls, distinct values, min/max, top values and a histogram')
    .argument('<table>', 'table or model, e.g. analytics.orders')
    .option('--env <environment>', "environment whose view of a model is read (default: dev when applied, else prod)")
    .option('--json', 'print one JSON object')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .action(async (table: string, flags: ProfileFlags) => {
      const project = resolveProject(flags.project);
      const connection = await openForQuery(project.warehouse, { prefer: 'read-only' });
      try {
        const profile = await profileTable(connection.warehouse, table, await environmentViews(connection.warehouse, flags.env));
        if (flags.json) printJson(profile);
        else process.stdout.write(profileText(profile));
      } finally {
        connection.release();
        disposeSnapshots();
        await closeSqlParser();
      }
    });
}

function profileText(p: TableProfile): string {
  const sample = p.sample ? `; figures from a sample of ${formatCount(p.sample.rows)} rows` : '';
  const head = `${p.relation} (${p.environment}): ${formatCount(p.row_count)} row${p.row_count === 1 ? '' : 's'}${sample}\n\n`;
  const first = formatResultTable(p.first_rows.columns, p.first_rows.rows);
  const columns = formatTable(
    ['column', 'type', 'null %', 'distinct', 'min', 'max', 'top values', 'histogram'],
    p.columns.map((c) => [c.name, c.type, c.null_pct, c.distinct ?? '-', short(c.min), short(c.max), topText(c), sparkline(c)]),
  );
  return `${head}${first}\n${columns}`;
}

function short(value: string | null): string {
  if (value === null) return '-';
  const text = cellText(value);
  return text.length > 24 ? `${text.slice(0, 23)}…` : text;
}

function topText(c: ColumnProfile): string {
  const text = c.top.map((t) => `${cellText(t.value)} (${formatCount(t.count)})`).join(', ');
  return text.length > 48 ? `${text.slice(0, 47)}…` : text || '-';
}

function sparkline(c: ColumnProfile): string {
  if (!c.histogram || c.histogram.length === 0) return '-';
  const max = Math.max(...c.histogram.map((b) => b.count));
  return c.histogram.map((b) => (b.count === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((b.count / max) * (BARS.length - 1)))])).join('');
}
