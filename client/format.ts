// Text for progress and result messages. Pure functions, no VS Code API.

import * as path from 'node:path';
import { listWithMore } from '../core/labels';
import type { IngestProgress, ProjectInfo, RunSource } from '../core/protocol';

const number = new Intl.NumberFormat('en-US');
/** Tables a run's result message names. */
const RESULT_TABLES = 3;

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
  // A toast has room for a line: the first tables, then "Show Tables" reveals them all in the Warehouse view.
  const tables = listWithMore(result.tables.map((t) => `${t.table} ${formatCount(t.rows)}`), RESULT_TABLES);
  const rows = result.tables.length > 0 ? `rows per table: ${tables}` : 'no rows';
  return `Sluice: loaded ${result.source} into ${path.basename(result.warehouse)} in ${seconds} s; ${rows}`;
}

/** Status bar text: "demo · dev · warehouse.duckdb". */
export function describeProject(project: ProjectInfo): string {
  return `${project.name} · ${project.environment} · ${path.basename(project.warehouse)}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "2 h ago", "3 d ago", then the date; undefined for a time that cannot be read. */
export function relativeTime(iso: string, now: number = Date.now()): string | undefined {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return undefined;
  const ago = now - at;
  if (ago < MINUTE) return 'just now';
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  if (ago < 30 * DAY) return `${Math.floor(ago / DAY)} d ago`;
  return new Date(at).toISOString().slice(0, 10);
}

/** "2024-05-01 10:00 UTC": the exact time, for tooltips. */
export function exactTime(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
