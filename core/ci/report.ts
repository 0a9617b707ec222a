// What `sluice ci` says about a pull request: the plan of the working tree against a base environment,
// which changes block the merge (breaking or destructive, unless allowed for that model), unit-test and
// audit results, and a text lineage excerpt of the changed columns. Plain data; markdown.ts writes it out.

import { tableKeyOfName } from '../dag/names';
import type { DownstreamNode } from '../lineage/project';
import { downstreamLabel, renderTree } from '../lineage/tree';
import type { ApplyResult, FailedAudit } from '../plan/apply';
import type { BackfillEntry, HeldBack, Plan, PlanChange } from '../plan/types';

/** A change that fails the check unless allowed. */
export interface BlockingChange {
  model: string;
  change: PlanChange['change'];
  category: PlanChange['category'];
  /** Removes a model, or removes or retypes columns readers may use. */
  destructive: boolean;
  reason: string;
  /** Allowed with --allow-breaking: reported, not failing. */
  allowed: boolean;
}

export interface CiTestFailure {
  name: string;
  model: string;
  /** `file:line`, relative to the project. */
  where: string;
  status: 'failed' | 'error';
  message?: string;
}

export interface CiTests {
  passed: number;
  failed: number;
  errors: number;
  failures: CiTestFailure[];
  /** Problems in the test files themselves. */
  problems: string[];
}

export interface CiAudits {
  /** Whether they ran (the plan was applied to the pull request's environment). */
  ran: boolean;
  run: number;
  passed: number;
  failed: number;
  failures: FailedAudit[];
  /** Not run: the audits of the models the plan builds, by model, run when it is applied. */
  pending: { model: string; audits: string[] }[];
}

export interface CiApply {
  environment: string;
  built: string[];
  reused: string[];
  processed: BackfillEntry[];
  swapped: boolean;
  /** The apply failed; the environment is as it was. */
  error?: string;
}

export interface CiLineage {
  column: string;
  change: 'added' | 'removed' | 'retyped';
  /** The column and the model columns it flows into, as a text tree. */
  tree: string[];
}

export interface CiReport {
  passed: boolean;
  base: string;
  /** The environment planned (the pull request's, or the base itself). */
  environment: string;
  summary: Record<PlanChange['change'], number>;
  changes: PlanChange[];
  blocking: BlockingChange[];
  /** --allow-breaking names that match no breaking or destructive change of this plan. */
  unusedAllowances: string[];
  heldBack: HeldBack[];
  build: string[];
  reuse: number;
  backfill: BackfillEntry[];
  tests?: CiTests;
  audits: CiAudits;
  apply?: CiApply;
  lineage: CiLineage[];
  /** Why the check fails, one line each (empty when it passes). */
  failures: string[];
}

export interface CiInput {
  plan: Plan;
  base: string;
  /** Models whose breaking or destructive changes are accepted (--allow-breaking). */
  allowBreaking: readonly string[];
  tests?: CiTests;
  apply?: { result: ApplyResult } | { error: string };
  /** The downstream tree of a model column, from the working tree's lineage. */
  downstreamTree: (model: string, column: string) => DownstreamNode;
}

/** At most this many changed columns get a lineage excerpt, each at most this many lines. */
const LINEAGE_COLUMNS = 12;
const LINEAGE_LINES = 15;

export function ciReport(input: CiInput): CiReport {
  const { plan } = input;
  const allowed = new Set(input.allowBreaking.map((m) => tableKeyOfName(m) ?? m.toLowerCase()));
  const blocking = plan.changes.map((c) => blockingChange(c, allowed)).filter((b): b is BlockingChange => b !== undefined);
  const unusedAllowances = [...allowed].filter((m) => !blocking.some((b) => b.model === m)).sort();
  const summary: CiReport['summary'] = { added: 0, removed: 0, directly_modified: 0, indirectly_modified: 0, metadata: 0 };
  for (const c of plan.changes) summary[c.change]++;
  const report: CiReport = {
    passed: true,
    base: input.base,
    environment: plan.environment,
    summary,
    changes: plan.changes,
    blocking,
    unusedAllowances,
    heldBack: plan.heldBack,
    build: plan.models.filter((m) => m.action === 'build').map((m) => m.record.name),
    reuse: plan.models.filter((m) => m.action === 'reuse').length,
    backfill: plan.backfill,
    audits: auditsOf(input),
    lineage: lineageExcerpt(plan.changes, input.downstreamTree),
    failures: [],
  };
  if (input.tests) report.tests = input.tests;
  if (input.apply) report.apply = applyOf(plan, input.apply);

  const refused = blocking.filter((b) => !b.allowed);
  if (refused.length > 0) report.failures.push(`${refused.length} breaking or destructive change${refused.length === 1 ? '' : 's'} not allowed: ${refused.map((b) => b.model).join(', ')}`);
  if (plan.heldBack.length > 0) report.failures.push(`${plan.heldBack.length} model${plan.heldBack.length === 1 ? '' : 's'} left out because of errors`);
  const tests = input.tests;
  if (tests && tests.failed + tests.errors > 0) report.failures.push(`${tests.failed + tests.errors} unit test${tests.failed + tests.errors === 1 ? '' : 's'} did not pass`);
  if (tests && tests.problems.length > 0) report.failures.push(`${tests.problems.length} problem${tests.problems.length === 1 ? '' : 's'} in the test files`);
  if (report.apply?.error) report.failures.push(`the apply of ${report.apply.environment} failed`);
  report.passed = report.failures.length === 0;
  return report;
}

/**
 * Direct breaking changes and removed models block; so does anything removing or retyping columns. A
 * model indirectly broken follows from its upstream change, which is the one to allow.
 */
function blockingChange(change: PlanChange, allowed: ReadonlySet<string>): BlockingChange | undefined {
  const destructive = change.change === 'removed' || (change.change === 'directly_modified' && change.columns.removed.length + change.columns.retyped.length > 0);
  const breaking = change.change === 'directly_modified' && change.category === 'breaking';
  if (!destructive && !breaking) return undefined;
  return { model: change.model, change: change.change, category: change.category, destructive, reason: change.reason, allowed: allowed.has(change.model) };
}

function auditsOf(input: CiInput): CiAudits {
  if (input.apply && 'result' in input.apply) {
    const { audits, failedAudits } = input.apply.result;
    return { ran: true, ...audits, failures: failedAudits, pending: [] };
  }
  const pending = input.plan.models
    .filter((m) => (m.action === 'build' || m.auditReused || m.missing.length > 0) && m.record.audits.length > 0)
    .map((m) => ({ model: m.record.name, audits: m.record.audits.map((a) => `${a.label}${a.blocking ? '' : ' (non-blocking)'}`) }));
  return { ran: false, run: 0, passed: 0, failed: 0, failures: [], pending };
}

function applyOf(plan: Plan, apply: NonNullable<CiInput['apply']>): CiApply {
  if ('error' in apply) return { environment: plan.environment, built: [], reused: [], processed: [], swapped: false, error: apply.error };
  const r = apply.result;
  return { environment: r.environment, built: r.built, reused: r.reused, processed: r.processed, swapped: r.swapped };
}

/** The changed columns of changed models and the model columns they flow into, as trees. */
function lineageExcerpt(changes: readonly PlanChange[], tree: CiInput['downstreamTree']): CiLineage[] {
  const out: CiLineage[] = [];
  for (const change of changes) {
    if (change.change !== 'directly_modified' && change.change !== 'indirectly_modified') continue;
    for (const impact of change.column_impact) {
      if (out.length >= LINEAGE_COLUMNS) return out;
      const column = `${change.model}.${impact.column}`;
      let lines = renderTree(tree(change.model, impact.column), downstreamLabel);
      // A removed column is gone from the working tree's lineage; the base's readers still name it.
      if (lines.length === 1 && impact.downstream.length > 0) lines = [column, ...impact.downstream.map((d, i) => `${i === impact.downstream.length - 1 ? '└── ' : '├── '}${d}`)];
      if (lines.length === 1) lines.push('└── (no model column reads it)');
      if (lines.length > LINEAGE_LINES) lines = [...lines.slice(0, LINEAGE_LINES - 1), `… ${lines.length - LINEAGE_LINES + 1} more`];
      out.push({ column, change: impact.change, tree: lines });
    }
  }
  return out;
}
