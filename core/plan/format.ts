// Plans for people: one block per change with its category, diff, column changes and what they reach, then
// what will be built and backfilled. Also the short label the editor shows above a model.

import { PROD } from './names';
import type { Plan, PlanChange } from './types';

const CHANGE_WORDS: Record<PlanChange['change'], string> = {
  added: 'added',
  removed: 'removed',
  directly_modified: 'directly modified',
  indirectly_modified: 'indirectly modified',
  metadata: 'metadata changed',
};

const MARKS: Record<PlanChange['change'], string> = { added: '+', removed: '-', directly_modified: '~', indirectly_modified: '~', metadata: '·' };

export function formatPlan(plan: Plan, options: { diffs?: boolean } = {}): string {
  const lines: string[] = [];
  const base = plan.base === null ? 'an empty warehouse' : plan.base === plan.environment ? `its current state` : `${plan.base}`;
  lines.push(`Plan for environment ${plan.environment} (compared with ${base})`);
  if (plan.changes.length === 0) lines.push('', 'No model changes.');
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
    if (options.diffs !== false && change.diff) lines.push(...indentDiff(change.diff));
  }
  if (plan.heldBack.length > 0) {
    lines.push('', `Left out of the plan because of errors (${plan.environment} keeps what it shows of them; fix them and plan again):`);
    for (const h of plan.heldBack) lines.push(`  ! ${h.model}  ${h.reason}${h.kept ? '' : ` (not in ${plan.environment})`}`);
  }
  const builds = plan.models.filter((m) => m.action === 'build').map((m) => m.record.name);
  const reused = plan.models.filter((m) => m.action === 'reuse').length;
  lines.push('', `Tables to build: ${builds.length === 0 ? 'none' : builds.join(', ')}${reused > 0 ? ` (${reused} reused as they are)` : ''}`);
  if (plan.backfill.length > 0) {
    lines.push('Backfill:');
    for (const b of plan.backfill) lines.push(`  ${b.model}: ${b.intervals.map(([s, e]) => (s === e ? s : `${s} .. ${e}`)).join(', ')}`);
  }
  if (plan.empty) lines.push('', `Environment ${plan.environment} is up to date.`);
  else if (plan.environment === PROD && builds.length === 0 && plan.backfill.length === 0) lines.push('', 'Applying only swaps views: nothing is computed.');
  return lines.join('\n') + '\n';
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
