// Private copies of a warehouse file for queries whose results stay open (the editor's result grid pages
// through them for as long as it is shown). DuckDB lets one process write a file and refuses writers while
// anyone else has it open, even read-only; a copy holds nothing, so `sluice ingest` and `sluice apply` never
// wait for a query. The copy is taken while the file is open read-only when that is possible (then no writer
// is half-way through a checkpoint), else as the file and its WAL are on disk (DuckDB recovers such a copy
// as it would after a crash). One copy per warehouse is kept while the warehouse file is unchanged, so
// queries in a row copy once; copies are clones where the file system supports them.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SluiceError } from '../errors';
import { LockTimeoutError } from '../lockWait';
import { Warehouse } from '../warehouse/connection';

interface Snapshot {
  /** Size and modification time of the warehouse and its WAL when copied. */
  stamp: string;
  file: string;
  warehouse: Warehouse;
  users: number;
  stale: boolean;
}

export interface SnapshotLease {
  warehouse: Warehouse;
  release(): void;
}

const snapshots = new Map<string, Snapshot>();
const pending = new Map<string, Promise<Snapshot>>();
let cleanupRegistered = false;

/**
 * A connection to a copy of the warehouse as it is now. `writerInProcess`: this process itself is writing
 * the file (the language server's own ingest), so it must not be opened here even read-only.
 */
export interface SnapshotOptions {
  writerInProcess?: boolean;
  /**
   * Runs the copy taken under a read-only open; the language server passes its warehouse gate, so that its
   * own ingests and applies never open the file while the copy does. A SluiceError from it (busy) means: copy as is.
   */
  guard?: (copy: () => Promise<void>) => Promise<void>;
}

export async function leaseSnapshot(warehousePath: string, options: SnapshotOptions = {}): Promise<SnapshotLease> {
  const key = path.resolve(warehousePath);
  const stamp = fileStamp(key);
  let snapshot = snapshots.get(key);
  if (!snapshot || snapshot.stamp !== stamp) {
    let creating = pending.get(key);
    if (!creating) {
      creating = createSnapshot(key, stamp, options).finally(() => pending.delete(key));
      pending.set(key, creating);
    }
    const created = await creating;
    const previous = snapshots.get(key);
    if (previous && previous !== created) retire(previous);
    snapshots.set(key, created);
    snapshot = created;
  }
  snapshot.users++;
  const own = snapshot;
  const connection = await own.warehouse.connect();
  let released = false;
  return {
    warehouse: connection,
    release: () => {
      if (released) return;
      released = true;
      connection.close();
      own.users--;
      if (own.stale && own.users === 0) dispose(own);
    },
  };
}

/** Closes and deletes every copy (the language server on shutdown; the CLI on exit). */
export function disposeSnapshots(): void {
  for (const snapshot of snapshots.values()) dispose(snapshot);
  snapshots.clear();
}

function fileStamp(file: string): string {
  const stat = (f: string) => {
    try {
      const s = fs.statSync(f);
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return '-';
    }
  };
  return `${stat(file)}/${stat(`${file}.wal`)}`;
}

async function createSnapshot(warehousePath: string, stamp: string, options: SnapshotOptions): Promise<Snapshot> {
  if (!fs.existsSync(warehousePath)) throw new SluiceError(`there is no warehouse yet (${warehousePath}): run sluice ingest or sluice apply first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sluice-query-${createHash('sha1').update(warehousePath).digest('hex').slice(0, 8)}-`));
  const file = path.join(dir, 'warehouse.duckdb');
  registerCleanup();
  const copy = async () => {
    await fs.promises.copyFile(warehousePath, file, fs.constants.COPYFILE_FICLONE);
    if (fs.existsSync(`${warehousePath}.wal`)) await fs.promises.copyFile(`${warehousePath}.wal`, `${file}.wal`, fs.constants.COPYFILE_FICLONE);
  };
  // Open read-only for the length of the copy when nobody writes: then the copy is consistent for sure.
  const copyUnderReadLock = async () => {
    const lock = await openReadOnlyUnlessWritten(warehousePath);
    try {
      await copy();
    } finally {
      lock?.close();
    }
  };
  if (options.writerInProcess) await copy();
  else if (!options.guard) await copyUnderReadLock();
  else {
    await options.guard(copyUnderReadLock).catch(async (err: unknown) => {
      if (!(err instanceof SluiceError)) throw err;
      await copy();
    });
  }
  try {
    // Read-only like the warehouse itself: a statement that writes fails the same way in both cases
    // (a copied WAL is still replayed, in memory).
    const warehouse = await Warehouse.open(file, { readOnly: true, lockWaitMs: 0 });
    return { stamp, file, warehouse, users: 0, stale: false };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new SluiceError(`cannot read a copy of ${warehousePath} while another process writes it (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); try again when it is done`);
  }
}

/** The warehouse opened read-only, without waiting; undefined while a writer holds it. */
export async function openReadOnlyUnlessWritten(warehousePath: string): Promise<Warehouse | undefined> {
  return Warehouse.open(warehousePath, { readOnly: true, lockWaitMs: 0 }).catch((err: unknown) => {
    if (err instanceof LockTimeoutError) return undefined;
    throw err;
  });
}

function retire(snapshot: Snapshot): void {
  snapshot.stale = true;
  if (snapshot.users === 0) dispose(snapshot);
}

function dispose(snapshot: Snapshot): void {
  try {
    snapshot.warehouse.close();
  } catch {
    // already closed
  }
  fs.rmSync(path.dirname(snapshot.file), { recursive: true, force: true });
}

function registerCleanup(): void {
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  process.once('exit', () => {
    for (const snapshot of snapshots.values()) fs.rmSync(path.dirname(snapshot.file), { recursive: true, force: true });
  });
}
