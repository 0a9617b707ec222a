// The evolving source schema: tables, columns and variants, with a change log, a version, and undo of
// the changes made for an item that a discard_row contract then drops.

import { SluiceError } from '../../errors';
import type {
  ColumnSchema, DataType, MergeStrategy, SchemaChange, SourceSchema, TableSchema, WriteDisposition,
} from '../../schema/types';
import type { Row } from '../package';
import { PATH_SEPARATOR, normalizeSegment } from './naming';

/** Key under which a system column is registered; no source path can produce it. */
export const SYSTEM_PATH_KEY = '\u0001system';

export function pathKey(path: readonly string[]): string {
  return path.join('\u0000');
}

export interface ColumnState {
  readonly schema: ColumnSchema;
  readonly name: string;
  /** Changes only by widen(). */
  type: DataType;
  /** Identifies the source field; two fields with one column name are a collision. */
  readonly pathKey: string;
  /** Variant columns of this column, by the type they hold. */
  variants: Partial<Record<DataType, ColumnState>> | undefined;
  /** The last batch in which a row got a value in this column (see ResourceFlattener.presentColumns). */
  seenInBatch: number;
  /** Set once this run stored an integer a double cannot hold exactly: the column may then not widen to double. */
  wideIntegers?: boolean;
}

export class TableState {
  readonly columns = new Map<string, ColumnState>();
  /** Normalized name before shortening, from which child table names are built. */
  readonly fullName: string;
  readonly pathKey: string;
  /** Per-table cache owned by the flattener (raw key → column lookups); dropped whenever the schema is undone. */
  cache: unknown;

  // Rows of the current batch, and where the current item's rows start (for discard_row).
  rows: Row[] = [];
  rowsBatch = -1;
  markItem = -1;
  mark = 0;

  constructor(readonly schema: TableSchema, readonly createdThisRun: boolean, rootFullName: string) {
    const path = schema.path ?? [];
    this.fullName = path.length === 0 ? rootFullName : rootFullName + PATH_SEPARATOR + path.map(normalizeSegment).join(PATH_SEPARATOR);
    this.pathKey = schema.resource + '\u0000' + pathKey(path);
  }

  get name(): string {
    return this.schema.name;
  }
}

/** A point to roll back to: undo log length, change log length and the dirty flag in one number. */
export type Mark = number;

type Undo = () => void;

export class SchemaBuilder {
  private readonly tables = new Map<string, TableState>();
  private readonly order: TableState[] = [];
  private readonly log: SchemaChange[] = [];
  private readonly undoLog: Undo[] = [];
  private readonly previousVersion: number | undefined;
  /** Set when anything changed, including changes that have no SchemaChange kind (flags, dispositions). */
  private dirty = false;
  private markedLog = 0;
  private markedDirty = false;

  constructor(readonly sourceName: string, previous: SourceSchema | undefined, rootFullNames: (table: TableSchema) => string) {
    this.previousVersion = previous?.version;
    if (!previous) return;
    const copy = structuredClone(previous);
    for (const table of copy.tables) {
      const state = new TableState(table, false, rootFullNames(table));
      this.tables.set(table.name, state);
      this.order.push(state);
      for (const column of table.columns) {
        const key = column.path ? pathKey(column.path) : SYSTEM_PATH_KEY;
        state.columns.set(column.name, { schema: column, name: column.name, type: column.dataType, pathKey: key, variants: undefined, seenInBatch: 0 });
      }
      for (const column of table.columns) {
        if (!column.variantOf) continue;
        const base = state.columns.get(column.variantOf);
        if (!base) continue;
        (base.variants ??= {})[column.dataType] = state.columns.get(column.name)!;
      }
    }
  }

  table(name: string): TableState | undefined {
    return this.tables.get(name);
  }

  tablesOf(resource: string): TableState[] {
    return this.order.filter((t) => t.schema.resource === resource);
  }

  addTable(schema: Omit<TableSchema, 'columns'>, rootFullName: string): TableState {
    const table: TableSchema = { ...schema, columns: [] };
    const state = new TableState(table, true, rootFullName);
    this.tables.set(table.name, state);
    this.order.push(state);
    this.record({ kind: 'table_added', table: table.name, resource: table.resource }, () => {
      this.tables.delete(table.name);
      this.order.splice(this.order.indexOf(state), 1);
    });
    return state;
  }

  /** Adds a column; system columns of a table created in this run are implied by table_added and not logged. */
  addColumn(table: TableState, column: ColumnSchema, key: string, logged = true): ColumnState {
    const existing = table.columns.get(column.name);
    if (existing) {
      throw new SluiceError(`table '${table.name}' already has a column '${column.name}'`);
    }
    const state: ColumnState = { schema: column, name: column.name, type: column.dataType, pathKey: key, variants: undefined, seenInBatch: 0 };
    table.columns.set(column.name, state);
    table.schema.columns.push(column);
    const undo = (): void => {
      table.columns.delete(column.name);
      table.schema.columns.splice(table.schema.columns.indexOf(column), 1);
    };
    if (logged) {
      this.record({ kind: 'column_added', table: table.name, column: column.name, dataType: column.dataType }, undo);
    } else {
      this.dirty = true;
      this.undoLog.push(undo);
    }
    return state;
  }

  addVariant(table: TableState, base: ColumnState, type: DataType, name: string): ColumnState {
    const column: ColumnSchema = { name, dataType: type, nullable: true, variantOf: base.name };
    if (base.schema.path) column.path = [...base.schema.path];
    const state: ColumnState = { schema: column, name, type, pathKey: base.pathKey + '\u0001' + type, variants: undefined, seenInBatch: 0 };
    table.columns.set(name, state);
    table.schema.columns.push(column);
    (base.variants ??= {})[type] = state;
    this.record({ kind: 'variant_added', table: table.name, column: name, variantOf: base.name, dataType: type }, () => {
      table.columns.delete(name);
      table.schema.columns.splice(table.schema.columns.indexOf(column), 1);
      delete base.variants![type];
    });
    return state;
  }

  /** Changes a column's type to a wider one in place (its existing values convert without loss). */
  widen(table: TableState, column: ColumnState, type: DataType): void {
    const from = column.type;
    column.type = type;
    column.schema.dataType = type;
    this.record({ kind: 'type_widened', table: table.name, column: column.name, from, dataType: type }, () => {
      column.type = from;
      column.schema.dataType = from;
    });
  }

  /** Updates table-level settings (write disposition) to the resource's current definition. */
  setDisposition(table: TableState, disposition: WriteDisposition, strategy: MergeStrategy | undefined): void {
    const schema = table.schema;
    if (schema.writeDisposition === disposition && schema.mergeStrategy === strategy) return;
    schema.writeDisposition = disposition;
    if (strategy) schema.mergeStrategy = strategy;
    else delete schema.mergeStrategy;
    this.dirty = true;
  }

  /** Records that something without a SchemaChange kind changed (column flags). */
  touch(): void {
    this.dirty = true;
  }

  /**
   * Everything recorded from here on can be undone by rollback(mark). The undo log is cleared first:
   * only the current item can be rolled back, so older entries are never needed.
   */
  mark(): Mark {
    if (this.undoLog.length !== 0) this.undoLog.length = 0;
    this.markedLog = this.log.length;
    this.markedDirty = this.dirty;
    return this.log.length;
  }

  /** Undoes everything recorded after the mark, newest first. */
  rollback(mark: Mark): void {
    if (mark !== this.markedLog) throw new Error('rollback to a mark that is not the latest');
    while (this.undoLog.length > 0) this.undoLog.pop()!();
    this.log.length = this.markedLog;
    this.dirty = this.markedDirty;
  }

  changes(): SchemaChange[] {
    return this.log.map((c) => ({ ...c }));
  }

  snapshot(): SourceSchema {
    const version = this.previousVersion === undefined ? 1 : this.previousVersion + (this.dirty ? 1 : 0);
    return { name: this.sourceName, version, tables: structuredClone(this.order.map((t) => t.schema)) };
  }

  private record(change: SchemaChange, undo: Undo): void {
    this.log.push(change);
    this.undoLog.push(undo);
    this.dirty = true;
  }
}
