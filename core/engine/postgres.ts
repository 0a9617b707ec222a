// PostgreSQL as an engine, through pg. Sluice's state lives in the `_sluice` schema of the database, model
// versions in `sluice__<schema>` schemas, environments are views; DDL is transactional, so an environment's
// views are swapped in one transaction as on DuckDB. Model queries (written in DuckDB's dialect) are
// rendered with core/dialect before they run. One writer at a time: a session advisory lock, which the
// server releases by itself when a killed writer's connection goes away.

import pg from 'pg';
import { tableReferences } from '../dag/references';
import { transpileParsed } from '../dialect/transpile';
import { parseSql } from '../sql/duckdbParser';
import { SluiceError } from '../errors';
import { waitForLock, type LockWait } from '../lockWait';
import { maskUrl } from '../sources/sqlDatabase/credentials';
import { Warehouse } from '../warehouse/connection';
import { qualified, quoteIdent } from '../warehouse/quote';
import { sqlTimestamp } from './duckdb';
import type { CatalogColumn, CatalogRelation, EngineAdapter, Relation, TimeColumn, ViewDefinition } from './types';

const sqlOf = (r: Relation) => qualified(r.schema, r.table);

/** PostgreSQL's limit on bound parameters in one statement. */
const MAX_PARAMETERS = 65_535;

/** Every Sluice writer of a database takes this advisory lock (the key is arbitrary but fixed). */
const STATE_LOCK_KEY = 0x51_1ce;

/** pg's default parsers, except that values come back the way DuckDB's JSON rows give them. */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    switch (oid) {
      case 20: // int8: a number when it fits, as DuckDB's JSON rows do
        return (text: string) => (Number.isSafeInteger(Number(text)) ? Number(text) : text);
      case 114: case 3802: // json, jsonb: the text, as DuckDB gives it
      case 1082: case 1114: case 1184: // date, timestamp, timestamptz: the text, never a local-time Date
        return (text: string) => text;
      default:
        return pg.types.getTypeParser(oid, format as 'text');
    }
  },
};

/** The URL with its password masked, for messages. */
/** A server that does not answer is an error after this long, not a command that hangs (as the SQL database source). */
const CONNECT_TIMEOUT_MS = 15_000;

export function redactedUrl(url: string): string {
  try {
    return maskUrl(new URL(url));
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

export class PostgresAdapter implements EngineAdapter {
  readonly type = 'postgres' as const;
  readonly dialect = 'postgres' as const;
  readonly path: string;
  readonly stateKey: string;
  private inTransaction = false;

  private constructor(private readonly url: string, private readonly client: pg.Client, private readonly wait: Partial<LockWait>) {
    this.path = redactedUrl(url);
    const u = new URL(url);
    this.stateKey = `postgres://${u.hostname}:${u.port || 5432}/${decodeURIComponent(u.pathname.slice(1))}`;
  }

  /** `wait`: how long a writer queues behind another one for the state lock (default: not at all). */
  static async open(url: string, wait: Partial<LockWait> = {}): Promise<PostgresAdapter> {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new SluiceError(`a postgres gateway needs a URL like postgres://user@host:5432/database, not ${redactedUrl(url)}`);
    const client = await connectPostgres(url, { applicationName: 'sluice', types: TYPES });
    return new PostgresAdapter(url, client, wait);
  }

  async run(sql: string, params?: unknown[] | object): Promise<void> {
    await this.query(sql, params);
  }

  async all<T = Record<string, unknown>>(sql: string, params?: unknown[] | object): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  json<T = Record<string, unknown>>(sql: string, params?: unknown[] | object): Promise<T[]> {
    return this.all<T>(sql, params);
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction) throw new SluiceError('a transaction is already open on this connection');
    await this.query('BEGIN');
    this.inTransaction = true;
    try {
      const result = await fn();
      await this.query('COMMIT');
      return result;
    } catch (err) {
      await this.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      this.inTransaction = false;
    }
  }

  connect(): Promise<EngineAdapter> {
    return PostgresAdapter.open(this.url);
  }

  close(): void {
    void this.client.end().catch(() => undefined);
  }

  async relations(schemaPrefix?: string): Promise<CatalogRelation[]> {
    const rows = await this.all<{ schema: string; name: string; kind: string }>(
      `SELECT n.nspname AS "schema", c.relname AS "name", c.relkind::text AS "kind"
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
         AND n.nspname NOT LIKE 'pg\\_%' AND starts_with(n.nspname, $1)
       ORDER BY 1, 2`,
      [schemaPrefix ?? ''],
    );
    return rows.map((r) => ({ schema: r.schema, name: r.name, type: r.kind === 'v' || r.kind === 'm' ? 'view' : 'table' }));
  }

  async columns(relation: Relation): Promise<CatalogColumn[]> {
    const rows = await this.all<{ name: string; type: string }>(
      `SELECT a.attname AS "name", format_type(a.atttypid, a.atttypmod) AS "type"
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attnum`,
      [relation.schema, relation.table],
    );
    return rows;
  }

  async replaceTableAs(relation: Relation, query: string): Promise<void> {
    if (await this.exists(relation)) {
      // Refilled, not dropped: views (environments, VIEW models) depend on the table, and PostgreSQL will
      // not drop a table views read. A version's query always has the same columns.
      await this.run(`DELETE FROM ${sqlOf(relation)}`);
      await this.run(`INSERT INTO ${sqlOf(relation)} SELECT * FROM (${query}) AS q`);
    } else {
      await this.run(`CREATE TABLE ${sqlOf(relation)} AS ${query}`);
    }
  }

  async replaceTableFromDuckDb(relation: Relation, duckdbQuery: string): Promise<void> {
    // DuckDB reads the rows here (a seed's file is on this machine, not on the server); they reach the server
    // as bound parameters, in batches, inside the caller's transaction.
    const scratch = await Warehouse.open(':memory:');
    let columns: { name: string; type: string }[];
    let rows: Record<string, unknown>[];
    try {
      columns = (await scratch.all<{ column_name: string; column_type: string }>(`DESCRIBE ${duckdbQuery}`)).map((c) => ({ name: c.column_name, type: c.column_type }));
      rows = await scratch.json(duckdbQuery);
    } finally {
      scratch.close();
    }
    if (await this.exists(relation)) await this.run(`DELETE FROM ${sqlOf(relation)}`);
    else await this.createEmptyTable(relation, { columns });
    const list = columns.map((c) => quoteIdent(c.name)).join(', ');
    const perBatch = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, columns.length)));
    for (let at = 0; at < rows.length; at += perBatch) {
      const batch = rows.slice(at, at + perBatch);
      const values: unknown[] = [];
      const tuples = batch.map((row) => `(${columns.map((c) => {
        const value = row[c.name];
        values.push(value !== null && typeof value === 'object' ? JSON.stringify(value) : value);
        return `$${values.length}`;
      }).join(', ')})`);
      await this.run(`INSERT INTO ${sqlOf(relation)} (${list}) VALUES ${tuples.join(', ')}`, values);
    }
  }

  async replaceView(relation: Relation, query: string): Promise<void> {
    await this.run(`CREATE OR REPLACE VIEW ${sqlOf(relation)} AS ${query}`);
  }

  async createEmptyTable(relation: Relation, shape: { query: string } | { columns: { name: string; type: string }[] }): Promise<void> {
    let query: string;
    if ('columns' in shape) {
      // Declared columns carry DuckDB type names: rendered like any query, so they get PostgreSQL's.
      const typed = `SELECT ${shape.columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ')}`;
      query = await this.renderQuery(typed, { name: `${relation.schema}.${relation.table}`, file: 'declared columns' });
    } else {
      query = shape.query;
    }
    await this.run(`DROP TABLE IF EXISTS ${sqlOf(relation)}`);
    await this.run(`CREATE TABLE ${sqlOf(relation)} AS SELECT * FROM (${query}) AS q LIMIT 0`);
  }

  async swapViews(create: readonly ViewDefinition[], drop: readonly Relation[]): Promise<void> {
    // CREATE OR REPLACE VIEW cannot change a view's columns on PostgreSQL: drop and create (in the caller's
    // transaction, so readers still see the old view or the new one). Nothing Sluice builds reads these views.
    for (const v of create) {
      await this.run(`DROP VIEW IF EXISTS ${sqlOf(v.view)}`);
      await this.run(`CREATE VIEW ${sqlOf(v.view)} AS SELECT * FROM ${sqlOf(v.target)}`);
    }
    for (const v of drop) await this.run(`DROP VIEW IF EXISTS ${sqlOf(v)}`);
  }

  async insertOverwrite(relation: Relation, query: string, time: TimeColumn, interval: { startMs: number; endMs: number }): Promise<number> {
    if (time.format) throw new SluiceError(`${relation.schema}.${relation.table}: a time_column with a format (text times) is not supported on PostgreSQL yet`);
    const timeOf = (alias: string) => `CAST(${quoteIdent(alias)}.${quoteIdent(time.name)} AS TIMESTAMP)`;
    const range = [sqlTimestamp(interval.startMs), sqlTimestamp(interval.endMs)];
    const inRange = (alias: string) => `${timeOf(alias)} >= CAST($1 AS TIMESTAMP) AND ${timeOf(alias)} < CAST($2 AS TIMESTAMP)`;
    await this.run(`DELETE FROM ${sqlOf(relation)} WHERE ${inRange(relation.table)}`, range);
    // By name, as DuckDB's INSERT ... BY NAME: the query's columns, wherever the table has them.
    const list = (await this.outputColumns(query)).map(quoteIdent).join(', ');
    const inserted = await this.query(`INSERT INTO ${sqlOf(relation)} (${list}) SELECT ${list} FROM (${query}) AS q WHERE ${inRange('q')}`, range);
    return inserted.rowCount ?? 0;
  }

  async replacePartitions(relation: Relation, query: string, partitionedBy: readonly string[]): Promise<number> {
    const expression = partitionedBy.find((p) => !/^[\p{L}_][\p{L}\p{N}_$]*$/u.test(p));
    if (expression !== undefined) throw new SluiceError(`${relation.schema}.${relation.table}: partitioned_by ${expression} is an expression; on PostgreSQL Sluice replaces partitions by columns only`);
    const columns = await this.outputColumns(query);
    const missing = partitionedBy.filter((p) => !columns.includes(p));
    if (missing.length > 0) throw new SluiceError(`${relation.schema}.${relation.table}: partitioned_by ${missing.join(', ')} is not a column of the query`);
    const stage = quoteIdent(`sluice_stage_${relation.table}`.slice(0, 63));
    const list = columns.map(quoteIdent).join(', ');
    await this.run(`DROP TABLE IF EXISTS ${stage}`);
    await this.run(`CREATE TEMP TABLE ${stage} AS SELECT ${list} FROM (${query}) AS q`);
    const same = partitionedBy.map((p) => `target.${quoteIdent(p)} IS NOT DISTINCT FROM source.${quoteIdent(p)}`).join(' AND ');
    await this.run(`DELETE FROM ${sqlOf(relation)} AS target WHERE EXISTS (SELECT 1 FROM ${stage} AS source WHERE ${same})`);
    const inserted = await this.query(`INSERT INTO ${sqlOf(relation)} (${list}) SELECT ${list} FROM ${stage}`);
    await this.run(`DROP TABLE ${stage}`);
    return inserted.rowCount ?? 0;
  }

  async appendRows(relation: Relation, query: string, overwrite: boolean): Promise<number> {
    if (overwrite) await this.run(`DELETE FROM ${sqlOf(relation)}`);
    const list = (await this.outputColumns(query)).map(quoteIdent).join(', ');
    const inserted = await this.query(`INSERT INTO ${sqlOf(relation)} (${list}) SELECT ${list} FROM (${query}) AS q`);
    return inserted.rowCount ?? 0;
  }

  async mergeByKey(relation: Relation, query: string, keys: readonly string[], whenMatched?: string): Promise<number> {
    if (whenMatched) throw new SluiceError(`${relation.schema}.${relation.table}: when_matched is not supported on PostgreSQL yet`);
    const columns = await this.outputColumns(query);
    const missing = keys.filter((k) => !columns.includes(k));
    if (missing.length > 0) throw new SluiceError(`${relation.schema}.${relation.table}: unique_key ${missing.join(', ')} is not a column of the query`);
    const stage = quoteIdent(`sluice_stage_${relation.table}`.slice(0, 63));
    const list = columns.map(quoteIdent).join(', ');
    const rowNumber = quoteIdent('__sluice_row');
    await this.run(`DROP TABLE IF EXISTS ${stage}`);
    // The first row of each key, as DuckDB's QUALIFY row_number() = 1 picks.
    await this.run(
      `CREATE TEMP TABLE ${stage} AS SELECT ${list} FROM (
         SELECT *, row_number() OVER (PARTITION BY ${keys.map(quoteIdent).join(', ')}) AS ${rowNumber} FROM (${query}) AS q
       ) AS numbered WHERE ${rowNumber} = 1`,
    );
    const on = keys.map((k) => `target.${quoteIdent(k)} IS NOT DISTINCT FROM source.${quoteIdent(k)}`).join(' AND ');
    const others = columns.filter((c) => !keys.includes(c));
    const matched = others.length > 0 ? `WHEN MATCHED THEN UPDATE SET ${others.map((c) => `${quoteIdent(c)} = source.${quoteIdent(c)}`).join(', ')}` : 'WHEN MATCHED THEN DO NOTHING';
    const merged = await this.query(
      `MERGE INTO ${sqlOf(relation)} AS target USING ${stage} AS source ON (${on}) ${matched}
       WHEN NOT MATCHED THEN INSERT (${list}) VALUES (${columns.map((c) => `source.${quoteIdent(c)}`).join(', ')})`,
    );
    await this.run(`DROP TABLE ${stage}`);
    return merged.rowCount ?? 0;
  }

  async lockState(): Promise<{ exclusive: boolean; release: () => Promise<void> }> {
    await waitForLock<true>(
      {
        name: `the Sluice state in ${this.path}`,
        tryTake: async () => {
          const [row] = await this.all<{ taken: boolean }>('SELECT pg_try_advisory_lock($1) AS "taken"', [STATE_LOCK_KEY]);
          return row?.taken ? { taken: true } : { holder: await this.stateLockHolder() };
        },
        heldBy: (holder) => `another apply, run or janitor holds the Sluice state in ${this.path}${holder === undefined ? '' : ` (server process ${holder})`}`,
      },
      { lockWaitMs: this.wait.lockWaitMs ?? 0, onLockWait: this.wait.onLockWait, signal: this.wait.signal, waitLonger: this.wait.waitLonger ?? '--lock-wait SECONDS' },
    );
    return {
      exclusive: true,
      release: async () => {
        await this.run('SELECT pg_advisory_unlock($1)', [STATE_LOCK_KEY]);
      },
    };
  }

  /** The server process holding the state lock, if it can be seen. */
  private async stateLockHolder(): Promise<number | undefined> {
    const [holder] = await this.all<{ pid: number | null }>(
      `SELECT pid FROM pg_catalog.pg_locks
       WHERE locktype = 'advisory' AND objid = $1 AND granted AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
       LIMIT 1`,
      [STATE_LOCK_KEY],
    );
    return holder?.pid ?? undefined;
  }

  epochMs(expression: string): string {
    return `CAST(floor(EXTRACT(EPOCH FROM ${expression}) * 1000) AS BIGINT)`;
  }

  textList(values: readonly string[]): unknown {
    return [...values];
  }

  async isolated<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.inTransaction) return fn();
    await this.run('SAVEPOINT sluice_isolated');
    try {
      const result = await fn();
      await this.run('RELEASE SAVEPOINT sluice_isolated');
      return result;
    } catch (err) {
      await this.run('ROLLBACK TO SAVEPOINT sluice_isolated').catch(() => undefined);
      throw err;
    }
  }

  async renderQuery(duckdbSql: string, model: { name: string; file: string }): Promise<string> {
    const parsed = await parseSql(duckdbSql);
    const known = await this.knownColumns([...new Set(tableReferences(parsed).map((r) => r.key))]);
    const result = await transpileParsed(parsed, 'postgres', { columnsOf: (parts) => known.get(parts.slice(-2).join('.').toLowerCase()) });
    if (result.sql === undefined) {
      const reasons = result.problems.map((p) => p.message).join('; ');
      throw new SluiceError(`model ${model.name} (${model.file}) cannot run on PostgreSQL: ${reasons} (see sluice render ${model.name} --dialect postgres)`);
    }
    return result.sql;
  }

  /** Columns of the tables a query reads, by lower-case `schema.table`: what a `* EXCLUDE` must be spelled out with. */
  private async knownColumns(relations: readonly string[]): Promise<Map<string, string[]>> {
    if (relations.length === 0) return new Map();
    const rows = await this.all<{ relation: string; name: string }>(
      `SELECT lower(n.nspname || '.' || c.relname) AS "relation", a.attname AS "name"
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
         AND lower(n.nspname || '.' || c.relname) = ANY($1::text[])
       ORDER BY c.oid, a.attnum`,
      [relations],
    );
    const out = new Map<string, string[]>();
    for (const r of rows) {
      const list = out.get(r.relation) ?? [];
      list.push(r.name);
      out.set(r.relation, list);
    }
    return out;
  }

  /** The names of a query's output columns, from the server's description of it (nothing is read). */
  private async outputColumns(query: string): Promise<string[]> {
    const described = await this.query(`SELECT * FROM (${query}) AS q LIMIT 0`);
    return described.fields.map((f) => f.name);
  }

  private async exists(relation: Relation): Promise<boolean> {
    const [row] = await this.all<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS "found"', [sqlOf(relation)]);
    return row?.found === true;
  }

  private async query(sql: string, params?: unknown[] | object): Promise<pg.QueryResult> {
    try {
      return await this.client.query(sql, Array.isArray(params) ? params : undefined);
    } catch (err) {
      throw new SluiceError(`${this.path}: ${messageOf(err)}`);
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A client connected to the server in UTC, or a SluiceError naming the server (without its password). A
 * server that accepts but never answers is an error after CONNECT_TIMEOUT_MS, not a command that hangs.
 */
export async function connectPostgres(url: string, options: { applicationName: string; types?: pg.CustomTypesConfig }): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, types: options.types, application_name: options.applicationName, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A dropped connection must not crash the process: the next query reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query("SET TimeZone = 'UTC'");
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new SluiceError(`cannot connect to ${redactedUrl(url)}: ${messageOf(err)}`);
  }
  return client;
}
