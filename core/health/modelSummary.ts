// One model's health in a line, from the report's columns: the worst status among them and its reason, when
// the model was built and how its audits went. What the editor shows beside a model (lens, tree icon).

import { ago } from './text';
import type { HealthReport, HealthStatus, ModelHealth } from './types';

/** Worst first: a model is as healthy as its least healthy column. */
export const STATUS_ORDER: readonly HealthStatus[] = ['failing', 'stale', 'unknown', 'fresh'];

export interface ModelHealthSummary {
  model: string;
  status: HealthStatus;
  /** The reason of the worst column. */
  reason: string;
  /** Column → status, worst first. */
  columns: { name: string; status: HealthStatus; reason: string }[];
  build: ModelHealth;
}

/** Every model of the report, keyed by name. */
export function modelSummaries(report: HealthReport): Map<string, ModelHealthSummary> {
  const out = new Map<string, ModelHealthSummary>();
  for (const [key, column] of Object.entries(report.columns)) {
    const model = column.model.name;
    const name = key.slice(model.length + 1);
    let summary = out.get(model);
    if (!summary) out.set(model, (summary = { model, status: column.status, reason: column.reason, columns: [], build: column.model }));
    summary.columns.push({ name, status: column.status, reason: column.reason });
    if (worse(column.status, summary.status)) {
      summary.status = column.status;
      summary.reason = column.reason;
    }
  }
  for (const summary of out.values()) summary.columns.sort((a, b) => rank(a.status) - rank(b.status) || (a.name < b.name ? -1 : 1));
  return out;
}

/** "fresh · built 2 h ago · audits passed". */
export function summaryLine(summary: ModelHealthSummary, nowMs: number): string {
  const parts: string[] = [summary.status];
  const built = summary.build.built_at ? Date.parse(summary.build.built_at) : NaN;
  parts.push(Number.isNaN(built) ? 'not built' : `built ${ago(built, nowMs)}`);
  if (summary.build.audits !== 'none') parts.push(`audits ${summary.build.audits}`);
  return parts.join(' · ');
}

export function rank(status: HealthStatus): number {
  return STATUS_ORDER.indexOf(status);
}

function worse(a: HealthStatus, b: HealthStatus): boolean {
  return rank(a) < rank(b);
}
