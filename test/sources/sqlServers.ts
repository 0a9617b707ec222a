// The PostgreSQL and MariaDB servers the SQL database source is tested against, and uniquely named
// schemas on them, so that tests running at the same time on the same servers never meet.
import { strict as assert } from 'node:assert';
import crypto from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { query, runCliJson, type TempProject } from '../helpers/project';

export const PG_URL = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_URL = process.env.SLUICE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
}

/** A fresh PostgreSQL schema; sql() runs statements in it; drop() removes it with everything in it. */
export async function pgSchema(): Promise<{ name: string; sql: (text: string, params?: unknown[]) => Promise<pg.QueryResult>; drop: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const name = uniqueName('sluice_t');
  await client.query(`CREATE SCHEMA "${name}"`);
  await client.query(`SET search_path TO "${name}"`);
  return {
    name,
    sql: (text, params) => client.query(text, params),
    drop: async () => {
      await client.query(`DROP SCHEMA "${name}" CASCADE`);
      await client.end();
    },
  };
}

/** A fresh MariaDB/MySQL database (MySQL's schemas are databases); dropped with its tables. */
export async function mysqlDatabase(): Promise<{ name: string; url: string; sql: (text: string, params?: unknown[]) => Promise<unknown>; drop: () => Promise<void> }> {
  const connection = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: true });
  const name = uniqueName('sluice_t');
  await connection.query(`CREATE DATABASE \`${name}\``);
  await connection.query(`USE \`${name}\``);
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.href,
    sql: async (text, params) => (await connection.query(text, params))[0],
    drop: async () => {
      await connection.query(`DROP DATABASE \`${name}\``);
      await connection.end();
    },
  };
}

/**
 * Ingests the test's 100,000-row table "big" (ids 1..100000, 2 KB payloads: about 200 MB of text) with a
 * 128 MB JavaScript heap, so that holding the table in memory would fail, and checks what arrived.
 */
export async function ingestBigTableWithSmallHeap(project: TempProject): Promise<void> {
  const run = runCliJson(['ingest', 'shop'], project.dir, { NODE_OPTIONS: '--max-old-space-size=128' });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.equal(run.json.tables.big.rows, 100_000);
  const [check] = await query<{ n: number; ids: number; len: number }>(
    project.warehouse,
    'SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS ids, min(length(payload))::INT AS len FROM shop.big',
  );
  assert.deepEqual(check, { n: 100_000, ids: 100_000, len: 2048 });
}
