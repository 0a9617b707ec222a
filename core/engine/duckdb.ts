// The embedded DuckDB warehouse as an engine: the statements core/plan has always run, gathered here. The
// file lock already keeps other processes out, so the state lock is the plan's own lock row.

import { listValue } from '@duckdb/node-api';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Params, Warehouse } from '../warehouse/connection';
import { qualified, quoteIdent, quoteLiteral } from '../warehouse/quote';
import type { CatalogColumn, CatalogRelation, EngineAdapter, Relation, TimeColumn, ViewDefinition } from './types';

const sqlOf = (r: Relation) => qualified(r.schema, r.table);

export class DuckDbAdapter implements EngineAdapter {
  readonly type = 'duckdb' as const;
  readonly dialect = 'duckdb' as const;
  readonly stateKey: string;

  constructor(readonly warehouse: Warehouse) {
    this.stateKey = warehouse.path === ':memory:' ? `memory:${crypto.randomUUID()}` : path.resolve(warehouse.path);
  }

  get path(): string {
    return this.warehouse.path;
  }
  run(sql: string, params?: Params | unknown[]): Promise<void> {
    return this.warehouse.run(sql, params as Params);
  }
  all<T = Record<string, unknown>>(sql: string, params?: Params | unknown[]): Promise<T[]> {
    return this.warehouse.all<T>(sql, params as Params);
  }
  json<T = Record<string, unknown>>(sql: string, params?: Params | unknown[]): Promise<T[]> {
    return this.warehouse.json<T>(sql, params as Params);
  }
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.warehouse.transaction(fn);
  }
  async connect(): Promise<EngineAdapter> {
    return new DuckDbAdapter(await this.warehouse.connect());
  }
  close(): void {
    this.warehouse.close();
  }

  async relations(schemaPrefix?: string): Promise<CatalogRelation[]> {
    const rows = await this.warehouse.all<{ schema_name: string; name: string; type: string }>(
      `SELECT schema_name, table_name AS name, 'table' AS type FROM duckdb_tables()
         WHERE database_name = current_database() AND starts_with(schema_name, $1)
       UNION ALL
       SELECT schema_name, view_name, 'view' FROM duckdb_views()
         WHERE database_name = current_database() AND NOT internal AND starts_with(schema_name, $1)`,
      [schemaPrefix ?? ''],
    );
    return rows.map((r) => ({ schema: r.schema_name, name: r.name, type: r.type === 'view' ? 'view' : 'table' }));
  }

  async columns(relation: Relation): Promise<CatalogColumn[]> {
    const rows = await this.warehouse.all<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM duckdb_columns()
       WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2 ORDER BY column_index`,
      [relation.schema, relation.table],
    );
    return rows.map((r) => ({ name: r.column_name, type: r.data_type }));
  }

  async replaceTableAs(relation: Relation, query: string): Promise<void> {
    await this.run(`CREATE OR REPLACE TABLE ${sqlOf(relation)} AS ${query}`);
  }

  replaceTableFromDuckDb(relation: Relation, duckdbQuery: string): Promise<void> {
    return this.replaceTableAs(relation, duckdbQuery);
  }

  async replaceView(relation: Relation, query: string): Promise<void> {
    await this.run(`CREATE OR REPLACE VIEW ${sqlOf(relation)} AS ${query}`);
  }

  async createEmptyTable(relation: Relation, shape: { query: string } | { columns: { name: string; type: string }[] }): Promise<void> {
    if ('columns' in shape) await this.run(`CREATE OR REPLACE TABLE ${sqlOf(relation)} (${shape.columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
    else await this.run(`CREATE OR REPLACE TABLE ${sqlOf(relation)} AS SELECT * FROM (${shape.query}) AS q LIMIT 0`);
  }

  async swapViews(create: readonly ViewDefinition[], drop: readonly Relation[]): Promise<void> {
    for (const v of create) await this.run(`CREATE OR REPLACE VIEW ${sqlOf(v.view)} AS SELECT * FROM ${sqlOf(v.target)}`);
    for (const v of drop) await this.run(`DROP VIEW IF EXISTS ${sqlOf(v)}`);
  }

  async insertOverwrite(relation: Relation, query: string, time: TimeColumn, interval: { startMs: number; endMs: number }): Promise<number> {
    const target = sqlOf(relation);
    const timeOf = (alias: string) => {
      const column = `${quoteIdent(alias)}.${quoteIdent(time.name)}`;
      return time.format ? `strptime(CAST(${column} AS VARCHAR), ${quoteLiteral(time.format)})` : `CAST(${column} AS TIMESTAMP)`;
    };
    const range = [sqlTimestamp(interval.startMs), sqlTimestamp(interval.endMs)];
    const inRange = (alias: string) => `${timeOf(alias)} >= CAST($1 AS TIMESTAMP) AND ${timeOf(alias)} < CAST($2 AS TIMESTAMP)`;
    await this.run(`DELETE FROM ${target} WHERE ${inRange(relation.table)}`, range);
    // Rows outside the interval are dropped, so a query that reads too much cannot overwrite other intervals.
    return changedRows(await this.json(`INSERT INTO ${target} BY NAME SELECT * FROM (${query}) AS q WHERE ${inRange('q')}`, range));
  }

  async mergeByKey(relation: Relation, query: string, keys: readonly string[], whenMatched?: string): Promise<number> {
    const stage = quoteIdent(`sluice_stage_${crypto.createHash('sha1').update(relation.table).digest('hex').slice(0, 12)}`);
    const partition = keys.map(quoteIdent).join(', ');
    await this.run(`CREATE OR REPLACE TEMP TABLE ${stage} AS SELECT * FROM (${query}) AS q QUALIFY row_number() OVER (PARTITION BY ${partition}) = 1`);
    const on = keys.map((k) => `target.${quoteIdent(k)} IS NOT DISTINCT FROM source.${quoteIdent(k)}`).join(' AND ');
    const matched = whenMatched ?? 'WHEN MATCHED THEN UPDATE BY NAME';
    const merged = await this.json(`MERGE INTO ${sqlOf(relation)} AS target USING ${stage} AS source ON (${on}) ${matched} WHEN NOT MATCHED THEN INSERT BY NAME`);
    await this.run(`DROP TABLE ${stage}`);
    return changedRows(merged);
  }

  async replacePartitions(relation: Relation, query: string, partitionedBy: readonly string[]): Promise<number> {
    const stage = quoteIdent(`sluice_stage_${crypto.createHash('sha1').update(relation.table).digest('hex').slice(0, 12)}`);
    await this.run(`CREATE OR REPLACE TEMP TABLE ${stage} AS ${query}`);
    const target = sqlOf(relation);
    // The table's partition values as a row, matched NULL-safely against the staged rows' values.
    const key = partitionKey(partitionedBy);
    await this.run(`DELETE FROM ${target} WHERE ${key} IN (SELECT DISTINCT ${key} FROM ${stage})`);
    const inserted = changedRows(await this.json(`INSERT INTO ${target} BY NAME SELECT * FROM ${stage}`));
    await this.run(`DROP TABLE ${stage}`);
    return inserted;
  }

  async appendRows(relation: Relation, query: string, overwrite: boolean): Promise<number> {
    const target = sqlOf(relation);
    if (overwrite) await this.run(`DELETE FROM ${target}`);
    return changedRows(await this.json(`INSERT INTO ${target} BY NAME SELECT * FROM (${query}) AS q`));
  }

  async lockState(): Promise<{ exclusive: boolean; release: () => Promise<void> }> {
    // Another process cannot open the file while this one has it; the lock row covers the rest.
    return { exclusive: false, release: async () => undefined };
  }

  epochMs(expression: string): string {
    return `epoch_ms(${expression})`;
  }

  textList(values: readonly string[]): unknown {
    return listValue([...values]);
  }

  isolated<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async renderQuery(duckdbSql: string): Promise<string> {
    return duckdbSql;
  }
}

/** The row count DuckDB answers an INSERT or MERGE with (one row, column Count). */
function changedRows(result: Record<string, unknown>[]): number {
  const count = Number(result[0]?.Count ?? 0);
  return Number.isFinite(count) ? count : 0;
}

export function sqlTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * partitioned_by as one comparable value: a struct of its columns or expressions (as written, over the row),
 * so IN matches NULL partitions too (a struct holding NULL equals another holding NULL).
 */
function partitionKey(partitionedBy: readonly string[]): string {
  return `struct_pack(${partitionedBy.map((p, i) => `${quoteIdent(`p${i}`)} := ${partitionExpression(p)}`).join(', ')})`;
}

/** A plain column name is quoted; anything else is the model's own SQL expression. */
function partitionExpression(p: string): string {
  return /^[\p{L}_][\p{L}\p{N}_$]*$/u.test(p) ? quoteIdent(p) : p;
}
