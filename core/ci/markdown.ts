// The pull-request comment `sluice ci` writes: Markdown, no links, starting with a hidden marker so a
// workflow finds its own comment and updates it instead of adding another.

import type { PlanChange } from '../plan/types';
import type { CiReport } from './report';

/** The first line of every comment: how a workflow recognizes the sticky comment. */
export const CI_MARKER = '<!-- sluice-ci -->';

const CHANGE_WORDS: Record<PlanChange['change'], string> = {
  added: 'added',
  removed: 'removed',
  directly_modified: 'directly modified',
  indirectly_modified: 'indirectly modified',
  metadata: 'metadata',
};

/** At most this many diff lines per model in the comment. */
const DIFF_LINES = 80;

export function ciMarkdown(report: CiReport): string {
  const out: string[] = [CI_MARKER];
  const target = report.environment === report.base ? `\`${report.base}\`` : `\`${report.environment}\` vs \`${report.base}\``;
  out.push(`## Sluice plan: ${target}`, '');
  out.push(report.passed ? `**✅ Passed:** ${passedText(report)}.` : `**❌ Failed:** ${report.failures.join('; ')}.`, '');

  const counts = (Object.keys(report.summary) as PlanChange['change'][]).filter((k) => report.summary[k] > 0).map((k) => `${report.summary[k]} ${CHANGE_WORDS[k]}`);
  out.push('### Summary', '');
  out.push(counts.length === 0 ? `No model changes against \`${report.base}\`.` : `${counts.join(', ')}.`);
  out.push(`Tables to build: ${report.build.length === 0 ? 'none' : report.build.map(code).join(', ')}${report.reuse > 0 ? ` (${report.reuse} reused as they are)` : ''}.`);
  if (report.backfill.length > 0) out.push(`Backfill: ${report.backfill.map((b) => `${code(b.model)} ${b.intervals.map(([s, e]) => (s === e ? s : `${s} .. ${e}`)).join(', ')}`).join('; ')}.`);
  out.push('');

  if (report.changes.length > 0) {
    out.push('### Changes', '', '| Model | Change | Category | Columns | Downstream | Build |', '| --- | --- | --- | --- | --- | --- |');
    for (const c of report.changes) {
      const columns = c.change === 'added' || c.change === 'removed' ? '' : columnSummary(c);
      const build = c.change === 'removed' ? '' : c.rebuild ? 'rebuild' : 'reuse';
      out.push(`| ${code(c.model)} | ${CHANGE_WORDS[c.change]} | ${cell(c.category.replace('_', '-'))} | ${cell(columns)} | ${c.impacted.length} | ${build} |`);
    }
    out.push('');
  }

  if (report.blocking.length > 0) {
    out.push('### Breaking and destructive changes', '');
    for (const b of report.blocking) {
      const kind = b.destructive ? (b.category === 'breaking' && b.change !== 'removed' ? 'breaking, destructive' : 'destructive') : 'breaking';
      const verdict = b.allowed ? 'Allowed with `--allow-breaking`.' : `**Blocks the merge**; accept it with \`--allow-breaking ${b.model}\`.`;
      out.push(`- ${code(b.model)} — ${kind}: ${inline(b.reason)}. ${verdict}`);
    }
    out.push('');
  }
  if (report.unusedAllowances.length > 0) out.push(`Allowed but not breaking in this plan: ${report.unusedAllowances.map(code).join(', ')}.`, '');

  const impacts = report.changes
    .filter((c) => c.change === 'directly_modified' || c.change === 'indirectly_modified')
    .flatMap((c) => c.column_impact.map((i) => ({ model: c.model, ...i })));
  if (impacts.length > 0) {
    out.push('### Column changes', '', '| Column | Change | Downstream impact |', '| --- | --- | --- |');
    for (const i of impacts) {
      const change = i.change === 'retyped' ? `retyped ${i.from} → ${i.to}` : i.change;
      out.push(`| ${code(`${i.model}.${i.column}`)} | ${cell(change)} | ${i.downstream.length === 0 ? 'none' : i.downstream.map(code).join(', ')} |`);
    }
    out.push('');
  }
  if (report.lineage.length > 0) {
    out.push('### Lineage of changed columns', '');
    out.push(...fenced('text', report.lineage.flatMap((l, i) => [...(i > 0 ? [''] : []), `${l.tree[0]}  (${l.change})`, ...l.tree.slice(1)])), '');
  }

  if (report.heldBack.length > 0) {
    out.push('### Left out because of errors', '');
    for (const h of report.heldBack) out.push(`- ${code(h.model)}: ${inline(h.reason)}`);
    out.push('');
  }

  out.push('### Unit tests', '');
  const t = report.tests;
  if (!t) out.push('Skipped (`--skip-tests`).');
  else {
    const total = t.passed + t.failed + t.errors;
    out.push(total === 0 ? 'No unit tests in the project.' : `${t.passed} passed, ${t.failed} failed, ${t.errors} errors.`);
    for (const f of t.failures) out.push(`- ${f.status === 'failed' ? 'FAIL' : 'ERROR'} ${code(f.name)} (${code(f.model)}, ${inline(f.where)})${f.message ? `: ${inline(f.message)}` : ''}`);
    for (const p of t.problems) out.push(`- ${inline(p)}`);
  }
  out.push('');

  out.push('### Audits', '');
  const a = report.audits;
  if (a.ran) {
    out.push(a.run === 0 ? 'No audit ran: nothing audited was built.' : `${a.run} run, ${a.passed} passed, ${a.failed} failed (non-blocking).`);
    for (const f of a.failures) out.push(`- ${code(f.model)} ${code(f.audit)}: ${f.error ? inline(f.error) : `${f.violations} row${f.violations === 1 ? '' : 's'}`}${f.blocking ? '' : ' (non-blocking)'}`);
  } else if (report.apply?.error) {
    out.push(`Not all ran: the apply stopped (see below).`);
  } else if (a.pending.length === 0) {
    out.push('No audits on the models this plan builds.');
  } else {
    out.push('Run when the plan is applied (`sluice ci --apply --env ...`):');
    for (const p of a.pending) out.push(`- ${code(p.model)}: ${p.audits.map(code).join(', ')}`);
  }
  out.push('');

  if (report.apply) {
    out.push('### Environment', '');
    const ap = report.apply;
    if (ap.error) out.push(`Applying ${code(ap.environment)} failed; it is unchanged: ${inline(ap.error)}`);
    else {
      out.push(`${code(ap.environment)} ${ap.swapped ? 'now shows this pull request' : 'was already up to date'}: built ${ap.built.length}, reused ${ap.reused.length}. Query it in the \`<schema>__${ap.environment}\` schemas.`);
    }
    out.push('');
  }

  const diffs = report.changes.filter((c) => c.diff && c.change === 'directly_modified');
  if (diffs.length > 0) {
    out.push('<details><summary>Model diffs</summary>', '');
    for (const c of diffs) {
      const lines = c.diff.replace(/\n$/, '').split('\n');
      const shown = lines.length > DIFF_LINES ? [...lines.slice(0, DIFF_LINES), `… ${lines.length - DIFF_LINES} more lines`] : lines;
      out.push(...fenced('diff', shown), '');
    }
    out.push('</details>', '');
  }
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

function passedText(report: CiReport): string {
  const allowed = report.blocking.length;
  const parts = [allowed === 0 ? 'no breaking or destructive changes' : `${allowed} breaking or destructive change${allowed === 1 ? '' : 's'} allowed`];
  const t = report.tests;
  if (!t) parts.push('unit tests skipped');
  else if (t.passed > 0) parts.push(`${t.passed} unit test${t.passed === 1 ? '' : 's'} passed`);
  return parts.join(', ');
}

function columnSummary(c: PlanChange): string {
  return [
    ...c.columns.added.map((x) => `+${x}`),
    ...c.columns.removed.map((x) => `-${x}`),
    ...c.column_impact.filter((i) => i.change === 'retyped').map((i) => `${i.column} ${i.from} → ${i.to}`),
  ].join(', ');
}

/** An identifier in backticks (a backtick inside is doubled away: names hardly ever hold one). */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** Text inside a table cell: one line, pipes escaped. */
function cell(text: string): string {
  return inline(text).replace(/\|/g, '\\|');
}

/** Free text on one line, without HTML a comment would render. */
function inline(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A fenced block whose fence is longer than any backtick run inside it. */
function fenced(lang: string, lines: readonly string[]): string[] {
  const longest = Math.max(2, ...lines.map((l) => Math.max(0, ...[...l.matchAll(/`+/g)].map((m) => m[0].length))));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang}`, ...lines, fence];
}
