// The one place Sluice opens DuckDB. Connections are short-lived: the warehouse file is opened for an
// operation and closed after it, so the editor and the CLI never hold each other out for long.

import fs from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { SluiceError } from '../errors';

export type Params = DuckDBValue[] | Record<string, DuckDBValue>;

export interface OpenOptions {
  readOnly?: boolean;
  memoryLimit?: string;
  /**
   * How long to keep trying while another process holds the file (default 2 s). Editor reads hold it for
   * milliseconds, so a CLI run that starts at that moment waits instead of failing; a long ingest or apply
   * still gets the clear "locked" error soon. SLUICE_LOCK_WAIT_MS sets the default.
   */
  lockWaitMs?: number;
}

const LOCK_RETRY_FIRST_MS = 25;
const LOCK_RETRY_MAX_MS = 250;

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
    const instance = await createWaitingForLock(path, config, options.lockWaitMs ?? defaultLockWaitMs());
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

function defaultLockWaitMs(): number {
  const fromEnv = Number(process.env.SLUICE_LOCK_WAIT_MS);
  return Number.isFinite(fromEnv) && fromEnv >= 0 ? fromEnv : 2000;
}

async function createWaitingForLock(path: string, config: Record<string, string>, waitMs: number): Promise<DuckDBInstance> {
  const deadline = Date.now() + waitMs;
  for (let delay = LOCK_RETRY_FIRST_MS; ; delay = Math.min(delay * 2, LOCK_RETRY_MAX_MS)) {
    try {
      return await DuckDBInstance.create(path, config);
    } catch (err) {
      if (!isLockError(err) || Date.now() + delay > deadline) throw explainOpenError(path, err);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function isLockError(err: unknown): boolean {
  return /lock/i.test(err instanceof Error ? err.message : String(err));
}

function explainOpenError(path: string, err: unknown): SluiceError {
  const message = err instanceof Error ? err.message : String(err);
  if (/lock/i.test(message)) {
    const holder = /PID (\d+)/.exec(message);
    return new SluiceError(
      `warehouse ${path} is locked by another process${holder ? ` (pid ${holder[1]})` : ''}; ` +
        'wait for it to finish or close it, then retry',
    );
  }
  return new SluiceError(`cannot open warehouse ${path}: ${message.split('\n')[0]}`);
}
