// `sluice profile TABLE`: what a table holds at a glance. Its first rows, then per column the share of NULLs,
// the number of distinct values (DuckDB's approx_count_distinct), min and max, the most frequent values and,
// for numbers, dates and times, a histogram (DuckDB's histogram over equi_width_bins). Tables larger than the
// sample size are profiled on a reservoir sample of that many rows, smaller ones on a copy (a temporary table,
// so every figure comes from the same rows); the output says so. Names reach SQL only quoted; the relation is looked up by parameters.

import { tableKeyOfName } from '../dag/names';
import { SluiceError } from '../errors';
import { environmentSchema, PROD, splitKey } from '../plan/names';
import type { Warehouse } from '../warehouse/connection';
import { qualified, quoteIdent } from '../warehouse/quote';
import type { EnvironmentViews } from './environment';
import { toQueryError } from './queryError';
import type { QueryColumn, QueryValue } from './types';
import { chunkRows, typeName } from './values';

export const PROFILE_SAMPLE_ROWS = 100_000;
const FIRST_ROWS = 10;
const TOP_VALUES = 5;
const HISTOGRAM_BINS = 10;
const SAMPLE_TABLE = quoteIdent('sluice_profile_sample');

export interface ColumnProfile {
  name: string;
  type: string;
  /** Percentage of NULLs, 0..100. */
  null_pct: number;
  /** Distinct non-NULL values (approximate); null for lists, structs and maps. */
  distinct: number | null;
  min: string | null;
  max: string | null;
  top: { value: string; count: number }[];
  /** Bins by their upper bound (numbers, dates and times only). */
  histogram: { upper: QueryValue; count: number }[] | null;
}

export interface TableProfile {
  /** As asked for, e.g. analytics.orders. */
  table: string;
  /** The relation read: the environment's view of a model. */
  relation: string;
  environment: string;
  row_count: number;
  /** Set when the figures come from a sample. */
  sample: { rows: number; of: number } | null;
  columns: ColumnProfile[];
  first_rows: { columns: QueryColumn[]; rows: QueryValue[][] };
}

export interface ProfileOptions {
  sampleRows?: number;
}

const NESTED = /^(STRUCT|MAP|UNION)\(|\]$/;
const HISTOGRAM_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL|DATE|TIMESTAMP)/;

export async function profileTable(wh: Warehouse, name: string, env: EnvironmentViews, options: ProfileOptions = {}): Promise<TableProfile> {
  try {
    return await profile(wh, name, env, options);
  } catch (err) {
    throw err instanceof SluiceError ? err : toQueryError(err, '');
  }
}

async function profile(wh: Warehouse, name: string, env: EnvironmentViews, options: ProfileOptions): Promise<TableProfile> {
  const key = tableKeyOfName(name.trim());
  if (!key) throw new SluiceError(`'${name}' is not a table name like schema.table`);
  const schema = env.name !== PROD && env.models.has(key) ? environmentSchema(key, env.name) : splitKey(key).schema;
  const found = await wh.json<{ schema: string; table: string; name: string; type: string }>(
    `SELECT table_schema AS "schema", table_name AS "table", column_name AS "name", data_type AS "type" FROM information_schema.columns
     WHERE table_catalog = current_database() AND lower(table_schema) = $1 AND lower(table_name) = $2 ORDER BY ordinal_position`,
    [schema, splitKey(key).table],
  );
  if (found.length === 0) throw new SluiceError(`there is no table or view ${name} in the warehouse${env.name === PROD ? '' : ` (environment ${env.name})`}`);
  const relation = qualified(found[0].schema, found[0].table);
  const rowCount = Number((await wh.json<{ n: number }>(`SELECT count(*) AS n FROM ${relation}`))[0].n);
  const sampleRows = options.sampleRows ?? PROFILE_SAMPLE_ROWS;
  const sampled = rowCount > sampleRows;
  // The rows profiled are copied once: every figure comes from the same rows, and a view (a VIEW model's
  // query) does not run again for each column. sampleRows is an integer of ours; REPEATABLE makes the same
  // table give the same profile.
  const sample = sampled ? ` USING SAMPLE reservoir(${Math.floor(sampleRows)} ROWS) REPEATABLE (42)` : '';
  await wh.run(`CREATE OR REPLACE TEMP TABLE ${SAMPLE_TABLE} AS SELECT * FROM ${relation}${sample}`);
  const source = SAMPLE_TABLE;
  try {
    const columns = await profileColumns(wh, source, found);
    return {
      table: name,
      relation: `${found[0].schema}.${found[0].table}`,
      environment: env.name,
      row_count: rowCount,
      sample: sampled ? { rows: Math.min(sampleRows, rowCount), of: rowCount } : null,
      columns,
      first_rows: await firstRows(wh, relation),
    };
  } finally {
    await wh.run(`DROP TABLE IF EXISTS ${SAMPLE_TABLE}`);
  }
}

async function profileColumns(wh: Warehouse, source: string, columns: readonly { name: string; type: string }[]): Promise<ColumnProfile[]> {
  // One pass for the counts and bounds of every column.
  const parts = ['count(*) AS "total"'];
  columns.forEach((c, i) => {
    const col = quoteIdent(c.name);
    parts.push(`count(${col}) AS "nn${i}"`);
    if (!NESTED.test(c.type)) {
      parts.push(`approx_count_distinct(${col}) AS "d${i}"`, `CAST(min(${col}) AS VARCHAR) AS "min${i}"`, `CAST(max(${col}) AS VARCHAR) AS "max${i}"`);
    }
  });
  const stats = (await wh.json<Record<string, unknown>>(`SELECT ${parts.join(', ')} FROM ${source}`))[0];
  const total = Number(stats.total);
  const out: ColumnProfile[] = [];
  for (const [i, c] of columns.entries()) {
    const col = quoteIdent(c.name);
    const nonNull = Number(stats[`nn${i}`]);
    const top = await wh.json<{ value: string; count: number }>(
      `SELECT CAST(${col} AS VARCHAR) AS "value", count(*) AS "count" FROM ${source} WHERE ${col} IS NOT NULL
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP_VALUES}`,
    );
    const min = (stats[`min${i}`] as string | null | undefined) ?? null;
    const max = (stats[`max${i}`] as string | null | undefined) ?? null;
    // equi_width_bins takes no time zone: such times are binned as UTC timestamps.
    const binned = /WITH TIME ZONE/.test(c.type) ? `CAST(${col} AS TIMESTAMP)` : col;
    const histogram = HISTOGRAM_TYPES.test(c.type) && min !== null && max !== null && min !== max ? await histogramOf(wh, source, binned) : null;
    out.push({
      name: c.name,
      type: c.type,
      null_pct: total === 0 ? 0 : Math.round(((total - nonNull) / total) * 1000) / 10,
      distinct: stats[`d${i}`] === undefined ? null : Number(stats[`d${i}`]),
      min,
      max,
      top: top.map((t) => ({ value: t.value, count: Number(t.count) })),
      histogram,
    });
  }
  return out;
}

async function histogramOf(wh: Warehouse, source: string, col: string): Promise<{ upper: QueryValue; count: number }[]> {
  const { rows } = await readRows(
    wh,
    `SELECT histogram(${col}, equi_width_bins((SELECT min(${col}) FROM ${source}), (SELECT max(${col}) FROM ${source}), ${HISTOGRAM_BINS}, true)) AS "h"
     FROM ${source}`,
  );
  const bins = (rows[0]?.[0] ?? []) as { key: QueryValue; value: QueryValue }[];
  return bins.map((bin) => ({ upper: bin.key, count: Number(bin.value) }));
}

function firstRows(wh: Warehouse, relation: string): Promise<{ columns: QueryColumn[]; rows: QueryValue[][] }> {
  return readRows(wh, `SELECT * FROM ${relation} LIMIT ${FIRST_ROWS}`);
}

/** A small result with values as the query results have them (numbers stay numbers, NULL stays null). */
async function readRows(wh: Warehouse, sql: string): Promise<{ columns: QueryColumn[]; rows: QueryValue[][] }> {
  const result = await wh.connection.stream(sql);
  const types = result.columnTypes();
  const names = result.deduplicatedColumnNames();
  const rows: QueryValue[][] = [];
  const json = types.map((t) => t.alias === 'JSON');
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) rows.push(...chunkRows(chunk, json));
  return { columns: types.map((t, i) => ({ name: names[i], type: typeName(t) })), rows };
}
