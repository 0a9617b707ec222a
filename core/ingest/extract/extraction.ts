// Runs the selected resources of a source and hands their items over in batches.
//
// Resources run one after another in source order. A transformer runs together with its parent:
// each parent item is passed to the transformer as soon as it arrives, so nothing is held back.

import { SluiceError } from '../../errors';
import type { ResourceState } from '../package';
import type { Item, Logger, ResourceContext, ResourceDef, SourceDef } from '../types';
import { fromStateValue, toStateValue } from './cursor';
import { describeThrown, describeType, describeValue, isPlainObject } from './describe';
import { IncrementalFilter } from './incremental';
import { type Stepper, isThenable, stepperOf } from './iterate';
import { maskSecrets, resourceLogger } from './logger';
import { originOf } from './origin';
import { findSecret } from './secretScan';
import { sourceConsoleOf } from './sourceConsole';
import { validateSource } from './validate';

export interface ExtractBatch {
  resource: string;
  items: Item[];
}

export interface ExtractOptions {
  /** Names of the resources to extract (already filtered by sluice.yaml / --resources). */
  resources: string[];
  /** At most this many items per resource (--limit). */
  limit?: number;
  /** Per-resource state committed by the previous load. */
  state: Record<string, ResourceState>;
  config: Record<string, unknown>;
  secrets: Record<string, string | undefined>;
  log: Logger;
  signal?: AbortSignal;
  /** Items per yielded batch, default 5000. */
  batchSize?: number;
  /** Ignore previous state (incremental and custom): start over from initial values. */
  fullRefresh?: boolean;
}

export const DEFAULT_BATCH_SIZE = 5000;

/** One resource taking part in the run. */
interface Node {
  name: string;
  def: ResourceDef;
  /** Its items are yielded as batches (false for a parent run only to feed its transformers). */
  selected: boolean;
  children: Node[];
  ctx: ResourceContext;
  incremental?: IncrementalFilter;
  /** Whether the previous state carried custom state (so clearing it is recorded too). */
  hadCustom: boolean;
  ran: boolean;
  /** Items received from the resource, kept or not; the next one's index. */
  seen: number;
  /** Items kept (passed the incremental filter and the limit). */
  taken: number;
  limitReached: boolean;
  buffer: Item[];
}

export class Extraction {
  private readonly nodes: Node[] = [];
  private readonly roots: Node[] = [];
  private readonly batchSize: number;
  private readonly signal: AbortSignal;
  private started = false;

  constructor(
    private readonly source: SourceDef,
    private readonly options: ExtractOptions,
  ) {
    validateSource(source, originOf(source)?.displayName ?? `source "${(source as { name?: unknown })?.name}"`);
    const { limit, batchSize = DEFAULT_BATCH_SIZE } = options;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new SluiceError(`limit must be a whole number >= 0, got ${describeValue(limit)}`);
    }
    if (!(Number.isInteger(batchSize) && batchSize > 0)) {
      throw new SluiceError(`batch size must be a whole number > 0, got ${describeValue(batchSize)}`);
    }
    this.batchSize = batchSize;
    this.signal = options.signal ?? new AbortController().signal;
    this.plan();
  }

  /** Runs the selected resources and yields batches of items; items are yielded as given (no copying). */
  async *batches(): AsyncGenerator<ExtractBatch> {
    if (this.started) throw new SluiceError(`source "${this.source.name}": batches() can only be read once per extraction`);
    this.started = true;
    sourceConsoleOf(this.source)?.attach(this.options.log, this.options.secrets);
    this.throwIfAborted();
    for (const root of this.roots) {
      yield* this.runRoot(root);
    }
  }

  /** Per-resource state to commit with the load; call after batches() finished. Only resources that ran appear. */
  state(): Record<string, ResourceState> {
    const out: Record<string, ResourceState> = {};
    for (const node of this.nodes) {
      if (!node.ran) continue;
      const state: ResourceState = {};
      const incremental = node.incremental?.state();
      if (incremental) state.incremental = incremental;
      const custom = node.ctx.state;
      if (isPlainObject(custom) && (Object.keys(custom).length > 0 || node.hadCustom)) {
        state.custom = toStateValue(custom) as Record<string, unknown>;
        const hit = findSecret(state.custom, this.options.secrets);
        if (hit) {
          throw new SluiceError(
            `resource "${node.name}": ctx.state${hit.path} holds the value of secret ${hit.secret}; ` +
              'state is stored in the warehouse, so secrets may not be kept in it (read them from ctx.secrets on every run)',
          );
        }
      }
      out[node.name] = state;
    }
    return out;
  }

  /** Items kept so far per selected resource (for progress lines). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const node of this.nodes) if (node.selected) out[node.name] = node.taken;
    return out;
  }

  /** Selected resources plus the parents their transformers need, in source order. */
  private plan(): void {
    const byName = new Map(this.source.resources.map((r) => [r.name, r]));
    const wanted = new Set<string>();
    for (const name of this.options.resources) {
      if (!byName.has(name)) {
        const known = this.source.resources.map((r) => r.name).join(', ');
        throw new SluiceError(`source "${this.source.name}" has no resource "${name}" (resources: ${known})`);
      }
      wanted.add(name);
    }
    const needed = new Set<string>();
    for (const name of wanted) {
      for (let at: string | undefined = name; at !== undefined && !needed.has(at); at = byName.get(at)?.transformer?.from) {
        needed.add(at);
      }
    }
    const nodes = new Map<string, Node>();
    for (const def of this.source.resources) {
      if (!needed.has(def.name)) continue;
      const node = this.createNode(def, wanted.has(def.name));
      nodes.set(def.name, node);
      this.nodes.push(node);
    }
    for (const node of this.nodes) {
      const from = node.def.transformer?.from;
      if (from === undefined) this.roots.push(node);
      else nodes.get(from)!.children.push(node);
    }
  }

  private createNode(def: ResourceDef, selected: boolean): Node {
    const { options } = this;
    const previous = options.fullRefresh ? undefined : options.state[def.name];
    const custom = isPlainObject(previous?.custom) ? (fromStateValue(previous.custom) as Record<string, unknown>) : {};
    const primaryKey = def.primaryKey === undefined ? undefined : ([] as string[]).concat(def.primaryKey);
    const incremental = def.incremental
      ? new IncrementalFilter(def.name, def.incremental, primaryKey, previous?.incremental)
      : undefined;
    const ctx: ResourceContext = {
      limit: options.limit,
      config: options.config,
      secrets: options.secrets,
      state: custom,
      log: resourceLogger(def.name, options.log, options.secrets),
      signal: this.signal,
    };
    if (incremental) ctx.incremental = { start: incremental.start, end: incremental.end };
    return {
      name: def.name,
      def,
      selected,
      children: [],
      ctx,
      incremental,
      hadCustom: previous?.custom !== undefined,
      ran: false,
      seen: 0,
      taken: 0,
      limitReached: options.limit === 0,
      buffer: [],
    };
  }

  /** A node is done when it reached the limit, or when nobody needs its items any more. */
  private done(node: Node): boolean {
    if (node.limitReached) return true;
    return !node.selected && node.children.every((child) => this.done(child));
  }

  private async *runRoot(node: Node): AsyncGenerator<ExtractBatch> {
    if (this.done(node)) return;
    this.markRan(node);
    let produced: unknown;
    try {
      const result = node.def.rows!(node.ctx);
      produced = isThenable(result) ? await this.race(result) : result;
    } catch (err) {
      throw this.failure(node, err);
    }
    const stepper = stepperOf(produced);
    if (!stepper) {
      throw new SluiceError(
        `resource "${node.name}": rows() returned ${describeType(produced)}; expected an array, a generator or an (async) iterable of items`,
      );
    }
    yield* this.drain(node, stepper);
    yield* this.flush(node);
  }

  /** Pulls items until the stepper ends or the node is done; closes the iterator however it stops. */
  private async *drain(node: Node, stepper: Stepper): AsyncGenerator<ExtractBatch> {
    let pending = false;
    let finished = false;
    try {
      while (!this.done(node)) {
        this.throwIfAborted();
        let value: unknown;
        try {
          const step = stepper.next();
          let result: IteratorResult<unknown>;
          if (isThenable(step)) {
            pending = true;
            result = await this.race(step);
            pending = false;
          } else {
            result = step;
          }
          if (result.done) {
            finished = true;
            return;
          }
          value = result.value;
          if (stepper.sync && isThenable(value)) value = await this.race(value);
        } catch (err) {
          throw this.failure(node, err);
        }
        // A value is one item or a page of them; a lone item is not wrapped in an array of its own.
        const page = Array.isArray(value) ? value : undefined;
        const count = page === undefined ? 1 : page.length;
        for (let i = 0; i < count; i++) {
          const item: unknown = page === undefined ? value : page[i];
          if (this.done(node)) break;
          if (!this.accept(node, item)) continue;
          if (node.children.length > 0) yield* this.feedChildren(node, item as Item);
          if (node.buffer.length >= this.batchSize) yield this.takeBatch(node);
        }
      }
      // Stopped early (limit reached, or no transformer needs more): let the generator clean up.
      finished = true;
      try {
        await stepper.close();
      } catch (err) {
        throw this.failure(node, err);
      }
    } finally {
      if (!finished) await closeQuietly(stepper, pending);
    }
  }

  /** Type check, incremental filter, limit; true when the item is kept. */
  private accept(node: Node, item: unknown): boolean {
    const index = node.seen++;
    if (!isPlainObject(item)) {
      const type = describeType(item);
      const shown = item === null || typeof item !== 'object' ? ` ${describeValue(item)}` : '';
      throw new SluiceError(
        `resource "${node.name}": item ${index} is not a plain object (got ${type}${shown === ` ${type}` ? '' : shown})`,
      );
    }
    if (node.incremental && !node.incremental.admit(item, index)) return false;
    if (node.selected) node.buffer.push(item);
    node.taken++;
    if (this.options.limit !== undefined && node.taken >= this.options.limit) node.limitReached = true;
    return true;
  }

  /** Passes one parent item to each transformer that still wants items. */
  private async *feedChildren(parent: Node, item: Item): AsyncGenerator<ExtractBatch> {
    // The transformer may change the item: compute the parent's boundary keys first.
    parent.incremental?.seal();
    for (const child of parent.children) {
      if (this.done(child)) continue;
      this.markRan(child);
      let out: unknown;
      try {
        const result = child.def.transformer!.transform(item, child.ctx);
        out = isThenable(result) ? await this.race(result) : result;
      } catch (err) {
        throw this.failure(child, err);
      }
      if (out === undefined || out === null) continue;
      const stepper = isPlainObject(out) ? stepperOf([out]) : stepperOf(out);
      if (!stepper) {
        throw new SluiceError(
          `resource "${child.name}": transform returned ${describeType(out)} for item ${parent.seen - 1} of "${parent.name}"; ` +
            'expected an item, an array of items, undefined or an (async) iterable',
        );
      }
      yield* this.drain(child, stepper);
    }
  }

  /** Yields what is left in the buffers of a finished resource and its transformers. */
  private async *flush(node: Node): AsyncGenerator<ExtractBatch> {
    if (node.buffer.length > 0) yield this.takeBatch(node);
    for (const child of node.children) yield* this.flush(child);
  }

  private takeBatch(node: Node): ExtractBatch {
    // Items leave here and may be changed downstream: fix the boundary keys of every running resource first.
    for (const n of this.nodes) n.incremental?.seal();
    const items = node.buffer;
    node.buffer = [];
    return { resource: node.name, items };
  }

  private markRan(node: Node): void {
    node.ran = true;
  }

  private throwIfAborted(): void {
    if (this.signal.aborted) throw cancelled();
  }

  /**
   * Waits for p, or rejects with 'ingest cancelled' as soon as the signal aborts. Not Promise.race with one
   * long-lived abort promise: every race would leave a reaction on it holding its value, that is every item
   * of an async source, until the run ends.
   */
  private race<T>(p: PromiseLike<T>): Promise<T> {
    const signal = this.options.signal;
    if (!signal) return Promise.resolve(p);
    if (signal.aborted) {
      Promise.resolve(p).catch(() => undefined);
      return Promise.reject(cancelled());
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(cancelled());
      signal.addEventListener('abort', onAbort, { once: true });
      Promise.resolve(p).then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  /** A user's error as `resource "x" failed after N items: ...`, pointing at their file and line. */
  private failure(node: Node, err: unknown): SluiceError {
    if (this.signal.aborted) return cancelled();
    const origin = originOf(this.source);
    const at = origin?.locate(err);
    origin?.rewriteStack(err);
    const plural = node.seen === 1 ? 'item' : 'items';
    const message = maskSecrets(describeThrown(err), this.options.secrets);
    const error = new SluiceError(
      `resource "${node.name}" failed after ${node.seen} ${plural}: ${message}${at ? ` (at ${at})` : ''}`,
    );
    error.cause = err;
    return error;
  }
}

function cancelled(): SluiceError {
  return new SluiceError('ingest cancelled');
}

/**
 * Ends an iterator after an error or a cancel. When a step is still running, return() is queued
 * behind it, so it is not awaited: the generator's finally blocks run once that step settles.
 */
async function closeQuietly(stepper: Stepper, pending: boolean): Promise<void> {
  try {
    const closing = stepper.close();
    if (isThenable(closing)) {
      const settled = Promise.resolve(closing).catch(() => undefined);
      if (!pending) await settled;
    }
  } catch {
    // The original error or the cancel is what the user needs to see.
  }
}
