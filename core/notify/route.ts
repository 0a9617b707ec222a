// Which targets hear of an event, and when: like an on-call rota. A target hears the events it lists, about
// the tags and owners its `when` names; a failure touching something customer_facing pages at any hour,
// anything else waits for the target's working hours (queued, then sent as one digest).

import { withinWorkingHours } from './hours';
import { isCustomerFacing } from './payloads';
import type { NotificationEvent, NotificationTarget } from './types';

export type Route = 'send' | 'queue' | 'skip';

export function routeEvent(target: NotificationTarget, event: NotificationEvent, atMs: number): Route {
  if (!target.events.includes(event.event)) return 'skip';
  // PagerDuty pages on failures; a success only resolves what a failure opened (see notify.ts).
  if (target.type === 'pagerduty' && !event.failure) return 'skip';
  if (!matches(target, event)) return 'skip';
  if (event.failure && isCustomerFacing(event)) return 'send';
  return inWorkingHours(target, atMs) ? 'send' : 'queue';
}

/** Whether the target's tags and owner filters take the event: any subject with any listed tag / owner. */
export function matches(target: NotificationTarget, event: NotificationEvent): boolean {
  const { tags, owners } = target.when;
  if (tags && !event.subjects.some((s) => s.tags?.some((t) => tags.includes(t)))) return false;
  if (owners && !event.subjects.some((s) => s.owner !== undefined && owners.includes(s.owner))) return false;
  return true;
}

export function inWorkingHours(target: NotificationTarget, atMs: number): boolean {
  return target.when.workingHours === undefined || withinWorkingHours(target.when.workingHours, atMs);
}
