// The one place Sluice opens DuckDB. Connections are short-lived: the warehouse file is opened for an
// operation and closed after it, so the editor and the CLI never hold each other out for long.

import fs from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { SluiceError } from '../errors';
import { lockWaitFromEnv, waitForLock, type LockWait } from '../lockWait';

export type Params = DuckDBValue[] | Record<string, DuckDBValue>;

/**
 * lockWaitMs is how long to keep trying while another process holds the file: by default 2 s (or
 * SLUICE_LOCK_WAIT_MS). Editor reads hold the file for milliseconds, so a run that starts at that moment
 * waits instead of failing, and a read still gives the clear "locked" error soon. Work a user expects to
 * queue (an ingest, an apply) passes a long wait and a note callback instead (see queueLockWait).
 */
export interface OpenOptions extends Partial<LockWait> {
  readOnly?: boolean;
  memoryLimit?: string;
}

const READ_LOCK_WAIT_MS = 2000;

export class Warehouse {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    /** The first Warehouse of an instance owns it; those made by connect() only own their connection. */
    private readonly ownsInstance = true,
  ) {}

  static async open(path: string, options: OpenOptions = {}): Promise<Warehouse> {
    const config: Record<string, string> = {};
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    // DuckDB does not create missing folders: `warehouse: data/dev.duckdb` should just work.
    if (!options.readOnly && path !== ':memory:') fs.mkdirSync(dirname(path), { recursive: true });
    const instance = await createWaitingForLock(path, config, {
      lockWaitMs: options.lockWaitMs ?? lockWaitFromEnv() ?? READ_LOCK_WAIT_MS,
      onLockWait: options.onLockWait,
      signal: options.signal,
      waitLonger: options.waitLonger ?? 'SLUICE_LOCK_WAIT_MS',
    });
    const connection = await instance.connect();
    return new Warehouse(path, instance, connection);
  }

  async run(sql: string, params?: Params): Promise<void> {
    await this.connection.run(sql, params);
  }

  /** Rows as plain objects keyed by column name. */
  async all<T = Record<string, DuckDBValue>>(sql: string, params?: Params): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjects() as T[];
  }

  /** Rows with JSON-friendly values (BIGINT → number when safe, timestamps → strings). */
  async json<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJson() as T[];
  }

  /** Runs fn inside one transaction: everything it does commits together or not at all. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const result = await fn();
      await this.run('COMMIT');
      return result;
    } catch (err) {
      await this.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Another connection to the same open database, for work that runs concurrently (its own transactions). */
  async connect(): Promise<Warehouse> {
    return new Warehouse(this.path, this.instance, await this.instance.connect(), false);
  }

  close(): void {
    this.connection.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}

/** Opens, runs fn, always closes. */
export async function withWarehouse<T>(
  path: string,
  fn: (wh: Warehouse) => Promise<T>,
  options?: OpenOptions,
): Promise<T> {
  const wh = await Warehouse.open(path, options);
  try {
    return await fn(wh);
  } finally {
    wh.close();
  }
}

function createWaitingForLock(path: string, config: Record<string, string>, wait: LockWait): Promise<DuckDBInstance> {
  return waitForLock<DuckDBInstance>(
    {
      name: 'the warehouse',
      tryTake: async () => {
        try {
          return { taken: await DuckDBInstance.create(path, config) };
        } catch (err) {
          if (!isLockError(err)) throw new SluiceError(`cannot open warehouse ${path}: ${messageOf(err).split('\n')[0]}`);
          return { holder: lockHolder(err) };
        }
      },
      heldBy: (holder) => `warehouse ${path} is locked by another process${holder === undefined ? '' : ` (pid ${holder})`}`,
    },
    wait,
  );
}

function isLockError(err: unknown): boolean {
  // "Could not set lock on file …": a word, so that "block" in another error does not count.
  return /\block\b/i.test(messageOf(err));
}

/** DuckDB names the process that holds the file: "Conflicting lock is held in … (PID 1234)". */
function lockHolder(err: unknown): number | undefined {
  const pid = /PID (\d+)/.exec(messageOf(err));
  return pid ? Number(pid[1]) : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
