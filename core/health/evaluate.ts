// The health of model columns and source resources, worked out from what the warehouse recorded (loads,
// builds, audits), the project's lineage and its expectations, at a given time. Pure: no I/O, so it is
// tested on its own and costs little next to reading the tables.
//
// A column is failing when a load of a source it depends on failed after that source's last success, or its
// model's latest audits failed; stale when data it shows is older than a freshness limit; unknown when a
// source it depends on never loaded or its model is not built in the environment; fresh otherwise. A table
// model shows its inputs as of its last build, so the load that fed a column is the newest success from
// before the builds between them (a view shows its inputs live).

import { volumeAnomaly } from './anomaly';
import { resolveHealthTarget } from './target';
import { diffSchemas } from '../schema/diff';
import { durationSetting, formatDuration, mergeSettings, type Freshness, type HealthSettings } from './settings';
import { ago, plural } from './text';
import type {
  Breach, ColumnFilter, ColumnHealth, ColumnSource, FailureRef, HealthModel, HealthOrigin, HealthReport, HealthSources, HealthStatus, LoadFact,
  LoadRef, ModelBuildFact, ModelHealth, SourceHealth, StatusCounts, WarehouseFacts,
} from './types';

/** Loads shown per resource in `volume`. */
const VOLUME_POINTS = 30;

export interface HealthInput {
  environment: string;
  nowMs: number;
  /** Every model of the project, each after the models it reads. */
  models: readonly HealthModel[];
  sources: HealthSources;
  facts: WarehouseFacts;
  /** What to report: a model, a column (`model.column`), a source or a resource (`source.resource`); everything when absent. */
  target?: string;
}

/** A resource as its loads show it. */
interface ResourceView {
  key: string;
  source: string;
  resource: string;
  rootTable: string;
  settings: HealthSettings;
  lastSuccess?: LoadFact;
  lastFailure?: LoadFact;
  /** Successful loads that ran the resource, newest first. */
  history: LoadFact[];
  /** A failure came after the last success (or there never was one). */
  failing: boolean;
}

/** Up to when a model shows a resource's loads: its own last build or an upstream table's; Infinity when live. */
interface Cutoff {
  ms: number;
  by?: string;
}

export function evaluateHealth(input: HealthInput): HealthReport {
  const { facts, nowMs, environment } = input;
  const views = resourceViews(input);
  const select = input.target === undefined ? undefined : resolveHealthTarget(input.target, input.models, new Set(views.keys()));
  const cutoffs = modelCutoffs(input.models, facts);
  const columns: Record<string, ColumnHealth> = {};
  const refs = new Refs();
  for (const model of input.models) {
    const build = facts.environment.models.get(model.key);
    const notBuilt = !facts.environment.exists || (model.expectsBuild && !build);
    const feeds = new Map<string, Feed>();
    const feed = (resource: string): Feed => {
      let known = feeds.get(resource);
      if (!known) feeds.set(resource, (known = feedOf(model, resource, views.get(resource), cutoffs.get(model.key)!, build, notBuilt, nowMs)));
      return known;
    };
    const entries = new Map<HealthOrigin, SourceEntry>();
    const entry = (origin: HealthOrigin): SourceEntry => {
      let known = entries.get(origin);
      if (!known) entries.set(origin, (known = sourceEntry(origin, feed(origin.resourceKey), refs)));
      return known;
    };
    const context: ModelContext = {
      model,
      build,
      notBuilt,
      health: describeModel(model, build),
      entry,
      buildText: describeBuild(model, build, input.environment, input.nowMs),
    };
    for (const column of model.columns) {
      const key = `${model.key}.${column.name}`;
      if (select && !select.columns.has(key)) continue;
      columns[key] = columnHealth(context, column.name, column.origins, input);
    }
  }
  const sources: Record<string, SourceHealth> = {};
  const wanted = select?.resources;
  for (const view of [...views.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    if (wanted && !wanted.has(view.key)) continue;
    sources[view.key] = sourceHealth(view, facts, nowMs);
  }
  const columnCounts = countStatuses(Object.values(columns));
  const sourceCounts = countStatuses(Object.values(sources));
  const bad = [...Object.values(columns), ...Object.values(sources)].some((h) => h.status === 'failing' || h.breach === 'error_after');
  return {
    environment,
    generated_at: new Date(nowMs).toISOString(),
    summary: { columns: columnCounts, sources: sourceCounts, ok: !bad },
    columns,
    sources,
  };
}

// ---------- resources ----------

/** Every resource the project or the warehouse knows: from stored schemas, sluice.yaml, lineage and load records. */
function resourceViews(input: HealthInput): Map<string, ResourceView> {
  const { facts } = input;
  const views = new Map<string, ResourceView>();
  const latestSchema = new Map<string, WarehouseFacts['schemas'][number]>();
  for (const s of facts.schemas) if (!latestSchema.has(s.source)) latestSchema.set(s.source, s);
  const add = (source: string, resource: string): void => {
    const key = resource === '' ? source : `${source}.${resource}`;
    if (views.has(key)) return;
    // The table the resource's items go to; named after it until a schema says otherwise.
    const root = latestSchema.get(source)?.schema.tables.find((t) => t.resource === resource && t.parent === undefined);
    const settings = input.sources[source];
    views.set(key, {
      key, source, resource, rootTable: root?.name ?? resource,
      settings: mergeSettings(settings?.health, settings?.resourceHealth[resource]),
      history: [],
      failing: false,
    });
  };
  for (const s of latestSchema.values()) for (const t of s.schema.tables) add(s.source, t.resource);
  for (const [source, settings] of Object.entries(input.sources)) {
    for (const resource of Object.keys(settings.resourceHealth)) add(source, resource);
    for (const [resource, enabled] of Object.entries(settings.resources ?? {})) if (enabled) add(source, resource);
  }
  for (const model of input.models) for (const c of model.columns) for (const o of c.origins) if (!views.has(o.resourceKey)) add(o.source, o.resource);
  // A source whose every load failed before it stored a schema: known only by name.
  const known = new Set([...views.values()].map((v) => v.source));
  for (const load of facts.loads) if (!known.has(load.source)) add(load.source, '');
  for (const f of facts.lastFailureBySource.values()) if (!known.has(f.source)) add(f.source, '');

  for (const view of views.values()) {
    view.lastSuccess = view.resource === '' ? undefined : facts.lastSuccessByTable.get(`${view.source}.${view.rootTable}`);
    view.lastFailure = latestFailure(facts, view);
    view.failing = view.lastFailure !== undefined && (!view.lastSuccess || view.lastFailure.startedMs > view.lastSuccess.startedMs);
  }
  const bySource = new Map<string, ResourceView[]>();
  for (const view of views.values()) bySource.set(view.source, [...(bySource.get(view.source) ?? []), view]);
  for (const load of facts.loads) {
    if (load.status !== 'loaded') continue;
    for (const view of bySource.get(load.source) ?? []) if (load.rows[view.rootTable] !== undefined) view.history.push(load);
  }
  for (const view of views.values()) {
    view.history.sort(newestFirst);
    // The latest success may be older than the recent loads read for the source.
    if (view.lastSuccess && !view.history.some((l) => l.loadId === view.lastSuccess!.loadId)) {
      view.history.push(view.lastSuccess);
      view.history.sort(newestFirst);
    }
  }
  return views;
}

/**
 * The latest failed load that ran the resource: a load that recorded its resources (a `--resources` run, a
 * resource switched off) counts against those only; one that did not, against every resource of its source.
 */
function latestFailure(facts: WarehouseFacts, view: ResourceView): LoadFact | undefined {
  const concerns = (load: LoadFact | undefined) =>
    load !== undefined && load.status === 'failed' && load.source === view.source && (!load.resources || view.resource === '' || load.resources.includes(view.resource));
  const recent = facts.loads.find(concerns);
  if (recent) return recent;
  const older = facts.lastFailureBySource.get(view.source);
  return concerns(older) ? older : undefined;
}

function sourceHealth(view: ResourceView, facts: WarehouseFacts, nowMs: number): SourceHealth {
  const { lastSuccess, lastFailure, settings } = view;
  const freshness = settings.freshness;
  let status: HealthStatus = 'fresh';
  let breach: Breach | null = null;
  let reason: string;
  if (view.failing) {
    status = 'failing';
    reason = `${describeFailure(view, nowMs)}; ${lastSuccess ? `the last success, ${lastSuccess.loadId}, was ${ago(committedMs(lastSuccess), nowMs)}` : 'it has never loaded successfully'}`;
  } else if (!lastSuccess) {
    status = 'unknown';
    reason = `${view.key} has never been loaded: run sluice ingest ${view.source}`;
  } else {
    const age = nowMs - committedMs(lastSuccess);
    breach = breachOf(age, freshness);
    const rows = lastSuccess.rows[view.rootTable];
    reason = `the last load, ${lastSuccess.loadId}, succeeded ${ago(committedMs(lastSuccess), nowMs)}${rows === undefined ? '' : ` with ${plural(rows, 'row')}`}`;
    if (breach) {
      status = 'stale';
      reason += `, longer ago than its ${breach} of ${durationSetting(limitOf(freshness!, breach))}`;
    }
  }
  const latest = lastSuccess && lastSuccess.rows[view.rootTable] !== undefined ? lastSuccess : undefined;
  const sample = (l: LoadFact) => ({ startedMs: l.startedMs, rows: l.rows[view.rootTable] ?? 0 });
  const anomaly = latest
    ? volumeAnomaly(sample(latest), view.history.filter((l) => l.loadId !== latest.loadId).map(sample), settings.volumeAnomaly)
    : null;
  return {
    status,
    reason: sentence(reason),
    breach,
    owner: settings.owner ?? null,
    tags: settings.tags ?? [],
    freshness: freshness
      ? { warn_after: freshness.warnAfterMs === undefined ? null : durationSetting(freshness.warnAfterMs), error_after: freshness.errorAfterMs === undefined ? null : durationSetting(freshness.errorAfterMs) }
      : null,
    last_success: lastSuccess ? loadRef(lastSuccess, lastSuccess.rows[view.rootTable] ?? null) : null,
    last_failure: lastFailure ? failureRef(lastFailure) : null,
    volume: view.history.slice(0, VOLUME_POINTS).reverse().map((l) => ({ load_id: l.loadId, at: iso(committedMs(l)), rows: l.rows[view.rootTable] ?? 0 })),
    anomaly,
    schema_changes: resourceSchemaChanges(view, facts),
  };
}

function resourceSchemaChanges(view: ResourceView, facts: WarehouseFacts): SourceHealth['schema_changes'] {
  const versions = facts.schemas.filter((s) => s.source === view.source);
  const out: SourceHealth['schema_changes'] = [];
  versions.forEach((version, i) => {
    const before = versions[i + 1];
    // The oldest version read has its predecessor cut off, unless it is the source's first.
    if (!before && version.version > 1) return;
    const mine = (table: string) => version.schema.tables.find((t) => t.name === table)?.resource === view.resource;
    const changes = diffSchemas(before?.schema ?? { ...version.schema, tables: [] }, version.schema).filter((c) => mine(c.table));
    if (changes.length > 0) out.push({ load_id: version.loadId, at: iso(version.createdMs), version: version.version, changes });
  });
  return out;
}

// ---------- models and columns ----------

/** Per model, per resource it depends on: up to when the model shows that resource's loads. */
function modelCutoffs(models: readonly HealthModel[], facts: WarehouseFacts): Map<string, Map<string, Cutoff>> {
  const out = new Map<string, Map<string, Cutoff>>();
  for (const model of models) {
    const mine = new Map<string, Cutoff>();
    const take = (resource: string, cutoff: Cutoff) => {
      const known = mine.get(resource);
      if (!known || cutoff.ms < known.ms) mine.set(resource, cutoff);
    };
    for (const resource of model.reads) take(resource, { ms: Infinity });
    for (const parent of model.parents) for (const [resource, cutoff] of out.get(parent) ?? []) take(resource, cutoff);
    if (model.materialized) {
      const built = facts.environment.models.get(model.key)?.builtMs ?? -Infinity;
      for (const [resource, cutoff] of mine) if (built < cutoff.ms) mine.set(resource, { ms: built, by: model.key });
    }
    out.set(model.key, mine);
  }
  return out;
}

/** How one model sees a resource it depends on: the load it shows, how old that is, and what that makes it. */
interface Feed {
  view?: ResourceView;
  cutoff: Cutoff;
  fed?: LoadFact;
  asOfMs: number | null;
  breach: Breach | null;
  status: HealthStatus;
}

interface SourceEntry {
  feed: Feed;
  role: HealthOrigin['role'];
  entry: ColumnSource | ColumnFilter;
}

/**
 * Load and failure references, made once per load and table: thousands of columns point at the same few
 * loads, and writing their times out again for each would cost more than everything else.
 */
class Refs {
  private readonly loads = new Map<LoadFact, Map<string, LoadRef>>();
  private readonly failures = new Map<LoadFact, FailureRef>();

  load(load: LoadFact, table: string, view: ResourceView | undefined): LoadRef {
    let tables = this.loads.get(load);
    if (!tables) this.loads.set(load, (tables = new Map()));
    let ref = tables.get(table);
    if (!ref) {
      // A child table without rows in a load that ran its resource got none.
      const rows = load.rows[table] ?? (view && load.rows[view.rootTable] !== undefined ? 0 : null);
      tables.set(table, (ref = loadRef(load, rows)));
    }
    return ref;
  }

  failure(load: LoadFact): FailureRef {
    let ref = this.failures.get(load);
    if (!ref) this.failures.set(load, (ref = failureRef(load)));
    return ref;
  }
}

function feedOf(
  model: HealthModel,
  resource: string,
  view: ResourceView | undefined,
  cutoffs: Map<string, Cutoff>,
  build: ModelBuildFact | undefined,
  notBuilt: boolean,
  nowMs: number,
): Feed {
  const own = model.materialized ? (build?.builtMs ?? -Infinity) : Infinity;
  const cutoff = cutoffs.get(resource) ?? { ms: own, by: model.key };
  const fed = view && !notBuilt ? fedBy(view, cutoff) : undefined;
  const asOfMs = fed ? committedMs(fed) : null;
  const breach = asOfMs === null || view?.failing ? null : breachOf(nowMs - asOfMs, view?.settings.freshness);
  let status: HealthStatus = 'fresh';
  if (view?.failing) status = 'failing';
  else if (!view?.lastSuccess) status = 'unknown';
  else if (breach) status = 'stale';
  return { view, cutoff, fed, asOfMs, breach, status };
}

/** What every column of a model shares: its build in the environment, and how it sees each resource. */
interface ModelContext {
  model: HealthModel;
  build?: ModelBuildFact;
  notBuilt: boolean;
  health: ModelHealth;
  /** The entry of a source field, shared by the model's columns that depend on it. */
  entry: (origin: HealthOrigin) => SourceEntry;
  /** How the model was built, as its columns' reasons say it. */
  buildText: string;
}

function sourceEntry(origin: HealthOrigin, feed: Feed, refs: Refs): SourceEntry {
  const { view, fed } = feed;
  if (origin.role === 'filter') {
    return { feed, role: 'filter', entry: { field: origin.column, resource: origin.resourceKey, path: origin.field ?? null, status: feed.status } };
  }
  return {
    feed,
    role: 'value',
    entry: {
      field: origin.column,
      resource: origin.resourceKey,
      path: origin.field ?? null,
      status: feed.status,
      last_success: view?.lastSuccess ? refs.load(view.lastSuccess, origin.table, view) : null,
      last_failure: view?.lastFailure ? refs.failure(view.lastFailure) : null,
      fed_by: fed ? refs.load(fed, origin.table, view) : null,
    },
  };
}

function columnHealth(context: ModelContext, column: string, origins: readonly HealthOrigin[], input: HealthInput): ColumnHealth {
  const { nowMs, environment, facts } = input;
  const { model, build, notBuilt, health: modelHealth } = context;
  // One pass over the fields: the oldest data, the worst breach, the first field in each state, and the
  // value field whose data is oldest (a filter when there is none), which says the most about the column.
  const sources: ColumnSource[] = [];
  const filters: ColumnFilter[] = [];
  let asOfMs: number | null = null;
  let sourceBreach: Breach | null = null;
  let stalest: SourceEntry | undefined;
  let oldest: SourceEntry | undefined;
  const first: Partial<Record<HealthStatus, SourceEntry>> = {};
  for (const origin of origins) {
    const e = context.entry(origin);
    if (e.role === 'value') sources.push(e.entry as ColumnSource);
    else filters.push(e.entry);
    const t = e.feed.asOfMs;
    if (t !== null && (asOfMs === null || t < asOfMs)) asOfMs = t;
    if (e.feed.breach === 'error_after' && sourceBreach !== 'error_after') [sourceBreach, stalest] = ['error_after', e];
    else if (e.feed.breach === 'warn_after' && sourceBreach === null) [sourceBreach, stalest] = ['warn_after', e];
    first[e.feed.status] ??= e;
    if (!oldest || (e.role === oldest.role ? (t ?? 0) < (oldest.feed.asOfMs ?? 0) : e.role === 'value')) oldest = e;
  }
  if (origins.length === 0 && model.materialized && !notBuilt) asOfMs = build?.builtMs ?? null;
  const modelBreach = asOfMs === null ? null : breachOf(nowMs - asOfMs, model.freshness);
  const breach = sourceBreach === 'error_after' || modelBreach === 'error_after' ? 'error_after' : sourceBreach ?? modelBreach;

  const name = `${model.key}.${column}`;
  const failingEntry = first.failing;
  const auditsFailed = build?.audits.state === 'failed';
  let status: HealthStatus;
  let reason: string;
  if (failingEntry || auditsFailed) {
    status = 'failing';
    reason = failingEntry
      ? `${name} depends on ${dependency(failingEntry)}, but ${describeFailure(failingEntry.feed.view!, nowMs)}; ${lastLoadedText(failingEntry, nowMs)}${auditsFailed ? `; the audits of ${model.key} failed too` : ''}`
      : `${name}: ${describeAudits(model.key, build!, environment, nowMs)}`;
  } else if (breach) {
    status = 'stale';
    reason = stalest && stalest.feed.breach === breach
      ? staleText(name, stalest, nowMs, facts)
      : `${name} shows data from ${formatDuration(nowMs - asOfMs!)} ago, longer than the ${breach} of ${model.key} (${durationSetting(limitOf(model.freshness!, breach))})`;
  } else if (notBuilt) {
    status = 'unknown';
    reason = facts.environment.exists
      ? `${model.key} is not built in environment ${environment}: run sluice apply ${environment}`
      : `environment ${environment} does not exist: run sluice apply ${environment}`;
  } else if (first.unknown) {
    status = 'unknown';
    const missing = first.unknown;
    reason = `${name} depends on ${dependency(missing)}, but ${missing.entry.resource} has never been loaded: run sluice ingest ${missing.entry.resource.split('.')[0]}`;
  } else {
    status = 'fresh';
    reason = freshText(name, context.buildText, oldest, sources.length, filters.length, nowMs);
  }
  return {
    status,
    reason: sentence(reason),
    breach,
    as_of: asOfMs === null ? null : iso(asOfMs),
    sources,
    filters,
    model: modelHealth,
  };
}

/** A field as a reason names it. */
function dependency(e: SourceEntry): string {
  return e.role === 'filter' ? `${e.entry.field} (which picks its rows)` : e.entry.field;
}

/** The newest success of the resource from before the cutoff. */
function fedBy(view: ResourceView, cutoff: Cutoff): LoadFact | undefined {
  if (cutoff.ms === Infinity) return view.lastSuccess;
  return view.history.find((l) => committedMs(l) <= cutoff.ms);
}

function describeModel(model: HealthModel, build: ModelBuildFact | undefined): ModelHealth {
  return {
    name: model.key,
    kind: model.kind,
    built_at: build?.builtMs == null ? null : iso(build.builtMs),
    audits: build?.audits.state ?? 'none',
    failed_audits: build?.audits.failed ?? [],
    owner: model.owner ?? null,
    tags: model.tags ?? [],
  };
}

// ---------- sentences ----------

function describeFailure(view: ResourceView, nowMs: number): string {
  const f = view.lastFailure!;
  return `the last load of ${view.source}, ${f.loadId}, failed ${ago(committedMs(f), nowMs)}: ${(f.error ?? 'no error was recorded').replace(/[.\s]+$/, '')}`;
}

function lastLoadedText(e: SourceEntry, nowMs: number): string {
  const success = e.feed.view?.lastSuccess;
  return success
    ? `${e.entry.field} was last loaded ${ago(committedMs(success), nowMs)}`
    : `${e.entry.resource} has never loaded successfully`;
}

function describeAudits(model: string, build: ModelBuildFact, environment: string, nowMs: number): string {
  const failed = build.audits.failed.map((a) => (a.error ? `${a.audit} could not run (${a.error})` : `${a.audit} found ${plural(a.violations, 'row')}`));
  const when = build.audits.ranMs === null ? '' : ` ${ago(build.audits.ranMs, nowMs)}`;
  return `the audits of ${model} failed in ${environment}${when}: ${failed.join(', ')}`;
}

function staleText(name: string, e: SourceEntry, nowMs: number, facts: WarehouseFacts): string {
  const { view, fed, cutoff } = e.feed as Required<Feed>;
  const breach = e.feed.breach!;
  const limit = `longer than the ${breach} of ${view.key} (${durationSetting(limitOf(view.settings.freshness!, breach))})`;
  const newer = view.lastSuccess && view.lastSuccess.loadId !== fed.loadId ? view.lastSuccess : undefined;
  if (newer && cutoff.by) {
    const built = facts.environment.models.get(cutoff.by)?.builtMs;
    return `${name} shows ${dependency(e)} as of load ${fed.loadId} from ${ago(committedMs(fed), nowMs)}, ${limit}: ${cutoff.by} was last built ${built == null ? 'before the newer loads' : ago(built, nowMs)}, before load ${newer.loadId} of ${ago(committedMs(newer), nowMs)}`;
  }
  return `${name} shows ${dependency(e)} from load ${fed.loadId}, which finished ${ago(committedMs(fed), nowMs)}: ${limit}`;
}

function freshText(name: string, modelPart: string, first: SourceEntry | undefined, valueCount: number, filterCount: number, nowMs: number): string {
  if (!first) return `${name} depends on no source field; ${modelPart}`;
  const values = valueCount - (first.role === 'value' ? 1 : 0);
  const filters = filterCount - (first.role === 'filter' ? 1 : 0);
  const fed = first.feed.fed!;
  const rows = first.role === 'value' ? (first.entry as ColumnSource).fed_by?.rows : first.feed.fed?.rows[first.feed.view!.rootTable];
  const lastSuccess = first.feed.view?.lastSuccess;
  const newer = lastSuccess && lastSuccess.loadId !== fed.loadId ? lastSuccess : undefined;
  const load = newer ? `load ${fed.loadId} (a newer one, ${newer.loadId}, is not built in yet)` : `last load ${fed.loadId}`;
  const also = [values > 0 ? plural(values, 'more field') : '', filters > 0 ? `${plural(filters, 'field')} that pick its rows` : ''].filter(Boolean);
  const verb = first.role === 'value' ? 'comes from' : 'has its rows picked by';
  return `${name} ${verb} ${first.entry.field}, whose ${load} succeeded ${ago(committedMs(fed), nowMs)}${rows == null ? '' : ` with ${plural(rows, 'row')}`}${also.length > 0 ? ` (it also depends on ${also.join(' and ')})` : ''}; ${modelPart}`;
}

function describeBuild(model: HealthModel, build: ModelBuildFact | undefined, environment: string, nowMs: number): string {
  const audits = build?.audits.state === 'passed' ? ' and its audits passed' : '';
  if (!model.expectsBuild) return `${model.key} is ${model.kind === 'EMBEDDED' ? 'embedded in the models reading it' : 'an external table'}`;
  const when = build?.builtMs == null ? '' : ` ${ago(build.builtMs, nowMs)}`;
  if (!model.materialized) return `the model is a view in ${environment}, created${when}${audits}`;
  return `the model was built in ${environment}${when}${audits}`;
}

// ---------- small helpers ----------

function breachOf(ageMs: number, freshness: Freshness | undefined): Breach | null {
  if (!freshness) return null;
  if (freshness.errorAfterMs !== undefined && ageMs > freshness.errorAfterMs) return 'error_after';
  if (freshness.warnAfterMs !== undefined && ageMs > freshness.warnAfterMs) return 'warn_after';
  return null;
}

function limitOf(freshness: Freshness, breach: Breach): number {
  return (breach === 'error_after' ? freshness.errorAfterMs : freshness.warnAfterMs)!;
}

/** When a load's data became visible: its commit, or its start for a record without an end. */
function committedMs(load: LoadFact): number {
  return load.finishedMs ?? load.startedMs;
}

function newestFirst(a: LoadFact, b: LoadFact): number {
  return b.startedMs - a.startedMs || (a.loadId < b.loadId ? 1 : a.loadId > b.loadId ? -1 : 0);
}

function loadRef(load: LoadFact, rows: number | null): LoadRef {
  return {
    load_id: load.loadId,
    at: iso(committedMs(load)),
    started_at: iso(load.startedMs),
    duration_ms: load.finishedMs === null ? null : load.finishedMs - load.startedMs,
    rows,
  };
}

function failureRef(load: LoadFact): FailureRef {
  return {
    load_id: load.loadId,
    at: iso(committedMs(load)),
    started_at: iso(load.startedMs),
    duration_ms: load.finishedMs === null ? null : load.finishedMs - load.startedMs,
    error: load.error ?? '',
  };
}

/** Ends the reason with one full stop, whatever an error message quoted in it ended with. */
function sentence(text: string): string {
  return `${text.replace(/[.\s]+$/, '')}.`;
}

/** Many columns and loads share their times: each is formatted once per evaluation's worth of times. */
const isoTexts = new Map<number, string>();

function iso(ms: number): string {
  let text = isoTexts.get(ms);
  if (text === undefined) {
    if (isoTexts.size > 50_000) isoTexts.clear();
    text = new Date(ms).toISOString();
    isoTexts.set(ms, text);
  }
  return text;
}

function countStatuses(items: { status: HealthStatus }[]): StatusCounts {
  const counts: StatusCounts = { fresh: 0, stale: 0, failing: 0, unknown: 0 };
  for (const item of items) counts[item.status]++;
  return counts;
}

