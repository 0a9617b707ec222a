// Source modules for the language-server tests: small, deterministic, offline.

/** 12,000 + 300 items in two resources: the first spans several extract batches, the second has a child table. */
export const numbersSource = `
export default {
  name: 'numbers',
  resources: [
    { name: 'evens', primaryKey: 'n', *rows() { for (let i = 0; i < 12000; i++) yield { n: i * 2 }; } },
    { name: 'odds', *rows() { for (let i = 0; i < 300; i++) yield { n: i * 2 + 1, tags: ['a', 'b'] }; } },
  ],
};
`;

/** Yields one item, logs, then waits far longer than any test: it only ends by being cancelled. */
export const slowSource = `
export default {
  name: 'slow',
  resources: [
    {
      name: 'ticks',
      async *rows(ctx) {
        yield { n: 1 };
        ctx.log.info('waiting for the next tick');
        await new Promise((resolve) => setTimeout(resolve, 120000));
        yield { n: 2 };
      },
    },
  ],
};
`;

/** Fails after two items, like an API going down mid-run. */
export const brokenSource = `
export default {
  name: 'broken',
  resources: [
    {
      name: 'items',
      *rows() {
        yield { id: 1 };
        yield { id: 2 };
        throw new Error('upstream answered 503');
      },
    },
  ],
};
`;
