// Numbers that turn fractional, and loads that run out of memory, through the real CLI and the DuckDB
// file it leaves.
import { strict as assert } from 'node:assert';
import { makeProject, query, runCli, runCliJson, type TempProject } from '../helpers/project';

// PHASE 1: integers only. PHASE 2: every third price has a fraction (from item FROM on), and the list
// elements' quantities too. BIG: one price beyond 2^53, given as a bigint.
const pricesSource = `
const phase = Number(process.env.PHASE ?? '1');
const count = Number(process.env.COUNT ?? '1000');
const from = Number(process.env.FROM ?? '0');
export default {
  name: 'shop',
  resources: [{
    name: 'prices',
    *rows() {
      if (process.env.BIG === '1') yield { id: -1, price: 2n ** 60n + 1n };
      for (let i = 0; i < count; i++) {
        const fraction = phase === 2 && i >= from && i % 3 === 0;
        yield { id: i, price: fraction ? i + 0.25 : i, lines: [{ qty: fraction ? 1.5 : 2 }] };
      }
    },
  }],
};
`;

describe('widening and memory (end to end)', function () {
  this.timeout(180_000);
  let project: TempProject;
  afterEach(() => project?.cleanup());

  const ingest = (env: Record<string, string>) => runCliJson(['ingest', 'shop'], project.dir, env);
  const priceSum = (count: number, from: number) => {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += i + (i >= from && i % 3 === 0 ? 0.25 : 0);
    return sum;
  };

  async function typesAndSums(): Promise<{ price: string; qty: string; sum: number; rows: number; qtySum: number }> {
    const [root] = await query<{ t: string; s: number; n: number }>(project.warehouse, 'SELECT any_value(typeof(price)) AS t, sum(price)::DOUBLE AS s, count(*)::INT AS n FROM shop.prices');
    const [child] = await query<{ t: string; s: number }>(project.warehouse, 'SELECT any_value(typeof(qty)) AS t, sum(qty)::DOUBLE AS s FROM shop.prices__lines');
    return { price: root.t, qty: child.t, sum: root.s, rows: root.n, qtySum: child.s };
  }

  it('a BIGINT column in the warehouse becomes DOUBLE when fractions arrive, keeping every value', async () => {
    project = makeProject({ 'sources/shop.ts': pricesSource });
    const first = ingest({ PHASE: '1', COUNT: '300' });
    assert.equal(first.json.status, 'loaded', first.json.error);
    assert.deepEqual(await typesAndSums(), { price: 'BIGINT', qty: 'BIGINT', sum: priceSum(300, Infinity), rows: 300, qtySum: 600 });

    const second = ingest({ PHASE: '2', COUNT: '300' });
    assert.equal(second.json.status, 'loaded', second.json.error);
    assert.deepEqual(
      second.json.schema_changes.filter((c: any) => c.kind === 'type_widened'),
      [
        { kind: 'type_widened', table: 'prices', column: 'price', from: 'bigint', dataType: 'double' },
        { kind: 'type_widened', table: 'prices__lines', column: 'qty', from: 'bigint', dataType: 'double' },
      ],
    );
    const after = await typesAndSums();
    assert.deepEqual(after, { price: 'DOUBLE', qty: 'DOUBLE', sum: priceSum(300, Infinity) + priceSum(300, 0), rows: 600, qtySum: 600 + 100 * 1.5 + 200 * 2 });
    const variants = await query(project.warehouse, `SELECT column_name FROM information_schema.columns WHERE table_schema = 'shop' AND contains(column_name, '__v_')`);
    assert.deepEqual(variants, []);
  });

  it('the summary shows a widened column as bigint → double', () => {
    project = makeProject({ 'sources/shop.ts': pricesSource });
    assert.equal(ingest({ PHASE: '1', COUNT: '10' }).json.status, 'loaded');
    const run = runCli(['ingest', 'shop'], project.dir, { PHASE: '2', COUNT: '10' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /~ column prices\.price bigint → double/);
    assert.match(run.stdout, /~ column prices__lines\.qty bigint → double/);
  });

  it('widens a table whose first parts went in while the source still ran (the early load starts over)', async () => {
    project = makeProject({ 'sources/shop.ts': pricesSource });
    // Parts of 500 rows: the first fractions arrive after 20 parts have gone in early.
    const run = ingest({ PHASE: '2', COUNT: '30000', FROM: '10000', SLUICE_PART_ROWS: '500' });
    assert.equal(run.json.status, 'loaded', run.json.error);
    const after = await typesAndSums();
    assert.equal(after.price, 'DOUBLE');
    assert.equal(after.rows, 30000);
    assert.equal(after.sum, priceSum(30000, 10000));
    // One part per 500 rows, plus one where the type widened.
    assert.ok(run.json.tables.prices.parts <= 61, `parts: ${run.json.tables.prices.parts}`);
  });

  it('refuses to widen a column holding integers a DOUBLE would round, naming it and the way out', async () => {
    project = makeProject({ 'sources/shop.ts': pricesSource });
    assert.equal(ingest({ PHASE: '1', COUNT: '10', BIG: '1' }).json.status, 'loaded');
    const run = ingest({ PHASE: '2', COUNT: '10' });
    assert.equal(run.code, 1);
    assert.match(run.json.error, /column "price" of table "shop"."prices" would widen from BIGINT to DOUBLE .* holds 1 integers beyond 2\^53 .*dataType: 'bigint'/);
    const [{ t }] = await query<{ t: string }>(project.warehouse, 'SELECT any_value(typeof(price)) AS t FROM shop.prices');
    assert.equal(t, 'BIGINT');
  });

  it('a load that runs out of memory is done again on one thread and loads every row', async () => {
    project = makeProject({ 'sources/shop.ts': pricesSource });
    // DuckDB spills what it can to the package's folder, so only a tiny limit runs out.
    const run = runCliJson(['ingest', 'shop'], project.dir, { PHASE: '2', COUNT: '200000', SLUICE_PART_ROWS: '20000', SLUICE_LOAD_MEMORY_LIMIT: '4MB', SLUICE_DEBUG: '1' });
    assert.equal(run.json.status, 'loaded', run.json.error);
    assert.match(run.stderr, /ran out of memory; loading it again on one thread/);
    const after = await typesAndSums();
    assert.equal(after.rows, 200000);
    assert.equal(after.sum, priceSum(200000, 0));
  });
});
