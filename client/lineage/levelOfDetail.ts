// A wide graph drawn at a level of detail that fits a panel: past a number of nodes, tables far from the
// selected model are folded per schema into one box ("staging · 6 tables"), and column tables that hold
// no selected column into one box ("shop.orders · 7 columns"). A click on such a box unfolds it (its id
// joins `expanded`); an unfolded column table can be folded again.

import type { GraphEdge } from '../../core/protocol';
import type { GraphName, ViewGraph, ViewNode } from './drawing';

/** More nodes than this and the graph is drawn folded. */
export const DETAIL_LIMITS: Record<GraphName, number> = { models: 24, columns: 30 };

export function levelOfDetail(graph: ViewGraph, name: GraphName, expanded: ReadonlySet<string>, limit = DETAIL_LIMITS[name]): ViewGraph {
  return name === 'models' ? foldSchemas(graph, expanded, limit) : foldTables(graph, expanded, limit);
}

/** Tables graph: the selected model and its direct neighbours stay; the rest is folded by schema. */
export function foldSchemas(graph: ViewGraph, expanded: ReadonlySet<string>, limit: number): ViewGraph {
  if (graph.nodes.length <= limit) return graph;
  const focus = new Set(graph.nodes.filter((n) => n.focus).map((n) => n.id));
  const near = new Set(focus);
  for (const e of graph.edges) {
    if (focus.has(e.to)) near.add(e.from);
    if (focus.has(e.from)) near.add(e.to);
  }
  const bySchema = new Map<string, ViewNode[]>();
  for (const node of graph.nodes) {
    const id = schemaId(node.id);
    if (near.has(node.id) || expanded.has(id)) continue;
    bySchema.set(id, [...(bySchema.get(id) ?? []), node]);
  }
  const folded = new Map<string, string>();
  const boxes: ViewNode[] = [];
  for (const [id, members] of bySchema) {
    if (members.length < 2) continue;
    for (const m of members) folded.set(m.id, id);
    boxes.push(foldedNode(id, id.slice('schema:'.length), members, 'tables'));
  }
  return fold(graph, folded, boxes);
}

/** Columns graph: tables holding a selected column stay open; the others become one box each. */
export function foldTables(graph: ViewGraph, expanded: ReadonlySet<string>, limit: number): ViewGraph {
  const columns = graph.nodes.filter((n) => !n.id.startsWith('table:'));
  if (columns.length <= limit) return graph;
  const selected = new Set(columns.filter((n) => n.focus).map((n) => `table:${n.table}`));
  const folded = new Map<string, string>();
  const boxes: ViewNode[] = [];
  const nodes: ViewNode[] = [];
  for (const node of graph.nodes) {
    if (!node.id.startsWith('table:')) continue;
    if (selected.has(node.id)) nodes.push(node);
    else if (expanded.has(node.id)) nodes.push({ ...node, collapsible: true });
    else {
      const members = columns.filter((c) => `table:${c.table}` === node.id);
      for (const m of members) folded.set(m.id, node.id);
      boxes.push(foldedNode(node.id, node.label, members, 'columns', node.kind));
    }
  }
  const open = new Set(nodes.map((n) => n.id));
  return fold({ nodes: [...nodes, ...columns.filter((c) => open.has(`table:${c.table}`))], edges: graph.edges }, folded, boxes);
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
