// The sqlDatabase() config: its shape, and the checks that run when the source module loads, before any
// connection is made. Keys are snake_case like dlt's sql_database, so a dlt user can paste theirs.

import { SluiceError } from '../../errors';
import { describeType, describeValue, isPlainObject } from '../../ingest/extract/describe';

export interface SqlIncrementalConfig {
  /** The column whose values only grow: an updated_at timestamp or an increasing id. */
  cursor: string;
  /** Rows before this are never read (the first run starts here). */
  initial_value?: unknown;
  /** Rows after this are not read: backfills of a closed range. */
  end_value?: unknown;
}

export interface SqlDatabaseConfig {
  /** The source name: the DuckDB schema its tables land in. */
  name: string;
  /** postgres://… or mysql://… (MariaDB too); '${secrets.NAME}' reads it from the source's secrets. */
  credentials: string;
  /** PostgreSQL schema (default public) or MySQL database (default: the one in the URL). */
  schema?: string;
  /** Tables to load (default: every table of the schema). */
  tables?: string[];
  /** Per table: load only rows whose cursor column reached the last run's value. */
  incremental?: Record<string, SqlIncrementalConfig>;
  /** At most this many rows are handed to Sluice at a time (default 50,000). */
  chunk_size?: number;
  /** How tables without a primary key are written (default append); tables with one are merged on it. */
  write_disposition?: 'append' | 'replace';
}

export const DEFAULT_CHUNK_SIZE = 50_000;

const CONFIG_KEYS = ['name', 'credentials', 'schema', 'tables', 'incremental', 'chunk_size', 'write_disposition'];
const INCREMENTAL_KEYS = ['cursor', 'initial_value', 'end_value'];

/** Throws one line naming the source and the key when the config cannot work. */
export function validateConfig(value: unknown): SqlDatabaseConfig {
  if (!isPlainObject(value)) throw new SluiceError(`sqlDatabase() needs a config object { name, credentials, ... }, got ${describeType(value)}`);
  const config = value as Record<string, unknown>;
  const name = typeof config.name === 'string' && config.name.trim() ? config.name : undefined;
  const fail = (message: string): never => {
    throw new SluiceError(`${name ? `source "${name}"` : 'sqlDatabase()'}: ${message}`);
  };
  if (!name) fail(`needs a name (a non-empty string), got ${describeValue(config.name)}`);
  checkKeys(config, CONFIG_KEYS, 'the config', fail);
  if (typeof config.credentials !== 'string' || !config.credentials.trim()) {
    fail("credentials must be a connection URL or '${secrets.NAME}', got " + describeType(config.credentials));
  }
  if (config.schema !== undefined && (typeof config.schema !== 'string' || !config.schema)) {
    fail(`schema must be a non-empty string, got ${describeValue(config.schema)}`);
  }
  if (config.tables !== undefined) {
    const tables = config.tables;
    if (!Array.isArray(tables) || tables.length === 0 || tables.some((t) => typeof t !== 'string' || !t)) {
      fail(`tables must be a non-empty list of table names, got ${describeValue(tables)}`);
    }
    const seen = new Set<string>();
    for (const t of tables as string[]) {
      if (seen.has(t)) fail(`tables lists "${t}" twice`);
      seen.add(t);
    }
  }
  if (config.chunk_size !== undefined && !(Number.isInteger(config.chunk_size) && (config.chunk_size as number) > 0)) {
    fail(`chunk_size must be a whole number > 0, got ${describeValue(config.chunk_size)}`);
  }
  if (config.write_disposition !== undefined && config.write_disposition !== 'append' && config.write_disposition !== 'replace') {
    fail(`write_disposition must be "append" or "replace" (tables with a primary key are merged), got ${describeValue(config.write_disposition)}`);
  }
  if (config.incremental !== undefined) {
    if (!isPlainObject(config.incremental)) fail(`incremental must be an object { <table>: { cursor } }, got ${describeType(config.incremental)}`);
    for (const [table, spec] of Object.entries(config.incremental as Record<string, unknown>)) {
      const at = `incremental.${table}`;
      if (config.tables !== undefined && !(config.tables as string[]).includes(table)) {
        fail(`${at} names a table that is not in tables (${(config.tables as string[]).join(', ')})`);
      }
      if (!isPlainObject(spec)) fail(`${at} must be an object { cursor }, got ${describeType(spec)}`);
      checkKeys(spec as Record<string, unknown>, INCREMENTAL_KEYS, at, fail);
      const cursor = (spec as Record<string, unknown>).cursor;
      if (typeof cursor !== 'string' || !cursor) fail(`${at}.cursor must name a column, got ${describeValue(cursor)}`);
    }
  }
  return config as unknown as SqlDatabaseConfig;
}

/** Rejects unknown keys, pointing at camelCase near misses (chunkSize → chunk_size). */
function checkKeys(obj: Record<string, unknown>, known: string[], what: string, fail: (m: string) => never): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const squash = (k: string) => k.toLowerCase().replace(/[_\-\s]/g, '');
    const near = known.find((k) => squash(k) === squash(key));
    fail(`unknown key ${JSON.stringify(key)} in ${what} (${near ? `did you mean "${near}"?` : `known: ${known.join(', ')}`})`);
  }
}
