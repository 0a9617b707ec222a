// Plans for people: one block per change with its category, diff, column changes and what they reach, then
// what will be built and backfilled. Also the short label the editor shows above a model.

import { physicalSql, PROD, viewSql } from './names';
import { isWholeQueryIncremental } from './plan';
import type { Plan, PlanChange, PlannedModel } from './types';

export interface FormatOptions {
  /** Show each change's diff (default true). */
  diffs?: boolean;
  /** Name each model's physical table and environment view. */
  verbose?: boolean;
}

/** The groups of the differences tree, in SQLMesh's order. */
const GROUPS: [PlanChange['change'], string][] = [
  ['added', 'Added'],
  ['removed', 'Removed'],
  ['directly_modified', 'Directly Modified'],
  ['indirectly_modified', 'Indirectly Modified'],
  ['metadata', 'Metadata Updated'],
];

const CHANGE_WORDS: Record<PlanChange['change'], string> = {
  added: 'added',
  removed: 'removed',
  directly_modified: 'directly modified',
  indirectly_modified: 'indirectly modified',
  metadata: 'metadata changed',
};

const MARKS: Record<PlanChange['change'], string> = { added: '+', removed: '-', directly_modified: '~', indirectly_modified: '~', metadata: '·' };

export function formatPlan(plan: Plan, options: FormatOptions = {}): string {
  const lines: string[] = [];
  const base = plan.base === null ? 'an empty warehouse' : plan.base === plan.environment ? `its current state` : `${plan.base}`;
  lines.push(`Plan for environment ${plan.environment} (compared with ${base})`);
  if (plan.changes.length === 0) lines.push('', 'No model changes.');
  else lines.push('', ...differencesTree(plan, options.verbose === true));
  for (const change of plan.changes) {
    lines.push('', `${MARKS[change.change]} ${change.model}  ${CHANGE_WORDS[change.change]} · ${change.category.replace('_', '-')}${change.rebuild ? '' : change.change === 'removed' ? '' : ' · no rebuild'}`);
    lines.push(`    ${change.reason}`);
    const cols = change.columns;
    const parts = [
      ...cols.added.map((c) => `+${c}`),
      ...cols.removed.map((c) => `-${c}`),
      ...change.column_impact.filter((i) => i.change === 'retyped').map((i) => `${i.column} ${i.from} → ${i.to}`),
    ];
    if (parts.length > 0 && change.change !== 'added' && change.change !== 'removed') lines.push(`    columns: ${parts.join(', ')}`);
    for (const impact of change.column_impact) {
      if (impact.downstream.length === 0 || change.change === 'added') continue;
      lines.push(`    ${impact.change} ${impact.column} reaches ${impact.downstream.join(', ')}`);
    }
    if (change.impacted.length > 0) lines.push(`    downstream: ${change.impacted.join(', ')}`);
    const diff = change.rendered_diff ?? change.diff;
    if (options.diffs !== false && diff) lines.push(...indentDiff(diff));
  }
  if (plan.heldBack.length > 0) {
    lines.push('', `Left out of the plan because of errors (${plan.environment} keeps what it shows of them; fix them and plan again):`);
    for (const h of plan.heldBack) lines.push(`  ! ${h.model}  ${h.reason}${h.kept ? '' : ` (not in ${plan.environment})`}`);
  }
  const builds = plan.models.filter((m) => m.action === 'build').map((m) => m.record.name);
  const reused = plan.models.filter((m) => m.action === 'reuse').length;
  lines.push('', `Tables to build: ${builds.length === 0 ? 'none' : builds.join(', ')}${reused > 0 ? ` (${reused} reused as they are)` : ''}`);
  const backfill = backfillLines(plan);
  if (backfill.length > 0) lines.push('', 'Models needing backfill:', ...tree(backfill));
  if (plan.empty) lines.push('', `Environment ${plan.environment} is up to date.`);
  else if (plan.environment === PROD && builds.length === 0 && plan.backfill.length === 0) lines.push('', 'Applying only swaps views: nothing is computed.');
  return lines.join('\n') + '\n';
}

/** "Differences from `base`": the changed models grouped as SQLMesh groups them, with category and names. */
function differencesTree(plan: Plan, verbose: boolean): string[] {
  const base = plan.base ?? 'an empty warehouse';
  const groups: { label: string; items: string[] }[] = [];
  const models = new Map(plan.models.map((m) => [m.record.name, m]));
  for (const [change, label] of GROUPS) {
    const items = plan.changes.filter((c) => c.change === change).map((c) => {
      const category = change === 'metadata' ? '' : ` (${change === 'indirectly_modified' ? 'indirect ' : ''}${c.category.replace('_', '-')})`;
      const model = models.get(c.model);
      return `${c.model}${change === 'added' || change === 'removed' ? '' : category}${verbose && model ? `  ${namesOf(model, plan.environment)}` : ''}`;
    });
    if (items.length > 0) groups.push({ label: `${label}:`, items });
  }
  const out = [`Differences from ${plan.base === null ? base : `\`${base}\``}:`];
  groups.forEach((g, i) => {
    const last = i === groups.length - 1;
    out.push(`${last ? '└── ' : '├── '}${g.label}`);
    out.push(...tree(g.items).map((l) => `${last ? '    ' : '│   '}${l}`));
  });
  return out;
}

/** physical table → environment view. */
function namesOf(model: PlannedModel, env: string): string {
  const view = viewSql(model.record.name, env);
  return model.action === 'none' ? `[${model.record.kind.name.toLowerCase()}: no table] ${view}` : `${physicalSql(model.record.name, model.record.version)} → ${view}`;
}

/** Every model the apply computes something for: a full refresh, a recreated view, or intervals. */
function backfillLines(plan: Plan): string[] {
  const intervals = new Map(plan.backfill.map((b) => [b.model, b.intervals]));
  const out: string[] = [];
  for (const m of plan.models) {
    const ranges = intervals.get(m.record.name);
    if (ranges) out.push(`${m.record.name}: ${ranges.map(([s, e]) => (s === e ? s : `${s} .. ${e}`)).join(', ')}${m.restate ? ' [restate]' : ''}`);
    else if (m.action === 'build' && m.record.kind.name === 'VIEW' && !m.record.kind.materialized) out.push(`${m.record.name}: [recreate view]`);
    else if (m.action === 'build' && m.missing.length === 0 && (m.record.kind.name === 'INCREMENTAL_BY_TIME_RANGE' || m.record.kind.name === 'INCREMENTAL_BY_UNIQUE_KEY' || isWholeQueryIncremental(m.record.kind))) out.push(`${m.record.name}: [empty table: no interval due]`);
    else if (m.action === 'build') out.push(`${m.record.name}: [full refresh]`);
  }
  return out;
}

function tree(items: readonly string[]): string[] {
  return items.map((item, i) => `${i === items.length - 1 ? '└── ' : '├── '}${item}`);
}

function indentDiff(diff: string): string[] {
  // The first two lines of jsdiff's output are the "===" separator and the file names; keep from ---.
  const lines = diff.split('\n');
  const start = lines.findIndex((l) => l.startsWith('---'));
  return lines.slice(start < 0 ? 0 : start).filter((l, i, all) => !(i === all.length - 1 && l === '')).map((l) => `    ${l}`);
}

/** A short summary of a change, e.g. "non-breaking · +2 columns · 3 downstream". */
export function changeLabel(change: PlanChange): string {
  const parts: string[] = [change.change === 'metadata' ? 'metadata' : change.change === 'added' ? 'new' : change.change === 'removed' ? 'removed' : change.category.replace('_', '-')];
  if (change.change === 'indirectly_modified') parts[0] = `indirect ${parts[0]}`;
  const { added, removed, retyped } = change.columns;
  if (change.change !== 'added' && change.change !== 'removed') {
    if (added.length > 0) parts.push(`+${added.length} column${added.length === 1 ? '' : 's'}`);
    if (removed.length > 0) parts.push(`-${removed.length} column${removed.length === 1 ? '' : 's'}`);
    if (retyped.length > 0) parts.push(`${retyped.length} retyped`);
  }
  if (change.impacted.length > 0) parts.push(`${change.impacted.length} downstream`);
  return parts.join(' · ');
}
