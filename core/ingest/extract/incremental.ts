// Incremental loading for one resource: filters items against the previous run's cursor value and
// works out the value (and the boundary items) to remember for the next run.

import { SluiceError } from '../../errors';
import type { ResourceState } from '../package';
import type { IncrementalSpec, Item } from '../types';
import { IncomparableCursors, compareCursors, fromStateValue, readPath, toStateValue } from './cursor';
import { describeThrown, describeType, describeValue } from './describe';
import { itemKey } from './item-key';

type IncrementalState = NonNullable<ResourceState['incremental']>;

/** Pending boundary items are hashed in groups of this size at most, so few item references are held. */
const PENDING_LIMIT = 256;

export class IncrementalFilter {
  /** Items before this are skipped: the previous run's last value, else the initial value. */
  readonly start: unknown;
  readonly end: unknown;
  private readonly path: string[];
  /** Keys of items at the start value that the previous run loaded. */
  private readonly skipKeys: ReadonlySet<string>;
  private hasBest: boolean;
  private best: unknown;
  private bestKeys: Set<string>;
  /** Items whose cursor equals best and whose keys are not computed yet (see seal). */
  private pending: Item[] = [];

  constructor(
    private readonly resource: string,
    private readonly spec: IncrementalSpec,
    private readonly primaryKey: readonly string[] | undefined,
    private readonly previous: IncrementalState | undefined,
  ) {
    this.path = spec.cursor.split('.');
    const fromState = previous !== undefined && previous.cursor === spec.cursor && previous.lastValue !== undefined;
    this.start = fromState ? fromStateValue(previous.lastValue) : spec.initialValue;
    this.end = spec.endValue;
    this.skipKeys = new Set(fromState ? previous.boundaryKeys ?? [] : []);
    this.hasBest = this.start !== undefined && this.start !== null;
    this.best = this.start;
    this.bestKeys = new Set(this.skipKeys);
  }

  /** Whether the item is new (not before start, not beyond end, not loaded at the boundary last time); records it if so. */
  admit(item: Item, index: number): boolean {
    const value = readPath(item, this.path);
    if (value === undefined || value === null) {
      throw new SluiceError(
        `resource "${this.resource}": item ${index} has no value for incremental cursor "${this.spec.cursor}"` +
          (value === null ? ' (it is null)' : ''),
      );
    }
    if (this.hasStart() && !this.reaches(value, this.start, index)) return false;
    if (this.end !== undefined && this.end !== null && this.beyondEnd(value, index)) return false;
    if (this.skipKeys.size > 0 && this.compare(value, this.start, index) === 0) {
      if (this.skipKeys.has(itemKey(item, this.primaryKey, this.resource))) return false;
    }
    this.record(value, item, index);
    return true;
  }

  /** Computes the keys of boundary items seen so far; call before items leave (they may be changed later). */
  seal(): void {
    for (const item of this.pending) this.bestKeys.add(itemKey(item, this.primaryKey, this.resource));
    this.pending = [];
  }

  /** State for the next run; undefined when there is nothing to remember. A backfill (endValue) keeps the old state. */
  state(): IncrementalState | undefined {
    this.seal();
    if (this.end !== undefined && this.end !== null) return this.previous;
    if (!this.hasBest) return undefined;
    return { cursor: this.spec.cursor, lastValue: toStateValue(this.best), boundaryKeys: [...this.bestKeys] };
  }

  private hasStart(): boolean {
    return this.start !== undefined && this.start !== null;
  }

  /** value is at or past start in the direction of lastValue. */
  private reaches(value: unknown, start: unknown, index: number): boolean {
    const lv = this.spec.lastValue ?? 'max';
    if (lv === 'max') return this.compare(value, start, index) >= 0;
    if (lv === 'min') return this.compare(value, start, index) <= 0;
    return this.compare(this.choose([start, value]), value, index) === 0;
  }

  private beyondEnd(value: unknown, index: number): boolean {
    const lv = this.spec.lastValue ?? 'max';
    if (lv === 'max') return this.compare(value, this.end, index) > 0;
    if (lv === 'min') return this.compare(value, this.end, index) < 0;
    const chosen = this.choose([value, this.end]);
    return this.compare(chosen, this.end, index) !== 0;
  }

  private record(value: unknown, item: Item, index: number): void {
    if (!this.hasBest) {
      this.takeBest(value, item);
      return;
    }
    const lv = this.spec.lastValue ?? 'max';
    if (lv === 'max' || lv === 'min') {
      const order = this.compare(value, this.best, index);
      if (order === 0) this.addPending(item);
      else if (lv === 'max' ? order > 0 : order < 0) this.takeBest(value, item);
      return;
    }
    const winner = this.choose([this.best, value]);
    if (this.compare(winner, this.best, index) !== 0) {
      if (this.compare(winner, value, index) === 0) this.takeBest(value, item);
      else this.takeBest(winner, undefined);
    } else if (this.compare(value, this.best, index) === 0) {
      this.addPending(item);
    }
  }

  private addPending(item: Item): void {
    this.pending.push(item);
    if (this.pending.length >= PENDING_LIMIT) this.seal();
  }

  private takeBest(value: unknown, item: Item | undefined): void {
    this.hasBest = true;
    this.best = value;
    this.bestKeys = new Set();
    this.pending = item ? [item] : [];
  }

  /** Calls a custom lastValue function, naming the resource if it throws. */
  private choose(values: unknown[]): unknown {
    try {
      return (this.spec.lastValue as (values: unknown[]) => unknown)(values);
    } catch (err) {
      const error = new SluiceError(`resource "${this.resource}": incremental.lastValue function failed: ${describeThrown(err)}`);
      error.cause = err;
      throw error;
    }
  }

  private compare(a: unknown, b: unknown, index: number): number {
    try {
      return compareCursors(a, b);
    } catch (err) {
      if (!(err instanceof IncomparableCursors)) throw err;
      throw new SluiceError(
        `resource "${this.resource}": incremental cursor "${this.spec.cursor}" values ${describeValue(a)} (${describeType(a)}) ` +
          `and ${describeValue(b)} (${describeType(b)}) cannot be compared (item ${index})`,
      );
    }
  }
}
