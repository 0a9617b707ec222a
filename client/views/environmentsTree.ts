// What the Environments view shows, as plain text (no VS Code API, so it can be tested on its own): when
// each environment was last applied, relative to now, by whom, when it expires, and the models it shows
// differently from prod.

import { countOf } from '../../core/labels';
import type { EnvironmentInfo, EnvironmentOverride } from '../../core/protocol';
import { exactTime, relativeTime } from '../format';

/** "applied 2 h ago · 3 differ from prod · 12 models · the editor's": what matters first, the side bar is narrow. */
export function environmentDescription(env: EnvironmentInfo, editorEnvironment: string, now: number): string {
  const parts: string[] = [];
  const when = env.updatedAt ? relativeTime(env.updatedAt, now) : undefined;
  if (when) parts.push(`applied ${when}`);
  if (env.overrides) parts.push(env.overrides.length === 0 ? 'same as prod' : `${env.overrides.length} differ${env.overrides.length === 1 ? 's' : ''} from prod`);
  if (env.models !== undefined) parts.push(countOf(env.models, 'model'));
  if (env.expired) parts.push('expired');
  if (env.name === editorEnvironment) parts.push("the editor's");
  return parts.join(' · ');
}

export function environmentTooltip(env: EnvironmentInfo, editorEnvironment: string): string {
  const lines = [`Environment ${env.name}${env.name === editorEnvironment ? " (the editor's environment)" : ''}`];
  if (env.updatedAt) lines.push(`last applied ${exactTime(env.updatedAt)}${env.appliedBy ? ` by ${env.appliedBy}` : ''}`);
  else lines.push('not applied yet');
  if (env.createdBy) lines.push(`created by ${env.createdBy}`);
  if (env.expiresAt) lines.push(`${env.expired ? 'expired' : 'expires'} ${exactTime(env.expiresAt)}${env.expired ? ' (sluice janitor removes it)' : ''}`);
  if (env.models !== undefined) lines.push(countOf(env.models, 'model'));
  if (env.overrides && env.overrides.length > 0) {
    lines.push('', 'Differs from prod:', ...env.overrides.map((o) => `  ${overrideDescription(o)}: ${o.model}`));
  }
  return lines.join('\n');
}

const CHANGE_WORDS: Record<EnvironmentOverride['change'], string> = {
  added: 'not in prod',
  changed: 'changed',
  removed: 'only in prod',
};

export function overrideDescription(o: EnvironmentOverride): string {
  return CHANGE_WORDS[o.change];
}
