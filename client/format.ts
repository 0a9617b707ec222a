// Text for progress and result messages. Pure functions, no VS Code API.

import * as path from 'node:path';
import type { IngestProgress, ProjectInfo, RunSource } from '../core/protocol';

const number = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return number.format(n);
}

/** "orders 12,000 rows (5,400 rows/s) · customers 25 rows (900 rows/s)" */
export function describeProgress(progress: IngestProgress.Params): string {
  if (progress.resources.length === 0) return 'starting…';
  return progress.resources
    .map((r) => `${r.name} ${formatCount(r.rows)} rows (${formatCount(r.rowsPerSecond)} rows/s)`)
    .join(' · ');
}

/** The one-line result shown when a run ends. */
export function describeResult(result: RunSource.Result): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  if (result.status === 'cancelled') return `Sluice: ingest of ${result.source} cancelled after ${seconds} s; nothing was loaded`;
  if (result.status === 'failed') return `Sluice: ingest of ${result.source} failed: ${result.error ?? 'unknown error'}`;
  const shown = result.tables.slice(0, 6).map((t) => `${t.table} ${formatCount(t.rows)}`);
  if (result.tables.length > shown.length) shown.push(`and ${result.tables.length - shown.length} more tables`);
  const rows = result.tables.length > 0 ? `rows per table: ${shown.join(', ')}` : 'no rows';
  return `Sluice: loaded ${result.source} into ${path.basename(result.warehouse)} in ${seconds} s; ${rows}`;
}

/** Status bar text: "demo · dev · warehouse.duckdb". */
export function describeProject(project: ProjectInfo): string {
  return `${project.name} · ${project.environment} · ${path.basename(project.warehouse)}`;
}
