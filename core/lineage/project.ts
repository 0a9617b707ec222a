// Column lineage across the models of a project. analyzeQuery gives each model's columns one hop back
// (to columns of the tables it reads); this follows those hops through upstream models down to the
// tables no model builds (source tables and external models), and back up for impact analysis.
// Everything is computed on demand and memoised; a new ProjectLineage is made after each change.

import type { ColumnLineage, ColumnRef, QualifiedName } from './types';

/** Where a source-table column came from: the source, its resource and the field path in its items. */
export interface ColumnOrigin {
  /** `schema.table.column`. */
  column: string;
  source: string;
  resource: string;
  /** The table inside the source schema (e.g. issues__labels for a nested list). */
  table: string;
  /** Field path in the resource's items (inside the list item for child tables); absent for _sluice_* columns. */
  field?: string;
}

export type LineageTableKind = 'model' | 'external' | 'source';

/** What ProjectLineage needs to know about a project. */
export interface LineageGraph {
  /** Model keys (`schema.table`). */
  modelKeys(): Iterable<QualifiedName>;
  /** One-hop lineage of a model's output columns, or undefined when `table` is not a model. */
  modelColumns(table: QualifiedName): readonly ColumnLineage[] | undefined;
  /**
   * True for models whose data does not come from other tables (seeds, EXTERNAL models): lineage ends at
   * their columns as it does at source tables.
   */
  isRootModel?(table: QualifiedName): boolean;
  /** What kind of table a name is, or undefined when nothing in the project declares it. */
  tableKind(table: QualifiedName): LineageTableKind | undefined;
  /** The origin of a column of a table a source loaded. */
  origin(table: QualifiedName, column: string): ColumnOrigin | undefined;
}

export interface ColumnTrace {
  sources: ColumnRef[];
  filters: ColumnRef[];
}

/** One node of an upstream lineage tree. */
export interface LineageNode {
  /** `schema.table.column`. */
  column: string;
  /** How this column is reached from its parent: its value flows in (source) or it picks rows (filter). */
  role: 'source' | 'filter';
  kind: LineageTableKind | 'unknown';
  origin?: ColumnOrigin;
  /** True when the column was already shown higher up in the tree (its children are not repeated). */
  repeated?: boolean;
  children: LineageNode[];
}

export interface DownstreamColumn {
  /** `schema.table.column` of a model column. */
  column: string;
  /** source: the value flows into it along some path; filter: it only decides rows somewhere along every path. */
  via: 'source' | 'filter';
}

/** A downstream tree: the columns that read a column directly, then those that read them. */
export interface DownstreamNode {
  column: string;
  role: 'source' | 'filter';
  repeated?: boolean;
  children: DownstreamNode[];
}

const SEP = '\u0000';
const keyOf = (table: string, column: string): string => table + SEP + column;
const refOf = (key: string): ColumnRef => {
  const at = key.indexOf(SEP);
  return { table: key.slice(0, at), column: key.slice(at + 1) };
};

export function columnText(ref: ColumnRef): string {
  return `${ref.table}.${ref.column}`;
}

export class ProjectLineage {
  private readonly deepMemo = new Map<string, { sources: Set<string>; filters: Set<string> }>();
  private readonly inProgress = new Set<string>();
  private readonly directMemo = new Map<string, ColumnTrace | null>();
  private reverse?: Map<string, { key: string; role: 'source' | 'filter' }[]>;

  constructor(private readonly graph: LineageGraph) {}

  /** One-hop lineage of a model column (columns of duplicated names merged); undefined when there is no such model column. */
  direct(table: string, column: string): ColumnTrace | undefined {
    const t = table.toLowerCase();
    const c = column.toLowerCase();
    const key = keyOf(t, c);
    const known = this.directMemo.get(key);
    if (known !== undefined) return known ?? undefined;
    const columns = this.graph.modelColumns(t)?.filter((l) => l.column === c);
    let trace: ColumnTrace | null = null;
    if (columns && columns.length > 0) {
      const sources = new Set<string>();
      const filters = new Set<string>();
      for (const l of columns) {
        for (const s of l.sources) sources.add(keyOf(s.table, s.column));
        for (const f of l.filters) filters.add(keyOf(f.table, f.column));
      }
      for (const s of sources) filters.delete(s);
      trace = { sources: sortedRefs(sources), filters: sortedRefs(filters) };
    }
    this.directMemo.set(key, trace);
    return trace ?? undefined;
  }

  /**
   * Lineage through every upstream model, down to columns of tables no model builds. A model column's
   * deep filters are its own filters traced down (their sources and filters) plus the deep filters of
   * every column it reads. As in one query, a column's filters never repeat its sources.
   */
  deep(table: string, column: string): ColumnTrace | undefined {
    const t = table.toLowerCase();
    const c = column.toLowerCase();
    const direct = this.direct(t, c);
    if (!direct) return undefined;
    // A seed's column is where its data starts: it has no sources of its own.
    if (this.graph.isRootModel?.(t)) return direct;
    const result = this.deepKeys(keyOf(t, c));
    return { sources: sortedRefs(result.sources), filters: sortedRefs(result.filters) };
  }

  private deepKeys(key: string): { sources: Set<string>; filters: Set<string> } {
    const known = this.deepMemo.get(key);
    if (known) return known;
    const { table, column } = refOf(key);
    const direct = this.direct(table, column);
    if (!direct || this.graph.isRootModel?.(table)) return { sources: new Set([key]), filters: new Set() };
    // A cycle (an error reported elsewhere) ends the walk here instead of recursing forever.
    if (this.inProgress.has(key)) return { sources: new Set(), filters: new Set() };
    this.inProgress.add(key);
    const sources = new Set<string>();
    const filters = new Set<string>();
    try {
      for (const s of direct.sources) {
        const up = this.deepKeys(keyOf(s.table, s.column));
        addAll(sources, up.sources);
        addAll(filters, up.filters);
      }
      for (const f of direct.filters) {
        const up = this.deepKeys(keyOf(f.table, f.column));
        addAll(filters, up.sources);
        addAll(filters, up.filters);
      }
    } finally {
      this.inProgress.delete(key);
    }
    for (const s of sources) filters.delete(s);
    const result = { sources, filters };
    this.deepMemo.set(key, result);
    return result;
  }

  /** Origins of the given columns that sources loaded, in the order given. */
  origins(refs: readonly ColumnRef[]): ColumnOrigin[] {
    const out: ColumnOrigin[] = [];
    for (const r of refs) {
      const origin = this.graph.origin(r.table, r.column);
      if (origin) out.push(origin);
    }
    return out;
  }

  /** The upstream tree of a column: its one-hop sources and filters, and theirs, down to the tables no model builds. */
  tree(table: string, column: string): LineageNode {
    const seen = new Set<string>();
    const build = (ref: ColumnRef, role: 'source' | 'filter'): LineageNode => {
      const key = keyOf(ref.table, ref.column);
      const kind = this.graph.tableKind(ref.table) ?? 'unknown';
      const node: LineageNode = { column: columnText(ref), role, kind, children: [] };
      const origin = this.graph.origin(ref.table, ref.column);
      if (origin) node.origin = origin;
      const direct = this.direct(ref.table, ref.column);
      if (!direct) return node;
      if (seen.has(key)) {
        node.repeated = true;
        return node;
      }
      seen.add(key);
      for (const s of direct.sources) node.children.push(build(s, 'source'));
      for (const f of direct.filters) node.children.push(build(f, 'filter'));
      return node;
    };
    return build({ table: table.toLowerCase(), column: column.toLowerCase() }, 'source');
  }

  /** Model columns reading this column directly, as a source or a filter. */
  readers(table: string, column: string): { column: ColumnRef; role: 'source' | 'filter' }[] {
    const list = this.reverseIndex().get(keyOf(table.toLowerCase(), column.toLowerCase())) ?? [];
    return list.map((r) => ({ column: refOf(r.key), role: r.role }));
  }

  /** Every model column that depends on this one, recursively (impact analysis), sorted. */
  downstream(table: string, column: string): DownstreamColumn[] {
    const start = keyOf(table.toLowerCase(), column.toLowerCase());
    const index = this.reverseIndex();
    const reach = (followFilters: boolean): Set<string> => {
      const seen = new Set<string>();
      const stack = [start];
      while (stack.length > 0) {
        const at = stack.pop()!;
        for (const r of index.get(at) ?? []) {
          if (!followFilters && r.role === 'filter') continue;
          if (seen.has(r.key)) continue;
          seen.add(r.key);
          stack.push(r.key);
        }
      }
      seen.delete(start);
      return seen;
    };
    const byValue = reach(false);
    const any = reach(true);
    return [...any]
      .sort()
      .map((key) => ({ column: columnText(refOf(key)), via: byValue.has(key) ? ('source' as const) : ('filter' as const) }));
  }

  /** The downstream tree: direct readers, then their readers. Repeated columns are marked, not expanded again. */
  downstreamTree(table: string, column: string): DownstreamNode {
    const seen = new Set<string>();
    const build = (key: string, role: 'source' | 'filter'): DownstreamNode => {
      const node: DownstreamNode = { column: columnText(refOf(key)), role, children: [] };
      if (seen.has(key)) {
        node.repeated = true;
        return node;
      }
      seen.add(key);
      const readers = [...(this.reverseIndex().get(key) ?? [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const r of readers) node.children.push(build(r.key, r.role));
      return node;
    };
    return build(keyOf(table.toLowerCase(), column.toLowerCase()), 'source');
  }

  private reverseIndex(): Map<string, { key: string; role: 'source' | 'filter' }[]> {
    if (this.reverse) return this.reverse;
    const index = new Map<string, { key: string; role: 'source' | 'filter' }[]>();
    const add = (from: ColumnRef, to: string, role: 'source' | 'filter'): void => {
      const k = keyOf(from.table, from.column);
      const list = index.get(k);
      if (list) {
        const existing = list.find((e) => e.key === to);
        if (existing) {
          if (role === 'source') existing.role = 'source';
        } else list.push({ key: to, role });
      } else index.set(k, [{ key: to, role }]);
    };
    for (const model of this.graph.modelKeys()) {
      for (const col of this.graph.modelColumns(model) ?? []) {
        const to = keyOf(model, col.column);
        for (const s of col.sources) add(s, to, 'source');
        for (const f of col.filters) add(f, to, 'filter');
      }
    }
    this.reverse = index;
    return index;
  }
}

function sortedRefs(keys: Set<string>): ColumnRef[] {
  return [...keys].sort().map(refOf);
}

function addAll(into: Set<string>, from: Iterable<string>): void {
  for (const x of from) into.add(x);
}
