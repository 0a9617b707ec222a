// One way to step through whatever a resource gives: arrays, sync or async iterables.
// Arrays and sync iterables are stepped without awaiting, which keeps large in-memory sources fast.

export interface Stepper {
  /** A sync result for arrays and sync iterables; a promise for async iterables. */
  next(): IteratorResult<unknown> | Promise<IteratorResult<unknown>>;
  /** Whether values may be promises to await (sync iterables of promises, as for-await allows). */
  readonly sync: boolean;
  /** Ends the iteration early, running the generator's finally blocks. */
  close(): unknown;
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A stepper over the value, or undefined when it is not an array or an iterable (strings are not item sources). */
export function stepperOf(value: unknown): Stepper | undefined {
  if (Array.isArray(value)) {
    let i = 0;
    return {
      sync: true,
      next: () => (i < value.length ? { done: false, value: value[i++] } : { done: true, value: undefined }),
      close: () => undefined,
    };
  }
  if (value === null || typeof value !== 'object') return undefined;
  const asyncFactory = (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator];
  if (typeof asyncFactory === 'function') return fromIterator(asyncFactory.call(value) as AsyncIterator<unknown>, false);
  const syncFactory = (value as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof syncFactory === 'function') return fromIterator(syncFactory.call(value) as Iterator<unknown>, true);
  return undefined;
}

function fromIterator(it: Iterator<unknown> | AsyncIterator<unknown>, sync: boolean): Stepper {
  return {
    sync,
    next: () => it.next(),
    close: () => (typeof it.return === 'function' ? it.return() : undefined),
  };
}
