// The DuckDB side of the ingest benchmark, run as its own process so that its time and peak memory are
// measured the same way as the Sluice CLI's: flattens the NDJSON records into the same root and child
// tables Sluice produces, using read_json, struct field access and unnest.
// Usage: node duckdb-flatten.mjs <records.ndjson> <database.duckdb>
// Prints {"tables": {"<name>": {"rows": n, "columns": [...]}}} on stdout.
import { DuckDBInstance } from '@duckdb/node-api';

const [ndjson, database] = process.argv.slice(2);
if (!ndjson || !database) {
  process.stderr.write('usage: node duckdb-flatten.mjs <records.ndjson> <database.duckdb>\n');
  process.exit(2);
}

const quoteLiteral = (text) => `'${text.replaceAll("'", "''")}'`;
const records = `read_json(${quoteLiteral(ndjson)}, format = 'newline_delimited')`;

const instance = await DuckDBInstance.create(database);
const db = await instance.connect();
await db.run('BEGIN TRANSACTION');
await db.run(`CREATE TABLE issues AS
  SELECT id, "number", title, state, locked, comments, score, author_association, created_at, updated_at, body,
         "user".login AS user__login, "user".id AS user__id, "user"."type" AS user__type,
         "user".site_admin AS user__site_admin
  FROM ${records}`);
await db.run(`CREATE TABLE issues__labels AS
  SELECT issue_id, list_idx, label.id AS id, label."name" AS "name", label.color AS color, label."default" AS "default"
  FROM (SELECT id AS issue_id, unnest(labels) AS label, generate_subscripts(labels, 1) - 1 AS list_idx FROM ${records})`);
await db.run('COMMIT');

const tables = {};
for (const table of ['issues', 'issues__labels']) {
  const count = await db.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${table}`);
  const columns = await db.runAndReadAll(
    `SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  tables[table] = { rows: Number(count.getRowObjects()[0].n), columns: columns.getRowObjects().map((r) => r.column_name) };
}
db.closeSync();
instance.closeSync();
process.stdout.write(JSON.stringify({ tables }) + '\n');
