// Turns the ingest pipeline's per-batch item counts into progress reports with rates, at most one every
// intervalMs, so a fast source does not flood the client with notifications.

import type { ResourceProgress } from '../../core/protocol';

export interface ProgressSnapshot {
  elapsedMs: number;
  totalRows: number;
  resources: ResourceProgress[];
}

export class ProgressTracker {
  private counts: Record<string, number> = {};
  private lastReport = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly startedAt: number,
    private readonly intervalMs = 250,
  ) {}

  /** Records the latest counts; returns a snapshot when one is due, else undefined. */
  update(counts: Record<string, number>, now: number): ProgressSnapshot | undefined {
    this.counts = { ...counts };
    if (now - this.lastReport < this.intervalMs) return undefined;
    this.lastReport = now;
    return this.snapshot(now);
  }

  snapshot(now: number): ProgressSnapshot {
    const elapsedMs = Math.max(0, now - this.startedAt);
    // Under a millisecond the rate would be meaningless (or infinite); report rows only.
    const seconds = elapsedMs / 1000;
    const resources = Object.entries(this.counts).map(([name, rows]) => ({
      name,
      rows,
      rowsPerSecond: seconds >= 0.001 ? Math.round(rows / seconds) : 0,
    }));
    return { elapsedMs, totalRows: resources.reduce((sum, r) => sum + r.rows, 0), resources };
  }
}
