// Items of one resource → rows of its root table and child tables, evolving the schema as new fields
// appear. This is the per-row hot path: raw keys resolve to columns through per-table caches, and the
// common case (a value of its column's type) is a map lookup, a type check and an assignment.

import { SluiceError } from '../../errors';
import type { DataType } from '../../schema/types';
import type { Item } from '../types';
import type { Cell, LineLayout, Row } from '../package';
import { violation, type ContractEntity } from './contract';
import { fitsDecimal, isBinary, naturalType, toColumnCell } from './infer';
import { PATH_SEPARATOR, isSystemName, normalizeSegment, shortenName, variantColumnName } from './naming';
import type { ResolvedHint, ResourcePlan } from './resourcePlan';
import { SYSTEM_PATH_KEY, pathKey, type ColumnState, type SchemaBuilder, type TableState } from './schemaBuilder';
import { compileShape, type CompiledShape } from './itemShape';
import { isWellFormed, printable, printablePair } from './printable';
import { UnserializableValue, contentHash, previewValue, toJsonText } from './serialize';
import { OVERFLOW, ROW_ID, overflowColumn, rowIdType, systemColumns } from './systemColumns';

/** Where one raw key of one object position leads: its column, nested object node or child table. */
interface Slot {
  readonly key: string;
  /** Column name (shortened). */
  readonly name: string;
  /** Column name before shortening; nested names and child table names extend it. */
  readonly full: string;
  /** Raw keys from the table's row to this field. */
  readonly path: string[];
  readonly pathKey: string;
  readonly hint: ResolvedHint | undefined;
  /** The scalar of a list element (stored in `value`): error paths end at the element index. */
  readonly element: boolean;
  column: ColumnState | undefined;
  /** Objects and lists here are stored as JSON (a json hint or an existing json column). */
  asJson: boolean;
  object: Node | undefined;
  list: TableState | undefined;
}

/** One object position inside a table's rows: the row itself or a nested object flattened into it. */
interface Node {
  readonly table: TableState;
  readonly full: string;
  readonly path: string[];
  readonly slots: Map<string, Slot>;
  element: Slot | undefined;
}

/**
 * Where staged output goes, in item order per table: row objects from the general path, CSV lines from a
 * compiled item shape (see itemShape.ts).
 */
export interface StageSink {
  /** Rows of a table; `present` names the columns that hold a value in some of them. */
  rows(table: string, rows: Row[], present: string[]): void;
  /** Encoded rows of a table, one CSV line each, with the fields `layout` names. */
  lines(table: string, layout: LineLayout, lines: string[]): void;
}

/** Item shapes kept per resource, most recently used first. */
const MAX_SHAPES = 4;
/** Items the shapes did not take before another item's shape is compiled: compiling costs about as much as that. */
const COMPILE_AFTER_MISSES = 100;
/** Lines a shape collects for its first table before they are handed on (few, so they die young). */
const LINES_PER_HAND_OFF = 64;

/** Thrown (and caught per item) when a discard_row contract drops the current item. */
const DISCARD_ROW = Symbol('discard_row');

/** A row id: an integer, or text in families whose ids are text (see rowIdType). */
type RowId = number | string;

/**
 * Row ids of one source: a counter that starts where the last committed load stopped (the warehouse keeps
 * the next free id, committed with every load), so ids never repeat within a source.
 */
export class RowIds {
  constructor(private n = 1) {
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`row ids must start at a positive integer, not ${n}`);
  }

  next(): number {
    return this.n++;
  }

  /** Marks the ids before `next` as handed out (a compiled shape numbered rows itself). */
  skipTo(next: number): void {
    this.n = next;
  }

  /** The first id not handed out yet. */
  get nextFree(): number {
    return this.n;
  }
}

export interface DiscardCounts {
  rows: number;
  values: number;
}

const OBJECT_PROTO = Object.prototype;

const LONE_SURROGATE =
  'is a string with a lone UTF-16 surrogate, which text (UTF-8) cannot hold; ' +
  'repair it in the source, e.g. with value.toWellFormed()';
const LONE_SURROGATE_KEY =
  'has a key with a lone UTF-16 surrogate, which names (UTF-8) cannot hold; rename it in the source';

export class ResourceFlattener {
  private root: TableState | undefined;
  private readonly firstLoad: boolean;
  private rootId: RowId = 0;
  /** Whether this family's id columns are text (scd2, or text ids kept from an earlier schema). */
  private readonly textIds: boolean;
  private readonly idType: DataType;
  private itemIndex = 0;
  private batch = 0;
  private itemSeq = 0;
  private touched: TableState[] = [];
  /** Raw keys and list indexes from the item to the current position, for messages. */
  private readonly trail: (string | number)[] = [];
  /** Objects and lists being flattened, to detect cycles. */
  private readonly ancestors: object[] = [];
  /** Per row of the current item: its fields beyond the table's column limit, nested as in the item. */
  private readonly overflow = new Map<Row, Record<string, unknown>>();
  /** Compiled item shapes, most recently used first; none for scd2 and text ids, which the fast path does not write. */
  private readonly shapes: CompiledShape[] = [];
  private readonly fastPath: boolean;
  /** Items the general path took since a shape was last compiled (or found not compilable). */
  private missesSinceCompile = COMPILE_AFTER_MISSES;

  constructor(
    private readonly plan: ResourcePlan,
    private readonly schema: SchemaBuilder,
    private readonly loadId: string,
    private readonly ids: RowIds,
    private readonly discarded: DiscardCounts,
    private readonly notices: string[] = [],
  ) {
    const own = schema.tablesOf(plan.resource);
    this.firstLoad = own.length === 0;
    const existingRoot = schema.table(plan.rootTable);
    this.idType = rowIdType(plan.scd2, existingRoot?.columns.get(ROW_ID)?.schema.dataType);
    this.textIds = this.idType === 'text';
    if (existingRoot && existingRoot.schema.resource !== plan.resource) {
      throw new SluiceError(
        `resource '${plan.resource}' writes table '${plan.rootTable}', which the stored schema assigns to resource ` +
        `'${existingRoot.schema.resource}'; give one of them another table name`,
      );
    }
    for (const table of own) this.alignExistingTable(table);
    this.root = existingRoot;
    this.fastPath = !plan.scd2 && !this.textIds;
  }

  /** Brings a table from the previous schema in line with the resource's current definition. */
  private alignExistingTable(table: TableState): void {
    const plan = this.plan;
    this.schema.setDisposition(table, plan.disposition, plan.strategy);
    // A former root table (the resource's table was renamed) is still a root table, not a child.
    for (const column of systemColumns({ root: table.schema.parent === undefined, merge: plan.merge, scd2: plan.scd2, idType: this.idType })) {
      if (!table.columns.has(column.name)) this.schema.addColumn(table, column, SYSTEM_PATH_KEY);
    }
    if (table.name !== plan.rootTable) return;
    for (const column of table.schema.columns) {
      if (!column.path || column.variantOf) continue;
      const hint = plan.hints.get(column.name);
      const primaryKey = hint?.primaryKey ?? false;
      const mergeKey = hint?.mergeKey ?? false;
      const nullable = hint?.nullable ?? true;
      if (!!column.primaryKey === primaryKey && !!column.mergeKey === mergeKey && column.nullable === nullable) continue;
      if (primaryKey) column.primaryKey = true;
      else delete column.primaryKey;
      if (mergeKey) column.mergeKey = true;
      else delete column.mergeKey;
      column.nullable = nullable;
      this.schema.touch();
    }
  }

  /** Normalizes one batch; returns rows per table (the root table always, child tables when they got rows). */
  normalize(items: readonly Item[]): Map<string, Row[]> {
    this.batch++;
    this.touched = [];
    for (let i = 0; i < items.length; i++) this.item(items[i]);
    const out = new Map<string, Row[]>();
    out.set(this.plan.rootTable, this.root && this.root.rowsBatch === this.batch ? this.root.rows : []);
    for (const table of this.touched) {
      if (table !== this.root && table.rows.length > 0 && this.schema.table(table.name) === table) out.set(table.name, table.rows);
    }
    return out;
  }

  /**
   * Normalizes one batch into `sink`, in item order per table. Items of a shape seen before go straight
   * to CSV lines (see itemShape.ts); the others are flattened into rows as normalize() does.
   */
  stage(items: readonly Item[], sink: StageSink): void {
    this.batch++;
    this.touched = [];
    let rowsPending = false;
    let active: CompiledShape | undefined;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const shape = this.shapes.length === 0 ? undefined : this.writeFast(item);
      if (shape !== undefined) {
        // Output reaches the sink in item order: rows and lines of earlier items first.
        if (rowsPending) rowsPending = this.handOffRows(sink);
        if (active !== shape) {
          if (active !== undefined) handOffLines(active, sink);
          active = shape;
        }
        if (shape.out[0].length >= LINES_PER_HAND_OFF) handOffLines(shape, sink);
        this.itemSeq++;
        this.itemIndex++;
        continue;
      }
      if (active !== undefined) {
        handOffLines(active, sink);
        active = undefined;
      }
      const discardedBefore = this.discarded.rows;
      this.item(item);
      rowsPending = true;
      if (this.fastPath && this.discarded.rows === discardedBefore) this.learnShape(item);
    }
    if (rowsPending) this.handOffRows(sink);
    if (active !== undefined) handOffLines(active, sink);
  }

  /** Writes the item with the first shape that takes it; returns that shape, or undefined when none does. */
  private writeFast(item: Item): CompiledShape | undefined {
    const shapes = this.shapes;
    for (let s = 0; s < shapes.length; s++) {
      const shape = shapes[s];
      const next = shape.run(item, this.ids.nextFree);
      if (next < 0) continue;
      this.ids.skipTo(next);
      if (s > 0) {
        shapes.splice(s, 1);
        shapes.unshift(shape);
      }
      return shape;
    }
    return undefined;
  }

  /**
   * Compiles the shape of an item the general path just took: at once for the first item, then after
   * every so many misses (so items that never fit a shape cost a compile attempt only now and then).
   */
  private learnShape(item: Item): void {
    if (++this.missesSinceCompile < COMPILE_AFTER_MISSES) return;
    this.missesSinceCompile = 0;
    const root = this.root;
    if (root === undefined) return;
    const shape = compileShape(item, {
      root,
      node: (table) => this.topNode(table),
      maxNesting: this.plan.maxNesting,
      merge: this.plan.merge,
      required: this.plan.required.map((r) => r.column),
      loadId: this.loadId,
    });
    if (shape === undefined) return;
    this.shapes.unshift(shape);
    if (this.shapes.length > MAX_SHAPES) this.shapes.pop();
  }

  /** Hands the rows flattened so far to the sink and starts a new run of rows; returns false (none pending). */
  private handOffRows(sink: StageSink): false {
    for (const table of this.touched) {
      if (table.rows.length > 0 && this.schema.table(table.name) === table) sink.rows(table.name, table.rows, this.presentColumns(table));
    }
    this.batch++;
    this.touched = [];
    return false;
  }

  /**
   * Names of the columns that hold a value in some row of `table` from the last normalize() call (a
   * superset when items were discarded): what a package part of these rows needs, without reading every
   * key of every row again.
   */
  presentColumns(table: TableState): string[] {
    const present: string[] = [];
    for (const column of table.columns.values()) if (column.seenInBatch === this.batch) present.push(column.name);
    return present;
  }

  private item(item: Item): void {
    this.itemSeq++;
    if (this.trail.length !== 0) this.trail.length = 0;
    if (this.ancestors.length !== 0) this.ancestors.length = 0;
    if (this.overflow.size !== 0) this.overflow.clear();
    const mark = this.schema.mark();
    try {
      this.flattenItem(item);
    } catch (err) {
      // Whatever stopped the item, none of it stays: callers that catch an error see a consistent state.
      this.undoItem(mark);
      if (err === DISCARD_ROW) {
        this.discarded.rows++;
      } else if (err instanceof RangeError && /call stack/i.test(err.message)) {
        throw new SluiceError(
          `resource '${this.plan.resource}': item ${this.itemIndex} is nested too deeply to normalize; ` +
          `lower maxNesting or flatten the item in the source`,
        );
      } else {
        throw err;
      }
    }
    this.itemIndex++;
  }

  private flattenItem(item: Item): void {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new SluiceError(
        `resource '${this.plan.resource}': item ${this.itemIndex} is ${previewValue(item)}, but items must be objects`,
      );
    }
    const root = this.root ?? this.createRoot(item);
    const id = this.plan.scd2 ? this.hashItem(item) : this.newId();
    // Literal keys (equal to LOAD_ID / ROW_ID) let V8 build rows from one shape.
    const row: Row = { _sluice_load_id: this.loadId, _sluice_id: id };
    this.push(root, row);
    this.rootId = id;
    this.ancestors.push(item);
    this.flattenObject(item, this.topNode(root), row, id, 0);
    if (this.overflow.size !== 0) this.writeOverflow();
    const required = this.plan.required;
    for (let i = 0; i < required.length; i++) {
      const cell = row[required[i].column];
      // A function is never a cell: it is inherited from Object.prototype (a column named `constructor`).
      if (cell == null || typeof cell === 'function') throw this.missingRequired(required[i], row);
    }
  }

  private newId(): RowId {
    return this.textIds ? String(this.ids.next()) : this.ids.next();
  }

  private createRoot(item: Item): TableState {
    const plan = this.plan;
    if (!this.firstLoad && plan.contract.tables !== 'evolve') {
      // The whole item is the root row, so both discard modes drop it.
      if (plan.contract.tables === 'freeze') {
        throw violation('tables', plan.resource, '(item)', item, `new table '${plan.rootTable}'`);
      }
      throw DISCARD_ROW;
    }
    this.root = this.createTable(plan.rootTable, undefined, []);
    return this.root;
  }

  private createTable(name: string, parent: TableState | undefined, path: string[]): TableState {
    const plan = this.plan;
    const table = this.schema.addTable(
      {
        name,
        resource: plan.resource,
        ...(parent ? { parent: parent.name, path } : {}),
        writeDisposition: plan.disposition,
        ...(plan.strategy ? { mergeStrategy: plan.strategy } : {}),
      },
      plan.rootFullName,
    );
    for (const column of systemColumns({ root: !parent, merge: plan.merge, scd2: plan.scd2, idType: this.idType })) {
      this.schema.addColumn(table, column, SYSTEM_PATH_KEY, false);
    }
    return table;
  }

  private hashItem(item: Item): string {
    try {
      return contentHash(item);
    } catch (err) {
      if (err instanceof UnserializableValue) throw this.unsupported(err.relativePath, err.problem);
      throw err;
    }
  }

  private undoItem(mark: ReturnType<SchemaBuilder['mark']>): void {
    for (const table of this.touched) {
      if (table.markItem === this.itemSeq) table.rows.length = table.mark;
    }
    this.schema.rollback(mark);
    // Cached lookups may point at columns and tables that no longer exist: rebuild them lazily.
    for (const table of this.schema.tablesOf(this.plan.resource)) table.cache = undefined;
    if (this.root && this.schema.table(this.root.name) !== this.root) this.root = undefined;
  }

  private push(table: TableState, row: Row): void {
    if (table.rowsBatch !== this.batch) {
      table.rowsBatch = this.batch;
      table.rows = [];
      this.touched.push(table);
      // A new row holds exactly the system columns every row of the table gets.
      for (const key in row) {
        const column = table.columns.get(key);
        if (column !== undefined) column.seenInBatch = this.batch;
      }
    }
    if (table.markItem !== this.itemSeq) {
      table.markItem = this.itemSeq;
      table.mark = table.rows.length;
    }
    table.rows.push(row);
  }

  // ---- flattening -------------------------------------------------------------------------------

  private topNode(table: TableState): Node {
    let node = table.cache as Node | undefined;
    if (node === undefined) {
      node = { table, full: '', path: [], slots: new Map(), element: undefined };
      table.cache = node;
    }
    return node;
  }

  private flattenObject(obj: object, node: Node, row: Row, rowId: RowId, level: number): void {
    const slots = node.slots;
    for (const key in obj) {
      const value = (obj as Item)[key];
      if (value === undefined || value === null) continue;
      const slot = slots.get(key) ?? this.newSlot(node, key, false);
      this.put(slot, value, node, row, rowId, level);
    }
  }

  private newSlot(node: Node, key: string, element: boolean): Slot {
    // The raw key is kept in the schema's field paths, which are stored as JSON text.
    if (!isWellFormed(key)) throw this.unsupported(this.formatTrail(key), LONE_SURROGATE_KEY);
    const segment = normalizeSegment(key);
    const full = node.full === '' ? segment : node.full + PATH_SEPARATOR + segment;
    const name = shortenName(full);
    const path = node.path.length === 0 ? [key] : [...node.path, key];
    const key_ = pathKey(path);
    const hint = node.table === this.root ? this.plan.hints.get(name) : undefined;
    const existing = node.table.columns.get(name);
    const slot: Slot = {
      key,
      name,
      full,
      path,
      pathKey: key_,
      hint,
      element,
      column: undefined,
      asJson: hint?.dataType === 'json' || (existing !== undefined && existing.type === 'json' && existing.pathKey === key_),
      object: undefined,
      list: undefined,
    };
    if (element) node.element = slot;
    else node.slots.set(key, slot);
    return slot;
  }

  /** One non-null value of one field. `level` is the nesting level of the object holding the field. */
  private put(slot: Slot, value: unknown, node: Node, row: Row, rowId: RowId, level: number): void {
    const column = slot.column;
    switch (typeof value) {
      case 'string':
        // UTF-8 has no spelling for a lone surrogate: writing one would silently turn it into U+FFFD.
        if (!isWellFormed(value)) throw this.unsupported(this.fieldPath(slot), LONE_SURROGATE);
        if (column !== undefined && column.type === 'text') {
          row[column.name] = value;
          column.seenInBatch = this.batch;
          return;
        }
        break;
      case 'number':
        if (column !== undefined && (column.type === 'double' || (column.type === 'bigint' && Number.isSafeInteger(value)))) {
          row[column.name] = value;
          column.seenInBatch = this.batch;
          return;
        }
        break;
      case 'boolean':
        if (column !== undefined && column.type === 'bool') {
          row[column.name] = value;
          column.seenInBatch = this.batch;
          return;
        }
        break;
      case 'bigint':
        break;
      case 'object':
        this.putObject(slot, value as object, node, row, rowId, level);
        return;
      default:
        throw this.unsupported(this.fieldPath(slot), `is a ${typeof value}, which cannot be stored`);
    }
    this.place(slot, node, row, value, undefined, null);
  }

  private putObject(slot: Slot, value: object, node: Node, row: Row, rowId: RowId, level: number): void {
    if (slot.asJson) return this.putJson(slot, value, node, row);
    if (Array.isArray(value)) {
      if (level >= this.plan.maxNesting) return this.putJson(slot, value, node, row);
      if (value.length === 0) return;
      return this.putList(slot, value, node, rowId, level + 1);
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== OBJECT_PROTO && proto !== null) {
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw this.unsupported(this.fieldPath(slot), 'is an invalid Date');
        return this.place(slot, node, row, value, 'timestamp', null);
      }
      if (isBinary(value)) return this.place(slot, node, row, value, 'binary', null);
      if (value instanceof Map || value instanceof Set) {
        throw this.unsupported(this.fieldPath(slot), `is a ${value instanceof Map ? 'Map' : 'Set'}; convert it to an object or array`);
      }
    }
    if (level >= this.plan.maxNesting) return this.putJson(slot, value, node, row);
    this.enter(value, slot);
    this.flattenObject(value, slot.object ?? this.objectNode(slot, node), row, rowId, level + 1);
    this.leave();
  }

  private objectNode(slot: Slot, parent: Node): Node {
    const node: Node = { table: parent.table, full: slot.full, path: slot.path, slots: new Map(), element: undefined };
    slot.object = node;
    return node;
  }

  private enter(value: object, slot: Slot): void {
    if (this.ancestors.includes(value)) {
      throw this.unsupported(this.fieldPath(slot), 'refers back to one of its parents (cyclic object)');
    }
    this.ancestors.push(value);
    this.trail.push(slot.key);
  }

  private leave(): void {
    this.ancestors.pop();
    this.trail.pop();
  }

  private putJson(slot: Slot, value: object, node: Node, row: Row): void {
    let text: string;
    try {
      text = toJsonText(value);
    } catch (err) {
      if (!(err instanceof UnserializableValue)) throw err;
      const base = this.fieldPath(slot);
      const rel = err.relativePath;
      throw this.unsupported(rel === '' ? base : rel.startsWith('[') ? base + rel : `${base}.${rel}`, err.problem);
    }
    this.place(slot, node, row, value, 'json', text);
  }

  /**
   * Stores a value in the slot's column, creating the column or a variant as needed.
   * `type` is the value's natural type when the caller knows it; `jsonText` its serialization for json.
   */
  private place(slot: Slot, node: Node, row: Row, value: unknown, type: DataType | undefined, jsonText: string | null): void {
    let column = slot.column ?? this.existingColumn(slot, node);
    if (column === undefined) {
      column = this.newColumn(slot, node, row, value, type ?? naturalType(value)!);
      if (column === undefined) return;
    }
    let cell: Cell | undefined = type === 'json' ? (column.type === 'json' ? jsonText : undefined) : toColumnCell(value, column.type);
    // A decimal column of known precision takes only what it holds exactly; the rest goes to a variant.
    if (column.schema.precision !== undefined && typeof cell === 'string' && !fitsDecimal(cell, column.schema.precision, column.schema.scale ?? 0)) {
      cell = undefined;
    }
    if (cell === undefined && this.widensToDouble(column, value)) {
      if (!this.widen(slot, node, column, value)) return;
      cell = value as number;
    }
    if (cell !== undefined) {
      if (column.type === 'bigint' && !isExactDouble(cell)) column.wideIntegers = true;
      row[column.name] = cell;
      column.seenInBatch = this.batch;
      return;
    }
    this.putVariant(slot, column, node, row, value, type ?? naturalType(value)!, jsonText);
  }

  /**
   * JavaScript numbers are doubles: a column inferred bigint from integral numbers becomes double when a
   * fractional one arrives, rather than sending it to a variant. Not when a hint fixed the type, a double
   * variant already holds such values (from earlier loads), or the column holds integers beyond 2^53.
   */
  private widensToDouble(column: ColumnState, value: unknown): boolean {
    return typeof value === 'number' && column.type === 'bigint' && !column.schema.hinted && !column.schema.variantOf &&
      column.pathKey !== SYSTEM_PATH_KEY && column.variants?.double === undefined && !column.wideIntegers;
  }

  /** Widens the column to double, as the data_type contract allows; false when the value was refused. */
  private widen(slot: Slot, node: Node, column: ColumnState, value: unknown): boolean {
    if (this.plan.contract.data_type !== 'evolve') {
      this.refuse('data_type', slot, value, `a fractional number in bigint column '${column.name}' of table '${node.table.name}'`);
      return false;
    }
    this.schema.widen(node.table, column, 'double');
    return true;
  }

  private existingColumn(slot: Slot, node: Node): ColumnState | undefined {
    const existing = node.table.columns.get(slot.name);
    if (existing === undefined) return undefined;
    if (isSystemName(slot.name)) throw this.reserved(slot, node.table);
    if (existing.pathKey !== slot.pathKey) throw this.columnCollision(slot, node.table, existing);
    slot.column = existing;
    return existing;
  }

  private newColumn(slot: Slot, node: Node, row: Row, value: unknown, type: DataType): ColumnState | undefined {
    const table = node.table;
    if (isSystemName(slot.name)) throw this.reserved(slot, table);
    if (!table.createdThisRun && this.plan.contract.columns !== 'evolve') {
      this.refuse('columns', slot, value, `new column '${slot.name}' in table '${table.name}'`);
      return undefined;
    }
    if (this.isFull(table)) {
      this.putOverflow(slot, table, row, value);
      return undefined;
    }
    const hint = slot.hint;
    const column = this.schema.addColumn(
      table,
      {
        name: slot.name,
        dataType: hint?.dataType ?? type,
        nullable: hint ? hint.nullable : true,
        path: slot.path.slice(),
        ...(hint?.primaryKey ? { primaryKey: true } : {}),
        ...(hint?.mergeKey ? { mergeKey: true } : {}),
        ...(hint?.dataType ? { hinted: true } : {}),
        ...(hint?.dataType === 'decimal' && hint.precision !== undefined ? { precision: hint.precision, scale: hint.scale } : {}),
      },
      slot.pathKey,
    );
    slot.column = column;
    if (column.type === 'json') slot.asJson = true;
    return column;
  }

  private putVariant(slot: Slot, base: ColumnState, node: Node, row: Row, value: unknown, type: DataType, jsonText: string | null): void {
    let variant = base.variants?.[type];
    if (variant === undefined) {
      if (this.plan.contract.data_type !== 'evolve') {
        this.refuse('data_type', slot, value, `a ${type} value in ${base.type} column '${base.name}' of table '${node.table.name}'`);
        return;
      }
      const name = variantColumnName(base.name, type);
      const clash = node.table.columns.get(name);
      if (clash) throw this.columnCollision(slot, node.table, clash, name);
      if (this.isFull(node.table)) return this.putOverflow(slot, node.table, row, value);
      variant = this.schema.addVariant(node.table, base, type, name);
    }
    row[variant.name] = type === 'json' ? jsonText : (toColumnCell(value, type) as Cell);
    variant.seenInBatch = this.batch;
  }

  /** Whether the table has as many columns as the resource allows (the overflow column aside). */
  private isFull(table: TableState): boolean {
    return table.columns.size - (table.columns.has(OVERFLOW) ? 1 : 0) >= this.plan.maxColumns;
  }

  /** Keeps a field of a full table in the row's overflow object, under its path in the item. */
  private putOverflow(slot: Slot, table: TableState, row: Row, value: unknown): void {
    if (!table.columns.has(OVERFLOW)) {
      this.schema.addColumn(table, overflowColumn(), SYSTEM_PATH_KEY);
      this.notices.push(
        `table '${table.name}' reached its limit of ${this.plan.maxColumns} columns: field '${this.fieldPath(slot)}' and further ` +
        `new fields are stored in its JSON column ${OVERFLOW}; raise maxColumns on resource '${this.plan.resource}' to give them columns`,
      );
    }
    // Objects without a prototype, so that a key such as __proto__ is a key like any other.
    let fields = this.overflow.get(row);
    if (fields === undefined) this.overflow.set(row, (fields = Object.create(null) as Record<string, unknown>));
    const path = slot.path;
    for (let i = 0; i < path.length - 1; i++) {
      const next = fields[path[i]];
      fields = (typeof next === 'object' && next !== null ? next : (fields[path[i]] = Object.create(null))) as Record<string, unknown>;
    }
    fields[path[path.length - 1]] = value;
  }

  /** Stores each row's overflow fields as JSON text in its table's overflow column. */
  private writeOverflow(): void {
    for (const [row, fields] of this.overflow) {
      row[OVERFLOW] = toJsonText(fields);
    }
    for (const table of this.touched) {
      const column = table.columns.get(OVERFLOW);
      if (column !== undefined) column.seenInBatch = this.batch;
    }
    this.overflow.clear();
  }

  private putList(slot: Slot, list: unknown[], node: Node, rowId: RowId, level: number): void {
    const table = slot.list ?? this.childTable(slot, node, list);
    if (table === undefined) return;
    const top = this.topNode(table);
    const merge = this.plan.merge;
    const rootId = this.rootId;
    this.enter(list, slot);
    for (let i = 0; i < list.length; i++) {
      const element = list[i];
      const id = this.newId();
      // Literal keys equal to ROW_ID, PARENT_ID, LIST_INDEX and ROOT_ID (see systemColumns.ts).
      const row: Row = merge
        ? { _sluice_id: id, _sluice_parent_id: rowId, _sluice_list_idx: i, _sluice_root_id: rootId }
        : { _sluice_id: id, _sluice_parent_id: rowId, _sluice_list_idx: i };
      this.push(table, row);
      if (element === undefined || element === null) continue;
      this.trail.push(i);
      if (typeof element === 'object' && !Array.isArray(element) && isRecord(element)) {
        if (this.ancestors.includes(element)) {
          throw this.unsupported(this.formatTrail(), 'refers back to one of its parents (cyclic object)');
        }
        this.ancestors.push(element);
        this.flattenObject(element, top, row, id, level);
        this.ancestors.pop();
      } else {
        // Anything else in a list (scalars, nested lists) is read as the element's `value` field.
        this.put(top.element ?? this.newSlot(top, 'value', true), element, top, row, id, level);
      }
      this.trail.pop();
    }
    this.leave();
  }

  private childTable(slot: Slot, node: Node, list: unknown[]): TableState | undefined {
    const parent = node.table;
    const name = shortenName(parent.fullName + PATH_SEPARATOR + slot.full);
    const path = [...(parent.schema.path ?? []), ...slot.path];
    const key = this.plan.resource + '\u0000' + pathKey(path);
    const existing = this.schema.table(name);
    if (existing) {
      if (existing.pathKey !== key) throw this.tableCollision(slot, existing, name, path);
      slot.list = existing;
      return existing;
    }
    if (!this.firstLoad && this.plan.contract.tables !== 'evolve') {
      this.refuse('tables', slot, list, `new table '${name}'`);
      return undefined;
    }
    const table = this.createTable(name, parent, path);
    slot.list = table;
    return table;
  }

  // ---- contracts and errors ---------------------------------------------------------------------

  /** A contract said no: freeze throws, discard_row drops the item, discard_value drops the value. */
  private refuse(entity: ContractEntity, slot: Slot, value: unknown, what: string): void {
    const mode = this.plan.contract[entity];
    if (mode === 'freeze') throw violation(entity, this.plan.resource, this.fieldPath(slot), value, what);
    if (mode === 'discard_row') throw DISCARD_ROW;
    this.discarded.values++;
  }

  private formatTrail(extra?: string): string {
    let out = '';
    for (const part of this.trail) {
      if (typeof part === 'number') out += `[${part}]`;
      else out += out === '' ? part : `.${part}`;
    }
    if (extra !== undefined) out += out === '' ? extra : `.${extra}`;
    return printable(out);
  }

  private fieldPath(slot: Slot): string {
    return slot.element ? this.formatTrail() : this.formatTrail(slot.key);
  }

  private unsupported(path: string, problem: string): SluiceError {
    return new SluiceError(`resource '${this.plan.resource}': field '${printable(path) || '(item)'}' in item ${this.itemIndex} ${problem}`);
  }

  private columnCollision(slot: Slot, table: TableState, existing: ColumnState, name = slot.name): SluiceError {
    const path = [...(table.schema.path ?? []), ...slot.path].join('.');
    let shown = printable(path);
    let other: string;
    if (existing.pathKey === SYSTEM_PATH_KEY) {
      other = 'a Sluice system column';
    } else if (existing.schema.variantOf) {
      other = `the variant column of '${existing.schema.variantOf}'`;
    } else {
      const otherPath = [...(table.schema.path ?? []), ...(existing.schema.path ?? [existing.name])].join('.');
      let otherShown: string;
      [shown, otherShown] = printablePair(path, otherPath);
      other = `field '${otherShown}'`;
    }
    return new SluiceError(
      `resource '${this.plan.resource}': field '${shown}' and ${other} ` +
      `both map to column '${name}' of table '${table.name}'; rename one of them in the source`,
    );
  }

  private tableCollision(slot: Slot, existing: TableState, name: string, path: string[]): SluiceError {
    if (existing.schema.resource !== this.plan.resource) {
      return new SluiceError(
        `resource '${this.plan.resource}': the list at '${this.fieldPath(slot)}' maps to table '${name}', ` +
        `which belongs to resource '${existing.schema.resource}'`,
      );
    }
    const [shown, otherShown] = printablePair(path.join('.'), (existing.schema.path ?? []).join('.'));
    return new SluiceError(
      `resource '${this.plan.resource}': lists at '${shown}' and '${otherShown}' ` +
      `both map to table '${name}'; rename one of them in the source`,
    );
  }

  private reserved(slot: Slot, table: TableState): SluiceError {
    const path = [...(table.schema.path ?? []), ...slot.path].join('.');
    return new SluiceError(
      `resource '${this.plan.resource}': field '${printable(path)}' maps to column '${slot.name}' in table '${table.name}', ` +
      `but names starting with _sluice_ are reserved for Sluice; rename the field`,
    );
  }

  private missingRequired(hint: ResolvedHint, row: Row): SluiceError {
    const why = hint.primaryKey ? 'it is part of the primary key' : 'its column hint says nullable: false';
    const variants = this.root?.columns.get(hint.column)?.variants;
    const elsewhere = variants ? Object.values(variants).find((v) => v !== undefined && row[v.name] != null) : undefined;
    const detail = elsewhere ? ` (its value has type ${elsewhere.type}, which column '${hint.column}' cannot hold)` : '';
    return new SluiceError(
      `resource '${this.plan.resource}': item ${this.itemIndex} has no value for field '${printable(hint.field)}' ` +
      `(column '${hint.column}')${detail}, but ${why}`,
    );
  }
}

/** Whether a bigint column's cell is an integer a double holds exactly (|n| ≤ 2^53). */
function isExactDouble(cell: Cell): boolean {
  if (typeof cell === 'number') return Number.isSafeInteger(cell) || Math.abs(cell) === 2 ** 53;
  return typeof cell === 'bigint' && cell >= -(2n ** 53n) && cell <= 2n ** 53n;
}

function handOffLines(shape: CompiledShape, sink: StageSink): void {
  for (let i = 0; i < shape.out.length; i++) {
    const lines = shape.out[i];
    if (lines.length === 0) continue;
    sink.lines(shape.tables[i].table.name, shape.tables[i].layout, lines.splice(0));
  }
}

/** Objects flattened into columns: plain objects and class instances, not Dates, binary, Maps or Sets. */
function isRecord(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  if (proto === OBJECT_PROTO || proto === null) return true;
  return !(value instanceof Date || isBinary(value) || value instanceof Map || value instanceof Set);
}
