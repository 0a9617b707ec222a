// The column graph without its row filters. A filter edge says a column decides which rows reach another
// (WHERE, JOIN ... ON, GROUP BY); one column can have dozens of them, which hide where its values come
// from. Hidden, the graph keeps the value flow: the selected columns and whatever reaches them, or is reached
// from them, through source edges only.

import type { ViewGraph } from './drawing';

export function rowFilterCount(graph: ViewGraph): number {
  return graph.edges.filter((e) => e.role === 'filter').length;
}

export function withoutRowFilters(graph: ViewGraph): ViewGraph {
  const edges = graph.edges.filter((e) => e.role === 'source');
  const focus = graph.nodes.filter((n) => n.focus && !n.id.startsWith('table:')).map((n) => n.id);
  if (focus.length === 0) return { nodes: graph.nodes, edges };
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  for (const e of edges) {
    upstream.set(e.to, [...(upstream.get(e.to) ?? []), e.from]);
    downstream.set(e.from, [...(downstream.get(e.from) ?? []), e.to]);
  }
  const kept = new Set(focus);
  // Upstream and downstream apart: a source's other readers are not part of this lineage.
  for (const next of [upstream, downstream]) {
    const queue = [...focus];
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      for (const other of next.get(id) ?? []) if (!kept.has(other)) (kept.add(other), queue.push(other));
    }
  }
  const tables = new Set(graph.nodes.filter((n) => kept.has(n.id) && n.table).map((n) => `table:${n.table}`));
  return {
    nodes: graph.nodes.filter((n) => kept.has(n.id) || tables.has(n.id)),
    edges: edges.filter((e) => kept.has(e.from) && kept.has(e.to)),
  };
}
