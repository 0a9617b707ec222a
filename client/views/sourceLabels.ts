// How the Sources view describes a resource (plain text, no VS Code API): whether a plain run includes it
// and why — sluice.yaml switches it on or off, or says nothing and the resource's own default applies.

import { countOf } from '../../core/labels';
import type { OutlineResource, OutlineSource } from '../../core/protocol';

/** "40 rows · not in sluice.yaml, on by default" */
export function resourceDescription(resource: OutlineResource): string {
  const parts: string[] = [];
  if (resource.lastRows !== undefined) parts.push(countOf(resource.lastRows, 'row'));
  if (resource.setting === 'off') parts.push('off in sluice.yaml');
  if (resource.setting === 'unset') parts.push(`not in sluice.yaml, ${resource.enabled ? 'on' : 'off'} by default`);
  return parts.join(' · ');
}

export function resourceTooltip(resource: OutlineResource, source: OutlineSource): string {
  const lines = [`${resource.name}: ${resource.enabled ? 'runs' : 'does not run'} with the source`];
  if (resource.setting === 'unset') {
    lines.push(
      source.resourcesFrom === 'module'
        ? `sluice.yaml does not mention it, so the resource's own default applies (${resource.enabled ? 'on' : 'selected: false'})`
        : 'sluice.yaml does not mention it; on unless the resource sets selected: false (trust the workspace to know)',
    );
  } else {
    lines.push(`sluice.yaml switches it ${resource.setting}`);
  }
  const columns = resource.columns?.map((c) => `${c.name} ${c.type}`);
  if (columns && columns.length > 0) lines.push('', ...columns);
  return lines.join('\n');
}

/** A sluice.yaml entry for a resource the module does not have: a plain run of the source stops on it. */
export function unknownToggleTooltip(source: string, resource: string): string {
  return `sluice.yaml switches resource ${resource} on or off, but source ${source} has no such resource: a run of ${source} fails until the entry is removed or renamed`;
}
