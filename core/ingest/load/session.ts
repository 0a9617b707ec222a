// Loads a package while it is still being written. The load is still ONE transaction, committed only once
// the package is complete; what changes is when the work happens. Finished parts of append, replace and
// merge tables go in, a group at a time, while the source still runs, so DuckDB works on its own threads
// in the meantime and only the last parts, the merge's key matching and the bookkeeping are left for the
// end. A merge table's rows go straight into the target; at the end the rows its keys replace are deleted
// (see mergeAfterEarlyRows). scd2 tables still load at the end.
//
// Each finished part goes in as soon as the one before it is in. Inserting part by part cost DuckDB no
// more than inserting groups of three parts (measured on 1M records), and it leaves less to load once the
// source is done.
//
// Two rules keep this safe:
// - the warehouse is opened only once a table has a whole group of rows (a full part), so a small source
//   never holds the warehouse while it runs;
// - a table that has rows from the open transaction is never altered in it (DuckDB cannot add a column to
//   a table whose uncommitted rows it is still appending). If a later part or the finished schema needs a
//   new column in such a table, the early work is rolled back and the package is loaded whole at the end,
//   exactly as if nothing had been loaded early.

import os from 'node:os';
import path from 'node:path';
import { describeError } from '../../errors';
import type { LockWait } from '../../lockWait';
import type { DataType, TableSchema } from '../../schema/types';
import { Warehouse, withWarehouse } from '../../warehouse/connection';
import type { PackageManifest, PackagePart } from '../package';
import type { Logger } from '../types';
import { convergeTables } from './ddl';
import { emptyOnce } from './familyLoad';
import { loadFailed, loadInTransaction, loadPackage, nothingLoaded, type LoadOutcome } from './loader';
import { isOutOfMemory, limitLoadMemory, type LoadShape } from './memory';
import { mergesAfterEarlyRows } from './merge';
import { insertParts } from './parts';
import { tableFamilies } from './tableFamilies';
import { doing } from './sql';
import { qualified } from '../../warehouse/quote';

export interface LoadSessionOptions {
  warehouse: string;
  /** The package directory the parts are written to. */
  dir: string;
  source: string;
  loadId: string;
  fullRefresh: boolean;
  /** Rows of one table that go in together, with one statement, while the source runs. */
  groupRows: number;
  log: Logger;
  /**
   * How the load at the end waits for a warehouse another process holds. Loading early does not queue: it
   * tries for the short default and otherwise leaves its parts to the load at the end.
   */
  lockWait?: LockWait;
}

interface OfferedPart {
  /** The table's schema when the part was finished: it has every column of the part. */
  table: TableSchema;
  part: PackagePart;
}

export class LoadSession {
  private wh: Warehouse | undefined;
  private queue: Promise<void> = Promise.resolve();
  private error: unknown;
  /** Set when loading early stopped: the finished package is then loaded whole, from its files. */
  private givenUp = false;
  /** Per table: finished parts not queued yet, and their rows. */
  private readonly waiting = new Map<string, { parts: OfferedPart[]; rows: number }>();
  private readonly early = nothingLoaded();
  /** Per table that has rows in the open transaction: its columns (lower-cased) and their types then. */
  private readonly frozen = new Map<string, Map<string, DataType | undefined>>();
  /** Per table: the files of the parts loaded early, in order. */
  private readonly loadedFiles = new Map<string, string[]>();
  /** Every table loaded early so far, with its longest line: the memory limit must fit the widest of them. */
  private readonly loadedShape: LoadShape = { schema: { tables: [] }, tables: {} };
  /** The widest table and longest line the current memory settings were made for. */
  private limitedFor = { columns: 0, lineBytes: 0 };

  constructor(private readonly options: LoadSessionOptions) {}

  /**
   * A part whose file is complete. Parts of append and replace tables are queued to go in once their table
   * has a group's worth; nothing here waits for DuckDB. `table` may be the live schema: what is needed of
   * it is copied now.
   */
  offer(table: TableSchema, part: PackagePart): void {
    if (this.givenUp || this.error !== undefined) return;
    if (table.writeDisposition !== 'append' && table.writeDisposition !== 'replace' && !mergesAfterEarlyRows(table)) return;
    let waiting = this.waiting.get(table.name);
    if (waiting === undefined) this.waiting.set(table.name, (waiting = { parts: [], rows: 0 }));
    waiting.parts.push({ table: { ...table, columns: table.columns.map((c) => ({ ...c })) }, part });
    waiting.rows += part.rows;
    if (waiting.rows < this.options.groupRows) return;
    this.enqueue(waiting.parts.splice(0));
    waiting.rows = 0;
  }

  /** Throws the error a part failed with, so that extraction stops at once instead of at the end. */
  throwIfFailed(): void {
    if (this.error !== undefined) throw this.error;
  }

  /** Loads what is left of the finished package and commits: the load's one transaction ends here. */
  async finish(manifest: PackageManifest, startedAt: Date): Promise<LoadOutcome> {
    await this.queue;
    this.throwIfFailed();
    const wh = this.wh;
    if (wh !== undefined && !this.givenUp) {
      const grown = this.grownTable(manifest);
      const unmergeable = this.unmergeableFamily(manifest);
      if (grown === undefined && unmergeable === undefined) return this.finishInTransaction(wh, manifest, startedAt);
      await this.giveUp(grown !== undefined
        ? `table "${grown}" gained or widened columns after its first rows went in`
        : `merge table "${unmergeable}" cannot be merged from the rows loaded early`);
    }
    return this.loadWhole(manifest, startedAt);
  }

  /**
   * Loads the whole package in one transaction. DuckDB aborts a transaction that runs out of memory, so
   * such a load is done again from the package on disk, on one thread and with a limit taken from the
   * memory available then: the same rows, more slowly, instead of a failed load.
   */
  private async loadWhole(manifest: PackageManifest, startedAt: Date, afterOutOfMemory = false): Promise<LoadOutcome> {
    try {
      return await withWarehouse(this.options.warehouse, async (fresh) => {
        await limitLoadMemory(fresh, manifest, { spillDir: this.spillDir, afterOutOfMemory });
        return loadPackage(fresh, this.options.dir, manifest, startedAt);
      }, this.options.lockWait);
    } catch (err) {
      if (afterOutOfMemory || !isOutOfMemory(err)) throw err;
      this.options.log.warn(`load ${manifest.loadId} ran out of memory; loading it again on one thread with more memory`);
      return this.loadWhole(manifest, startedAt, true);
    }
  }

  private get spillDir(): string {
    return path.join(this.options.dir, 'spill');
  }

  /** Rolls back whatever went in early and lets go of the warehouse. Safe to call more than once. */
  async abort(): Promise<void> {
    this.givenUp = true;
    await this.queue;
    await this.rollbackAndClose();
  }

  private async finishInTransaction(wh: Warehouse, manifest: PackageManifest, startedAt: Date): Promise<LoadOutcome> {
    this.checkLoadedPrefix(manifest);
    try {
      // The source is done: the rest of the load may use every core again.
      await wh.run('RESET threads');
      await limitLoadMemory(wh, manifest, { spillDir: this.spillDir });
      const outcome = await doing(loadFailed(manifest), () => loadInTransaction(wh, this.options.dir, manifest, startedAt, this.early));
      this.options.log.debug(`stage: commit ${manifest.loadId}`);
      await doing(loadFailed(manifest), () => wh.run('COMMIT'));
      this.close();
      return outcome;
    } catch (err) {
      await this.rollbackAndClose();
      if (!isOutOfMemory(err)) throw err;
      this.options.log.warn(`load ${manifest.loadId} ran out of memory; loading it again on one thread with more memory`);
      return this.loadWhole(manifest, startedAt, true);
    }
  }

  private enqueue(group: OfferedPart[]): void {
    this.queue = this.queue
      .then(() => this.loadEarly(group))
      .catch(async (err: unknown) => {
        // Out of memory aborted the transaction; the load at the end does it all again, more carefully.
        if (isOutOfMemory(err)) await this.giveUp(`DuckDB ran out of memory (${describeError(err)})`);
        else this.error ??= err;
      });
  }

  /** Inserts a group of consecutive parts of one table. */
  private async loadEarly(group: OfferedPart[]): Promise<void> {
    if (this.givenUp || this.error !== undefined) return;
    // The last part's schema is the newest: it has the columns of every part before it.
    const { table } = group[group.length - 1];
    const parts = group.map((g) => g.part);
    const wh = this.wh ?? (await this.open());
    if (wh === undefined) return;
    const { source } = this.options;
    const frozen = this.frozen.get(table.name);
    if (frozen === undefined) {
      // The table's first rows in this transaction: bring it in line with its schema now, for good.
      const physical = await convergeTables(wh, source, [{ root: table, children: [] }]);
      const types = new Map(table.columns.map((c) => [c.name.toLowerCase(), c.dataType]));
      this.frozen.set(table.name, new Map((physical.get(table.name) ?? []).map((c) => [c.toLowerCase(), types.get(c.toLowerCase())])));
    } else if (changedSince(frozen, table)) {
      return this.giveUp(`table "${table.name}" gained or widened columns after its first rows went in`);
    }
    await this.fitMemoryTo(wh, table, parts);
    if (this.options.fullRefresh || table.writeDisposition === 'replace') await emptyOnce(wh, source, table.name, this.early.emptied);
    const rows = await insertParts(wh, this.options.dir, source, table, parts, { target: qualified(source, table.name) });
    const files = this.loadedFiles.get(table.name) ?? [];
    files.push(...parts.map((part) => part.file));
    this.loadedFiles.set(table.name, files);
    this.early.parts.set(table.name, files.length);
    this.early.rows.set(table.name, (this.early.rows.get(table.name) ?? 0) + rows);
  }

  /**
   * Sets the memory limit for everything loaded early so far, this group included: the transaction holds
   * rows of every table it loaded, and a wider table or a longer line than before needs more.
   */
  private async fitMemoryTo(wh: Warehouse, table: TableSchema, parts: readonly PackagePart[]): Promise<void> {
    const shape = this.loadedShape;
    const tables = shape.schema.tables as TableSchema[];
    const index = tables.findIndex((t) => t.name === table.name);
    if (index < 0) tables.push(table);
    else tables[index] = table;
    shape.tables[table.name] = { parts: [...(shape.tables[table.name]?.parts ?? []), ...parts.map((p) => ({ maxLineBytes: p.maxLineBytes }))] };
    // The settings change only when the need grows: a wider table or a longer line than any before.
    const columns = table.columns.length;
    const lineBytes = Math.max(...parts.map((p) => p.maxLineBytes ?? Number.MAX_SAFE_INTEGER));
    if (columns <= this.limitedFor.columns && lineBytes <= this.limitedFor.lineBytes) return;
    this.limitedFor = { columns: Math.max(columns, this.limitedFor.columns), lineBytes: Math.max(lineBytes, this.limitedFor.lineBytes) };
    await limitLoadMemory(wh, shape, { spillDir: this.spillDir });
  }

  /** Opens the warehouse and the load's transaction; undefined (and early loading off) if it cannot be opened. */
  private async open(): Promise<Warehouse | undefined> {
    const { options } = this;
    let wh: Warehouse;
    try {
      wh = await Warehouse.open(options.warehouse);
    } catch (err) {
      // Not an error yet: the load at the end waits for the warehouse as usual.
      await this.giveUp(`the warehouse could not be opened (${describeError(err)})`);
      return undefined;
    }
    this.wh = wh;
    // This connection exists for this load only, so its settings need no restoring.
    await wh.run('SET preserve_insertion_order = false');
    // The source and the normalizer keep one core busy; DuckDB taking them all would only slow them down.
    await wh.run(`SET threads = ${Math.max(1, os.availableParallelism() - 1)}`);
    // The system tables and the reload check come with the rest of the load, in this same transaction.
    await wh.run('BEGIN TRANSACTION');
    options.log.debug(`stage: early-load ${options.loadId}`);
    return wh;
  }

  /** Stops loading early: rolls back what went in, so the package is loaded whole at the end. */
  private async giveUp(reason: string): Promise<void> {
    if (!this.givenUp) this.options.log.debug(`stage: parts will load at the end: ${reason}`);
    this.givenUp = true;
    await this.rollbackAndClose();
  }

  /** A table with rows in the transaction whose finished schema has a column it lacks, or another type. */
  private grownTable(manifest: PackageManifest): string | undefined {
    for (const [name, frozen] of this.frozen) {
      const schema = manifest.schema.tables.find((t) => t.name === name);
      if (schema && changedSince(frozen, schema)) return name;
    }
    return undefined;
  }

  /**
   * A merge table of a family with rows in the transaction that cannot be merged from the target (see
   * mergesAfterEarlyRows): all tables of a family are merged together at the end.
   */
  private unmergeableFamily(manifest: PackageManifest): string | undefined {
    for (const family of tableFamilies(manifest.schema)) {
      const tables = [family.root, ...family.children];
      if (tables[0].writeDisposition !== 'merge' || !tables.some((t) => this.frozen.has(t.name))) continue;
      const other = tables.find((t) => !mergesAfterEarlyRows(t));
      if (other !== undefined) return other.name;
    }
    return undefined;
  }

  /** The parts loaded early must be the first parts of each table's list: the rest of the load skips those. */
  private checkLoadedPrefix(manifest: PackageManifest): void {
    for (const [name, files] of this.loadedFiles) {
      const listed = (manifest.tables[name]?.parts ?? []).slice(0, files.length).map((p) => p.file);
      if (listed.join('\n') !== files.join('\n')) {
        throw new Error(`load ${manifest.loadId}: the parts of table "${name}" loaded early are not the first ones the package lists`);
      }
    }
  }

  private async rollbackAndClose(): Promise<void> {
    const wh = this.wh;
    if (wh === undefined) return;
    await wh.run('ROLLBACK').catch(() => undefined);
    this.close();
  }

  private close(): void {
    const wh = this.wh;
    this.wh = undefined;
    try {
      wh?.close();
    } catch {
      // closing is best effort once the outcome is decided
    }
  }
}

/**
 * Whether the table has a column, or a column type, that it did not have when its first rows went in:
 * DuckDB cannot alter a table whose uncommitted appended rows it still holds.
 */
function changedSince(frozen: ReadonlyMap<string, DataType | undefined>, table: TableSchema): boolean {
  return table.columns.some((c) => frozen.get(c.name.toLowerCase()) !== c.dataType);
}
