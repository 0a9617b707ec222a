// restApiSource: a Sluice source built from a declarative REST API config. Each configured resource becomes
// an ordinary resource (a dependent one a transformer of its parent), so normalization, contracts, load
// packages, state and the CLI treat it like a hand-written source.

import { createHash } from 'node:crypto';
import { SluiceError } from '../../errors';
import { isPlainObject } from '../../ingest/extract/describe';
import { IncrementalFilter } from '../../ingest/extract/incremental';
import type { Item, Logger, ResourceContext, ResourceDef, SourceDef } from '../../ingest/types';
import type { ResourceState } from '../../ingest/package';
import { authenticator } from './auth';
import { RateLimiter, RestClient, type Request } from './client';
import type { ClientConfig, ResponseAction, RestApiConfig } from './config';
import { createPaginator } from './paginators';
import { type ResourcePlan, planResources } from './resources';
import { bindEndpoint, parentValues } from './resolve';
import { Masker, resolveSecrets } from './secrets';
import { detectSelector, selectItems } from './selector';
import { validateRestApiConfig } from './validate';

const DEFAULT_TIMEOUT_S = 60;
const DEFAULT_MAX_RETRIES = 5;
const DEFAULT_BACKOFF_S = 1;

/** The plans behind each source restApiSource built, for trying an endpoint from the editor. */
const builtSources = new WeakMap<SourceDef, { client: ClientConfig; plans: ResourcePlan[] }>();

export function restSourcePlans(source: SourceDef): { client: ClientConfig; plans: ResourcePlan[] } | undefined {
  return builtSources.get(source);
}

export function restApiSource(config: RestApiConfig): SourceDef {
  const valid = validateRestApiConfig(config);
  const plans = planResources(valid);
  const runs = new WeakMap<object, Run>();
  // One Run per ingest: every resource of a run gets the same ctx.secrets object.
  const runOf = (ctx: ResourceContext) => {
    let run = runs.get(ctx.secrets);
    if (!run) runs.set(ctx.secrets, (run = new Run(valid.client, ctx.secrets)));
    return run;
  };
  const source: SourceDef = { name: valid.name, resources: plans.map((plan) => resourceDef(plan, runOf)) };
  builtSources.set(source, { client: valid.client, plans });
  return source;
}

/** What one ingest of the source shares across resources: resolved client settings, secrets to mask, the rate limit. */
export class Run {
  readonly masker: Masker;
  readonly client: RestClient;
  readonly baseUrl: string;
  readonly secrets: Record<string, string | undefined>;
  readonly paginator: ClientConfig['paginator'];

  constructor(config: ClientConfig, secrets: Record<string, string | undefined>) {
    this.masker = new Masker(secrets);
    this.secrets = secrets;
    const client = resolveSecrets(config, secrets, 'client', this.masker);
    this.baseUrl = client.base_url.endsWith('/') ? client.base_url : `${client.base_url}/`;
    this.paginator = client.paginator;
    this.client = new RestClient({
      headers: client.headers ?? {},
      auth: authenticator(client.auth, this.masker),
      timeoutMs: (client.timeout ?? DEFAULT_TIMEOUT_S) * 1000,
      maxRetries: client.max_retries ?? DEFAULT_MAX_RETRIES,
      backoffMs: (client.backoff_seconds ?? DEFAULT_BACKOFF_S) * 1000,
      limiter: new RateLimiter(client.requests_per_second),
      masker: this.masker,
    });
  }

  /** An absolute endpoint URL: relative paths join base_url (a leading slash does not drop base_url's path). */
  url(path: string, params: Record<string, unknown>): URL {
    const url = /^https?:\/\//i.test(path) ? new URL(path) : new URL(path.replace(/^\/+/, ''), this.baseUrl);
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    return url;
  }
}

function resourceDef(plan: ResourcePlan, runOf: (ctx: ResourceContext) => Run): ResourceDef {
  const { config, dependency, incremental } = plan;
  const def: ResourceDef = { name: config.name };
  if (config.table_name !== undefined) def.table = config.table_name;
  if (config.primary_key !== undefined) def.primaryKey = config.primary_key;
  if (config.merge_key !== undefined) def.mergeKey = config.merge_key;
  if (config.write_disposition !== undefined) def.writeDisposition = config.write_disposition;
  if (config.max_table_nesting !== undefined) def.maxNesting = config.max_table_nesting;
  if (config.selected !== undefined) def.selected = config.selected;
  if (config.schema_contract !== undefined) def.contract = config.schema_contract;
  if (!dependency) {
    // A top-level resource's cursor is Sluice's own incremental: one filter and one state for the resource.
    if (incremental) def.incremental = incremental.spec;
    def.rows = (ctx) => {
      const run = runOf(ctx);
      const { path, params } = bindEndpoint(plan.endpoint, {});
      return fetchItems(run, plan, path, withRange(params, plan, ctx.incremental), ctx, undefined);
    };
    return def;
  }
  def.transformer = {
    from: dependency.parent,
    transform: (parentItem, ctx) => {
      const run = runOf(ctx);
      const values = parentValues(parentItem, dependency, config.name);
      const { path, params } = bindEndpoint(plan.endpoint, values);
      const parent = { item: parentItem, key: JSON.stringify(dependency.fields.map((f) => values[f])) };
      return fetchItems(run, plan, path, params, ctx, parent);
    },
  };
  return def;
}

/** Adds the incremental range's start and end params when the resource sends them. */
export function withRange(params: Record<string, unknown>, plan: ResourcePlan, range: { start: unknown; end?: unknown } | undefined): Record<string, unknown> {
  const inc = plan.incremental;
  if (!inc || !range) return params;
  const out = { ...params };
  if (inc.startParam && range.start !== undefined && range.start !== null) out[inc.startParam] = range.start;
  if (inc.endParam && range.end !== undefined && range.end !== null) out[inc.endParam] = range.end;
  return out;
}

/** Incremental state of a dependent resource, one entry per parent (keyed by the parent values it used). */
interface PerParentState {
  per_parent?: Record<string, NonNullable<ResourceState['incremental']>>;
}

/** What one fetched page looked like (for trying an endpoint). */
export interface PageSeen {
  url: string;
  status: number;
  dataSelector: string;
  items: number;
  /** The next page's request URL, masked; undefined after the last page. */
  next?: string;
}

/**
 * Pages through one endpoint and yields its items page by page. For a dependent resource, parent is the
 * parent item and its key; an incremental cursor then has its own filter and state per parent.
 */
export async function* fetchItems(
  run: Run,
  plan: ResourcePlan,
  path: string,
  params: Record<string, unknown>,
  ctx: ResourceContext,
  parent: { item: Item; key: string } | undefined,
  onPage?: (page: PageSeen) => void,
): AsyncGenerator<Item[]> {
  const { config } = plan;
  const where = `resource "${config.name}"`;
  const endpoint = resolveSecrets(plan.endpoint, run.secrets, `${where} endpoint`, run.masker);
  const log = maskedLog(ctx.log, run.masker);
  let filter: IncrementalFilter | undefined;
  const state = ctx.state as PerParentState;
  if (parent && plan.incremental) {
    const primaryKey = config.primary_key === undefined ? undefined : ([] as string[]).concat(config.primary_key);
    filter = new IncrementalFilter(config.name, plan.incremental.spec, primaryKey, state.per_parent?.[parent.key]);
    params = withRange(params, plan, { start: filter.start, end: filter.end });
  }
  let request: Request | undefined = {
    method: endpoint.method ?? 'GET',
    url: run.url(resolveSecrets(path, run.secrets, `${where} endpoint.path`, run.masker), resolveSecrets(params, run.secrets, `${where} params`, run.masker)),
    json: endpoint.json,
  };
  const paginator = createPaginator(endpoint.paginator ?? run.paginator, log);
  paginator.init(request);
  const actions: ResponseAction[] = endpoint.response_actions ?? [];
  let selector = endpoint.data_selector;
  const requested = new Set<string>();
  const pages = new Map<string, number>();
  let index = 0;
  try {
    for (let page = 1; request; page++) {
      const requestKey = `${request.method} ${request.url.href} ${JSON.stringify(request.json ?? null)}`;
      if (requested.has(requestKey)) {
        log.warn(`page ${page} would request ${run.masker.mask(request.url.href)} again (a next-page loop); stopping here`);
        break;
      }
      requested.add(requestKey);
      const response = await run.client.send(request, actions, log, ctx.signal);
      if (!response) break;
      for (const hook of actions) {
        if (typeof hook === 'function') await hook({ url: response.url, status: response.status, headers: response.headers, body: response.body });
      }
      if (selector === undefined) {
        selector = detectSelector(response.body);
        if (page === 1 && !parent) log.info(`no data_selector configured; items found at ${selector}`);
      }
      const raw = selectItems(response.body, selector);
      if (raw.length > 0) {
        const hash = createHash('sha1').update(JSON.stringify(raw)).digest('hex');
        const earlier = pages.get(hash);
        if (earlier !== undefined) {
          log.warn(`page ${page} repeats page ${earlier} (the API ignores the paging parameters?); stopping here`);
          break;
        }
        pages.set(hash, page);
      }
      const items: Item[] = [];
      for (const value of raw) {
        let item: Item | undefined = isPlainObject(value) ? value : { value };
        if (parent) for (const field of config.include_from_parent ?? []) item[`_${plan.dependency!.parent}_${field}`] = parent.item[field];
        item = applySteps(item, config.processing_steps, where);
        if (item === undefined) continue;
        if (filter && !filter.admit(item, index++)) continue;
        items.push(run.masker.masksItems ? run.masker.maskItem(item) : item);
      }
      filter?.seal();
      const next: Request | undefined = paginator.next(request, response, raw);
      onPage?.({ url: run.masker.mask(response.url), status: response.status, dataSelector: selector, items: raw.length, next: next && run.masker.mask(next.url.href) });
      if (items.length > 0) yield items;
      request = next;
    }
  } finally {
    if (filter && parent) {
      const next = filter.state();
      if (next) state.per_parent = { ...state.per_parent, [parent.key]: next };
    }
  }
}

function applySteps(item: Item, steps: ResourcePlan['config']['processing_steps'], where: string): Item | undefined {
  let current: Item = item;
  for (const [i, step] of (steps ?? []).entries()) {
    if ('filter' in step) {
      if (!step.filter(current)) return undefined;
    } else {
      const mapped = step.map(current);
      if (!isPlainObject(mapped)) throw new SluiceError(`${where}: processing_steps[${i}].map returned something other than an item object`);
      current = mapped;
    }
  }
  return current;
}

function maskedLog(log: Logger, masker: Masker): Logger {
  return {
    info: (m) => log.info(masker.mask(m)),
    warn: (m) => log.warn(masker.mask(m)),
    debug: (m) => log.debug(masker.mask(m)),
  };
}
