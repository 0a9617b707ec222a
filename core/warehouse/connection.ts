// The one place Sluice opens DuckDB. Connections are short-lived: the warehouse file is opened for an
// operation and closed after it, so the editor and the CLI never hold each other out for long.

import fs from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { SluiceError } from '../errors';

export type Params = DuckDBValue[] | Record<string, DuckDBValue>;

export class Warehouse {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    /** The first Warehouse of an instance owns it; those made by connect() only own their connection. */
    private readonly ownsInstance = true,
  ) {}

  static async open(path: string, options: { readOnly?: boolean; memoryLimit?: string } = {}): Promise<Warehouse> {
    const config: Record<string, string> = {};
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    // DuckDB does not create missing folders: `warehouse: data/dev.duckdb` should just work.
    if (!options.readOnly && path !== ':memory:') fs.mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, config);
    } catch (err) {
      throw explainOpenError(path, err);
    }
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
  options?: { readOnly?: boolean; memoryLimit?: string },
): Promise<T> {
  const wh = await Warehouse.open(path, options);
  try {
    return await fn(wh);
  } finally {
    wh.close();
  }
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
