// One query running on its own connection, read page by page from DuckDB's streaming result: rows are
// converted when a page needs them and only a bounded window of them is kept, so a result of millions of
// rows is never held whole. A page before the kept window runs the query again and skips to it.
// Cancel interrupts DuckDB, which stops the query where it is.

import type { DuckDBResult } from '@duckdb/node-api';
import type { Warehouse } from '../warehouse/connection';
import { QueryCancelled, toQueryError } from './queryError';
import type { QueryColumn, QuerySourcePosition, QueryValue } from './types';
import { chunkRows, typeName } from './values';

/** Rows kept in memory for paging back (about a screenful of scrolling times many). */
export const KEPT_ROWS = 20_000;

export interface QueryPage {
  offset: number;
  rows: QueryValue[][];
  /** Every row has been read: rowCount is the result's size. */
  done: boolean;
  /** Rows read from DuckDB so far (the result's size once done). */
  rowsRead: number;
}

interface KeptChunk {
  start: number;
  rows: QueryValue[][];
}

export class QueryRun {
  private result?: DuckDBResult;
  private kept: KeptChunk[] = [];
  private read = 0;
  private finished = false;
  private cancelled = false;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  columns: QueryColumn[] = [];
  private jsonColumns: boolean[] = [];

  constructor(
    private readonly warehouse: Warehouse,
    readonly sql: string,
    private readonly locate?: (offset: number) => QuerySourcePosition | undefined,
    private readonly keptRows = KEPT_ROWS,
  ) {}

  /** Runs the query until its first rows can be read; errors come back as QueryError / QueryCancelled. */
  start(): Promise<void> {
    return this.serialized(() => this.execute());
  }

  /** Rows offset .. offset+count (fewer at the end of the result). */
  page(offset: number, count: number): Promise<QueryPage> {
    return this.serialized(async () => {
      if (this.kept.length > 0 ? offset < this.kept[0].start : offset < this.read) await this.execute();
      while (!this.finished && this.read < offset + count) await this.fetch(offset);
      const rows: QueryValue[][] = [];
      for (const chunk of this.kept) {
        const from = Math.max(offset - chunk.start, 0);
        const to = Math.min(offset + count - chunk.start, chunk.rows.length);
        for (let i = from; i < to; i++) rows.push(chunk.rows[i]);
      }
      return { offset, rows, done: this.finished, rowsRead: this.read };
    });
  }

  /** Interrupts DuckDB: a running start() or page() rejects with QueryCancelled. */
  cancel(): void {
    if (this.closed) return;
    this.cancelled = true;
    this.warehouse.connection.interrupt();
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Stops the query; resolves once DuckDB has let go of it, so the connection can be closed. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.warehouse.connection.interrupt();
    }
    await this.queue;
    this.result = undefined;
    this.kept = [];
  }

  private async execute(): Promise<void> {
    this.result = undefined;
    this.kept = [];
    this.read = 0;
    this.finished = false;
    try {
      this.result = await this.warehouse.connection.stream(this.sql);
    } catch (err) {
      throw this.failure(err);
    }
    const names = this.result.deduplicatedColumnNames();
    const types = this.result.columnTypes();
    this.columns = types.map((type, i) => ({ name: names[i], type: typeName(type) }));
    this.jsonColumns = types.map((type) => type.alias === 'JSON');
  }

  /** Reads one chunk; keeps it when it reaches the page being read. */
  private async fetch(pageOffset: number): Promise<void> {
    if (!this.result) return;
    let chunk;
    try {
      chunk = await this.result.fetchChunk();
    } catch (err) {
      throw this.failure(err);
    }
    if (this.cancelled) throw new QueryCancelled();
    if (!chunk || chunk.rowCount === 0) {
      this.finished = true;
      return;
    }
    const start = this.read;
    this.read += chunk.rowCount;
    if (this.read <= pageOffset) return;
    this.kept.push({ start, rows: chunkRows(chunk, this.jsonColumns) });
    // Keep a bounded window, never dropping what the page being read still needs.
    let keptCount = this.kept.reduce((n, c) => n + c.rows.length, 0);
    while (this.kept.length > 1 && keptCount > this.keptRows && this.kept[0].start + this.kept[0].rows.length <= pageOffset) {
      keptCount -= this.kept.shift()!.rows.length;
    }
  }

  private failure(err: unknown): Error {
    if (this.cancelled || this.closed) return new QueryCancelled();
    return toQueryError(err, this.sql, this.locate);
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      if (this.closed) throw new QueryCancelled();
      if (this.cancelled) throw new QueryCancelled();
      return task();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
