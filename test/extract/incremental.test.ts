import { strict as assert } from 'node:assert';
import { SluiceError } from '../../core/errors';
import { compareCursors } from '../../core/ingest/extract';
import type { ResourceState } from '../../core/ingest/package';
import type { IncrementalSpec, Item, ResourceContext, ResourceDef, SourceDef } from '../../core/ingest/types';
import { rejects, run } from './helpers';

/** A resource over a fixed list that records the incremental start it was given. */
function resource(items: Item[], incremental: IncrementalSpec, extra: Partial<ResourceDef> = {}) {
  const seen: { start?: unknown; end?: unknown } = {};
  const def: ResourceDef = {
    name: 'events',
    incremental,
    *rows(ctx: ResourceContext) {
      Object.assign(seen, ctx.incremental);
      yield* items;
    },
    ...extra,
  };
  const source: SourceDef = { name: 'src', resources: [def] };
  return { source, seen };
}

/** State as the warehouse would hand it back: through JSON. */
const roundTrip = (state: Record<string, ResourceState>) => JSON.parse(JSON.stringify(state)) as Record<string, ResourceState>;
const ids = (items: Item[] | undefined) => (items ?? []).map((i) => i.id);

describe('extract: incremental loading', () => {
  it('filters items before the initial value (max) and exposes the start in ctx', async () => {
    const items = [{ id: 1, at: 5 }, { id: 2, at: 10 }, { id: 3, at: 7 }, { id: 4, at: 12 }];
    const { source, seen } = resource(items, { cursor: 'at', initialValue: 7 });
    const result = await run(source, { resources: ['events'] });
    assert.deepEqual(ids(result.items.events), [2, 3, 4]);
    assert.equal(seen.start, 7);
    assert.deepEqual(result.extraction.state().events.incremental, {
      cursor: 'at',
      lastValue: 12,
      boundaryKeys: result.extraction.state().events.incremental!.boundaryKeys,
    });
    assert.equal(result.extraction.state().events.incremental!.boundaryKeys.length, 1);
  });

  it('filters items after the start for lastValue "min"', async () => {
    const items = [{ id: 1, at: 5 }, { id: 2, at: 10 }, { id: 3, at: 7 }, { id: 4, at: 3 }];
    const { source } = resource(items, { cursor: 'at', initialValue: 7, lastValue: 'min' });
    const result = await run(source, { resources: ['events'] });
    assert.deepEqual(ids(result.items.events), [1, 3, 4]);
    assert.equal(result.extraction.state().events.incremental!.lastValue, 3);
  });

  it('drops items beyond endValue and leaves the stored state alone (backfill)', async () => {
    const items = [{ id: 1, at: 5 }, { id: 2, at: 10 }, { id: 3, at: 15 }];
    const previous = { events: { incremental: { cursor: 'at', lastValue: 100, boundaryKeys: ['k'] } } };
    const { source, seen } = resource(items, { cursor: 'at', initialValue: 0, endValue: 10 });
    const result = await run(source, { resources: ['events'], fullRefresh: true });
    assert.deepEqual(ids(result.items.events), [1, 2]);
    assert.equal(seen.end, 10);
    const again = await run(resource(items, { cursor: 'at', endValue: 10 }).source, { resources: ['events'], state: previous });
    assert.deepEqual(ids(again.items.events), [], 'still filtered from the stored start 100');
    assert.deepEqual(again.extraction.state().events.incremental, previous.events.incremental);
  });

  it('reads a dotted cursor path', async () => {
    const items = [{ id: 1, meta: { updated: { at: 1 } } }, { id: 2, meta: { updated: { at: 3 } } }];
    const { source } = resource(items, { cursor: 'meta.updated.at', initialValue: 2 });
    assert.deepEqual(ids((await run(source, { resources: ['events'] })).items.events), [2]);
  });

  it('names resource, cursor path and item index when the cursor is missing', async () => {
    const items = [{ id: 1, meta: { at: 1 } }, { id: 2, meta: {} }];
    const { source } = resource(items, { cursor: 'meta.at' });
    const err = await rejects(
      run(source, { resources: ['events'] }),
      /^resource "events": item 1 has no value for incremental cursor "meta\.at"$/,
    );
    assert.ok(err instanceof SluiceError);
    const nulls = resource([{ id: 1, at: null }], { cursor: 'at' });
    await rejects(run(nulls.source, { resources: ['events'] }), /item 0 has no value for incremental cursor "at" \(it is null\)/);
  });

  it('says clearly when cursor values cannot be compared', async () => {
    const { source } = resource([{ id: 1, at: 'yesterday' }], { cursor: 'at', initialValue: 0 });
    await rejects(
      run(source, { resources: ['events'] }),
      /resource "events": incremental cursor "at" values "yesterday" \(string\) and 0 \(number\) cannot be compared \(item 0\)/,
    );
  });

  describe('boundary de-duplication', () => {
    const day1 = [
      { id: 1, at: '2024-01-01T00:00:00Z' },
      { id: 2, at: '2024-01-02T00:00:00Z' },
      { id: 3, at: '2024-01-02T00:00:00Z' },
    ];

    it('skips items at the boundary loaded last time, keeps new ones at the same cursor (primary key)', async () => {
      const first = await run(resource(day1, { cursor: 'at' }, { primaryKey: 'id' }).source, { resources: ['events'] });
      assert.deepEqual(ids(first.items.events), [1, 2, 3]);
      const state = roundTrip(first.extraction.state());
      assert.equal(state.events.incremental!.lastValue, '2024-01-02T00:00:00Z');
      assert.equal(state.events.incremental!.boundaryKeys.length, 2);

      // The API returns the boundary again (>=), plus a late item at the same second and a newer one.
      const day2 = [...day1.slice(1), { id: 4, at: '2024-01-02T00:00:00Z' }, { id: 5, at: '2024-01-03T00:00:00Z' }];
      const second = await run(resource(day2, { cursor: 'at' }, { primaryKey: 'id' }).source, { resources: ['events'], state });
      assert.deepEqual(ids(second.items.events), [4, 5]);
      assert.equal(second.extraction.state().events.incremental!.boundaryKeys.length, 1);
    });

    it('keeps the previous boundary keys when nothing newer arrived', async () => {
      const first = await run(resource(day1, { cursor: 'at' }, { primaryKey: ['id'] }).source, { resources: ['events'] });
      const state1 = roundTrip(first.extraction.state());
      const late = [...day1.slice(1), { id: 4, at: '2024-01-02T00:00:00Z' }];
      const second = await run(resource(late, { cursor: 'at' }, { primaryKey: ['id'] }).source, { resources: ['events'], state: state1 });
      assert.deepEqual(ids(second.items.events), [4]);
      const state2 = roundTrip(second.extraction.state());
      assert.equal(state2.events.incremental!.boundaryKeys.length, 3);
      const third = await run(resource(late, { cursor: 'at' }, { primaryKey: ['id'] }).source, { resources: ['events'], state: state2 });
      assert.deepEqual(ids(third.items.events), []);
    });

    it('hashes the whole item when there is no primary key, whatever the key order', async () => {
      const first = await run(resource([{ id: 1, at: 2, v: 'a' }], { cursor: 'at' }).source, { resources: ['events'] });
      const state = roundTrip(first.extraction.state());
      const again = [{ v: 'a', at: 2, id: 1 }, { id: 1, at: 2, v: 'changed' }];
      const second = await run(resource(again, { cursor: 'at' }).source, { resources: ['events'], state });
      assert.deepEqual(second.items.events, [{ id: 1, at: 2, v: 'changed' }]);
    });

    it('ignores stored state when the cursor field changed, and on full refresh', async () => {
      const state = { events: { incremental: { cursor: 'other', lastValue: 100, boundaryKeys: [] } } };
      const items = [{ id: 1, at: 5 }];
      assert.deepEqual(ids((await run(resource(items, { cursor: 'at' }).source, { resources: ['events'], state })).items.events), [1]);
      const same = { events: { incremental: { cursor: 'at', lastValue: 100, boundaryKeys: [] } } };
      const refreshed = await run(resource(items, { cursor: 'at' }).source, { resources: ['events'], state: same, fullRefresh: true });
      assert.deepEqual(ids(refreshed.items.events), [1]);
    });
  });

  it('records only the items taken under --limit', async () => {
    const items = [{ id: 1, at: 1 }, { id: 2, at: 2 }, { id: 3, at: 3 }];
    const result = await run(resource(items, { cursor: 'at' }).source, { resources: ['events'], limit: 2 });
    assert.equal(result.extraction.state().events.incremental!.lastValue, 2);
  });

  it('handles Date cursors, storing the last value as an ISO string', async () => {
    const items = [
      { id: 1, at: new Date('2024-05-01T10:00:00Z') },
      { id: 2, at: new Date('2024-05-03T10:00:00Z') },
      { id: 3, at: new Date('2024-05-02T10:00:00Z') },
    ];
    const first = await run(resource(items, { cursor: 'at', initialValue: new Date('2024-05-02T00:00:00Z') }).source, { resources: ['events'] });
    assert.deepEqual(ids(first.items.events), [2, 3]);
    const state = roundTrip(first.extraction.state());
    assert.equal(state.events.incremental!.lastValue, '2024-05-03T10:00:00.000Z');
    const more = [...items, { id: 4, at: new Date('2024-05-04T00:00:00Z') }];
    const second = await run(resource(more, { cursor: 'at' }).source, { resources: ['events'], state });
    assert.deepEqual(ids(second.items.events), [4]);
  });

  it('handles bigint cursors, round-tripping them through JSON state', async () => {
    const big = 9007199254740993n; // beyond Number.MAX_SAFE_INTEGER
    const items = [{ id: 1, seq: big - 1n }, { id: 2, seq: big }];
    const first = await run(resource(items, { cursor: 'seq' }).source, { resources: ['events'] });
    const state = roundTrip(first.extraction.state());
    assert.deepEqual(state.events.incremental!.lastValue, { $bigint: '9007199254740993' });
    const { source, seen } = resource([...items, { id: 3, seq: big + 1n }], { cursor: 'seq' });
    const second = await run(source, { resources: ['events'], state });
    assert.equal(seen.start, big);
    assert.deepEqual(ids(second.items.events), [3]);
  });

  it('supports a custom lastValue function', async () => {
    // Latest by string length: a contrived order no built-in comparison gives.
    const longest = (values: unknown[]) => values.reduce((a, b) => (String(b).length > String(a).length ? b : a));
    const items = [{ id: 1, k: 'aaa' }, { id: 2, k: 'a' }, { id: 3, k: 'aaaa' }, { id: 4, k: 'yy' }];
    const result = await run(resource(items, { cursor: 'k', initialValue: 'xx', lastValue: longest }).source, { resources: ['events'] });
    assert.deepEqual(ids(result.items.events), [1, 3]);
    assert.equal(result.extraction.state().events.incremental!.lastValue, 'aaaa');
  });

  describe('compareCursors', () => {
    const sign = (a: unknown, b: unknown) => Math.sign(compareCursors(a, b));
    it('compares numbers and bigints numerically', () => {
      assert.deepEqual([sign(2, 10), sign(10n, 9), sign(3n, 3)], [-1, 1, 0]);
    });
    it('compares ISO strings as instants across offsets and precisions', () => {
      assert.equal(sign('2024-01-01T10:00:00+02:00', '2024-01-01T09:00:00Z'), -1);
      assert.equal(sign('2024-01-01T08:00:00Z', '2024-01-01T10:00:00+02:00'), 0);
      assert.equal(sign('2024-01-01T00:00:00.0000015Z', '2024-01-01T00:00:00.000001Z'), 1);
      assert.equal(sign('2024-01-02', '2024-01-01T23:59:59Z'), 1);
      assert.equal(sign(new Date('2024-01-01T00:00:00Z'), '2024-01-01T00:00:00.000Z'), 0);
    });
    it('falls back to string order for strings that are not dates', () => {
      assert.deepEqual([sign('b', 'a'), sign('10', '9')], [1, -1]);
    });
    it('refuses to compare unrelated types', () => {
      assert.throws(() => compareCursors('abc', 1), /cannot compare string with number/);
    });
  });
});
