// Input tables of a unit test: rows from the test file (inline, CSV, a file) become a real DuckDB table with
// the declared or inferred column types; a `query:` input becomes a view. Values always travel as prepared
// parameters, cast to the column type in SQL; names are always quoted.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { SluiceError, describeError } from '../errors';
import { isPunct, tokenize } from '../models/tokenizer';
import type { Warehouse } from '../warehouse/connection';
import { quoteIdent } from '../warehouse/quote';
import { castParameter, describeValue, inferType, mergeTypes, parameterOf, parseCsv, valueFromCsv, valueFromYaml } from './fixtureValues';
import { sqlExpression } from './sqlFragments';
import type { FixtureData, FixtureRow, FixtureValue, InputFixture } from './types';

/** Rows of a fixture, or the query that produces them. */
export type LoadedFixture = { rows: FixtureRow[] } | { query: string };

/** Reads a fixture's rows from wherever the test file says they are. */
export async function loadFixture(data: FixtureData, baseDir: string, context: string): Promise<LoadedFixture> {
  if (data.query !== undefined) return { query: data.query };
  if (data.csv !== undefined) return { rows: csvRows(data.csv, data.csvSeparator) };
  if (data.path !== undefined) {
    const file = path.resolve(baseDir, data.path);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      throw new SluiceError(`${context}: cannot read ${data.label}.path ${data.path}: ${describeError(err)}`);
    }
    if (data.format === 'csv') return { rows: csvRows(text, data.csvSeparator) };
    return { rows: yamlRows(text, file, context) };
  }
  return { rows: data.rows ?? [] };
}

function csvRows(text: string, separator?: string): FixtureRow[] {
  const [header, ...lines] = parseCsv(text, separator);
  if (!header) return [];
  const names = header.map((h) => h.trim());
  return lines.map((fields) => names.map((name, i) => [name, valueFromCsv(fields[i] ?? '')] as [string, FixtureValue]));
}

/** A YAML file of rows: a list, or a mapping with `rows:`. */
function yamlRows(text: string, file: string, context: string): FixtureRow[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new SluiceError(`${context}: ${file}: YAML: ${doc.errors[0].message.split('\n')[0]}`);
  let node: unknown = doc.contents;
  if (isMap(node)) node = node.get('rows', true);
  if (!isSeq(node)) throw new SluiceError(`${context}: ${file} must hold a list of rows (or rows: [...])`);
  return node.items.map((item, i) => {
    if (!isMap(item)) throw new SluiceError(`${context}: ${file} row ${i + 1} must be a mapping of column to value`);
    return item.items.map((p) => [String((p.key as { value?: unknown })?.value ?? p.key), valueFromYaml(p.value, doc)] as [string, FixtureValue]);
  });
}

/** Splits `shop.orders`, `"My Shop".orders` or `db.shop.orders` into its unquoted parts. */
export function tableNameParts(name: string): string[] | undefined {
  const { tokens, errors } = tokenize(name);
  if (errors.length > 0 || tokens.length === 0) return undefined;
  const parts: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (i % 2 === 1) {
      if (!isPunct(t, '.')) return undefined;
      continue;
    }
    if ((t.type !== 'ident' && t.type !== 'qident') || t.templated || t.value === '') return undefined;
    parts.push(t.value);
  }
  return tokens.length % 2 === 1 && parts.length <= 3 ? parts : undefined;
}

export interface InputTable {
  /** catalog (optional), schema, table. */
  parts: string[];
  sql: string;
}

/** Where an input table goes: one part means schema main; three parts name an attached database. */
export function inputTable(input: InputFixture, context: string): InputTable {
  const parts = tableNameParts(input.name);
  if (!parts) throw new SluiceError(`${context}: input '${input.name}' is not a table name like schema.table`);
  const full = parts.length === 1 ? ['main', parts[0]] : parts;
  return { parts: full, sql: full.map(quoteIdent).join('.') };
}

/**
 * Creates one input table (or view) in the current database. `declared` holds column types known from the
 * upstream model or external_models.yaml; the test's own `columns:` win over them.
 */
export async function createInput(
  wh: Warehouse,
  input: InputFixture,
  loaded: LoadedFixture,
  declared: Record<string, string> | undefined,
  context: string,
): Promise<void> {
  const table = inputTable(input, context);
  const schemaSql = table.parts.slice(0, -1).map(quoteIdent).join('.');
  await wh.run(`CREATE SCHEMA IF NOT EXISTS ${schemaSql}`);
  const label = `${context}: input ${input.name}`;
  if ('query' in loaded) {
    await runOrExplain(wh, `CREATE VIEW ${table.sql} AS\n${loaded.query}`, [], `${label}: its query failed`);
    return;
  }
  const columns = columnTypes(loaded.rows, declared, input.columns, label);
  if (columns.length === 0) {
    throw new SluiceError(`${label} has no rows and no columns; list its columns and types under columns: so an empty table can be created`);
  }
  const ddl = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
  await runOrExplain(wh, `CREATE TABLE ${table.sql} (${ddl})`, [], `${label}: cannot create the table`);
  await insertRows(wh, table.sql, columns, loaded.rows, label);
}

export interface TypedColumn {
  name: string;
  type: string;
}

/** Column order: declared columns first, then columns as they first appear in the rows. */
function columnTypes(
  rows: FixtureRow[],
  declared: Record<string, string> | undefined,
  testColumns: Record<string, string> | undefined,
  label: string,
): TypedColumn[] {
  const byKey = new Map<string, { name: string; type?: string }>();
  const order: string[] = [];
  const add = (name: string, type?: string) => {
    const key = name.toLowerCase();
    const existing = byKey.get(key);
    if (existing) {
      if (type !== undefined) existing.type = type;
      return;
    }
    byKey.set(key, { name, type });
    order.push(key);
  };
  for (const [name, type] of Object.entries(declared ?? {})) add(name, checkedType(type, `${label}, column ${name}`));
  for (const [name, type] of Object.entries(testColumns ?? {})) add(name, checkedType(type, `${label}.columns.${name}`));
  for (const row of rows) for (const [name] of row) add(name);

  return order.map((key) => {
    const column = byKey.get(key)!;
    if (column.type !== undefined) return { name: column.name, type: column.type };
    let type: string | undefined;
    let typedRow = 0;
    rows.forEach((row, i) => {
      const cell = row.find(([name]) => name.toLowerCase() === key);
      const t = cell ? inferType(cell[1]) : undefined;
      if (t === undefined) return;
      const merged = type === undefined ? t : mergeTypes(type, t);
      if (merged === undefined) {
        throw new SluiceError(
          `${label}: column ${column.name} mixes ${type} (row ${typedRow}) and ${t} (row ${i + 1}); give its type under columns:`,
        );
      }
      if (type === undefined) typedRow = i + 1;
      type = merged;
    });
    if (type === undefined) {
      throw new SluiceError(`${label}: cannot tell the type of column ${column.name} (every value is NULL); give its type under columns:`);
    }
    return { name: column.name, type };
  });
}

/** A type name from a test or model file: one balanced piece of SQL (it is pasted into DDL). */
export function checkedType(type: string, where: string): string {
  const checked = sqlExpression(type);
  if (!checked.ok) throw new SluiceError(`${where}: '${type}' is not a column type (${checked.error})`);
  return checked.value;
}

const ROWS_PER_INSERT = 500;

async function insertRows(wh: Warehouse, tableSql: string, columns: TypedColumn[], rows: FixtureRow[], label: string): Promise<void> {
  const keys = columns.map((c) => c.name.toLowerCase());
  const cells = rows.map((row) => {
    const byKey = new Map(row.map(([name, value]) => [name.toLowerCase(), value] as const));
    return keys.map((key) => byKey.get(key) ?? ({ type: 'null' } as FixtureValue));
  });
  for (let from = 0; from < cells.length; from += ROWS_PER_INSERT) {
    const chunk = cells.slice(from, from + ROWS_PER_INSERT);
    const params: (string | null)[] = [];
    const tuples = chunk.map((values) => {
      const items = values.map((value, c) => {
        const { param, json } = parameterOf(value);
        params.push(param);
        return castParameter(params.length, columns[c].type, json);
      });
      return `(${items.join(', ')})`;
    });
    try {
      await wh.run(`INSERT INTO ${tableSql} VALUES ${tuples.join(', ')}`, params);
    } catch (err) {
      throw await explainBadValue(wh, columns, chunk, from, label, err);
    }
  }
}

/** After a failed insert: find the first value that does not fit its column, for a precise message. */
export async function explainBadValue(
  wh: Warehouse,
  columns: TypedColumn[],
  rows: FixtureValue[][],
  firstRow: number,
  label: string,
  original: unknown,
): Promise<SluiceError> {
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < columns.length; c++) {
      const { param, json } = parameterOf(rows[r][c]);
      try {
        await wh.run(`SELECT ${castParameter(1, columns[c].type, json)}`, [param]);
      } catch (err) {
        return new SluiceError(
          `${label}, row ${firstRow + r + 1}, column ${columns[c].name}: ${describeValue(rows[r][c])} is not a valid ${columns[c].type} (${describeError(err)})`,
        );
      }
    }
  }
  return new SluiceError(`${label}: the rows could not be inserted: ${describeError(original)}`);
}

async function runOrExplain(wh: Warehouse, sql: string, params: (string | null)[], message: string): Promise<void> {
  try {
    await wh.run(sql, params.length > 0 ? params : undefined);
  } catch (err) {
    throw new SluiceError(`${message}: ${describeError(err)}`);
  }
}
