import { strict as assert } from 'node:assert';
import { SluiceError } from '../../core/errors';
import { Extraction } from '../../core/ingest/extract';
import type { Item, ResourceContext, SourceDef } from '../../core/ingest/types';
import { collect, options, recordingLogger, rejects, run } from './helpers';

const range = (n: number, from = 0): Item[] => Array.from({ length: n }, (_, i) => ({ id: from + i }));
const ids = (items: Item[] | undefined) => (items ?? []).map((i) => i.id);
const source = (...resources: SourceDef['resources']): SourceDef => ({ name: 'src', resources });

describe('extract: running resources', () => {
  describe('what rows() may give', () => {
    it('accepts a sync generator', async () => {
      const { items } = await run(source({ name: 'r', *rows() { yield { id: 0 }; yield { id: 1 }; } }), { resources: ['r'] });
      assert.deepEqual(ids(items.r), [0, 1]);
    });

    it('accepts an async generator', async () => {
      const s = source({
        name: 'r',
        async *rows() {
          for (let i = 0; i < 3; i++) {
            await new Promise((resolve) => setImmediate(resolve));
            yield { id: i };
          }
        },
      });
      assert.deepEqual(ids((await run(s, { resources: ['r'] })).items.r), [0, 1, 2]);
    });

    it('accepts an array, a promise of an array and any iterable', async () => {
      const s = source(
        { name: 'arr', rows: () => range(2) },
        { name: 'promised', rows: async () => range(2, 10) },
        { name: 'set', rows: () => new Set(range(2, 20)) },
      );
      const { items } = await run(s, { resources: ['arr', 'promised', 'set'] });
      assert.deepEqual([ids(items.arr), ids(items.promised), ids(items.set)], [[0, 1], [10, 11], [20, 21]]);
    });

    it('flattens pages (arrays yielded as one value)', async () => {
      const s = source({ name: 'r', async *rows() { yield range(3); yield { id: 3 }; yield range(2, 4); } });
      assert.deepEqual(ids((await run(s, { resources: ['r'] })).items.r), [0, 1, 2, 3, 4, 5]);
    });

    it('yields batches of batchSize, items as given', async () => {
      const all = range(7);
      const { batches } = await run(source({ name: 'r', rows: () => all }), { resources: ['r'], batchSize: 3 });
      assert.deepEqual(batches.map((b) => b.items.length), [3, 3, 1]);
      assert.equal(batches[0].items[0], all[0], 'the same object, not a copy');
    });

    it('names the resource, item index and type of a non-object item', async () => {
      const s = source({ name: 'r', *rows() { yield { id: 0 }; yield [{ id: 1 }, 'oops' as unknown as Item]; } });
      const err = await rejects(run(s, { resources: ['r'] }), /^resource "r": item 2 is not a plain object \(got string "oops"\)$/);
      assert.ok(err instanceof SluiceError);
      const dates = source({ name: 'd', rows: () => [new Date(0) as unknown as Item] });
      await rejects(run(dates, { resources: ['d'] }), /resource "d": item 0 is not a plain object \(got Date\)/);
      const nested = source({ name: 'n', rows: () => [[[{ id: 1 }]]] as unknown as Item[] });
      await rejects(run(nested, { resources: ['n'] }), /resource "n": item 0 is not a plain object \(got array\)/);
    });

    it('rejects rows() returning something that is not iterable', async () => {
      const s = source({ name: 'r', rows: (() => ({ id: 1 })) as unknown as () => Item[] });
      await rejects(run(s, { resources: ['r'] }), /resource "r": rows\(\) returned object; expected an array, a generator/);
    });

    it('refuses unknown resource names', () => {
      assert.throws(
        () => new Extraction(source({ name: 'r', rows: () => [] }), options({ resources: ['x'] })),
        /source "src" has no resource "x" \(resources: r\)/,
      );
    });
  });

  describe('limit', () => {
    it('takes at most N items and closes the generator so finally runs', async () => {
      let pulled = 0;
      let closed = false;
      const s = source({
        name: 'r',
        async *rows() {
          try {
            for (let i = 0; ; i++) {
              pulled++;
              yield range(2, i * 2);
            }
          } finally {
            closed = true;
          }
        },
      });
      const { items, extraction } = await run(s, { resources: ['r'], limit: 3 });
      assert.deepEqual(ids(items.r), [0, 1, 2]);
      assert.equal(pulled, 2, 'stopped pulling after the page that reached the limit');
      assert.ok(closed, 'finally ran');
      assert.deepEqual(extraction.counts(), { r: 3 });
    });

    it('closes a sync generator too and passes the limit in ctx', async () => {
      let closed = false;
      let seenLimit: number | undefined;
      const s = source({
        name: 'r',
        *rows(ctx: ResourceContext) {
          seenLimit = ctx.limit;
          try {
            for (let i = 0; ; i++) yield { id: i };
          } finally {
            closed = true;
          }
        },
      });
      const { items } = await run(s, { resources: ['r'], limit: 2 });
      assert.deepEqual([ids(items.r), closed, seenLimit], [[0, 1], true, 2]);
    });

    it('closes the generator when the consumer stops reading early', async () => {
      let closed = false;
      const s = source({
        name: 'r',
        async *rows() {
          try {
            for (let i = 0; ; i++) yield { id: i };
          } finally {
            closed = true;
          }
        },
      });
      const extraction = new Extraction(s, options({ resources: ['r'], batchSize: 5 }));
      for await (const batch of extraction.batches()) {
        assert.equal(batch.items.length, 5);
        break;
      }
      assert.ok(closed);
    });

    it('with limit 0 does not call rows()', async () => {
      let called = false;
      const s = source({ name: 'r', rows: () => { called = true; return range(3); } });
      const { batches } = await run(s, { resources: ['r'], limit: 0 });
      assert.deepEqual([batches, called], [[], false]);
    });
  });

  describe('abort', () => {
    it('stops a resource stuck waiting and throws "ingest cancelled"', async () => {
      const controller = new AbortController();
      const s = source({
        name: 'r',
        async *rows() {
          yield { id: 0 };
          await new Promise(() => undefined); // a request that never answers
        },
      });
      const extraction = new Extraction(s, options({ resources: ['r'], signal: controller.signal, batchSize: 1 }));
      // Without a working abort this would wait forever on the request that never answers.
      const err = await rejects(
        (async () => {
          for await (const batch of extraction.batches()) {
            assert.equal(batch.items.length, 1);
            setTimeout(() => controller.abort(), 20);
          }
        })(),
        /^ingest cancelled$/,
      );
      assert.ok(err instanceof SluiceError);
    });

    it('closes the generator (finally runs) when aborted between batches', async () => {
      const controller = new AbortController();
      let closed = false;
      const s = source({
        name: 'r',
        *rows() {
          try {
            for (let i = 0; ; i++) yield { id: i };
          } finally {
            closed = true;
          }
        },
      });
      const extraction = new Extraction(s, options({ resources: ['r'], signal: controller.signal, batchSize: 10 }));
      let batches = 0;
      await rejects(
        (async () => {
          for await (const _ of extraction.batches()) {
            batches++;
            if (batches === 2) controller.abort();
          }
        })(),
        /^ingest cancelled$/,
      );
      assert.equal(batches, 2);
      assert.ok(closed);
    });

    it('does not start when the signal is already aborted', async () => {
      let called = false;
      const s = source({ name: 'r', rows: () => { called = true; return []; } });
      await rejects(run(s, { resources: ['r'], signal: AbortSignal.abort() }), /^ingest cancelled$/);
      assert.equal(called, false);
    });

    it('gives the signal to the resource', async () => {
      const controller = new AbortController();
      let aborted: boolean | undefined;
      const s = source({ name: 'r', rows: (ctx: ResourceContext) => { aborted = ctx.signal.aborted; return []; } });
      await run(s, { resources: ['r'], signal: controller.signal });
      assert.equal(aborted, false);
    });
  });

  describe('failures', () => {
    it('wraps an error thrown halfway with resource name and count, keeping the cause', async () => {
      const boom = new Error('rate limited');
      const s = source({
        name: 'issues',
        *rows() {
          yield range(2);
          throw boom;
        },
      });
      const err = await rejects(run(s, { resources: ['issues'] }), /^resource "issues" failed after 2 items: rate limited$/);
      assert.ok(err instanceof SluiceError);
      assert.equal((err as Error & { cause?: unknown }).cause, boom);
    });

    it('wraps an error thrown by rows() itself or its promise', async () => {
      const s = source(
        { name: 'sync', rows: () => { throw new Error('no token'); } },
        { name: 'async', rows: async () => { throw new Error('bad url'); } },
      );
      await rejects(run(s, { resources: ['sync'] }), /^resource "sync" failed after 0 items: no token$/);
      await rejects(run(s, { resources: ['async'] }), /^resource "async" failed after 0 items: bad url$/);
    });

    it('never shows a secret value in the failure message', async () => {
      const s = source({ name: 'r', rows: () => { throw new Error('GET https://api?token=s3cr3t-value failed'); } });
      const err = await rejects(run(s, { resources: ['r'], secrets: { token: 's3cr3t-value' } }), /token=\*\*\* failed/);
      assert.doesNotMatch(err.message, /s3cr3t/);
    });
  });

  describe('transformers', () => {
    const tree = (calls: string[] = []) =>
      source(
        { name: 'repos', rows: () => [{ id: 1, name: 'a' }, { id: 2, name: 'b' }] },
        { name: 'other', rows: () => { calls.push('other'); return [{ id: 9 }]; } },
        {
          name: 'issues',
          transformer: {
            from: 'repos',
            // A generator per parent item.
            *transform(repo: Item) {
              calls.push(`issues<${repo.name}`);
              yield { repo: repo.name, n: 1 };
              yield { repo: repo.name, n: 2 };
            },
          },
        },
        {
          name: 'comments',
          transformer: {
            from: 'issues',
            transform: async (issue: Item) => (issue.n === 1 ? { on: `${issue.repo}#1` } : undefined),
          },
        },
      );

    it('yields parent and transformer items when both are selected, parent first', async () => {
      const calls: string[] = [];
      const { items, batches } = await run(tree(calls), { resources: ['repos', 'issues'] });
      assert.deepEqual(ids(items.repos), [1, 2]);
      assert.deepEqual(items.issues, [{ repo: 'a', n: 1 }, { repo: 'a', n: 2 }, { repo: 'b', n: 1 }, { repo: 'b', n: 2 }]);
      assert.deepEqual(batches.map((b) => b.resource), ['repos', 'issues']);
      assert.deepEqual(calls, ['issues<a', 'issues<b'], 'unselected "other" did not run');
    });

    it('runs an unselected parent to feed its transformer without yielding its items', async () => {
      const { items, extraction } = await run(tree(), { resources: ['comments'] });
      assert.deepEqual(Object.keys(items), ['comments']);
      assert.deepEqual(items.comments, [{ on: 'a#1' }, { on: 'b#1' }]);
      assert.deepEqual(extraction.counts(), { comments: 2 });
      assert.deepEqual(Object.keys(extraction.state()).sort(), ['comments', 'issues', 'repos']);
    });

    it('accepts arrays, single items, undefined, promises and async generators from transform', async () => {
      const s = source(
        { name: 'p', rows: () => range(4) },
        {
          name: 't',
          transformer: {
            from: 'p',
            transform: ((item: Item) => {
              switch (item.id) {
                case 0: return [{ v: 'a0' }, { v: 'a1' }];
                case 1: return { v: 'single' };
                case 2: return undefined;
                default: return (async function* () { yield { v: 'g0' }; yield [{ v: 'g1' }]; })();
              }
            }) as never,
          },
        },
      );
      const { items } = await run(s, { resources: ['t'] });
      assert.deepEqual(items.t.map((i) => i.v), ['a0', 'a1', 'single', 'g0', 'g1']);
    });

    it('applies the limit to transformers and stops the parent once they are full', async () => {
      let parentPulled = 0;
      const s = source(
        { name: 'p', *rows() { for (let i = 0; i < 100; i++) { parentPulled++; yield { id: i }; } } },
        { name: 't', transformer: { from: 'p', transform: (item: Item) => [{ id: item.id, k: 0 }, { id: item.id, k: 1 }] } },
      );
      const { items } = await run(s, { resources: ['t'], limit: 3 });
      assert.equal(items.t.length, 3);
      assert.equal(parentPulled, 2, 'the parent stopped once the transformer had enough');
    });

    it('names the transformer when transform throws', async () => {
      const s = source(
        { name: 'p', rows: () => range(3) },
        { name: 't', transformer: { from: 'p', transform: (item: Item) => { if (item.id === 1) throw new Error('404'); return item; } } },
      );
      await rejects(run(s, { resources: ['p', 't'] }), /^resource "t" failed after 1 item: 404$/);
    });
  });

  describe('context', () => {
    it('passes config and secrets, and logs with the resource name and masked secrets', async () => {
      const log = recordingLogger();
      let seen: unknown;
      const s = source({
        name: 'r',
        rows: (ctx: ResourceContext) => {
          seen = { config: ctx.config, token: ctx.secrets.token };
          ctx.log.info(`using token ${ctx.secrets.token} for ${ctx.config.org}`);
          ctx.log.warn('short abc and tok-123456 both masked');
          return [];
        },
      });
      await run(s, { resources: ['r'], config: { org: 'duck' }, secrets: { token: 'tok-123456', key: 'abc', empty: '' }, log });
      assert.deepEqual(seen, { config: { org: 'duck' }, token: 'tok-123456' });
      assert.deepEqual(log.lines, ['info [r] using token *** for duck', 'warn [r] short *** and *** both masked']);
    });

    it('keeps custom state between runs, and drops it on full refresh', async () => {
      const s = source({
        name: 'r',
        rows: (ctx: ResourceContext) => {
          const page = ((ctx.state.page as number | undefined) ?? 0) + 1;
          ctx.state.page = page;
          ctx.state.big = 10n ** 20n;
          return [{ page }];
        },
      });
      const first = await run(s, { resources: ['r'] });
      const state = first.extraction.state();
      assert.deepEqual(state, { r: { custom: { page: 1, big: { $bigint: '100000000000000000000' } } } });
      const second = await run(s, { resources: ['r'], state: JSON.parse(JSON.stringify(state)) });
      assert.deepEqual(second.items.r, [{ page: 2 }]);
      const refreshed = await run(s, { resources: ['r'], state, fullRefresh: true });
      assert.deepEqual(refreshed.items.r, [{ page: 1 }]);
    });

    it('can be read only once', async () => {
      const extraction = new Extraction(source({ name: 'r', rows: () => [] }), options({ resources: ['r'] }));
      await collect(extraction);
      await rejects(collect(extraction), /can only be read once/);
    });
  });
});
