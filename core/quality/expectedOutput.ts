// Checks one expected output of a unit test (the model's query or one CTE) against what DuckDB returns.
// Expected values are cast to the actual column types inside DuckDB, so '2024-01-01' meets a DATE, 10.5 a
// DECIMAL(10, 2), and both sides come back in the same canonical form before they are compared.

import { SluiceError, describeError } from '../errors';
import type { Warehouse } from '../warehouse/connection';
import { quoteIdent } from '../warehouse/quote';
import { explainBadValue, loadFixture } from './fixtures';
import { castParameter, parameterOf } from './fixtureValues';
import { compareRows, formatRowDiff } from './rowDiff';
import type { FixtureData, FixtureValue, OutputMismatch } from './types';

export interface ResultTable {
  columns: string[];
  /** DuckDB type names, e.g. DECIMAL(10,2), TIMESTAMP WITH TIME ZONE. */
  types: string[];
  /** JSON-friendly values (dates and decimals as text, big integers as text). */
  rows: unknown[][];
}

export async function queryTable(wh: Warehouse, sql: string): Promise<ResultTable> {
  const reader = await wh.connection.runAndReadAll(sql);
  return {
    columns: reader.columnNames(),
    types: reader.columnTypes().map((t) => t.toString()),
    rows: reader.getRowsJson() as unknown[][],
  };
}

export interface OutputCheck {
  output: string;
  data: FixtureData;
  /** SQL producing the actual rows. */
  sql: string;
  ordered: boolean;
}

/** undefined when the output matches; otherwise the mismatch with its row diff. Bad test data throws. */
export async function checkOutput(wh: Warehouse, check: OutputCheck, baseDir: string, context: string): Promise<OutputMismatch | undefined> {
  const { data } = check;
  let actual: ResultTable;
  try {
    actual = await queryTable(wh, check.sql);
  } catch (err) {
    throw new SluiceError(`${context}: running the ${check.output} failed: ${describeError(err)}`);
  }
  const loaded = await loadFixture(data, baseDir, context);
  const named = 'query' in loaded ? await queryColumns(wh, loaded.query, data.label, context) : rowColumns(loaded.rows);
  const index = new Map<string, number>();
  actual.columns.forEach((c, i) => {
    if (!index.has(c.toLowerCase())) index.set(c.toLowerCase(), i);
  });
  const unknown = named.filter((c) => !index.has(c.toLowerCase()));
  if (unknown.length > 0) {
    return {
      output: check.output,
      diff: `${data.label}: expected column ${unknown.join(', ')} is not in the result (its columns are ${actual.columns.join(', ')})`,
    };
  }
  // SQLMesh: columns left out of the expected rows are NULL, unless partial asks to compare only those named.
  const comparedIndexes = data.partial && named.length > 0 ? unique(named.map((c) => index.get(c.toLowerCase())!)) : actual.columns.map((_, i) => i);
  const columns = comparedIndexes.map((i) => actual.columns[i]);
  const types = comparedIndexes.map((i) => castableType(actual.types[i]));
  const expectedRows =
    'query' in loaded
      ? await expectedFromQuery(wh, loaded.query, columns, types, named, data.label, context)
      : await expectedFromRows(wh, loaded.rows, columns, types, data.label, context);
  const actualRows = actual.rows.map((row) => comparedIndexes.map((i) => row[i]));
  const diff = compareRows(columns, types, expectedRows, actualRows, check.ordered);
  return diff ? { output: check.output, diff: formatRowDiff(data.label, diff) } : undefined;
}

function unique(values: number[]): number[] {
  return [...new Set(values)];
}

/** A NULL literal's column has type "NULL", which cannot be cast to; its expected values are text. */
function castableType(type: string): string {
  return type === 'NULL' || type === '"NULL"' ? 'VARCHAR' : type;
}

function rowColumns(rows: Array<Array<[string, FixtureValue]>>): string[] {
  const seen = new Map<string, string>();
  for (const row of rows) for (const [name] of row) if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
  return [...seen.values()];
}

async function queryColumns(wh: Warehouse, query: string, label: string, context: string): Promise<string[]> {
  try {
    const reader = await wh.connection.runAndReadAll(`SELECT * FROM (\n${query}\n) AS expected LIMIT 0`);
    return reader.columnNames();
  } catch (err) {
    throw new SluiceError(`${context}: ${label}.query failed: ${describeError(err)}`);
  }
}

async function expectedFromRows(
  wh: Warehouse,
  rows: Array<Array<[string, FixtureValue]>>,
  columns: string[],
  types: string[],
  label: string,
  context: string,
): Promise<unknown[][]> {
  if (rows.length === 0) return [];
  const keys = columns.map((c) => c.toLowerCase());
  const cells = rows.map((row) => {
    const byKey = new Map(row.map(([name, value]) => [name.toLowerCase(), value] as const));
    return keys.map((key) => byKey.get(key) ?? ({ type: 'null' } as FixtureValue));
  });
  const params: (string | null)[] = [];
  const tuples = cells.map((values) => {
    const items = values.map((value, c) => {
      const { param, json } = parameterOf(value);
      params.push(param);
      return castParameter(params.length, types[c], json);
    });
    return `(${items.join(', ')})`;
  });
  try {
    const reader = await wh.connection.runAndReadAll(`SELECT * FROM (VALUES ${tuples.join(', ')}) AS expected`, params);
    return reader.getRowsJson() as unknown[][];
  } catch (err) {
    const typed = columns.map((name, i) => ({ name, type: types[i] }));
    throw await explainBadValue(wh, typed, cells, 0, `${context}: ${label}`, err);
  }
}

async function expectedFromQuery(
  wh: Warehouse,
  query: string,
  columns: string[],
  types: string[],
  named: string[],
  label: string,
  context: string,
): Promise<unknown[][]> {
  const available = new Map(named.map((c) => [c.toLowerCase(), c] as const));
  const select = columns.map((c, i) => {
    const source = available.get(c.toLowerCase());
    return `${source === undefined ? 'NULL' : `CAST(expected.${quoteIdent(source)} AS ${types[i]})`} AS ${quoteIdent(c)}`;
  });
  try {
    const reader = await wh.connection.runAndReadAll(`SELECT ${select.join(', ')} FROM (\n${query}\n) AS expected`);
    return reader.getRowsJson() as unknown[][];
  } catch (err) {
    throw new SluiceError(`${context}: ${label}.query: ${describeError(err)}`);
  }
}
