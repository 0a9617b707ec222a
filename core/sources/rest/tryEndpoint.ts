// Trying one endpoint of a REST source from the editor: fetch its first page or two (for a dependent
// resource, for the first item of its parent) and report the requests, the data selector used, the next
// page and the columns the items would get. Nothing is loaded and no state is touched.

import { SluiceError } from '../../errors';
import { naturalType } from '../../ingest/normalize/infer';
import { PATH_SEPARATOR, normalizeSegment } from '../../ingest/normalize/naming';
import type { Item, Logger, ResourceContext, SourceDef } from '../../ingest/types';
import { isPlainObject } from '../../ingest/extract/describe';
import { bindEndpoint, parentValues } from './resolve';
import { type PageSeen, Run, fetchItems, restSourcePlans, withRange } from './source';

export interface EndpointTrial {
  resource: string;
  /** The parent item the pages were fetched for, as its placeholder values (dependent resources only). */
  parent?: Record<string, unknown>;
  pages: PageSeen[];
  /** Lines the source logged while trying: detected paginator and selector, retries. */
  notes: string[];
  /** Columns of the resource's table inferred from the items fetched (child tables as "list"). */
  columns: { name: string; type: string }[];
  /** The first items, secrets masked. */
  sample: Item[];
}

export interface TryOptions {
  secrets: Record<string, string | undefined>;
  pages?: number;
  signal?: AbortSignal;
}

const SAMPLE_SIZE = 3;

export async function tryEndpoint(source: SourceDef, resource: string, options: TryOptions): Promise<EndpointTrial> {
  const built = restSourcePlans(source);
  if (!built) throw new SluiceError(`source "${source.name}" is not a restApiSource, so it has no endpoints to try`);
  const plan = built.plans.find((p) => p.config.name === resource);
  if (!plan) throw new SluiceError(`source "${source.name}" has no resource "${resource}" (resources: ${built.plans.map((p) => p.config.name).join(', ')})`);
  const notes: string[] = [];
  const log: Logger = { info: (m) => notes.push(m), warn: (m) => notes.push(`warning: ${m}`), debug: () => undefined };
  const ctx: ResourceContext = {
    config: {},
    secrets: options.secrets,
    state: {},
    log,
    signal: options.signal ?? new AbortController().signal,
  };
  const run = new Run(built.client, options.secrets);
  const wanted = options.pages ?? 2;

  let parent: { item: Item; key: string } | undefined;
  let parentShown: Record<string, unknown> | undefined;
  if (plan.dependency) {
    const parentPlan = built.plans.find((p) => p.config.name === plan.dependency!.parent)!;
    if (parentPlan.dependency) throw new SluiceError(`resource "${resource}" depends on "${parentPlan.config.name}", itself a dependent resource: try that one first`);
    const { path, params } = bindEndpoint(parentPlan.endpoint, {});
    const first = await firstPages(fetchItems(run, parentPlan, path, params, ctx, undefined), 1);
    if (first.length === 0) throw new SluiceError(`resource "${resource}" needs an item of "${parentPlan.config.name}", whose first page has none`);
    parentShown = parentValues(first[0], plan.dependency, resource);
    parent = { item: first[0], key: '' };
  }
  const bound = bindEndpoint(plan.endpoint, parentShown ?? {});
  const { path } = bound;
  // The first run's range: initial_value (and end_value) as the start (and end) params.
  const spec = plan.incremental?.spec;
  const params = spec ? withRange(bound.params, plan, { start: spec.initialValue, end: spec.endValue }) : bound.params;
  const pages: PageSeen[] = [];
  const items = await firstPages(fetchItems(run, { ...plan, incremental: undefined }, path, params, ctx, parent, (p) => pages.push(p)), wanted);
  return { resource, parent: parentShown, pages, notes, columns: inferColumns(items), sample: items.slice(0, SAMPLE_SIZE) };
}

/** The items of the first n pages (that had items); the generator is closed after. */
async function firstPages(pages: AsyncGenerator<Item[]>, n: number): Promise<Item[]> {
  const items: Item[] = [];
  let taken = 0;
  for await (const page of pages) {
    items.push(...page);
    if (++taken >= n) break;
  }
  return items;
}

/** Column names and types as the normalizer would first give them: nested objects flattened, lists as child tables. */
export function inferColumns(items: Item[]): { name: string; type: string }[] {
  const types = new Map<string, Set<string>>();
  const visit = (obj: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(obj)) {
      const name = prefix + normalizeSegment(key);
      if (isPlainObject(value)) {
        visit(value, name + PATH_SEPARATOR);
        continue;
      }
      const type = Array.isArray(value) ? 'list (child table)' : naturalType(value);
      const seen = types.get(name) ?? new Set<string>();
      if (type) seen.add(type);
      types.set(name, seen);
    }
  };
  for (const item of items) visit(item, '');
  return [...types].map(([name, seen]) => ({ name, type: seen.size === 0 ? 'null' : [...seen].join(' | ') }));
}

/** The trial as text for the editor's output. */
export function describeTrial(trial: EndpointTrial): string {
  const lines = [`Try endpoint: resource "${trial.resource}"`];
  if (trial.parent) lines.push(`  for the first parent item: ${JSON.stringify(trial.parent)}`);
  for (const [i, page] of trial.pages.entries()) {
    lines.push(`  page ${i + 1}: GET ${page.url} → ${page.status}, ${page.items} item${page.items === 1 ? '' : 's'} at ${page.dataSelector}`);
  }
  const last = trial.pages.at(-1);
  lines.push(`  next page: ${last?.next ?? '(none: this was the last page)'}`);
  for (const note of trial.notes) lines.push(`  ${note}`);
  lines.push(`  columns (${trial.columns.length}): ${trial.columns.map((c) => `${c.name} ${c.type}`).join(', ') || '(no items)'}`);
  return lines.join('\n');
}
