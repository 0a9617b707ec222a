// The events commands report, each built from what the command already knows: its result, and the owners
// and tags of the sources and models it touched (routing and severity go by them).

import { now } from '../clock';
import type { HealthReport } from '../health/types';
import { mergeSettings } from '../health/settings';
import type { IngestResult } from '../ingest/pipeline';
import type { FailedAudit } from '../plan/apply';
import { sourceSettings, type Project } from '../project/config';
import type { NotificationEvent, Subject } from './types';

/** Owner and tags of a model, as its MODEL block states them. */
export type ModelInfo = (model: string) => { owner?: string; tags?: string[] } | undefined;

function base(project: Project): Pick<NotificationEvent, 'at' | 'project'> {
  return { at: now().toISOString(), project: project.name };
}

export function eventKey(project: Project, ...parts: string[]): string {
  return ['sluice', project.name, ...parts].join('/');
}

/** The error's first line: enough to see what broke, short enough for a page. */
export function firstLine(error: string): string {
  return error.trim().split('\n')[0].slice(0, 500);
}

function withOwnership(subject: Subject, settings: { owner?: string | null; tags?: string[] }): Subject {
  return { ...subject, ...(settings.owner ? { owner: settings.owner } : {}), ...(settings.tags?.length ? { tags: settings.tags } : {}) };
}

export function sourceSubjects(project: Project, source: string, resources: readonly string[]): Subject[] {
  const settings = sourceSettings(project, source);
  // A failure before the run knew its resources touches every resource the project configures.
  const names = resources.length > 0 ? resources : Object.keys(settings.resourceHealth);
  return [
    withOwnership({ kind: 'source', name: source }, settings.health),
    ...names.map((r) => withOwnership({ kind: 'resource', name: `${source}.${r}` }, mergeSettings(settings.health, settings.resourceHealth[r]))),
  ];
}

export function modelSubjects(models: readonly string[], info: ModelInfo): Subject[] {
  return models.map((name) => withOwnership({ kind: 'model', name }, info(name) ?? {}));
}

export function ingestEvent(project: Project, result: IngestResult, command: string): NotificationEvent {
  const rows = Object.values(result.tables).reduce((sum, t) => sum + t.rows, 0);
  const ok = result.status === 'loaded';
  const tables = Object.keys(result.tables).length;
  return {
    event: ok ? 'ingest_succeeded' : 'ingest_failed',
    ...base(project),
    summary: ok
      ? `${result.source} loaded ${rows.toLocaleString('en-US')} rows into ${tables} table${tables === 1 ? '' : 's'} in ${(result.duration_ms / 1000).toFixed(1)} s (load ${result.load_id}).`
      : `the ingest of ${result.source} failed${result.load_id ? ` (load ${result.load_id})` : ''}: ${firstLine(result.error ?? 'unknown error')}`,
    subjects: sourceSubjects(project, result.source, result.resources),
    key: eventKey(project, 'ingest', result.source),
    failure: !ok,
    load_id: result.load_id,
    rows,
    duration_ms: result.duration_ms,
    ...(ok ? {} : { error: firstLine(result.error ?? 'unknown error') }),
    command,
  };
}

export interface ApplyOutcome {
  environment: string;
  /** run: `sluice run`; apply: `sluice apply`. */
  kind: 'apply' | 'run';
  /** Models built or processed; for a failure, the models the plan meant to build. */
  models: string[];
  durationMs?: number;
  error?: string;
  failedAudits: FailedAudit[];
}

/** plan_applied or apply_failed, plus one audit_failed per model whose audits found rows. */
export function applyEvents(project: Project, outcome: ApplyOutcome, info: ModelInfo, command: string): NotificationEvent[] {
  const env = outcome.environment;
  const models = modelSubjects(outcome.models, info);
  const subjects = models.length > 0 ? models : [{ kind: 'environment' as const, name: env }];
  const verb = outcome.kind === 'run' ? 'run' : 'apply';
  const events: NotificationEvent[] = [{
    event: outcome.error === undefined ? 'plan_applied' : 'apply_failed',
    ...base(project),
    summary: outcome.error === undefined
      ? `${env}: ${verb} finished${outcome.models.length > 0 ? `, ${outcome.models.length} model${outcome.models.length === 1 ? '' : 's'} built or processed` : ', nothing to build'}.`
      : `the ${verb} of ${env} failed: ${firstLine(outcome.error)}`,
    subjects,
    key: eventKey(project, verb, env),
    failure: outcome.error !== undefined,
    environment: env,
    ...(outcome.durationMs === undefined ? {} : { duration_ms: Math.round(outcome.durationMs) }),
    ...(outcome.error === undefined ? {} : { error: firstLine(outcome.error) }),
    command,
  }];
  const byModel = new Map<string, FailedAudit[]>();
  for (const a of outcome.failedAudits) byModel.set(a.model, [...(byModel.get(a.model) ?? []), a]);
  for (const [model, audits] of byModel) {
    const described = audits.map((a) => (a.error ? `${a.audit} could not run (${firstLine(a.error)})` : `${a.audit} found ${a.violations} row${a.violations === 1 ? '' : 's'}`));
    events.push({
      event: 'audit_failed',
      ...base(project),
      summary: `${model} in ${env}: ${described.join('; ')}.`,
      subjects: modelSubjects([model], info),
      key: eventKey(project, 'audit', env, model),
      failure: true,
      environment: env,
      error: firstLine(described[0]),
      command,
      details: { audits },
    });
  }
  return events;
}

export interface FailedTest {
  name: string;
  model: string;
  file: string;
  message?: string;
}

/** One test_failed per model whose unit tests failed. */
export function testEvents(project: Project, failed: readonly FailedTest[], info: ModelInfo): NotificationEvent[] {
  const byModel = new Map<string, FailedTest[]>();
  for (const t of failed) byModel.set(t.model, [...(byModel.get(t.model) ?? []), t]);
  return [...byModel].map(([model, tests]) => ({
    event: 'test_failed' as const,
    ...base(project),
    summary: `${tests.length} unit test${tests.length === 1 ? '' : 's'} of ${model} failed: ${tests.map((t) => t.name).join(', ')}.`,
    subjects: modelSubjects([model], info),
    key: eventKey(project, 'test', model),
    failure: true,
    ...(tests[0].message ? { error: firstLine(tests[0].message) } : {}),
    command: `sluice test ${tests.length === 1 ? `${tests[0].file}::${tests[0].name}` : model}`,
    details: { tests },
  }));
}

/** The keys a report judged: its resources and the models of its columns. */
export function judgedKeys(project: Project, report: HealthReport): string[] {
  const models = new Set(Object.values(report.columns).map((c) => c.model.name));
  return [...Object.keys(report.sources), ...models].map((name) => eventKey(project, 'freshness', name));
}

export interface Breach {
  key: string;
  breach: string;
  event: NotificationEvent;
}

/** Every resource and model the report finds stale or failing, as freshness_breached events keyed by it. */
export function freshnessBreaches(project: Project, report: HealthReport): Breach[] {
  const out: Breach[] = [];
  for (const [name, s] of Object.entries(report.sources)) {
    if (s.status !== 'stale' && s.status !== 'failing') continue;
    const breach = s.status === 'failing' ? 'failing' : s.breach ?? 'stale';
    const key = eventKey(project, 'freshness', name);
    out.push({ key, breach, event: breachEvent(project, report, key, [withOwnership({ kind: 'resource', name }, s)], `${name}: ${s.reason}`, breach) });
  }
  const models = new Map<string, { reason: string; breach: string; owner: string | null; tags: string[] }>();
  for (const c of Object.values(report.columns)) {
    if ((c.status !== 'stale' && c.status !== 'failing') || models.has(c.model.name)) continue;
    models.set(c.model.name, { reason: c.reason, breach: c.status === 'failing' ? 'failing' : c.breach ?? 'stale', owner: c.model.owner, tags: c.model.tags });
  }
  for (const [name, m] of models) {
    const key = eventKey(project, 'freshness', name);
    const subject = withOwnership({ kind: 'model', name }, m);
    out.push({ key, breach: m.breach, event: breachEvent(project, report, key, [subject], m.reason, m.breach) });
  }
  return out;
}

function breachEvent(project: Project, report: HealthReport, key: string, subjects: Subject[], reason: string, breach: string): NotificationEvent {
  return {
    event: 'freshness_breached',
    ...base(project),
    summary: reason,
    subjects,
    key,
    failure: true,
    environment: report.environment,
    command: `sluice health ${subjects[0].name} --env ${report.environment}`,
    details: { breach },
  };
}
