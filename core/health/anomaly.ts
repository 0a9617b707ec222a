// Is the latest load's row count far outside what the resource usually brings? Zero rows always is (when
// low counts are watched); with at least 7 loads in the 14 days before it, so is a count under 10 % of their
// median, or a z-score above 3 against them. The spread counts as at least one row, so that a perfectly
// steady history (25 rows every time) flags a change of more than 3 rows rather than of any row.

import { count as formatCount } from './text';
import type { AnomalyDirection } from './settings';

export const ANOMALY_WINDOW_MS = 14 * 86_400_000;
export const ANOMALY_MIN_HISTORY = 7;
const Z_LIMIT = 3;
const MEDIAN_FRACTION = 0.1;

export interface VolumeSample {
  startedMs: number;
  rows: number;
}

/** A sentence saying what is unusual about `latest`, or null. `history` holds the resource's earlier loads, any order. */
export function volumeAnomaly(latest: VolumeSample, history: readonly VolumeSample[], direction: AnomalyDirection = 'both'): string | null {
  if (direction === 'off') return null;
  const watchLow = direction !== 'high';
  const watchHigh = direction !== 'low';
  if (latest.rows === 0 && watchLow) return 'the last load brought 0 rows';
  const recent = history
    .filter((h) => h.startedMs < latest.startedMs && h.startedMs >= latest.startedMs - ANOMALY_WINDOW_MS)
    .map((h) => h.rows);
  if (recent.length < ANOMALY_MIN_HISTORY) return null;
  const over = `over the 14 days before it (${recent.length} loads)`;
  const median = medianOf(recent);
  if (watchLow && latest.rows < MEDIAN_FRACTION * median) {
    return `the last load brought ${formatCount(latest.rows)} rows, under 10 % of the median of ${formatCount(median)} ${over}`;
  }
  const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
  const variance = recent.reduce((a, b) => a + (b - mean) ** 2, 0) / (recent.length - 1);
  const spread = Math.max(Math.sqrt(variance), 1);
  const z = (latest.rows - mean) / spread;
  if ((z > Z_LIMIT && watchHigh) || (z < -Z_LIMIT && watchLow)) {
    const side = z > 0 ? 'above' : 'below';
    return `the last load brought ${formatCount(latest.rows)} rows, ${Math.abs(z).toFixed(1)} standard deviations ${side} the mean of ${formatCount(Math.round(mean))} ${over}`;
  }
  return null;
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
