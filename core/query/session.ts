// A query from start to close: open the warehouse (read-only or a snapshot, see access.ts), pick the
// environment, prepare the text (prepareSqlQuery / prepareModelQuery), run it, page through it. Cancel works
// at any point: before DuckDB runs it the session stops at the next step, while it runs DuckDB is interrupted.

import { nowMs } from '../clock';
import { openForQuery, type AccessOptions, type QueryConnection } from './access';
import { environmentViews, type EnvironmentViews } from './environment';
import { exportQueryResult, type ExportFormat } from './export';
import type { PreparedQuery } from './modelQuery';
import { QueryCancelled } from './queryError';
import { QueryRun, type QueryPage } from './run';
import type { QueryAccess, QueryColumn } from './types';

export interface QuerySessionOptions extends AccessOptions {
  warehouse: string;
  /** Environment name; default dev when applied, else prod. */
  env?: string;
  prepare(env: EnvironmentViews): Promise<PreparedQuery>;
}

export interface QueryStarted {
  env: string;
  label: string;
  sql: string;
  access: QueryAccess;
  columns: QueryColumn[];
  /** From the start until DuckDB could give the first rows. */
  elapsedMs: number;
}

export class QuerySession {
  private connection?: QueryConnection;
  private run?: QueryRun;
  private starting?: Promise<QueryStarted>;
  private cancelled = false;
  private closed = false;

  constructor(private readonly options: QuerySessionOptions) {}

  start(): Promise<QueryStarted> {
    this.starting ??= this.begin();
    return this.starting;
  }

  private async begin(): Promise<QueryStarted> {
    const started = nowMs();
    this.connection = await openForQuery(this.options.warehouse, this.options);
    this.check();
    const env = await environmentViews(this.connection.warehouse, this.options.env);
    const prepared = await this.options.prepare(env);
    this.check();
    this.run = new QueryRun(this.connection.warehouse, prepared.sql, prepared.locate);
    await this.run.start();
    return { env: env.name, label: prepared.label, sql: prepared.sql, access: this.connection.access, columns: this.run.columns, elapsedMs: nowMs() - started };
  }

  async page(offset: number, count: number): Promise<QueryPage> {
    this.check();
    if (!this.run) throw new QueryCancelled();
    return this.run.page(offset, count);
  }

  /**
   * Writes the whole result to a file: the query runs again on another connection to the same database (the
   * same snapshot), so the paging of this result goes on undisturbed.
   */
  async export(format: ExportFormat, file: string): Promise<number> {
    this.check();
    if (!this.run || !this.connection) throw new QueryCancelled();
    const other = await this.connection.warehouse.connect();
    try {
      await other.run('SET errors_as_json = true');
      return await exportQueryResult(other, this.run.sql, format, file);
    } finally {
      other.close();
    }
  }

  cancel(): void {
    this.cancelled = true;
    this.run?.cancel();
  }

  /** Stops the query and gives the warehouse (or its snapshot) back. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelled = true;
    this.connection?.warehouse.connection.interrupt();
    await this.starting?.catch(() => undefined);
    await this.run?.close();
    this.release();
  }

  private release(): void {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    connection.release();
  }

  private check(): void {
    if (this.cancelled) throw new QueryCancelled();
  }
}
