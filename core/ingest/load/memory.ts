// How much memory DuckDB may use while it loads a package. Without a limit DuckDB keeps most of the
// machine's RAM available to itself and a large load leaves gigabytes resident; with one, it writes row
// groups out and evicts buffers as it goes, so memory stays flat however many rows the package has.
// The limit must still cover what a load needs at once, or the load fails for lack of memory: that grows
// with the threads, the width of the widest table (each thread builds a row group of every column) and
// the read buffers (large for long lines).

import os from 'node:os';
import type { Warehouse } from '../../warehouse/connection';
import { quoteLiteral } from '../../warehouse/quote';
import type { PackagePart } from '../package';
import { csvBufferSize } from './csvRead';

const MIB = 1024 * 1024;
/** Catalog, system tables, statement state. */
const BASE_BYTES = 64 * MIB;
/** One column's share of a row group being built (122,880 values plus their strings), per thread. */
const COLUMN_BYTES_PER_THREAD = 2 * MIB;
/** DuckDB's own default limit is 80% of RAM: a computed limit above that is no limit. */
const DUCKDB_DEFAULT_SHARE = 0.8;
/** Freed memory DuckDB's allocator may keep cached before it hands it back to the system. */
const ALLOCATOR_FLUSH_THRESHOLD = '8MiB';

/** What the memory a load needs depends on: its tables' widths and its parts' longest lines. */
export interface LoadShape {
  schema: { tables: ReadonlyArray<{ columns: readonly unknown[] }> };
  tables: Record<string, { parts: ReadonlyArray<Pick<PackagePart, 'maxLineBytes'>> }>;
}

/** The memory_limit for loading this package with `threads` threads, or undefined to leave DuckDB's default. */
export function loadMemoryLimit(manifest: LoadShape, threads: number, totalMemory = os.totalmem()): string | undefined {
  const widest = Math.max(1, ...manifest.schema.tables.map((t) => t.columns.length));
  // A thread may hold the buffer it parses and the next one it reads ahead.
  const perThread = widest * COLUMN_BYTES_PER_THREAD + 2 * csvBufferSize(longestLine(manifest));
  const bytes = BASE_BYTES + threads * perThread;
  if (bytes >= totalMemory * DUCKDB_DEFAULT_SHARE) return undefined;
  return `${Math.ceil(bytes / MIB)}MiB`;
}

/**
 * Sets the connection up to load the package: the memory limit for it (with the threads DuckDB really
 * uses), and an allocator that hands freed memory back to the system soon, from background threads,
 * instead of keeping it cached (cached memory counts as resident just the same).
 */
export async function limitLoadMemory(wh: Warehouse, manifest: LoadShape): Promise<void> {
  const [{ threads }] = await wh.all<{ threads: number | bigint }>(`SELECT current_setting('threads') AS threads`);
  const limit = loadMemoryLimit(manifest, Number(threads));
  if (limit !== undefined) await wh.run(`SET memory_limit = ${quoteLiteral(limit)}`);
  await wh.run(`SET allocator_flush_threshold = ${quoteLiteral(ALLOCATOR_FLUSH_THRESHOLD)}`);
  await wh.run('SET allocator_background_threads = true');
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
