// Loads a finished load package into a PostgreSQL gateway, in ONE transaction: schema changes, every
// part streamed in with COPY FROM STDIN, the write disposition of every table family, resource state,
// row ids, the schema version and the load record (in the server's own _sluice schema). A kill at any
// point leaves the server as it was before the load; the next run extracts and loads again.
//
// Part files are the CSV the DuckDB loader reads (see csvEncode.ts): PostgreSQL's CSV COPY reads them
// with the same quote character and NULL marker. Each part goes into a temporary staging table of text
// columns, and from there into the target with a cast per column, so the load id and other constant
// columns are filled in on the server and no value is ever pasted into SQL text.

import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { now } from '../../clock';
import { SluiceError } from '../../errors';
import { typeName, type TypeNode } from '../../dialect/typeNames';
import { duckdbType, type ColumnSchema, type SourceSchema, type TableSchema } from '../../schema/types';
import { LOADS_TABLE, ROW_IDS_TABLE, SCHEMAS_TABLE, STATE_TABLE, SYSTEM_SCHEMA } from '../../warehouse/system';
import { qualified, quoteIdent, quoteLiteral } from '../../warehouse/quote';
import type { PackageManifest, PackagePart, ResourceState } from '../package';
import { ROOT_ID, ROW_ID, VALID_FROM, VALID_TO } from './columns';
import type { LoadOutcome } from './loader';
import { tableFamilies, type TableFamily } from './tableFamilies';

/** COPY options that read part files (see csvEncode.ts): U+0001 quotes and escapes, an unquoted \N is NULL. */
const PART_FORMAT = "FORMAT csv, DELIMITER ',', QUOTE E'\\x01', ESCAPE E'\\x01', NULL E'\\\\N'";

/**
 * PostgreSQL's type for a column: the DuckDB loader's type, named as the postgres dialect names it
 * (TEXT, BIGINT, DOUBLE PRECISION, BOOLEAN, TIMESTAMPTZ, DATE, NUMERIC(p, s), JSONB, BYTEA).
 */
export function postgresType(column: Pick<ColumnSchema, 'dataType' | 'precision' | 'scale'>): string {
  const node: TypeNode =
    column.dataType === 'decimal' ? { id: 'DECIMAL', type_info: { width: column.precision ?? 38, scale: column.precision !== undefined ? (column.scale ?? 0) : 9 } }
    : column.dataType === 'timestamp' ? { id: 'TIMESTAMP WITH TIME ZONE' }
    : { id: duckdbType(column.dataType) };
  const type = typeName(node, 'postgres', quoteIdent);
  if ('refused' in type) throw new Error(`no PostgreSQL type for ${column.dataType}: ${type.refused}`);
  return type.sql;
}

/** The bookkeeping tables, as the DuckDB warehouse has them (types both engines know). */
export async function ensurePostgresSystemTables(client: pg.Client): Promise<void> {
  // Two first loads at once would both try to create the tables: the lock makes the second wait.
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('sluice system tables'))");
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(SYSTEM_SCHEMA)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${LOADS_TABLE} ("load_id" VARCHAR NOT NULL, "source" VARCHAR NOT NULL,
      "status" VARCHAR NOT NULL, "started_at" TIMESTAMPTZ NOT NULL, "finished_at" TIMESTAMPTZ, "rows" JSON,
      "schema_version" INTEGER, "error" VARCHAR, "resources" JSON)`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMAS_TABLE} ("source" VARCHAR NOT NULL, "version" INTEGER NOT NULL,
      "schema" JSON NOT NULL, "load_id" VARCHAR, "created_at" TIMESTAMPTZ NOT NULL)`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${STATE_TABLE} ("source" VARCHAR NOT NULL, "resource" VARCHAR NOT NULL,
      "state" JSON NOT NULL, "load_id" VARCHAR)`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${ROW_IDS_TABLE} ("source" VARCHAR NOT NULL, "next_id" BIGINT NOT NULL)`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** What extraction starts from: the stored schema, resource state and next row id of the source. */
export async function readPostgresStart(client: pg.Client, source: string): Promise<{
  previousSchema: SourceSchema | undefined;
  previousState: Record<string, ResourceState>;
  firstRowId: number;
}> {
  const schemas = await client.query<{ schema: string }>(
    `SELECT CAST("schema" AS TEXT) AS "schema" FROM ${SCHEMAS_TABLE} WHERE "source" = $1 ORDER BY "created_at" DESC, "version" DESC LIMIT 1`,
    [source],
  );
  const states = await client.query<{ resource: string; state: string }>(
    `SELECT "resource", CAST("state" AS TEXT) AS "state" FROM ${STATE_TABLE} WHERE "source" = $1 ORDER BY "resource"`,
    [source],
  );
  const ids = await client.query<{ next_id: string }>(`SELECT "next_id" FROM ${ROW_IDS_TABLE} WHERE "source" = $1`, [source]);
  const previousState: Record<string, ResourceState> = {};
  for (const row of states.rows) previousState[row.resource] = JSON.parse(row.state) as ResourceState;
  return {
    previousSchema: schemas.rows.length > 0 ? (JSON.parse(schemas.rows[0].schema) as SourceSchema) : undefined,
    previousState,
    firstRowId: ids.rows.length > 0 ? Number(ids.rows[0].next_id) : 1,
  };
}

export async function recordFailedPostgresLoad(
  client: pg.Client,
  load: { loadId: string; source: string; startedAt: Date; error: string; resources: string[] },
): Promise<void> {
  await client.query(
    `INSERT INTO ${LOADS_TABLE} ("load_id", "source", "status", "started_at", "finished_at", "rows", "schema_version", "error", "resources")
     VALUES ($1, $2, 'failed', $3, $4, CAST('{}' AS JSON), NULL, $5, CAST($6 AS JSON))`,
    [load.loadId, load.source, load.startedAt.toISOString(), now().toISOString(), load.error, JSON.stringify(load.resources)],
  );
}

export async function loadPackageIntoPostgres(client: pg.Client, dir: string, manifest: PackageManifest, startedAt: Date): Promise<LoadOutcome> {
  await client.query('BEGIN');
  try {
    const outcome = await loadInTransaction(client, dir, manifest, startedAt);
    await client.query('COMMIT');
    return outcome;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err instanceof SluiceError ? new SluiceError(`load ${manifest.loadId} of source "${manifest.source}" failed: ${err.message}`) : err;
  }
}

async function loadInTransaction(client: pg.Client, dir: string, manifest: PackageManifest, startedAt: Date): Promise<LoadOutcome> {
  // One load of a source at a time on the server; a second one waits here, then finds its row ids taken.
  await client.query("SELECT pg_advisory_xact_lock(hashtext('sluice ingest ' || $1))", [manifest.source]);
  const done = await client.query(`SELECT 1 FROM ${LOADS_TABLE} WHERE "load_id" = $1 AND "status" = 'loaded'`, [manifest.loadId]);
  if (done.rows.length > 0) throw new SluiceError(`load ${manifest.loadId} is already loaded`);
  const families = tableFamilies(manifest.schema);
  const extracted = new Set(manifest.resources);
  const rows: Record<string, number> = {};
  await convergeTables(client, manifest.source, families);
  let stages = 0;
  for (const family of families) {
    const tables = [family.root, ...family.children];
    const ran = extracted.has(family.root.resource);
    const hasRows = tables.some((t) => partsOf(manifest, t).some((p) => p.rows > 0));
    if (!ran && !hasRows) continue;
    const staged = new Map<string, string>();
    for (const table of tables) {
      const stage = `__sluice_stage_${stages++}`;
      await stageTable(client, dir, manifest, table, stage);
      staged.set(table.name, stage);
    }
    const target = (t: TableSchema) => qualified(manifest.source, t.name);
    if (manifest.fullRefresh && ran) for (const t of tables) await client.query(`DELETE FROM ${target(t)}`);
    const disposition = family.root.writeDisposition;
    if (disposition === 'replace') {
      for (const t of tables) await client.query(`DELETE FROM ${target(t)}`);
    } else if (disposition === 'merge') {
      if ((family.root.mergeStrategy ?? 'delete-insert') === 'scd2') {
        throw new SluiceError(`resource "${family.root.resource}" merges with scd2, which a PostgreSQL gateway does not load yet`);
      }
      await deleteMatched(client, manifest.source, family, staged);
    } else if (disposition !== 'append') {
      throw new SluiceError(`resource "${family.root.resource}" has unknown write disposition "${String(disposition)}"`);
    }
    for (const t of tables) {
      const inserted = await insertStaged(client, manifest.source, t, family, staged);
      if (inserted > 0) rows[t.name] = inserted;
    }
    for (const stage of staged.values()) await client.query(`DROP TABLE ${quoteIdent(stage)}`);
    if (ran) rows[family.root.name] ??= 0;
  }
  if (manifest.fullRefresh) {
    for (const resource of manifest.resources) {
      await client.query(`DELETE FROM ${STATE_TABLE} WHERE "source" = $1 AND "resource" = $2`, [manifest.source, resource]);
    }
  }
  await commitBookkeeping(client, manifest, startedAt.toISOString(), rows);
  return { loadId: manifest.loadId, rows };
}

function partsOf(manifest: PackageManifest, table: TableSchema): PackagePart[] {
  return manifest.tables[table.name]?.parts ?? [];
}

/** Creates the schema, missing tables and columns, and widens integer columns that became double. */
async function convergeTables(client: pg.Client, source: string, families: TableFamily[]): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(source)}`);
  const existing = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    [source],
  );
  const have = new Map<string, Map<string, string>>();
  for (const row of existing.rows) {
    if (!have.has(row.table_name)) have.set(row.table_name, new Map());
    have.get(row.table_name)!.set(row.column_name, row.data_type);
  }
  for (const family of families) {
    for (const table of [family.root, ...family.children]) {
      const target = qualified(source, table.name);
      const columns = requiredColumns(table, family);
      const known = have.get(table.name);
      if (!known) {
        // No constraints, as in DuckDB: columns are added to tables that already hold rows.
        await client.query(`CREATE TABLE ${target} (${columns.map((c) => `${quoteIdent(c.name)} ${postgresType(c)}`).join(', ')})`);
        continue;
      }
      for (const column of columns) {
        const type = known.get(column.name);
        if (type === undefined) {
          await client.query(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(column.name)} ${postgresType(column)}`);
        } else if (column.dataType === 'double' && ['bigint', 'integer', 'smallint'].includes(type)) {
          await widenToDouble(client, source, table.name, column.name);
        }
      }
    }
  }
}

function requiredColumns(table: TableSchema, family: TableFamily): ColumnSchema[] {
  const columns = [...table.columns];
  if (table === family.root && table.writeDisposition === 'merge' && table.mergeStrategy === 'scd2') {
    for (const name of [VALID_FROM, VALID_TO]) if (!columns.some((c) => c.name === name)) columns.push({ name, dataType: 'timestamp', nullable: true });
  }
  return columns;
}

const DOUBLE_EXACT_LIMIT = 2 ** 53;

async function widenToDouble(client: pg.Client, source: string, table: string, column: string): Promise<void> {
  const target = qualified(source, table);
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${target} WHERE abs(CAST(${quoteIdent(column)} AS NUMERIC)) > ${DOUBLE_EXACT_LIMIT}`,
  );
  if (Number(rows[0].n) > 0) {
    throw new SluiceError(
      `column "${column}" of table "${source}"."${table}" would widen from BIGINT to DOUBLE for fractional numbers, ` +
        `but it holds ${rows[0].n} integers beyond 2^53 that a DOUBLE would round; give the field a column hint (dataType: 'bigint') to keep it BIGINT`,
    );
  }
  await client.query(`ALTER TABLE ${target} ALTER COLUMN ${quoteIdent(column)} TYPE DOUBLE PRECISION`);
}

/**
 * Streams every part of a table into a temporary table of text columns (dropped at the end of the
 * transaction at the latest), in order: "__sluice_ord" keeps the file order, which decides the last row
 * of a repeated key. A part's constant columns (the load id) are the staging columns' defaults while its
 * COPY runs, so the server fills them in without writing the rows twice.
 */
async function stageTable(client: pg.Client, dir: string, manifest: PackageManifest, table: TableSchema, stage: string): Promise<void> {
  const staged = quoteIdent(stage);
  const columns = table.columns.map((c) => `${quoteIdent(c.name)} TEXT`);
  await client.query(`CREATE TEMP TABLE ${staged} ("__sluice_ord" BIGSERIAL, ${columns.join(', ')}) ON COMMIT DROP`);
  const known = new Set(table.columns.map((c) => c.name));
  for (const part of partsOf(manifest, table)) {
    const constants = Object.entries(part.constants ?? {});
    for (const name of [...part.columns, ...constants.map(([n]) => n)]) {
      if (!known.has(name)) throw new SluiceError(`part ${part.file} of table "${table.name}" has column "${name}", which the schema does not define`);
    }
    const file = path.join(dir, part.file);
    if (!fs.existsSync(file)) throw new SluiceError(`part file ${part.file} of table "${manifest.source}"."${table.name}" is missing from the load package`);
    // The values are Sluice's own (the load id), quoted as literals: DDL takes no parameters.
    for (const [name, value] of constants) await client.query(`ALTER TABLE ${staged} ALTER COLUMN ${quoteIdent(name)} SET DEFAULT ${quoteLiteral(value)}`);
    if (part.columns.length > 0) {
      const copy = `COPY ${staged} (${part.columns.map(quoteIdent).join(', ')}) FROM STDIN WITH (${PART_FORMAT})`;
      try {
        await pipeline(fs.createReadStream(file), client.query(copyFrom(copy)));
      } catch (err) {
        throw new SluiceError(`cannot load ${part.file} into "${manifest.source}"."${table.name}": ${(err as Error).message}`);
      }
    } else if (part.rows > 0) {
      // A part of constant columns alone: one row per line, nothing to read.
      await client.query(`INSERT INTO ${staged} SELECT FROM generate_series(1, $1)`, [part.rows]);
    }
    for (const [name] of constants) await client.query(`ALTER TABLE ${staged} ALTER COLUMN ${quoteIdent(name)} DROP DEFAULT`);
  }
}

/** A staged text column as its target type. */
function typed(column: ColumnSchema, ref: string): string {
  if (column.dataType === 'binary') return `decode(${ref}, 'hex')`;
  if (column.dataType === 'double') return `CAST(CASE lower(${ref}) WHEN 'inf' THEN 'Infinity' WHEN '-inf' THEN '-Infinity' ELSE ${ref} END AS DOUBLE PRECISION)`;
  return `CAST(${ref} AS ${postgresType(column)})`;
}

function keyColumns(root: TableSchema): string[][] {
  const primary = root.columns.filter((c) => c.primaryKey).map((c) => c.name);
  const merge = root.mergeStrategy === 'upsert' ? [] : root.columns.filter((c) => c.mergeKey).map((c) => c.name);
  if (root.mergeStrategy === 'upsert' && primary.length === 0) {
    throw new SluiceError(`resource "${root.resource}" (table "${root.name}") uses merge strategy upsert but has no primary key`);
  }
  return [primary, merge].filter((k) => k.length > 0);
}

/** merge: the target rows (and their child rows) whose key the load brings again are deleted first. */
async function deleteMatched(client: pg.Client, source: string, family: TableFamily, staged: Map<string, string>): Promise<void> {
  const { root } = family;
  const keySets = keyColumns(root);
  if (keySets.length === 0) return; // no key: rows are appended, as on DuckDB
  const stage = quoteIdent(staged.get(root.name)!);
  const byName = new Map(root.columns.map((c) => [c.name, c]));
  const matches = keySets
    .map((keys) => `EXISTS (SELECT 1 FROM ${stage} s WHERE ${keys.map((k) => `t.${quoteIdent(k)} IS NOT DISTINCT FROM ${typed(byName.get(k)!, `s.${quoteIdent(k)}`)}`).join(' AND ')})`)
    .join(' OR ');
  const target = qualified(source, root.name);
  if (family.children.length > 0 && byName.has(ROW_ID)) {
    for (const child of family.children) {
      if (!child.columns.some((c) => c.name === ROOT_ID)) continue;
      await client.query(
        `DELETE FROM ${qualified(source, child.name)} c WHERE c.${quoteIdent(ROOT_ID)} IN (SELECT t.${quoteIdent(ROW_ID)} FROM ${target} t WHERE ${matches})`,
      );
    }
  }
  await client.query(`DELETE FROM ${target} t WHERE ${matches}`);
}

/**
 * Moves a staged table into its target. For a merge root only the last staged row of each primary key
 * goes in (and child tables only the rows of root rows that went in).
 */
async function insertStaged(client: pg.Client, source: string, table: TableSchema, family: TableFamily, staged: Map<string, string>): Promise<number> {
  const stage = quoteIdent(staged.get(table.name)!);
  const names = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  const values = table.columns.map((c) => typed(c, `s.${quoteIdent(c.name)}`)).join(', ');
  const root = family.root;
  const merging = root.writeDisposition === 'merge';
  const primary = root.columns.filter((c) => c.primaryKey);
  let where = '';
  if (merging && primary.length > 0) {
    const rootStage = quoteIdent(staged.get(root.name)!);
    const partition = primary.map((c) => typed(c, `r.${quoteIdent(c.name)}`)).join(', ');
    const lastRoots = `SELECT "__sluice_ord" FROM (SELECT r."__sluice_ord", row_number() OVER (PARTITION BY ${partition} ORDER BY r."__sluice_ord" DESC) AS n FROM ${rootStage} r) x WHERE n = 1`;
    if (table === root) where = ` WHERE s."__sluice_ord" IN (${lastRoots})`;
    else if (table.columns.some((c) => c.name === ROOT_ID) && root.columns.some((c) => c.name === ROW_ID)) {
      where = ` WHERE s.${quoteIdent(ROOT_ID)} IN (SELECT r.${quoteIdent(ROW_ID)} FROM ${rootStage} r WHERE r."__sluice_ord" IN (${lastRoots}))`;
    }
  }
  try {
    const result = await client.query(`INSERT INTO ${qualified(source, table.name)} (${names}) SELECT ${values} FROM ${stage} s${where} ORDER BY s."__sluice_ord"`);
    return result.rowCount ?? 0;
  } catch (err) {
    throw new SluiceError(`cannot load the rows of "${source}"."${table.name}": ${(err as Error).message}`);
  }
}

async function commitBookkeeping(client: pg.Client, manifest: PackageManifest, startedAt: string, rows: Record<string, number>): Promise<void> {
  const { source, loadId } = manifest;
  for (const [resource, state] of Object.entries(manifest.state)) {
    await client.query(`DELETE FROM ${STATE_TABLE} WHERE "source" = $1 AND "resource" = $2`, [source, resource]);
    await client.query(`INSERT INTO ${STATE_TABLE} ("source", "resource", "state", "load_id") VALUES ($1, $2, CAST($3 AS JSON), $4)`, [
      source, resource, JSON.stringify(state ?? null), loadId,
    ]);
  }
  if (manifest.rowIds !== undefined) {
    const { rows: ids } = await client.query<{ next_id: string }>(`SELECT "next_id" FROM ${ROW_IDS_TABLE} WHERE "source" = $1`, [source]);
    const free = ids.length > 0 ? Number(ids[0].next_id) : 1;
    if (free !== manifest.rowIds.first) {
      throw new SluiceError(`another load of source "${source}" committed while this one ran (its row ids would repeat); run the source again`);
    }
    await client.query(`DELETE FROM ${ROW_IDS_TABLE} WHERE "source" = $1`, [source]);
    await client.query(`INSERT INTO ${ROW_IDS_TABLE} ("source", "next_id") VALUES ($1, $2)`, [source, manifest.rowIds.next]);
  }
  const latest = await client.query<{ version: number }>(
    `SELECT "version" FROM ${SCHEMAS_TABLE} WHERE "source" = $1 ORDER BY "created_at" DESC, "version" DESC LIMIT 1`,
    [source],
  );
  if (latest.rows.length === 0 || latest.rows[0].version !== manifest.schema.version) {
    await client.query(`INSERT INTO ${SCHEMAS_TABLE} ("source", "version", "schema", "load_id", "created_at") VALUES ($1, $2, CAST($3 AS JSON), $4, $5)`, [
      source, manifest.schema.version, JSON.stringify(manifest.schema), loadId, now().toISOString(),
    ]);
  }
  await client.query(
    `INSERT INTO ${LOADS_TABLE} ("load_id", "source", "status", "started_at", "finished_at", "rows", "schema_version", "error", "resources")
     VALUES ($1, $2, 'loaded', $3, $4, CAST($5 AS JSON), $6, NULL, CAST($7 AS JSON))`,
    [loadId, source, startedAt, now().toISOString(), JSON.stringify(rows), manifest.schema.version, JSON.stringify(manifest.resources)],
  );
}
