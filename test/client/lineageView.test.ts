import { strict as assert } from 'node:assert';
import type { Graph, GraphEdge, GraphNode } from '../../core/protocol';
import type { ViewGraph } from '../../client/lineage/drawing';
import { graphView } from '../../client/lineage/graphView';
import { foldSchemas, foldTables } from '../../client/lineage/levelOfDetail';
import { rowFilterCount, withoutRowFilters } from '../../client/lineage/rowFilters';

/** A table node: `schema.table` in tables graphs, `table:schema.table` (labelled without the prefix) in column graphs. */
const table = (id: string, extra: Partial<GraphNode> = {}): GraphNode => {
  const key = id.replace(/^table:/, '');
  return { id, label: key, kind: key.startsWith('raw.') ? 'source' : 'model', ...extra };
};
const column = (id: string, extra: Partial<GraphNode> = {}): GraphNode => {
  const t = id.slice(0, id.lastIndexOf('.'));
  return { id, label: id.slice(t.length + 1), kind: 'model', table: t, ...extra };
};
const edge = (from: string, to: string, role: GraphEdge['role'] = 'source'): GraphEdge => ({ from, to, role });
const edgeList = (g: ViewGraph) => g.edges.map((e) => `${e.from}>${e.to}:${e.role}`).sort();
const nodeIds = (g: ViewGraph) => g.nodes.map((n) => n.id).sort();
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** A model read by two intermediate models built from ten staging views over ten raw tables. */
function wideTables(extra: { nodes?: GraphNode[]; edges?: GraphEdge[] } = {}): Graph {
  const nodes = [table('marts.m', { focus: true }), table('int.a'), table('int.b'), table('reports.x')];
  const edges = [edge('int.a', 'marts.m'), edge('int.b', 'marts.m'), edge('marts.m', 'reports.x')];
  for (const i of range(10)) {
    nodes.push(table(`staging.s${i}`), table(`raw.r${i}`));
    edges.push(edge(`raw.r${i}`, `staging.s${i}`), edge(`staging.s${i}`, i % 2 ? 'int.a' : 'int.b'));
  }
  return { nodes: [...nodes, ...(extra.nodes ?? [])], edges: [...edges, ...(extra.edges ?? [])] };
}

describe('lineage panel: what a graph shows (row filters, level of detail)', () => {
  describe('row filters', () => {
    // revenue's value comes from amount (down to the source field); status only picks rows, and revenue
    // decides the rows of marts.y.k.
    const graph: Graph = {
      nodes: [
        table('table:m.daily'), table('table:int.e'), table('table:stg.o'), table('table:raw.o'), table('table:marts.x'), table('table:marts.y'),
        column('m.daily.revenue', { focus: true }), column('int.e.amount'), column('int.e.status'), column('stg.o.amount'), column('stg.o.status'),
        column('raw.o.total'), column('raw.o.status'), column('marts.x.rev'), column('marts.y.k'),
      ],
      edges: [
        edge('int.e.amount', 'm.daily.revenue'), edge('stg.o.amount', 'int.e.amount'), edge('raw.o.total', 'stg.o.amount'),
        edge('int.e.status', 'm.daily.revenue', 'filter'), edge('stg.o.status', 'int.e.status'), edge('raw.o.status', 'stg.o.status'),
        edge('stg.o.status', 'int.e.amount', 'filter'),
        edge('m.daily.revenue', 'marts.x.rev'), edge('m.daily.revenue', 'marts.y.k', 'filter'),
      ],
    };

    it('keeps the value flow into and out of the selected column, and drops what only filters', () => {
      const shown = withoutRowFilters(graph);
      assert.deepEqual(nodeIds(shown), [
        'int.e.amount', 'm.daily.revenue', 'marts.x.rev', 'raw.o.total', 'stg.o.amount',
        'table:int.e', 'table:m.daily', 'table:marts.x', 'table:raw.o', 'table:stg.o',
      ]);
      assert.deepEqual(edgeList(shown), [
        'int.e.amount>m.daily.revenue:source', 'm.daily.revenue>marts.x.rev:source', 'raw.o.total>stg.o.amount:source', 'stg.o.amount>int.e.amount:source',
      ]);
      assert.equal(rowFilterCount(graph), 3);
    });

    it('shows everything when asked, and says how many filter edges there are either way', () => {
      const hidden = graphView(graph, 'columns', { showRowFilters: false, expanded: new Set() });
      const shown = graphView(graph, 'columns', { showRowFilters: true, expanded: new Set() });
      assert.equal(hidden.rowFilters, 3);
      assert.equal(shown.rowFilters, 3);
      assert.equal(shown.graph.edges.length, graph.edges.length);
      assert.equal(hidden.graph.edges.filter((e) => e.role === 'filter').length, 0);
    });
  });

  describe('tables graph', () => {
    it('leaves a graph within the limit as it is', () => {
      const graph = wideTables();
      assert.equal(graph.nodes.length, 24);
      assert.equal(foldSchemas(graph, new Set(), 24), graph);
    });

    it('folds the tables far from the model by schema, keeping the model and its neighbours', () => {
      const folded = foldSchemas(wideTables(), new Set(), 20);
      assert.deepEqual(nodeIds(folded), ['int.a', 'int.b', 'marts.m', 'reports.x', 'schema:raw', 'schema:staging']);
      const staging = folded.nodes.find((n) => n.id === 'schema:staging')!;
      assert.equal(staging.label, 'staging');
      assert.equal(staging.detail, '10 tables · click to show');
      assert.equal(staging.kind, 'model');
      assert.deepEqual(staging.collapsed?.members, range(10).map((i) => `staging.s${i}`));
      assert.equal(folded.nodes.find((n) => n.id === 'schema:raw')!.kind, 'source');
      // Ten raw → staging edges become one; none inside a folded box is left.
      assert.deepEqual(edgeList(folded), [
        'int.a>marts.m:source', 'int.b>marts.m:source', 'marts.m>reports.x:source',
        'schema:raw>schema:staging:source', 'schema:staging>int.a:source', 'schema:staging>int.b:source',
      ]);
    });

    it('shows the tables of a schema that was clicked open, and never folds a lone table', () => {
      const graph = wideTables({ nodes: [table('other.lonely')], edges: [edge('other.lonely', 'staging.s1')] });
      const folded = foldSchemas(graph, new Set(['schema:staging']), 20);
      assert.ok(range(10).every((i) => folded.nodes.some((n) => n.id === `staging.s${i}`)));
      assert.ok(folded.nodes.some((n) => n.id === 'schema:raw'));
      assert.ok(folded.nodes.some((n) => n.id === 'other.lonely'));
      assert.ok(edgeList(folded).includes('schema:raw>staging.s3:source'));
    });

    it('folds the neighbours of the model too when folding the far tables is not enough', () => {
      // Thirty models read directly by the selected one, with their own inputs in another schema.
      const nodes = [table('marts.m', { focus: true }), table('raw.r')];
      const edges: GraphEdge[] = [];
      for (const i of range(30)) {
        nodes.push(table(`wide.w${i}`));
        edges.push(edge('raw.r', `wide.w${i}`), edge(`wide.w${i}`, 'marts.m'));
      }
      const folded = foldSchemas({ nodes, edges }, new Set(), 24);
      assert.deepEqual(nodeIds(folded), ['marts.m', 'raw.r', 'schema:wide']);
      assert.deepEqual(edgeList(folded), ['raw.r>schema:wide:source', 'schema:wide>marts.m:source']);
      // Opened, the thirty are shown even though that is past the limit: the user asked for them.
      assert.equal(foldSchemas({ nodes, edges }, new Set(['schema:wide']), 24).nodes.length, 32);
    });
  });

  describe('columns graph', () => {
    /** m.t.c reads 15 columns of s.a; 15 columns of s.b decide its rows, one of them also flows in. */
    function wideColumns(): Graph {
      const nodes = [table('table:m.t'), table('table:s.a'), table('table:s.b'), column('m.t.c', { focus: true })];
      const edges: GraphEdge[] = [];
      for (const i of range(15)) {
        nodes.push(column(`s.a.x${i}`), column(`s.b.y${i}`));
        edges.push(edge(`s.a.x${i}`, 'm.t.c'), edge(`s.b.y${i}`, 'm.t.c', 'filter'));
      }
      edges.push(edge('s.b.y1', 'm.t.c', 'source'));
      return { nodes, edges };
    }

    it('folds the tables without a selected column into one box each', () => {
      const folded = foldTables(wideColumns(), new Set(), 30);
      assert.deepEqual(nodeIds(folded), ['m.t.c', 'table:m.t', 'table:s.a', 'table:s.b']);
      const a = folded.nodes.find((n) => n.id === 'table:s.a')!;
      assert.equal(a.detail, '15 columns · click to show');
      assert.equal(a.collapsed?.members.length, 15);
      assert.equal(folded.nodes.find((n) => n.id === 'table:m.t')!.collapsed, undefined);
      // A value flow wins over a row filter between the same two boxes.
      assert.deepEqual(edgeList(folded), ['table:s.a>m.t.c:source', 'table:s.b>m.t.c:source']);
    });

    it('opens a clicked table, which can be folded again', () => {
      const folded = foldTables(wideColumns(), new Set(['table:s.a']), 30);
      const a = folded.nodes.find((n) => n.id === 'table:s.a')!;
      assert.equal(a.collapsed, undefined);
      assert.equal(a.collapsible, true);
      assert.equal(folded.nodes.filter((n) => n.table === 's.a').length, 15);
      assert.ok(folded.nodes.find((n) => n.id === 'table:s.b')!.collapsed);
    });

    it('folds the table boxes per schema when there are still too many, and unfolds a level per click', () => {
      // m.t.c reads two columns of each of forty tables of one schema.
      const nodes = [table('table:m.t'), column('m.t.c', { focus: true })];
      const edges: GraphEdge[] = [];
      for (const i of range(40)) {
        nodes.push(table(`table:wide.w${i}`), column(`wide.w${i}.x`), column(`wide.w${i}.y`));
        edges.push(edge(`wide.w${i}.x`, 'm.t.c'), edge(`wide.w${i}.y`, 'm.t.c', 'filter'));
      }
      const folded = foldTables({ nodes, edges }, new Set(), 30);
      assert.deepEqual(nodeIds(folded), ['m.t.c', 'schema:wide', 'table:m.t']);
      const wide = folded.nodes.find((n) => n.id === 'schema:wide')!;
      assert.equal(wide.detail, '40 tables · click to show');
      assert.ok(wide.collapsed!.members.includes('wide.w7') && wide.collapsed!.members.includes('wide.w7.y'), 'tables and their columns are searchable');
      assert.deepEqual(edgeList(folded), ['schema:wide>m.t.c:source']);

      const schemaOpen = foldTables({ nodes, edges }, new Set(['schema:wide']), 30);
      assert.equal(schemaOpen.nodes.filter((n) => n.collapsed).length, 40);
      const tableOpen = foldTables({ nodes, edges }, new Set(['schema:wide', 'table:wide.w3']), 30);
      assert.deepEqual(tableOpen.nodes.filter((n) => n.table === 'wide.w3').map((n) => n.id), ['wide.w3.x', 'wide.w3.y']);
      assert.equal(tableOpen.nodes.filter((n) => n.collapsed).length, 39);
    });

    it('never makes a box of a single column', () => {
      const graph = wideColumns();
      graph.nodes.push(table('table:s.c'), column('s.c.z'));
      graph.edges.push(edge('s.c.z', 'm.t.c'));
      const folded = foldTables(graph, new Set(), 30);
      assert.ok(folded.nodes.some((n) => n.id === 's.c.z'));
      assert.equal(folded.nodes.find((n) => n.id === 'table:s.c')!.collapsed, undefined);
    });

    it('leaves a graph of up to the limit of columns as it is', () => {
      const graph = wideColumns();
      assert.equal(foldTables(graph, new Set(), 31), graph);
    });
  });
});
