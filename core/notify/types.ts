// What alerts are made of: the targets sluice.yaml names, and the events commands report to them.

export const EVENT_KINDS = [
  'ingest_succeeded',
  'ingest_failed',
  'plan_applied',
  'apply_failed',
  'audit_failed',
  'freshness_breached',
  'test_failed',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const TARGET_TYPES = ['slack', 'webhook', 'pagerduty'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** Days (0 = Sunday) and minutes of the day, in a time zone, when people are at work. */
export interface WorkingHours {
  text: string;
  days: number[];
  startMinute: number;
  endMinute: number;
  timeZone: string;
}

export interface NotificationTarget {
  /** The target's name: its `name`, else `<type>` or `<type>-<n>` (what `notify test` and the records use). */
  name: string;
  type: TargetType;
  /** As written, `${secrets.X}` unresolved: secrets are looked up only when something is sent. */
  url?: string;
  routingKey?: string;
  events: EventKind[];
  when: { tags?: string[]; owners?: string[]; workingHours?: WorkingHours };
  /** How long one attempt may take (default 5 s). */
  timeoutMs?: number;
}

/** Something an event is about, with the ownership it is routed and ranked by. */
export interface Subject {
  kind: 'source' | 'resource' | 'model' | 'environment';
  name: string;
  owner?: string;
  tags?: string[];
}

export interface NotificationEvent {
  event: EventKind;
  /** When it happened (the clock, so SLUICE_NOW moves it). */
  at: string;
  project: string;
  /** One line: what happened. */
  summary: string;
  subjects: Subject[];
  /** PagerDuty's dedup_key: one per source, model or environment, so a success resolves what a failure opened. */
  key: string;
  /** Whether this event is a failure (it may trigger an incident) or a success (it resolves one). */
  failure: boolean;
  environment?: string;
  load_id?: string | null;
  rows?: number;
  duration_ms?: number;
  /** The error's first line (secrets masked). */
  error?: string;
  /** The command that reproduces it. */
  command: string;
  details?: Record<string, unknown>;
}

/** A success that closes incidents by key (every target that was triggered gets a resolve). */
export interface Resolution {
  keys: string[];
  /** Closes every open incident whose key starts with one of these (e.g. every test of the project). */
  prefixes?: string[];
}
