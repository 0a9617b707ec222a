// The normalizer: items a resource yields → rows for its tables, plus the evolved source schema.
// Pure: no I/O and no DuckDB. See docs/normalization.md for the rules users see.

import { SluiceError } from '../../errors';
import type { SchemaChange, SourceSchema, TableSchema } from '../../schema/types';
import type { Row } from '../package';
import type { Contract, Item, ResourceDef } from '../types';
import { RowIds, ResourceFlattener, type DiscardCounts, type StageSink } from './flatten';
import { planResource, type ResourcePlan } from './resourcePlan';
import { SchemaBuilder } from './schemaBuilder';

export interface NormalizerOptions {
  loadId: string;
  /** Source-level contract from sluice.yaml; a resource's own `contract` overrides it. */
  contract?: Contract;
  /** The first row id to hand out: the warehouse's next free id for the source (default 1). */
  firstRowId?: number;
}

export class Normalizer {
  private readonly plans = new Map<string, ResourcePlan>();
  private readonly flatteners = new Map<string, ResourceFlattener>();
  private readonly builder: SchemaBuilder;
  private readonly ids: RowIds;
  private readonly discardCounts: DiscardCounts = { rows: 0, values: 0 };
  private readonly noticeList: string[] = [];

  /** previous: the schema stored by the last load (undefined on first run). resources: the source's resource defs. */
  constructor(
    private readonly sourceName: string,
    previous: SourceSchema | undefined,
    resources: ResourceDef[],
    private readonly options: NormalizerOptions,
  ) {
    if (typeof options?.loadId !== 'string' || options.loadId === '') {
      throw new SluiceError(`source '${sourceName}': normalizing needs a load id`);
    }
    this.ids = new RowIds(options.firstRowId ?? 1);
    const byTable = new Map<string, string>();
    for (const def of resources) {
      const plan = planResource(def, options.contract);
      if (this.plans.has(plan.resource)) {
        throw new SluiceError(`source '${sourceName}' defines resource '${plan.resource}' twice`);
      }
      const other = byTable.get(plan.rootTable);
      if (other !== undefined) {
        throw new SluiceError(
          `source '${sourceName}': resources '${other}' and '${plan.resource}' both write table '${plan.rootTable}'; ` +
          `set a different table for one of them`,
        );
      }
      byTable.set(plan.rootTable, plan.resource);
      this.plans.set(plan.resource, plan);
    }
    this.builder = new SchemaBuilder(sourceName, previous, (table) => this.rootFullName(table, previous));
  }

  /** Normalize one batch of one resource. Returns rows per table name (root + child tables). Throws ContractViolation under freeze. */
  normalize(resource: string, items: Item[]): Map<string, Row[]> {
    return this.flattener(resource).normalize(items);
  }

  /**
   * Normalizes one batch of one resource into `sink`, in item order per table: the rows normalize() would
   * return, partly as row objects and partly already encoded as CSV lines (items of a shape seen before).
   */
  stage(resource: string, items: readonly Item[], sink: StageSink): void {
    this.flattener(resource).stage(items, sink);
  }

  private flattener(resource: string): ResourceFlattener {
    let flattener = this.flatteners.get(resource);
    if (!flattener) {
      const plan = this.plans.get(resource);
      if (!plan) {
        throw new SluiceError(`source '${this.sourceName}' has no resource '${resource}'`);
      }
      flattener = new ResourceFlattener(plan, this.builder, this.options.loadId, this.ids, this.discardCounts, this.noticeList);
      this.flatteners.set(resource, flattener);
    }
    return flattener;
  }

  /** The evolved schema (a copy). version = previous.version + 1 if anything changed, else unchanged (1 for a new schema). */
  schema(): SourceSchema {
    return this.builder.snapshot();
  }

  /**
   * One table of the evolved schema, not a copy: cheap enough to look up for every batch. Read it, do not
   * change it; it gains columns as later batches are normalized.
   */
  table(name: string): TableSchema | undefined {
    return this.builder.table(name)?.schema;
  }

  /**
   * Names of the columns that hold a value in the rows the last normalize() call of the table's resource
   * returned for it (possibly a few more): lets the package writer skip reading every key of every row.
   */
  presentColumns(tableName: string): string[] {
    const table = this.builder.table(tableName);
    const flattener = table && this.flatteners.get(table.schema.resource);
    return table && flattener ? flattener.presentColumns(table) : [];
  }

  /** The row ids this normalizer handed out: [first, next) — next is what the warehouse keeps after the load. */
  rowIds(): { first: number; next: number } {
    return { first: this.options.firstRowId ?? 1, next: this.ids.nextFree };
  }

  /** Changes made since construction, in order. */
  changes(): SchemaChange[] {
    return this.builder.changes();
  }

  /** Rows discarded by contracts (discard_row) and values discarded (discard_value), for reporting. */
  discarded(): { rows: number; values: number } {
    return { ...this.discardCounts };
  }

  /** What a user should know about how the data was stored (e.g. a table that reached its column limit). */
  notices(): string[] {
    return [...this.noticeList];
  }

  /** The unshortened root table name child table names of `table` are built from. */
  private rootFullName(table: TableSchema, previous: SourceSchema | undefined): string {
    const plan = this.plans.get(table.resource);
    if (plan) return plan.rootFullName;
    let root = table;
    while (root.parent) {
      const parent = previous?.tables.find((t) => t.name === root.parent);
      if (!parent) break;
      root = parent;
    }
    return root.name;
  }
}

export type { DiscardCounts, StageSink };
export * from './naming';
export * from './systemColumns';
