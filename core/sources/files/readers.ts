// Reading one file into pages of items. JSON Lines are parsed line by line as they stream in; CSV and
// Parquet are read by DuckDB's own readers (types inferred by DuckDB, streamed chunk by chunk).

import fs from 'node:fs';
import readline from 'node:readline';
import { DuckDBConnection, DuckDBDecimalType, DuckDBTypeId, JSDuckDBValueConverter, type DuckDBType } from '@duckdb/node-api';
import { SluiceError } from '../../errors';
import { describeThrown } from '../../ingest/extract/describe';
import type { ColumnHint, Item } from '../../ingest/types';
import { decimalFits, type DataType } from '../../schema/types';
import { quoteIdent, quoteLiteral } from '../../warehouse/quote';
import type { FileFormat } from './config';

const PAGE = 1000;

/** The file's items in pages; `shown` names the file in messages (relative to the project). */
export function readFile(file: string, shown: string, format: FileFormat): AsyncGenerator<Item[]> {
  switch (format) {
    case 'jsonl': return jsonLines(file, shown);
    case 'json': return jsonDocument(file, shown);
    default: return duckdbFile(file, shown, format);
  }
}

async function* jsonLines(file: string, shown: string): AsyncGenerator<Item[]> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let page: Item[] = [];
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    page.push(parseJson(line, `${shown}:${number}`) as Item);
    if (page.length >= PAGE) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/** A JSON document: a list of items, or one item. */
async function* jsonDocument(file: string, shown: string): AsyncGenerator<Item[]> {
  const value = parseJson(await fs.promises.readFile(file, 'utf8'), shown);
  const items = Array.isArray(value) ? value : [value];
  for (let i = 0; i < items.length; i += PAGE) yield items.slice(i, i + PAGE) as Item[];
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SluiceError(`${where}: not valid JSON (${describeThrown(err)})`);
  }
}

/** DuckDB types read as text so that nothing is rounded: decimals, temporal values, UUIDs. */
const AS_TEXT = new Set<DuckDBTypeId>([
  DuckDBTypeId.DECIMAL, DuckDBTypeId.DATE, DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_TZ, DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_NS, DuckDBTypeId.TIME, DuckDBTypeId.TIME_TZ, DuckDBTypeId.INTERVAL,
  DuckDBTypeId.UUID, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT,
]);

function sluiceType(type: DuckDBType): DataType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN: return 'bool';
    case DuckDBTypeId.TINYINT: case DuckDBTypeId.SMALLINT: case DuckDBTypeId.INTEGER: case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT: case DuckDBTypeId.USMALLINT: case DuckDBTypeId.UINTEGER:
      return 'bigint';
    case DuckDBTypeId.FLOAT: case DuckDBTypeId.DOUBLE: return 'double';
    case DuckDBTypeId.DECIMAL: case DuckDBTypeId.UBIGINT: case DuckDBTypeId.HUGEINT: return 'decimal';
    case DuckDBTypeId.DATE: return 'date';
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_TZ: case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS: case DuckDBTypeId.TIMESTAMP_NS:
      return 'timestamp';
    case DuckDBTypeId.BLOB: return 'binary';
    case DuckDBTypeId.LIST: case DuckDBTypeId.ARRAY: case DuckDBTypeId.STRUCT: case DuckDBTypeId.MAP: return 'json';
    default: return 'text';
  }
}

interface DuckdbPlan {
  hints: Record<string, ColumnHint>;
  names: string[];
  sql: string;
}

/** The file's columns as DuckDB reads them, and the query that reads them exactly. */
async function planDuckdbRead(connection: DuckDBConnection, file: string, format: 'csv' | 'parquet'): Promise<DuckdbPlan> {
  const reader = format === 'csv' ? `read_csv(${quoteLiteral(file)})` : `read_parquet(${quoteLiteral(file)})`;
  const probe = await connection.run(`SELECT * FROM ${reader} LIMIT 0`);
  const names = probe.columnNames();
  const types = probe.columnTypes();
  const hints: Record<string, ColumnHint> = {};
  const select = names.map((name, i) => {
    hints[name] = columnHint(types[i]);
    const q = quoteIdent(name);
    if (types[i].typeId === DuckDBTypeId.TIMESTAMP_TZ) return `strftime(${q}, '%Y-%m-%dT%H:%M:%S.%f%z') AS ${q}`;
    return AS_TEXT.has(types[i].typeId) ? `CAST(${q} AS VARCHAR) AS ${q}` : q;
  });
  return { hints, names, sql: `SELECT ${select.join(', ')} FROM ${reader}` };
}

/** The hint for a column DuckDB reads as `type`; decimals keep their precision where DECIMAL(38,9) carries it. */
function columnHint(type: DuckDBType): ColumnHint {
  const dataType = sluiceType(type);
  if (type instanceof DuckDBDecimalType && decimalFits(type.width, type.scale)) {
    return { dataType, precision: type.width, scale: type.scale };
  }
  return { dataType };
}

/** Column hints of a CSV or Parquet file, from the types DuckDB reads it with. */
export async function fileHints(file: string, shown: string, format: 'csv' | 'parquet'): Promise<Record<string, ColumnHint>> {
  const connection = await DuckDBConnection.create();
  try {
    return (await planDuckdbRead(connection, file, format)).hints;
  } catch (err) {
    throw new SluiceError(`${shown}: cannot read as ${format} (${describeThrown(err)})`);
  } finally {
    connection.closeSync();
  }
}

async function* duckdbFile(file: string, shown: string, format: 'csv' | 'parquet'): AsyncGenerator<Item[]> {
  const connection = await DuckDBConnection.create();
  try {
    let plan: DuckdbPlan;
    try {
      plan = await planDuckdbRead(connection, file, format);
    } catch (err) {
      throw new SluiceError(`${shown}: cannot read as ${format} (${describeThrown(err)})`);
    }
    yield* duckdbPages(connection, plan, shown);
  } finally {
    connection.closeSync();
  }
}

async function* duckdbPages(connection: DuckDBConnection, plan: DuckdbPlan, shown: string): AsyncGenerator<Item[]> {
  const { names } = plan;
  let result;
  try {
    result = await connection.stream(plan.sql);
  } catch (err) {
    throw new SluiceError(`${shown}: ${describeThrown(err)}`);
  }
  for (;;) {
    let rows;
    try {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      rows = chunk.convertRows(JSDuckDBValueConverter);
    } catch (err) {
      throw new SluiceError(`${shown}: ${describeThrown(err)}`);
    }
    yield rows.map((values) => {
      const item: Item = {};
      for (let i = 0; i < names.length; i++) item[names[i]] = values[i];
      return item;
    });
  }
}
