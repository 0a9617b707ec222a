// The baseline's DuckDB half in the SQL benchmark, run as its own process so that its time and peak memory
// are measured like the Sluice CLI's: loads the CSV file psql wrote into a table with read_csv.
// Usage: node duckdb-read-csv.mjs <file.csv> <database.duckdb> <table>
// Prints {"rows": n, "columns": [...]} on stdout.
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, database, table] = process.argv.slice(2);
if (!csv || !database || !table) {
  process.stderr.write('usage: node duckdb-read-csv.mjs <file.csv> <database.duckdb> <table>\n');
  process.exit(2);
}
const quoteLiteral = (text) => `'${text.replaceAll("'", "''")}'`;
const quoteIdent = (text) => `"${text.replaceAll('"', '""')}"`;

const instance = await DuckDBInstance.create(database);
const db = await instance.connect();
await db.run(`CREATE TABLE ${quoteIdent(table)} AS SELECT * FROM read_csv(${quoteLiteral(csv)}, header = true)`);
const count = await db.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${quoteIdent(table)}`);
const columns = await db.runAndReadAll('SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position', [table]);
process.stdout.write(JSON.stringify({ rows: Number(count.getRowObjects()[0].n), columns: columns.getRowObjects().map((r) => r.column_name) }));
db.closeSync();
instance.closeSync();
