// The ingest CLI on real project directories, checked through the DuckDB file it leaves.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { makeProject, query, runCli, runCliJson, tableNames, type TempProject } from '../helpers/project';

const shopSource = `
import { defineSource } from 'sluice';
const run = Number(process.env.SHOP_RUN ?? '1');
export default defineSource({
  name: 'shop',
  resources: [
    {
      name: 'orders',
      primaryKey: 'id',
      writeDisposition: 'merge',
      incremental: { cursor: 'updated_at', initialValue: '2024-01-01T00:00:00Z' },
      async *rows(ctx) {
        const orders = [];
        for (let id = 1; id <= 30; id++) {
          // On run 2, orders 1..5 are updated and 31..40 are new.
          const updated = run >= 2 && id <= 5;
          orders.push({
            id,
            status: updated ? 'shipped' : 'placed',
            amount: id * 1.5,
            updated_at: updated ? '2024-02-01T00:00:00Z' : '2024-01-0' + (1 + (id % 5)) + 'T00:00:00Z',
            customer: { name: 'c' + (id % 4), address: { city: 'Oslo' } },
            items: Array.from({ length: id % 3 + 1 }, (_, i) => ({ sku: 'sku-' + i, qty: i + 1 })),
          });
        }
        if (run >= 2) for (let id = 31; id <= 40; id++) orders.push({ id, status: 'placed', amount: 1, updated_at: '2024-02-01T00:00:00Z', customer: { name: 'new', address: { city: 'Rome' } }, items: [{ sku: 'x', qty: 1 }] });
        const start = String(ctx.incremental?.start ?? '');
        yield orders.filter((o) => o.updated_at >= start);
      },
    },
  ],
});
`;

describe('sluice ingest (end to end)', function () {
  this.timeout(120_000);
  let project: TempProject;
  afterEach(() => project?.cleanup());

  it('loads nested items into root and child tables and answers --json with one object', async () => {
    project = makeProject({ 'sources/shop.ts': shopSource });
    const run = runCliJson(['ingest', 'shop'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.status, 'loaded');
    assert.equal(run.json.source, 'shop');
    assert.match(run.json.load_id, /\S/);
    const itemCount = Array.from({ length: 30 }, (_, i) => ((i + 1) % 3) + 1).reduce((a, b) => a + b, 0);
    assert.deepEqual(run.json.tables, { orders: { rows: 30, parts: 1 }, orders__items: { rows: itemCount, parts: 1 } });
    assert.ok(run.json.schema_changes.some((c: any) => c.kind === 'table_added' && c.table === 'orders__items'));

    assert.deepEqual(await tableNames(project.warehouse, 'shop'), ['orders', 'orders__items']);
    const cols = await query<{ column_name: string; data_type: string }>(
      project.warehouse,
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = 'orders'`,
    );
    const types = Object.fromEntries(cols.map((c) => [c.column_name, c.data_type]));
    assert.equal(types.id, 'BIGINT');
    assert.equal(types.amount, 'DOUBLE');
    assert.equal(types.customer__address__city, 'VARCHAR');
    assert.match(types.updated_at, /TIMESTAMP/);
    const [joined] = await query<{ n: number }>(
      project.warehouse,
      `SELECT count(*)::INT AS n FROM shop.orders o JOIN shop.orders__items i ON i._sluice_parent_id = o._sluice_id`,
    );
    assert.equal(joined.n, itemCount);
    const loads = await query<{ status: string; load_id: string }>(project.warehouse, 'SELECT status, load_id FROM _sluice.loads');
    assert.deepEqual(loads, [{ status: 'loaded', load_id: run.json.load_id }]);
    assert.ok(fs.existsSync(path.join(project.dir, 'schemas', 'shop.schema.yaml')));
  });

  it('merges incrementally: updates rows, appends new ones, never duplicates', async () => {
    project = makeProject({ 'sources/shop.ts': shopSource });
    assert.equal(runCli(['ingest', 'shop'], project.dir).code, 0);
    const second = runCliJson(['ingest', 'shop'], project.dir, { SHOP_RUN: '2' });
    assert.equal(second.code, 0, second.stderr);
    // Only rows at or after the cursor came through: the 5 updated and 10 new orders.
    assert.equal(second.json.tables.orders.rows, 15);
    const [counts] = await query<{ n: number; ids: number; shipped: number }>(
      project.warehouse,
      `SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS ids, count(*) FILTER (status = 'shipped')::INT AS shipped FROM shop.orders`,
    );
    assert.deepEqual(counts, { n: 40, ids: 40, shipped: 5 });
    // Children follow their root: the updated orders have exactly their new items, no orphans.
    const [orphans] = await query<{ n: number }>(
      project.warehouse,
      `SELECT count(*)::INT AS n FROM shop.orders__items i WHERE NOT EXISTS (SELECT 1 FROM shop.orders o WHERE o._sluice_id = i._sluice_parent_id)`,
    );
    assert.equal(orphans.n, 0);
    // A third run with nothing new loads nothing and changes nothing.
    const third = runCliJson(['ingest', 'shop'], project.dir, { SHOP_RUN: '2' });
    assert.equal(third.code, 0, third.stderr);
    const [after] = await query<{ n: number }>(project.warehouse, 'SELECT count(*)::INT AS n FROM shop.orders');
    assert.equal(after.n, 40);
  });

  it('numbers rows with integer ids that never repeat across loads of a source', async () => {
    project = makeProject({ 'sources/shop.ts': shopSource });
    assert.equal(runCli(['ingest', 'shop'], project.dir).code, 0);
    assert.equal(runCli(['ingest', 'shop'], project.dir, { SHOP_RUN: '2' }).code, 0);
    const types = await query<{ table_name: string; column_name: string; data_type: string }>(
      project.warehouse,
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'shop' AND column_name IN ('_sluice_id', '_sluice_parent_id', '_sluice_root_id') ORDER BY ALL`,
    );
    assert.ok(types.length === 4 && types.every((t) => t.data_type === 'BIGINT'), JSON.stringify(types));
    const [ids] = await query<{ n: number; distinct_ids: number; max_id: number }>(
      project.warehouse,
      `SELECT count(*)::INT AS n, count(DISTINCT _sluice_id)::INT AS distinct_ids, max(_sluice_id)::INT AS max_id FROM
       (SELECT _sluice_id FROM shop.orders UNION ALL SELECT _sluice_id FROM shop.orders__items)`,
    );
    assert.equal(ids.distinct_ids, ids.n, 'no id appears twice');
    const [counter] = await query<{ next_id: number }>(project.warehouse, `SELECT next_id::INT AS next_id FROM _sluice.row_ids WHERE source = 'shop'`);
    assert.ok(counter.next_id > ids.max_id, 'the next free id is past every id in use');
  });

  it('--limit takes at most N items per resource', async () => {
    project = makeProject({ 'sources/shop.ts': shopSource });
    const run = runCliJson(['ingest', 'shop', '--limit', '7'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.tables.orders.rows, 7);
  });

  it('--full-refresh starts over from the initial cursor', async () => {
    project = makeProject({ 'sources/shop.ts': shopSource });
    assert.equal(runCli(['ingest', 'shop', '--limit', '3'], project.dir).code, 0);
    const run = runCliJson(['ingest', 'shop', '--full-refresh'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    const [after] = await query<{ n: number }>(project.warehouse, 'SELECT count(*)::INT AS n FROM shop.orders');
    assert.equal(after.n, 30);
  });

  it('honours resource toggles in sluice.yaml and --resources', async () => {
    project = makeProject({
      'sluice.yaml': 'name: t\nsources:\n  two:\n    resources:\n      a: true\n      b: false\n',
      'sources/two.js': `export default { name: 'two', resources: [
        { name: 'a', rows: () => [{ x: 1 }] },
        { name: 'b', rows: () => [{ y: 2 }] },
      ] };`,
    });
    const first = runCliJson(['ingest', 'two'], project.dir);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(Object.keys(first.json.tables), ['a']);
    const second = runCliJson(['ingest', 'two', '--resources', 'b'], project.dir);
    assert.deepEqual(Object.keys(second.json.tables), ['b']);
    const sources = runCliJson(['sources'], project.dir);
    assert.deepEqual(
      sources.json.sources[0].resources.map((r: any) => [r.name, r.enabled]),
      [['a', true], ['b', false]],
    );
    const unknown = runCli(['ingest', 'two', '--resources', 'nope'], project.dir);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no resource "nope"/);
  });

  it('a generator that throws halfway fails the load wholly, with one clear line', async () => {
    project = makeProject({
      'sources/flaky.ts': `export default { name: 'flaky', resources: [{ name: 'events', *rows() {
        for (let i = 0; i < 12000; i++) { if (i === 9000) throw new Error('upstream API returned 502'); yield { i }; }
      } }] };`,
    });
    const run = runCliJson(['ingest', 'flaky'], project.dir);
    assert.equal(run.code, 1);
    assert.equal(run.json.status, 'failed');
    assert.match(run.json.error, /events/);
    assert.match(run.json.error, /502/);
    const stderrLines = run.stderr.trim().split('\n');
    assert.equal(stderrLines.length, 1, run.stderr);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    assert.deepEqual(await tableNames(project.warehouse, 'flaky'), []);
    const loads = await query<{ status: string; error: string }>(project.warehouse, 'SELECT status, error FROM _sluice.loads');
    assert.equal(loads.length, 1);
    assert.equal(loads[0].status, 'failed');
  });

  it('a frozen contract rejects a new column, naming resource, field path and value', async () => {
    project = makeProject({
      'sluice.yaml': 'name: t\nsources:\n  people:\n    contract: freeze\n',
      'sources/people.js': `export default { name: 'people', resources: [{ name: 'person', rows: () =>
        process.env.RUN === '2' ? [{ id: 1, profile: { nick: 'zed' } }] : [{ id: 1 }] }] };`,
    });
    assert.equal(runCli(['ingest', 'people'], project.dir).code, 0);
    const run = runCli(['ingest', 'people'], project.dir, { RUN: '2' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /person/);
    assert.match(run.stderr, /profile\.nick/);
    assert.match(run.stderr, /zed/);
  });

  it('reports an unknown source and a broken source module without a stack trace', () => {
    project = makeProject({ 'sources/broken.ts': 'export default { name: "broken", resources: [ {\n' });
    const missing = runCli(['ingest', 'nope'], project.dir);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /nope/);
    const broken = runCli(['ingest', 'broken'], project.dir);
    assert.notEqual(broken.code, 0);
    assert.match(broken.stderr, /broken\.ts:\d+:\d+/);
    for (const r of [missing, broken]) assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('says clearly when the warehouse is locked by another process', async () => {
    project = makeProject({ 'sources/one.js': `export default { name: 'one', resources: [{ name: 'r', rows: () => [{ a: 1 }] }] };` });
    assert.equal(runCli(['ingest', 'one'], project.dir).code, 0);
    const { spawn } = await import('node:child_process');
    const holder = spawn(process.execPath, ['-e', `
      const { DuckDBInstance } = require('@duckdb/node-api');
      DuckDBInstance.create(${JSON.stringify(project.warehouse)}).then(async (i) => { await i.connect(); console.log('held'); setInterval(() => {}, 1000); });
    `], { cwd: path.resolve(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', (d) => String(d).includes('held') && resolve());
        holder.on('exit', () => reject(new Error('lock holder exited')));
      });
      const run = runCliJson(['ingest', 'one', '--lock-wait', '1'], project.dir);
      assert.equal(run.code, 1);
      assert.match(run.json.error, new RegExp(`is locked by another process \\(pid ${holder.pid}\\); waited 1 s`));
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('answers --json with one object on every command, also when sluice.yaml is broken', () => {
    project = makeProject({ 'sluice.yaml': 'name: x\nsources:\n  a: [\n  b: 1\n' });
    for (const args of [['sources'], ['schema', 'a'], ['loads'], ['ingest', 'a']]) {
      const run = runCliJson(args, project.dir);
      assert.equal(run.code, 1, args.join(' '));
      assert.equal(run.json.status, 'failed');
      assert.match(run.json.error, /sluice\.yaml:4:3: /);
      assert.doesNotMatch(run.json.error, /at line/);
    }
  });

  it('shows schema and loads', async () => {
    project = makeProject({ 'sources/shop.ts': shopSource });
    assert.equal(runCli(['ingest', 'shop'], project.dir).code, 0);
    const schema = runCliJson(['schema', 'shop'], project.dir);
    assert.equal(schema.code, 0, schema.stderr);
    assert.equal(schema.json.tables.orders.columns.customer__name.data_type, 'text');
    assert.equal(schema.json.tables.orders.columns.customer__name.field, 'customer.name');
    assert.equal(schema.json.tables.orders__items.parent, 'orders');
    // Child-table fields are given from the root item through the list.
    assert.equal(schema.json.tables.orders__items.field, 'items[]');
    assert.equal(schema.json.tables.orders__items.columns.sku.field, 'items[].sku');
    const text = runCli(['schema', 'shop'], project.dir);
    assert.match(text.stdout, /shop\.orders__items/);
    const loads = runCliJson(['loads'], project.dir);
    assert.equal(loads.json.loads.length, 1);
    assert.equal(loads.json.loads[0].status, 'loaded');
    assert.equal(loads.json.loads[0].rows.orders, 30);
  });
});
