// What the Health view and the Models view say about health, as plain text: a sparkline of rows per load,
// a resource's one-line description, counts per status. No VS Code here, so it is tested on its own.

import { STATUS_ORDER } from '../../core/health/modelSummary';
import { ago, count } from '../../core/health/text';
import type { HealthStatus, SourceHealth, StatusCounts } from '../../core/health/types';

const BARS = '▁▂▃▄▅▆▇█';

/** Rows per load as bars, oldest first; a load without rows is the lowest bar, and equal loads are all middle bars. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const max = Math.max(...values);
  const min = Math.min(...values);
  return values
    .map((v) => {
      if (max === min) return v === 0 ? BARS[0] : BARS[3];
      return BARS[Math.round(((v - min) / (max - min)) * (BARS.length - 1))];
    })
    .join('');
}

/** "fresh · 2 h ago · 1,204 rows ▁▃▅▇": a resource's status, last success, its rows and the recent volume. */
export function resourceDescription(health: SourceHealth, nowMs: number): string {
  const parts: string[] = [health.status];
  if (health.last_success) {
    parts.push(ago(Date.parse(health.last_success.at), nowMs));
    if (health.last_success.rows !== null) parts.push(`${count(health.last_success.rows)} row${health.last_success.rows === 1 ? '' : 's'}`);
  } else parts.push('never loaded');
  if (health.anomaly) parts.push('unusual volume');
  const line = parts.join(' · ');
  const bars = sparkline(health.volume.map((v) => v.rows));
  return bars ? `${line} ${bars}` : line;
}

/** "1 failing · 2 stale · 10 fresh" (statuses with none left out, worst first). */
export function countsDescription(counts: StatusCounts): string {
  return STATUS_ORDER.filter((s) => counts[s] > 0).map((s) => `${count(counts[s])} ${s}`).join(' · ') || 'nothing to judge';
}

export function countStatuses(statuses: Iterable<HealthStatus>): StatusCounts {
  const counts: StatusCounts = { fresh: 0, stale: 0, failing: 0, unknown: 0 };
  for (const s of statuses) counts[s]++;
  return counts;
}
