// The graphs of the lineage panel. Tables: the selected model with everything upstream and downstream of it
// (or the whole project), nearest first when there are too many. Columns: the selected column's upstream
// and downstream trees, or, with only a model selected, where each of its columns' values come from and go
// to, one hop each way.

import type { ModelProject } from '../../core/dag';
import type { DownstreamNode, LineageNode } from '../../core/lineage/project';
import type { Graph, GraphEdge, GraphNode } from '../../core/protocol';
import { columnType, splitColumn, tableKindOf } from '../language/describe';
import type { Locator } from '../language/locations';

export const DEFAULT_MAX_NODES = 200;

/** The table graph around a model (or of the whole project when model is undefined). */
export async function tableGraph(project: ModelProject, locator: Locator, model: string | undefined, maxNodes: number): Promise<{ graph: Graph; truncated: boolean }> {
  const models = new Map(project.models().map((m) => [m.key, m]));
  // Who reads each table, models and tables no model builds alike.
  const readers = new Map<string, string[]>();
  for (const m of models.values()) for (const up of m.upstream) readers.set(up, [...(readers.get(up) ?? []), m.key]);
  const order: string[] = [];
  const seen = new Set<string>();
  if (model) {
    // Breadth first from the model, upstream and downstream separately (siblings are not pulled in), nearest
    // levels first so that the nearest tables are kept when the graph is cut.
    const levels = (follow: (key: string) => readonly string[]): string[][] => {
      const out: string[][] = [];
      let level = [model];
      const visited = new Set([model]);
      while (level.length > 0) {
        const next: string[] = [];
        for (const key of level) for (const other of follow(key)) if (!visited.has(other)) (visited.add(other), next.push(other));
        if (next.length > 0) out.push(next);
        level = next;
      }
      return out;
    };
    const up = levels((key) => models.get(key)?.upstream ?? []);
    const down = levels((key) => readers.get(key) ?? []);
    seen.add(model);
    order.push(model);
    for (let i = 0; i < Math.max(up.length, down.length); i++) {
      for (const key of [...(up[i] ?? []), ...(down[i] ?? [])]) if (!seen.has(key)) (seen.add(key), order.push(key));
    }
  } else {
    for (const key of project.buildOrder()) {
      for (const up of models.get(key)?.upstream ?? []) if (!seen.has(up)) (seen.add(up), order.push(up));
      if (!seen.has(key)) (seen.add(key), order.push(key));
    }
  }
  const kept = order.slice(0, maxNodes);
  const keep = new Set(kept);
  const nodes: GraphNode[] = [];
  for (const key of kept) {
    const kind = tableKindOf(project, key);
    const node: GraphNode = { id: key, label: key, kind, detail: tableDetail(project, key) };
    const location = await locator.table(key);
    if (location) node.location = location;
    if (key === model) node.focus = true;
    nodes.push(node);
  }
  const edges: GraphEdge[] = [];
  for (const key of kept) {
    for (const up of models.get(key)?.upstream ?? []) if (keep.has(up)) edges.push({ from: up, to: key, role: 'source' });
  }
  return { graph: { nodes, edges }, truncated: order.length > kept.length };
}

function tableDetail(project: ModelProject, key: string): string {
  const kind = tableKindOf(project, key);
  if (kind === 'model' || kind === 'seed') return project.model(key)?.kind ?? '';
  if (kind === 'source') {
    const first = project.table(key)?.columns?.find((c) => !c.name.startsWith('_sluice_'));
    const origin = first ? project.origin(key, first.name) : undefined;
    return origin ? `source ${origin.source} · ${origin.resource}` : 'source table';
  }
  return kind === 'external' ? 'external model' : 'not declared';
}

class ColumnGraphBuilder {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges = new Map<string, GraphEdge>();

  constructor(
    private readonly project: ModelProject,
    private readonly locator: Locator,
    private readonly maxNodes: number,
  ) {}

  truncated = false;

  async node(qualified: string, focus = false): Promise<boolean> {
    if (this.nodes.has(qualified)) return true;
    if (this.nodes.size >= this.maxNodes) {
      this.truncated = true;
      return false;
    }
    const [table, column] = splitColumn(qualified);
    const origin = this.project.origin(table, column);
    const type = columnType(this.project, table, column);
    const node: GraphNode = {
      id: qualified,
      label: column,
      kind: tableKindOf(this.project, table),
      table,
      detail: origin?.field !== undefined ? `${type ? `${type.toLowerCase()} · ` : ''}field ${origin.field}` : type?.toLowerCase(),
    };
    const location = await this.locator.column(table, column);
    if (location) node.location = location;
    if (focus) node.focus = true;
    this.nodes.set(qualified, node);
    return true;
  }

  edge(from: string, to: string, role: 'source' | 'filter'): void {
    if (!this.nodes.has(from) || !this.nodes.has(to)) return;
    const key = `${from}\u0000${to}`;
    const known = this.edges.get(key);
    if (!known || (known.role === 'filter' && role === 'source')) this.edges.set(key, { from, to, role });
  }

  async upstream(node: LineageNode): Promise<void> {
    for (const child of node.children) {
      if (!(await this.node(child.column))) return;
      this.edge(child.column, node.column, child.role);
      await this.upstream(child);
    }
  }

  async downstream(node: DownstreamNode): Promise<void> {
    for (const child of node.children) {
      if (!(await this.node(child.column))) return;
      this.edge(node.column, child.column, child.role);
      await this.downstream(child);
    }
  }

  /** Table nodes the column nodes are drawn inside. */
  graph(): Graph {
    const nodes = [...this.nodes.values()];
    const tables = new Map<string, GraphNode>();
    for (const n of nodes) {
      if (!n.table || tables.has(n.table)) continue;
      tables.set(n.table, { id: `table:${n.table}`, label: n.table, kind: n.kind });
    }
    return { nodes: [...tables.values(), ...nodes], edges: [...this.edges.values()] };
  }
}

/** The column graph of one column (deep both ways), or of every column of a model (one hop both ways). */
export async function columnGraph(
  project: ModelProject,
  locator: Locator,
  model: string,
  column: string | undefined,
  maxNodes: number,
): Promise<{ graph: Graph; truncated: boolean }> {
  const builder = new ColumnGraphBuilder(project, locator, maxNodes);
  if (column) {
    const id = `${model}.${column}`;
    await builder.node(id, true);
    await builder.upstream(project.lineage.tree(model, column));
    await builder.downstream(project.lineage.downstreamTree(model, column));
  } else {
    for (const c of project.model(model)?.columns ?? []) {
      const id = `${model}.${c.name}`;
      if (!(await builder.node(id, true))) break;
      // Value flow only: a model's row filters reach every one of its columns and would hide the rest.
      const direct = project.lineage.direct(model, c.name);
      for (const s of direct?.sources ?? []) if (await builder.node(`${s.table}.${s.column}`)) builder.edge(`${s.table}.${s.column}`, id, 'source');
      for (const r of project.lineage.readers(model, c.name)) {
        if (r.role !== 'source') continue;
        const reader = `${r.column.table}.${r.column.column}`;
        if (await builder.node(reader)) builder.edge(id, reader, r.role);
      }
    }
  }
  return { graph: builder.graph(), truncated: builder.truncated };
}

