// Health expectations as a project states them: how old data may get (freshness), who owns it and how it is
// tagged, and which way a load's row count may stray before it is flagged. Read from sluice.yaml (per source
// and resource) and from the MODEL block (freshness; owner and tags are SQLMesh's own properties).

export interface Freshness {
  /** Older than this: stale, a warning. */
  warnAfterMs?: number;
  /** Older than this: stale beyond the limit; `sluice health` exits 1. */
  errorAfterMs?: number;
}

/** Which unusual row counts are flagged: fewer rows than usual, more, both, or none. */
export type AnomalyDirection = 'both' | 'low' | 'high' | 'off';
export const ANOMALY_DIRECTIONS: readonly AnomalyDirection[] = ['both', 'low', 'high', 'off'];

export interface HealthSettings {
  freshness?: Freshness;
  owner?: string;
  tags?: string[];
  volumeAnomaly?: AnomalyDirection;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration such as 30m, 6h, 1d or 1d12h in ms; undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?\s*[smhdw]\s*)+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)\s*([smhdw])/g)) total += Number(amount) * UNIT_MS[unit];
  return total > 0 ? total : undefined;
}

/** A duration for people: 45 s, 35 min, 6 h, 1.5 d. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const round = (n: number) => (n >= 10 ? Math.round(n).toString() : (Math.round(n * 10) / 10).toString());
  if (abs < 60_000) return `${Math.round(abs / 1000)} s`;
  if (abs < 59.5 * 60_000) return `${Math.round(abs / 60_000)} min`;
  if (abs < 48 * 3_600_000) return `${round(abs / 3_600_000)} h`;
  return `${round(abs / 86_400_000)} d`;
}

/** A duration the way settings write it: 45m, 6h, 24h, 3d, 1w. */
export function durationSetting(ms: number): string {
  const hour = UNIT_MS.h;
  const day = UNIT_MS.d;
  if (ms % day === 0 && ms >= 3 * day) return ms % UNIT_MS.w === 0 ? `${ms / UNIT_MS.w}w` : `${ms / day}d`;
  if (ms % hour === 0) return `${ms / hour}h`;
  if (ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  return `${ms / 1000}s`;
}

/** Problems with a freshness value, each naming the key it is about; empty when it is fine. */
export function freshnessProblems(freshness: Freshness): string[] {
  const { warnAfterMs, errorAfterMs } = freshness;
  if (warnAfterMs === undefined && errorAfterMs === undefined) return ['freshness needs warn_after, error_after or both'];
  if (warnAfterMs !== undefined && errorAfterMs !== undefined && warnAfterMs > errorAfterMs) {
    return [`warn_after (${durationSetting(warnAfterMs)}) must not be longer than error_after (${durationSetting(errorAfterMs)})`];
  }
  return [];
}

/** Settings of a resource: its own where it has them, else its source's. */
export function mergeSettings(source: HealthSettings | undefined, resource: HealthSettings | undefined): HealthSettings {
  const merged: HealthSettings = { ...source };
  for (const [key, value] of Object.entries(resource ?? {})) if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  return merged;
}
