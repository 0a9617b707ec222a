// Runs resolved audits against a built table. An audit query returns the rows that break its rule; the audit
// passes when there are none. A query that cannot run (a missing column, a macro error) is reported on its
// result rather than thrown, so one broken audit does not hide the others.

import { describeError } from '../errors';
import { engineOf, type EngineConnection } from '../engine';
import { auditQuery, type AuditRenderContext } from './auditQuery';
import type { AuditRelation, AuditResult, AuditSpec } from './types';

export interface RunAuditsOptions extends AuditRenderContext {
  /** How many violating rows to keep in each result. Default 5. */
  sampleSize?: number;
}

const DEFAULT_SAMPLE = 5;

export async function runAudits(
  wh: EngineConnection,
  relation: AuditRelation,
  audits: readonly AuditSpec[],
  options: RunAuditsOptions = {},
): Promise<AuditResult[]> {
  const { sampleSize = DEFAULT_SAMPLE, ...context } = options;
  const results: AuditResult[] = [];
  for (const spec of audits) results.push(await runOne(wh, relation, spec, context, sampleSize));
  return results;
}

async function runOne(wh: EngineConnection, relation: AuditRelation, spec: AuditSpec, context: AuditRenderContext, sampleSize: number): Promise<AuditResult> {
  const base = { name: spec.name, label: spec.label, blocking: spec.blocking };
  const query = auditQuery(spec, relation, context);
  const sql = withoutTrailingSemicolons(query.sql);
  const firstError = query.diagnostics.find((d) => d.severity === 'error');
  if (firstError) {
    const where = firstError.file ? `${firstError.file}:${firstError.start.line}:${firstError.start.column}: ` : '';
    return { ...base, passed: false, violations: 0, sample: [], sql, error: `audit ${spec.label} on ${spec.model}: ${where}${firstError.message}` };
  }
  try {
    // Audits are written in DuckDB's dialect, like models: another engine runs them rendered in its own.
    const engine = engineOf(wh);
    const runnable = await engine.renderQuery(sql, { name: spec.model, file: `audit ${spec.label}` });
    // An audit that cannot run is reported on its result; it must not spoil the build's transaction.
    const { count, sample } = await engine.isolated(async () => {
      const [{ violations }] = await engine.json<{ violations: number | string }>(`SELECT count(*) AS violations FROM (\n${runnable}\n) AS audit_rows`);
      const count = Number(violations);
      const sample = count > 0 && sampleSize > 0 ? await engine.json(`SELECT * FROM (\n${runnable}\n) AS audit_rows LIMIT ${Math.trunc(sampleSize)}`) : [];
      return { count, sample };
    });
    return { ...base, passed: count === 0, violations: count, sample, sql };
  } catch (err) {
    return { ...base, passed: false, violations: 0, sample: [], sql, error: `audit ${spec.label} on ${spec.model} could not run: ${describeError(err)}` };
  }
}

/** The audit is wrapped in a subquery, where a closing ";" would be a syntax error. */
function withoutTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}
