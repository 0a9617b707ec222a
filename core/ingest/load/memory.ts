// How much memory DuckDB may use while it loads a package, and on how many threads. Without a limit
// DuckDB keeps most of the machine's RAM available to itself and a large load leaves gigabytes resident;
// with one, it writes row groups out and evicts buffers as it goes, so memory stays flat however many
// rows the package has. The limit must still cover what a load needs at once: that grows with the
// threads, the width of the widest table (each thread builds a row group of every column) and the read
// buffers (large for long lines). Should a load still run out, DuckDB aborts its transaction, and the
// load is done again on one thread with a limit taken from the memory available then (see session.ts).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Warehouse } from '../../warehouse/connection';
import { quoteLiteral } from '../../warehouse/quote';
import type { PackagePart } from '../package';
import { csvBufferSize } from './csvRead';

const MIB = 1024 * 1024;
/** Catalog, system tables, statement state. */
const BASE_BYTES = 64 * MIB;
/** One column's share of a row group being built (122,880 values plus their strings), per thread. */
const COLUMN_BYTES_PER_THREAD = 2 * MIB;
/**
 * What the memory limit counts per column and thread. DuckDB writes finished row groups out and can evict
 * or spill the rest, so the limit need not hold every column's whole share at once: GitHub-shaped issues
 * (74 columns, one thread) loaded 5M records within 154 MiB as fast as within 228 MiB, and peaked about
 * 85 MB lower. The thread count is still sized on the whole share.
 */
const COLUMN_LIMIT_BYTES_PER_THREAD = 1 * MIB;
/** DuckDB's own default limit is 80% of RAM: a computed limit above that is no limit. */
const DUCKDB_DEFAULT_SHARE = 0.8;
/**
 * A load's memory needs grow with its threads; wide tables get fewer threads so that they stay within this.
 * DuckDB keeps about its whole limit resident (and some more outside it), beside the ingest's own ~150 MB:
 * this keeps the process near 500 MB. A 74-column table loads on one thread.
 */
const THREADS_BUDGET_BYTES = 384 * MIB;
/** Share of the memory available now that a load may take after it ran out of memory once. */
const AVAILABLE_SHARE_AFTER_OOM = 0.5;
/** Freed memory DuckDB's allocator may keep cached before it hands it back to the system. */
const ALLOCATOR_FLUSH_THRESHOLD = '8MiB';

/** What the memory a load needs depends on: its tables' widths and its parts' longest lines. */
export interface LoadShape {
  schema: { tables: ReadonlyArray<{ columns: readonly unknown[] }> };
  tables: Record<string, { parts: ReadonlyArray<Pick<PackagePart, 'maxLineBytes'>> }>;
}

/** The memory_limit for loading this package with `threads` threads, or undefined to leave DuckDB's default. */
export function loadMemoryLimit(manifest: LoadShape, threads: number, totalMemory = os.totalmem()): string | undefined {
  const bytes = BASE_BYTES + threads * perThreadBytes(manifest, COLUMN_LIMIT_BYTES_PER_THREAD);
  if (bytes >= totalMemory * DUCKDB_DEFAULT_SHARE) return undefined;
  return `${Math.ceil(bytes / MIB)}MiB`;
}

/** What one loading thread needs: a row group of the widest table, and the buffer it parses and the next one it reads ahead. */
function perThreadBytes(manifest: LoadShape, columnBytes = COLUMN_BYTES_PER_THREAD): number {
  const widest = Math.max(1, ...manifest.schema.tables.map((t) => t.columns.length));
  return widest * columnBytes + 2 * csvBufferSize(longestLine(manifest));
}

/**
 * How many of `threads` threads to load this package with: all of them, unless its widest table needs so
 * much per thread (DuckDB builds a row group of every column on each) that they would not fit the budget.
 */
export function loadThreads(manifest: LoadShape, threads: number): number {
  const fitting = Math.floor((THREADS_BUDGET_BYTES - BASE_BYTES) / perThreadBytes(manifest));
  return Math.max(1, Math.min(threads, fitting));
}

/**
 * The memory_limit for a load that ran out of memory once: half of what the machine has available now
 * (never less than one thread's need, never above DuckDB's own default share of RAM).
 */
export function memoryLimitAfterOutOfMemory(
  manifest: LoadShape,
  available = os.freemem(),
  totalMemory = os.totalmem(),
): string {
  const bytes = Math.min(totalMemory * DUCKDB_DEFAULT_SHARE, Math.max(BASE_BYTES + perThreadBytes(manifest), available * AVAILABLE_SHARE_AFTER_OOM));
  return `${Math.ceil(bytes / MIB)}MiB`;
}

export interface LoadMemoryOptions {
  /** Where DuckDB may write what does not fit in memory (inside the load package, so it goes with it). */
  spillDir?: string;
  /** The load ran out of memory before: use one thread and a limit from the memory available now. */
  afterOutOfMemory?: boolean;
}

/**
 * Sets the connection up to load the package: threads and a memory limit for it, a folder to spill to,
 * and an allocator that hands freed memory back to the system soon, from background threads, instead of
 * keeping it cached (cached memory counts as resident just the same).
 */
export async function limitLoadMemory(wh: Warehouse, manifest: LoadShape, options: LoadMemoryOptions = {}): Promise<void> {
  const [{ threads }] = await wh.all<{ threads: number | bigint }>(`SELECT current_setting('threads') AS threads`);
  const use = options.afterOutOfMemory ? 1 : loadThreads(manifest, Number(threads));
  if (use !== Number(threads)) await wh.run(`SET threads = ${use}`);
  const limit = options.afterOutOfMemory ? memoryLimitAfterOutOfMemory(manifest) : (firstAttemptLimit() ?? loadMemoryLimit(manifest, use));
  if (limit !== undefined) await wh.run(`SET memory_limit = ${quoteLiteral(limit)}`);
  if (options.spillDir !== undefined) await spillTo(wh, options.spillDir);
  await wh.run(`SET allocator_flush_threshold = ${quoteLiteral(ALLOCATOR_FLUSH_THRESHOLD)}`);
  await wh.run('SET allocator_background_threads = true');
}

/**
 * SLUICE_LOAD_MEMORY_LIMIT (e.g. `64MB`) replaces the computed limit of a load's first attempt: a way to
 * keep loads small on a busy machine, and to see the retry after running out of memory at work.
 */
function firstAttemptLimit(): string | undefined {
  const value = process.env.SLUICE_LOAD_MEMORY_LIMIT?.trim();
  return value && /^\d+(\.\d+)?\s*[KMGT]i?B$/i.test(value) ? value : undefined;
}

/**
 * Points DuckDB's temporary files at `dir`. Once DuckDB has spilled it refuses to switch, even to the same
 * folder, and a refused SET inside a transaction aborts the transaction: early loading sets the memory of
 * its connection again in the middle of its transaction as wider tables come, so a connection that already
 * spills there is left alone.
 */
async function spillTo(wh: Warehouse, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const [{ current }] = await wh.all<{ current: string | null }>(`SELECT current_setting('temp_directory') AS current`);
  if (current !== null && path.resolve(current) === path.resolve(dir)) return;
  // A connection spilling elsewhere already keeps that place.
  await wh.run(`SET temp_directory = ${quoteLiteral(dir)}`).catch(() => undefined);
}

/**
 * Whether DuckDB failed for lack of memory. It then aborts the whole transaction; when that happened while
 * it wrote row groups out in the background, the next statement only says that the transaction is aborted.
 */
export function isOutOfMemory(err: unknown): boolean {
  return /Out of Memory Error|Current transaction is aborted/i.test(err instanceof Error ? err.message : String(err));
}

/** The longest line the package's parts recorded; parts without a record count as long as their file could be. */
function longestLine(manifest: LoadShape): number {
  let longest = 0;
  for (const table of Object.values(manifest.tables)) {
    for (const part of table.parts) {
      if (typeof part.maxLineBytes !== 'number') return Number.MAX_SAFE_INTEGER;
      longest = Math.max(longest, part.maxLineBytes);
    }
  }
  return longest;
}
