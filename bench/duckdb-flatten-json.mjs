// The DuckDB side of the ingest benchmark for records of any shape, run as its own process so that its
// time and peak memory are measured like the Sluice CLI's. DuckDB infers the records' types with
// read_json; struct fields become columns (struct field access) of the root table, and every list held
// by a record or one of its structs becomes a child table (unnest), with the record's key and the list
// index, its element's struct fields as columns (or `value` for scalar elements). Lists inside list
// elements are not supported (the benchmark's GitHub-shaped records have none).
// Usage: node duckdb-flatten-json.mjs <records.ndjson> <database.duckdb> <root table> <key field>
// Prints {"tables": {"<name>": {"rows": n, "path": [...], "columns": [[...raw key path], ...]}}}.
import { DuckDBInstance, DuckDBTypeId } from '@duckdb/node-api';

const [ndjson, database, rootTable, keyField] = process.argv.slice(2);
if (!ndjson || !database || !rootTable || !keyField) {
  process.stderr.write('usage: node duckdb-flatten-json.mjs <records.ndjson> <database.duckdb> <root table> <key field>\n');
  process.exit(2);
}

const quoteLiteral = (text) => `'${text.replaceAll("'", "''")}'`;
const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;
const records = `read_json(${quoteLiteral(ndjson)}, format = 'newline_delimited')`;

/** Columns (expression and raw key path) and lists reachable from `expr` of `type` without entering a list. */
function walk(expr, path, type, out) {
  if (type.typeId === DuckDBTypeId.STRUCT) {
    type.entryNames.forEach((name, i) => walk(`${expr}.${quoteIdent(name)}`, [...path, name], type.entryTypes[i], out));
  } else if (type.typeId === DuckDBTypeId.LIST) {
    out.lists.push({ expr, path, element: type.valueType });
  } else {
    out.columns.push({ expr, path });
  }
  return out;
}

const columnList = (columns) => columns.map((c, i) => `${c.expr} AS ${quoteIdent(`c${i}`)}`).join(', ');

const instance = await DuckDBInstance.create(database);
const db = await instance.connect();
const probe = await db.runAndReadAll(`SELECT * FROM ${records} LIMIT 0`);
const shape = { columns: [], lists: [] };
probe.columnNames().forEach((name, i) => walk(quoteIdent(name), [name], probe.columnTypes()[i], shape));

const tables = {};
await db.run('BEGIN TRANSACTION');
await db.run(`CREATE TABLE ${quoteIdent(rootTable)} AS SELECT ${columnList(shape.columns)} FROM ${records}`);
tables[rootTable] = { path: [], columns: shape.columns.map((c) => c.path) };
for (const list of shape.lists) {
  const element = list.element.typeId === DuckDBTypeId.STRUCT || list.element.typeId === DuckDBTypeId.LIST
    ? walk('elem', [], list.element, { columns: [], lists: [] })
    : { columns: [{ expr: 'elem', path: ['value'] }], lists: [] };
  if (element.lists.length > 0) throw new Error(`lists inside the elements of ${list.path.join('.')} are not supported`);
  const name = [rootTable, ...list.path].join('__');
  await db.run(`CREATE TABLE ${quoteIdent(name)} AS
    SELECT parent_key, list_idx${element.columns.length > 0 ? ', ' + columnList(element.columns) : ''}
    FROM (SELECT ${quoteIdent(keyField)} AS parent_key, unnest(${list.expr}) AS elem, generate_subscripts(${list.expr}, 1) - 1 AS list_idx FROM ${records})`);
  tables[name] = { path: list.path, columns: element.columns.map((c) => c.path) };
}
await db.run('COMMIT');

for (const name of Object.keys(tables)) {
  const count = await db.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${quoteIdent(name)}`);
  tables[name].rows = Number(count.getRowObjects()[0].n);
}
db.closeSync();
instance.closeSync();
process.stdout.write(JSON.stringify({ tables }) + '\n');
