// Rebuilds the items of a root table from the warehouse: each row's cells go back to the field paths the
// stored schema gives their columns (variants to the path of their base column), the fields of its overflow
// column (beyond the table's column limit) to their own paths, and each child table's rows, in
// _sluice_list_idx order, into a list at the child's path relative to its parent.
// A leaf is a Cell; a list element is always an object (scalar elements come back as { value }).
// Anything that cannot be placed (two cells for one field, an orphan row, a gap in list positions) is a
// problem, so that no leaf is counted twice or lost without notice.
import type { TableSchema } from '../../../core/schema/types';
import { OVERFLOW_COLUMN, type Cell, type TableRows, type WarehouseSnapshot } from './snapshot';

export type Rebuilt = { [key: string]: Rebuilt | Rebuilt[] | Cell };

export interface ItemProblem {
  path: string;
  message: string;
}

export interface RebuiltItem {
  id: string;
  value: Rebuilt;
  /** What went wrong placing this item's cells and rows. */
  problems: ItemProblem[];
}

export interface RebuildResult {
  items: RebuiltItem[];
  /** Problems not tied to one item: orphan rows, bad paths in the schema. */
  problems: string[];
}

export const isCell = (v: unknown): v is Cell => typeof v === 'object' && v !== null && 'type' in v && 'column' in v && !Array.isArray(v);

/** Root rows in _sluice_id order (the order the items were yielded in, for append loads). */
export function rebuildItems(snapshot: WarehouseSnapshot, rootTable: string): RebuildResult {
  const root = snapshot.tables.get(rootTable);
  if (!root || root.schema.parent !== undefined) throw new Error(`${rootTable} is not a root table of the stored schema`);
  const problems: string[] = [];
  const children = childrenOf(snapshot, problems);
  const byParent = new Map<string, Map<string, number[]>>();
  const placed = new Map<string, number>();
  for (const [name, rows] of snapshot.tables) if (rows.schema.parent !== undefined) byParent.set(name, groupByParent(rows));

  const build = (rows: TableRows, index: number, itemProblems: ItemProblem[], where: string): Rebuilt => {
    const out: Rebuilt = {};
    const paths = fieldPaths(rows.schema);
    for (const cell of rows.cells[index]) {
      const path = paths.get(cell.column);
      if (!path) {
        itemProblems.push({ path: where, message: `column ${rows.schema.name}.${cell.column} has a value but no field path` });
        continue;
      }
      place(out, path, cell, itemProblems, where, `column ${rows.schema.name}.${cell.column}`);
    }
    const overflow = rows.overflow[index];
    if (overflow !== null) placeOverflow(out, JSON.parse(overflow), [], itemProblems, where, rows.schema.name);
    for (const child of children.get(rows.schema.name) ?? []) {
      const members = byParent.get(child.table.name)?.get(rows.ids[index]);
      if (!members) continue;
      placed.set(child.table.name, (placed.get(child.table.name) ?? 0) + members.length);
      const childRows = snapshot.tables.get(child.table.name)!;
      const list: Rebuilt[] = [];
      members.forEach((m, position) => {
        const idx = childRows.listIdx[m];
        const at = `${where}${pathText(child.relative)}[${idx}]`;
        if (idx !== position) itemProblems.push({ path: at, message: `table ${child.table.name} has _sluice_list_idx ${idx} where position ${position} was due` });
        list.push(build(childRows, m, itemProblems, at));
      });
      place(out, child.relative, list, itemProblems, where, `table ${child.table.name}`);
    }
    return out;
  };

  const order = root.ids.map((id, i) => i).sort((a, b) => compareIds(root.ids[a], root.ids[b]));
  const items = order.map((i) => {
    const itemProblems: ItemProblem[] = [];
    const value = build(root, i, itemProblems, '');
    return { id: root.ids[i], value, problems: itemProblems };
  });
  // Rows never reached from a root row are orphans: data that belongs to no item.
  for (const [name, rows] of snapshot.tables) {
    if (rows.schema.parent === undefined || !isUnder(snapshot, name, rootTable)) continue;
    const orphans = rows.ids.length - (placed.get(name) ?? 0);
    if (orphans !== 0) problems.push(`table ${name}: ${orphans} row(s) hang from no row of ${rows.schema.parent}`);
  }
  return { items, problems };
}

const pathCache = new WeakMap<TableSchema, Map<string, string[] | undefined>>();

/** Each column's field path; a variant without its own path takes its base column's. */
function fieldPaths(table: TableSchema): Map<string, string[] | undefined> {
  let paths = pathCache.get(table);
  if (!paths) {
    const own = new Map(table.columns.map((c) => [c.name, c.path]));
    paths = new Map(table.columns.map((c) => [c.name, c.path ?? (c.variantOf !== undefined ? own.get(c.variantOf) : undefined)]));
    pathCache.set(table, paths);
  }
  return paths;
}

interface ChildTable {
  table: TableSchema;
  /** The list's path inside a row of the parent table. */
  relative: string[];
}

function childrenOf(snapshot: WarehouseSnapshot, problems: string[]): Map<string, ChildTable[]> {
  const out = new Map<string, ChildTable[]>();
  for (const { schema: table } of snapshot.tables.values()) {
    if (table.parent === undefined) continue;
    const parent = snapshot.tables.get(table.parent)?.schema;
    const parentPath = parent?.path ?? [];
    const path = table.path ?? [];
    if (!parent || path.length <= parentPath.length || parentPath.some((key, i) => path[i] !== key)) {
      problems.push(`table ${table.name}: path ${JSON.stringify(path)} does not extend its parent ${table.parent}'s`);
      continue;
    }
    if (!out.has(table.parent)) out.set(table.parent, []);
    out.get(table.parent)!.push({ table, relative: path.slice(parentPath.length) });
  }
  return out;
}

/** Row indexes per parent id, in _sluice_list_idx order. */
function groupByParent(rows: TableRows): Map<string, number[]> {
  const out = new Map<string, number[]>();
  rows.parentIds.forEach((parent, i) => {
    const key = parent ?? '';
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push(i);
  });
  for (const members of out.values()) members.sort((a, b) => (rows.listIdx[a] ?? -1) - (rows.listIdx[b] ?? -1));
  return out;
}

function isUnder(snapshot: WarehouseSnapshot, table: string, root: string): boolean {
  let at: string | undefined = table;
  while (at !== undefined && at !== root) at = snapshot.tables.get(at)?.schema.parent;
  return at === root;
}

function compareIds(a: string, b: string): number {
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) {
    const [x, y] = [BigInt(a), BigInt(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Puts a value at a path, refusing to overwrite: two sources for one field is a duplicated leaf. */
function place(target: Rebuilt, path: readonly string[], value: Rebuilt[] | Cell, problems: ItemProblem[], where: string, what: string): void {
  let at: Rebuilt = target;
  for (let i = 0; i < path.length - 1; i++) {
    const next = Object.hasOwn(at, path[i]) ? at[path[i]] : undefined;
    if (next === undefined) {
      const created: Rebuilt = {};
      at[path[i]] = created;
      at = created;
    } else if (Array.isArray(next) || isCell(next)) {
      problems.push({ path: where + pathText(path.slice(0, i + 1)), message: `holds a ${Array.isArray(next) ? 'list' : 'value'} and also fields (from ${what})` });
      return;
    } else {
      at = next;
    }
  }
  const last = path[path.length - 1];
  if (Object.hasOwn(at, last)) {
    const existing = at[last];
    const from = isCell(existing) ? `column ${existing.column}` : 'another column or table';
    problems.push({ path: where + pathText(path), message: `duplicated: two values, from ${from} and from ${what}` });
    return;
  }
  at[last] = value;
}

/**
 * Places the fields of an overflow object: each value that is not an object goes to its path as a JSON
 * cell (compared like a JSON column), so a field in a column and in the overflow shows up as duplicated.
 */
function placeOverflow(target: Rebuilt, fields: unknown, path: string[], problems: ItemProblem[], where: string, table: string): void {
  if (typeof fields === 'object' && fields !== null && !Array.isArray(fields)) {
    for (const [key, value] of Object.entries(fields)) placeOverflow(target, value, [...path, key], problems, where, table);
    return;
  }
  if (fields === null) return; // null is absent
  if (path.length === 0) {
    problems.push({ path: where, message: `table ${table}: the overflow column holds ${JSON.stringify(fields)}, not an object` });
    return;
  }
  const cell: Cell = { type: 'json', value: JSON.stringify(fields), column: OVERFLOW_COLUMN };
  place(target, path, cell, problems, where, `column ${table}.${OVERFLOW_COLUMN}`);
}

/** A field path as `a.b[2].c`, quoting keys that are not plain identifiers. */
export function pathText(path: readonly (string | number)[]): string {
  return path
    .map((key) => (typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`))
    .join('');
}
