// A wide graph drawn at a level of detail that fits a panel. Past a number of nodes, the tables graph
// folds tables per schema into one box ("staging · 6 tables"): first those more than one step from the
// selected model, then, if that is not enough, its direct neighbours too. The columns graph folds each
// table holding no selected column into one box ("shop.orders · 7 columns"), then, if that is not enough,
// those boxes per schema. A box standing for a single node is never made. A click on a box unfolds it (its
// id joins `expanded`: a schema shows its tables, a table its columns); an unfolded column table can be
// folded again.

import type { GraphEdge } from '../../core/protocol';
import type { GraphName, ViewGraph, ViewNode } from './drawing';

/** More nodes than this and the graph is drawn folded. */
export const DETAIL_LIMITS: Record<GraphName, number> = { models: 24, columns: 30 };

export function levelOfDetail(graph: ViewGraph, name: GraphName, expanded: ReadonlySet<string>, limit = DETAIL_LIMITS[name]): ViewGraph {
  return name === 'models' ? foldSchemas(graph, expanded, limit) : foldTables(graph, expanded, limit);
}

/** Tables graph: folded by schema, sparing the selected model, then its neighbours if that is enough. */
export function foldSchemas(graph: ViewGraph, expanded: ReadonlySet<string>, limit: number): ViewGraph {
  if (graph.nodes.length <= limit) return graph;
  const focus = new Set(graph.nodes.filter((n) => n.focus).map((n) => n.id));
  const near = new Set(focus);
  for (const e of graph.edges) {
    if (focus.has(e.to)) near.add(e.from);
    if (focus.has(e.from)) near.add(e.to);
  }
  const farFolded = foldBySchema(graph, expanded, (n) => (near.has(n.id) ? undefined : n.id));
  return farFolded.nodes.length <= limit ? farFolded : foldBySchema(graph, expanded, (n) => (focus.has(n.id) ? undefined : n.id));
}

/** Columns graph: tables holding a selected column stay open; the others (of two columns or more) become one box each. */
export function foldTables(graph: ViewGraph, expanded: ReadonlySet<string>, limit: number): ViewGraph {
  const columns = graph.nodes.filter((n) => !n.id.startsWith('table:'));
  if (columns.length <= limit) return graph;
  const selected = new Set(columns.filter((n) => n.focus).map((n) => `table:${n.table}`));
  const folded = new Map<string, string>();
  const boxes: ViewNode[] = [];
  const nodes: ViewNode[] = [];
  for (const node of graph.nodes) {
    if (!node.id.startsWith('table:')) continue;
    const members = columns.filter((c) => `table:${c.table}` === node.id);
    if (selected.has(node.id) || members.length < 2) nodes.push(node);
    else if (expanded.has(node.id)) nodes.push({ ...node, collapsible: true });
    else {
      for (const m of members) folded.set(m.id, node.id);
      boxes.push(foldedNode(node.id, node.label, members, 'columns', node.kind));
    }
  }
  const open = new Set(nodes.map((n) => n.id));
  const tablesFolded = fold({ nodes: [...nodes, ...columns.filter((c) => open.has(`table:${c.table}`))], edges: graph.edges }, folded, boxes);
  // Open tables only hold columns; the boxes that count are the columns and the folded tables.
  const drawn = tablesFolded.nodes.filter((n) => !n.id.startsWith('table:') || n.collapsed).length;
  return drawn <= limit ? tablesFolded : foldBySchema(tablesFolded, expanded, (n) => (n.collapsed ? n.label : undefined));
}

/**
 * Folds, per schema, the nodes `tableOf` gives a table key for (two or more of a schema, unless the user
 * opened it). A folded box among them brings its own members along, so that search finds them.
 */
function foldBySchema(graph: ViewGraph, expanded: ReadonlySet<string>, tableOf: (node: ViewNode) => string | undefined): ViewGraph {
  const bySchema = new Map<string, ViewNode[]>();
  for (const node of graph.nodes) {
    const table = tableOf(node);
    const id = table === undefined ? undefined : schemaId(table);
    if (id === undefined || expanded.has(id)) continue;
    bySchema.set(id, [...(bySchema.get(id) ?? []), node]);
  }
  const folded = new Map<string, string>();
  const boxes: ViewNode[] = [];
  for (const [id, members] of bySchema) {
    if (members.length < 2) continue;
    for (const m of members) folded.set(m.id, id);
    const box = foldedNode(id, id.slice('schema:'.length), members, 'tables');
    box.collapsed!.members = members.flatMap((m) => [m.label, ...(m.collapsed?.members.map((c) => `${m.label}.${c}`) ?? [])]);
    boxes.push(box);
  }
  return fold(graph, folded, boxes);
}

function schemaId(tableKey: string): string {
  const dot = tableKey.indexOf('.');
  return `schema:${dot < 0 ? tableKey : tableKey.slice(0, dot)}`;
}

function foldedNode(id: string, label: string, members: ViewNode[], what: string, kind = mostCommonKind(members)): ViewNode {
  return { id, label, kind, detail: `${members.length} ${what} · click to show`, collapsed: { members: members.map((m) => m.label) } };
}

function mostCommonKind(members: ViewNode[]): ViewNode['kind'] {
  const counts = new Map<ViewNode['kind'], number>();
  for (const m of members) counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0][0];
}

/** Replaces folded nodes by their boxes; their edges go to the boxes, once each (a value flow wins). */
function fold(graph: ViewGraph, folded: ReadonlyMap<string, string>, boxes: ViewNode[]): ViewGraph {
  if (boxes.length === 0) return graph;
  const edges = new Map<string, GraphEdge>();
  for (const e of graph.edges) {
    const from = folded.get(e.from) ?? e.from;
    const to = folded.get(e.to) ?? e.to;
    if (from === to) continue;
    const key = `${from}\u0000${to}`;
    const known = edges.get(key);
    if (!known || (known.role === 'filter' && e.role === 'source')) edges.set(key, { from, to, role: e.role });
  }
  const nodes = [...graph.nodes.filter((n) => !folded.has(n.id)), ...boxes];
  const present = new Set(nodes.map((n) => n.id));
  return { nodes, edges: [...edges.values()].filter((e) => present.has(e.from) && present.has(e.to)) };
}
