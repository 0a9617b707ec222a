import { strict as assert } from 'node:assert';
import type { Graph } from '../../core/protocol';
import { layout } from '../../client/lineage/layout';
import { parse as parseYaml } from 'yaml';
import { setResourceToggle } from '../../server/config/resourceToggle';
import { summarize } from '../../server/sources/loadHistory';
import { scanResources } from '../../server/sources/resourceScan';
import { WarehouseGate } from '../../server/warehouse/gate';

describe('editor pieces without a server', function () {
  it('finds resource names in a source module by reading it, not by strings or comments that look like them', () => {
    const text = `// resources: [{ name: 'commented' }]
import { defineSource } from 'sluice';
const label = "resources: [ { name: 'in a string' } ]";
export default defineSource({
  name: 'shop',
  resources: [
    { name: 'customers', columns: { name: { dataType: 'text' } }, rows: () => [{ name: '}' }] },
    /* { name: 'old' }, */
    {
      name: \`orders\`,
      rows: async function* () { yield { name: 'not a resource' }; },
    },
  ],
});
`;
    const found = scanResources(text);
    assert.equal(found.source?.name, 'shop');
    assert.deepEqual(found.resources.map((r) => r.name), ['customers', 'orders']);
    const customers = found.resources[0];
    assert.equal(text.slice(customers.start, customers.end), 'customers');
  });

  it('finds the tables of sqlDatabase() and the streams of singerTap() as resources', () => {
    const sql = `import { sqlDatabase } from 'sluice';
export default sqlDatabase({
  name: 'crm',
  credentials: '\${secrets.CRM_URL}',
  // tables: ['commented'],
  tables: ['accounts', "contacts"],
  incremental: { contacts: { cursor: 'updated_at' } },
});
`;
    const tables = scanResources(sql);
    assert.equal(tables.source?.name, 'crm');
    assert.deepEqual(tables.resources.map((r) => r.name), ['accounts', 'contacts']);
    assert.equal(sql.slice(tables.resources[1].start, tables.resources[1].end), 'contacts');

    const singer = `export default singerTap({
  name: 'shop',
  command: ['tap-shop', '--flag'],
  config: { data: 'shop.json', users: 'not a stream' },
  streams: {
    customers: { primary_key: ['id'] },
    /* old: {}, */
    'order-lines': { write_disposition: 'append' }, events: {},
  },
});
`;
    const streams = scanResources(singer);
    assert.equal(streams.source?.name, 'shop');
    assert.deepEqual(streams.resources.map((r) => r.name), ['customers', 'order-lines', 'events']);
    const lines = streams.resources[1];
    assert.equal(singer.slice(lines.start, lines.end), 'order-lines');
  });

  it('edits resource toggles in sluice.yaml, creating sections and keeping comments', () => {
    const text = '# top\nname: p\nsources:\n  shop: # the shop\n    resources:\n      orders: true # keep\n  empty:\n';
    assert.deepEqual(setResourceToggle(text, 'shop', 'orders', true), { text, changed: false });
    assert.equal(setResourceToggle(text, 'shop', 'orders', false).text, text.replace('orders: true', 'orders: false'));
    // A new section is written by the yaml package: every comment is still there (one may move a line down).
    const added = setResourceToggle(text, 'empty', 'r', false).text;
    assert.match(added, /\n {2}empty:\n {4}resources:\n {6}r: false\n$/);
    for (const comment of ['# top', '# the shop', 'orders: true # keep']) assert.ok(added.includes(comment), comment);
    assert.throws(() => setResourceToggle('name: [', 's', 'r', true), /sluice\.yaml cannot be edited while it has errors/);
    assert.throws(() => setResourceToggle('sources: 3\n', 's', 'r', true), /sources must be a mapping/);
  });

  it('switches a resource that has settings of its own through its enabled key, keeping the settings', () => {
    const text = 'sources:\n  shop:\n    resources:\n      orders:\n        freshness: { warn_after: 1h }\n        enabled: true\n      items: { owner: ops }\n';
    assert.deepEqual(setResourceToggle(text, 'shop', 'orders', true), { text, changed: false });
    assert.equal(setResourceToggle(text, 'shop', 'orders', false).text, text.replace('enabled: true', 'enabled: false'));
    const items = parseYaml(setResourceToggle(text, 'shop', 'items', false).text).sources.shop.resources;
    assert.deepEqual(items, { orders: { freshness: { warn_after: '1h' }, enabled: true }, items: { owner: 'ops', enabled: false } });
  });

  it('summarizes loads per source: the newest attempt and the newest success, cancelled runs left out', () => {
    const load = (loadId: string, source: string, status: 'loaded' | 'failed', error: string | null = null) => ({
      loadId, source, status, error, startedAt: '', finishedAt: null, rows: {}, schemaVersion: null,
    });
    const summary = summarize([
      load('4', 'shop', 'failed', 'ingest cancelled'),
      load('3', 'shop', 'failed', "resource 'orders': boom"),
      load('2', 'shop', 'loaded'),
      load('1', 'github', 'loaded'),
    ]);
    assert.equal(summary.get('shop')?.last?.loadId, '3');
    assert.equal(summary.get('shop')?.lastLoaded?.loadId, '2');
    assert.equal(summary.get('github')?.last?.loadId, '1');
    assert.equal(summarize([load('5', 'slow', 'failed', 'ingest cancelled')]).has('slow'), false);
  });

  it('keeps reads of a warehouse out of the way of a run of it', async () => {
    const gate = new WarehouseGate();
    const order: string[] = [];
    let finishRead!: () => void;
    const read = gate.read('/w.duckdb', () => new Promise<void>((resolve) => (finishRead = () => (order.push('read done'), resolve()))));
    const run = gate.run('/w.duckdb', async () => {
      order.push('run');
      await assert.rejects(gate.read('/w.duckdb', async () => order.push('read during run')), /being loaded into w\.duckdb/);
    });
    finishRead();
    await Promise.all([read, run]);
    assert.deepEqual(order, ['read done', 'run']);
    assert.equal(gate.busy('/w.duckdb'), false);
  });

  it('lays a lineage graph out left to right, columns inside their tables', async () => {
    const graph: Graph = {
      nodes: [
        { id: 'table:raw.t', label: 'raw.t', kind: 'source' },
        { id: 'table:m.a', label: 'm.a', kind: 'model' },
        { id: 'raw.t.x', label: 'x', kind: 'source', table: 'raw.t' },
        { id: 'raw.t.y', label: 'y', kind: 'source', table: 'raw.t' },
        { id: 'm.a.z', label: 'z', kind: 'model', table: 'm.a', focus: true, location: { file: '/p/models/a.sql', line: 3, character: 2 } },
      ],
      edges: [
        { from: 'raw.t.x', to: 'm.a.z', role: 'source' },
        { from: 'raw.t.y', to: 'm.a.z', role: 'filter' },
      ],
    };
    const drawing = await layout(graph);
    const box = (id: string) => drawing.boxes.find((b) => b.id === id)!;
    assert.equal(drawing.boxes.length, 5);
    assert.ok(box('table:raw.t').group && !box('raw.t.x').group);
    // Upstream on the left; each column inside its table's box.
    assert.ok(box('table:raw.t').x + box('table:raw.t').width <= box('table:m.a').x);
    for (const [column, table] of [['raw.t.x', 'table:raw.t'], ['raw.t.y', 'table:raw.t'], ['m.a.z', 'table:m.a']]) {
      const c = box(column);
      const t = box(table);
      assert.ok(c.x >= t.x && c.y >= t.y && c.x + c.width <= t.x + t.width && c.y + c.height <= t.y + t.height, `${column} inside ${table}`);
    }
    assert.deepEqual(box('m.a.z').location, { file: '/p/models/a.sql', line: 3, character: 2 });
    assert.equal(box('m.a.z').focus, true);
    assert.deepEqual(drawing.lines.map((l) => l.role), ['source', 'filter']);
    assert.ok(drawing.lines.every((l) => l.from.x <= l.to.x));
  });
});
