import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Box, Drawing, ViewGraph } from '../../client/lineage/drawing';
import { graphView } from '../../client/lineage/graphView';
import { layout } from '../../client/lineage/layout';
import { foldTables } from '../../client/lineage/levelOfDetail';
import { DrawingCache, scriptIdentity } from '../../client/lineage/drawingCache';
import { LayoutService } from '../../client/lineage/layoutService';
import { Lineage } from '../../core/protocol';
import { copyDemo, type DemoCopy } from '../server/demo';
import { LspTestClient, repoRoot } from '../server/lspClient';

const WORKER = path.join(repoRoot, 'dist', 'lineageLayout.js');
const PAGE_SCRIPT = path.join(repoRoot, 'media', 'dist', 'lineage.js');

const inside = (inner: Box, outer: Box) =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Every box inside the drawing, top-level boxes apart from each other, lines from left to right. */
function assertTidy(drawing: Drawing): void {
  for (const b of drawing.boxes) assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= drawing.width + 1e-6 && b.y + b.height <= drawing.height + 1e-6, `${b.id} inside the drawing`);
  const top = drawing.boxes.filter((b) => b.group || !drawing.boxes.some((g) => g.group && g !== b && inside(b, g)));
  for (const a of top) for (const b of top) if (a !== b) assert.ok(!overlap(a, b), `${a.id} and ${b.id} overlap`);
}

async function waitFor(done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('lineage panel: layout', function () {
  before(function () {
    if (!fs.existsSync(WORKER) || !fs.existsSync(PAGE_SCRIPT)) throw new Error('run npm run build first');
  });

  it('draws a folded table as one box among open ones, its edges going to the box', async () => {
    const graph: ViewGraph = {
      nodes: [
        { id: 'table:m.t', label: 'm.t', kind: 'model' },
        { id: 'm.t.c', label: 'c', kind: 'model', table: 'm.t', focus: true },
        { id: 'table:s.a', label: 's.a', kind: 'source', detail: '15 columns · click to show', collapsed: { members: ['x1', 'x2'] } },
        { id: 'table:s.b', label: 's.b', kind: 'source', collapsible: true },
        { id: 's.b.y', label: 'y', kind: 'source', table: 's.b' },
      ],
      edges: [
        { from: 'table:s.a', to: 'm.t.c', role: 'source' },
        { from: 's.b.y', to: 'm.t.c', role: 'source' },
      ],
    };
    const drawing = await layout(graph);
    const box = (id: string) => drawing.boxes.find((b) => b.id === id)!;
    assert.equal(box('table:s.a').group, false);
    assert.deepEqual(box('table:s.a').members, ['x1', 'x2']);
    assert.equal(box('table:s.b').group, true);
    assert.equal(box('table:s.b').collapsible, true);
    assert.ok(inside(box('s.b.y'), box('table:s.b')));
    assert.ok(box('table:s.a').x + box('table:s.a').width <= box('m.t.c').x, 'the folded upstream table is on the left');
    assert.equal(drawing.lines.length, 2);
    assertTidy(drawing);
  });

  it('keeps the layout engine out of the page script, so that the page starts at once', () => {
    const script = fs.readFileSync(PAGE_SCRIPT, 'utf8');
    assert.ok(script.length < 60_000, `media/dist/lineage.js is ${script.length} bytes`);
    assert.ok(!/elkjs|org\.eclipse\.elk/i.test(script), 'ELK is bundled into the page script');
    assert.match(fs.readFileSync(WORKER, 'utf8'), /org\.eclipse\.elk/);
  });

  describe('in the worker thread, on the demo project as the server describes it', function () {
    let demo: DemoCopy;
    let client: LspTestClient;
    let layouts: LayoutService;
    let revenue: Lineage.Result;

    before(async () => {
      demo = copyDemo();
      client = await LspTestClient.start({ folders: [demo.dir], trusted: false });
      const file = 'models/marts/daily_revenue.sql';
      const uri = await client.open(demo.file(file), demo.text(file), 'sql');
      revenue = await client.request(Lineage.type, { file: uri, position: demo.position(file, 'AS revenue', 4) });
      layouts = new LayoutService(WORKER);
    });

    after(async () => {
      layouts?.dispose();
      await client?.stop();
      demo?.cleanup();
    });

    it('lays out the tables and the column of revenue without its row filters', async () => {
      const tables = await layouts.layout(graphView(revenue.models, 'models', { showRowFilters: false, expanded: new Set() }).graph);
      assert.deepEqual(tables.boxes.map((b) => b.id).sort(), revenue.models.nodes.map((n) => n.id).sort());
      assertTidy(tables);
      const focus = tables.boxes.find((b) => b.focus)!;
      assert.equal(focus.id, 'analytics.daily_revenue');
      // Downstream on the right: nothing reads daily_revenue, so it is the rightmost box.
      assert.ok(tables.boxes.every((b) => b === focus || b.x < focus.x));

      const view = graphView(revenue.columns!, 'columns', { showRowFilters: false, expanded: new Set() });
      assert.ok(view.rowFilters >= 10, `${view.rowFilters} filter edges`);
      const columns = await layouts.layout(view.graph);
      assert.deepEqual(
        columns.boxes.filter((b) => !b.group).map((b) => b.id).sort(),
        ['analytics.daily_revenue.revenue', 'intermediate.orders_enriched.amount', 'shop.orders.total', 'staging.orders.amount'],
      );
      assert.ok(columns.lines.every((l) => l.role === 'source'));
      assertTidy(columns);
    });

    it('with row filters shown, draws every column and the dashed lines', async () => {
      const view = graphView(revenue.columns!, 'columns', { showRowFilters: true, expanded: new Set() });
      const columns = await layouts.layout(view.graph);
      assert.equal(columns.boxes.length, revenue.columns!.nodes.length);
      assert.equal(columns.lines.filter((l) => l.role === 'filter').length, view.rowFilters);
      assertTidy(columns);
    });

    it('past the level-of-detail limit, draws the tables without a selected column as one box each', async () => {
      const folded = foldTables(revenue.columns!, new Set(), 10);
      const columns = await layouts.layout(folded);
      const enriched = columns.boxes.find((b) => b.id === 'table:intermediate.orders_enriched')!;
      assert.ok(enriched.members?.includes('status'), 'orders_enriched is one box holding status');
      assert.ok(columns.boxes.some((b) => b.id === 'analytics.daily_revenue.revenue' && b.focus));
      assert.ok(columns.boxes.length < revenue.columns!.nodes.length);
      assertTidy(columns);
    });

    it('answers a bad request with its error, and stays usable', async () => {
      await assert.rejects(layouts.layout(null as unknown as ViewGraph), /null|undefined/);
      const again = await layouts.layout({ nodes: [{ id: 'a.b', label: 'a.b', kind: 'model' }], edges: [] });
      assert.equal(again.boxes.length, 1);
    });

    it('stops an idle worker, and starts it again for the next layout', async () => {
      const brief = new LayoutService(WORKER, 50);
      try {
        brief.warmUp();
        assert.equal(brief.running, true);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(brief.running, false);
        const drawing = await brief.layout(revenue.models);
        assert.equal(drawing.boxes.length, revenue.models.nodes.length);
      } finally {
        brief.dispose();
      }
    });

    it('draws a graph laid out before from its cache, in a later session too, without the worker', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-drawings-'));
      const graph = graphView(revenue.columns!, 'columns', { showRowFilters: true, expanded: new Set() }).graph;
      const identity = scriptIdentity(WORKER);
      const first = new LayoutService(WORKER, undefined, new DrawingCache(identity, dir));
      const later = new LayoutService(WORKER, undefined, new DrawingCache(identity, dir));
      const rebuilt = new LayoutService(WORKER, undefined, new DrawingCache(`${identity}:rebuilt`, dir));
      try {
        const drawn = await first.layout(graph);
        assert.equal(first.running, true);
        await waitFor(() => fs.readdirSync(dir).some((name) => name.endsWith('.json')));
        const again = await later.layout(structuredClone(graph));
        assert.deepEqual(again, drawn);
        assert.equal(later.running, false, 'the cached drawing needed no worker');
        // Another graph, or the same graph under new layout code, is laid out afresh.
        await later.layout(revenue.models);
        assert.equal(later.running, true);
        assert.deepEqual(await rebuilt.layout(graph), drawn);
        assert.equal(rebuilt.running, true, 'a drawing of older layout code was reused');
      } finally {
        for (const service of [first, later, rebuilt]) service.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('fails what is pending when it is closed', async () => {
      const closing = new LayoutService(WORKER);
      const pending = closing.layout(revenue.models);
      closing.dispose();
      await assert.rejects(pending, /closed/);
    });
  });
});
