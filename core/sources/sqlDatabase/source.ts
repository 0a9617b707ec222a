// sqlDatabase(): a Sluice source whose resources are the tables of a PostgreSQL or MySQL/MariaDB schema.
// The module only checks the config; each ingest reflects the catalog (with the run's secrets) and
// turns every table into a resource with column hints, its primary key and a streaming reader.

import { SluiceError } from '../../errors';
import { maskSecrets } from '../../ingest/extract/logger';
import { setPreparer, type PrepareContext } from '../../ingest/extract/prepare';
import type { ColumnHint, ResourceDef, SourceDef } from '../../ingest/types';
import type { DataType } from '../../schema/types';
import type { TableInfo } from './catalog';
import { DEFAULT_CHUNK_SIZE, validateConfig, type SqlDatabaseConfig } from './config';
import { resolveCredentials, type Credentials } from './credentials';
import type { Database } from './database';
import { MysqlDatabase } from './mysql';
import { PostgresDatabase } from './postgres';

/** Cursor columns must order like their values do in Sluice's cursor comparison. */
const CURSOR_TYPES: readonly DataType[] = ['bigint', 'timestamp', 'date', 'text'];

export function sqlDatabase(input: SqlDatabaseConfig): SourceDef {
  const config = validateConfig(input);
  // Named tables are listed before any run (sluice sources, the editor); their details come with the run.
  const source: SourceDef = {
    name: config.name,
    resources: (config.tables ?? []).map((table) => ({
      name: table,
      rows: () => {
        throw new SluiceError(`source "${config.name}": table "${table}" is read only by sluice ingest`);
      },
    })),
  };
  setPreparer(source, async (target, ctx) => {
    target.resources = await tableResources(config, ctx);
  });
  return source;
}

async function tableResources(config: SqlDatabaseConfig, ctx: PrepareContext): Promise<ResourceDef[]> {
  const credentials = resolveCredentials(config.name, config.credentials, ctx.secrets);
  const schema = config.schema ?? (credentials.driver === 'postgres' ? 'public' : credentials.database);
  if (!schema) {
    throw new SluiceError(`source "${config.name}": set schema (the MySQL database) or name the database in the credentials URL`);
  }
  const db = await connect(config.name, credentials);
  let tables: TableInfo[];
  try {
    tables = await db.reflect(schema, config.tables);
  } finally {
    await db.close();
  }
  // The URL without its password may still be a secret's whole value.
  ctx.log.debug(maskSecrets(`${config.name}: ${tables.length} table(s) in ${schema} of ${credentials.shown}`, ctx.secrets));
  return tables.map((table) => tableResource(config, credentials, schema, table));
}

function connect(source: string, credentials: Credentials): Promise<Database> {
  return credentials.driver === 'postgres' ? PostgresDatabase.connect(source, credentials) : MysqlDatabase.connect(source, credentials);
}

function tableResource(config: SqlDatabaseConfig, credentials: Credentials, schema: string, table: TableInfo): ResourceDef {
  const incremental = config.incremental?.[table.name];
  const cursorColumn = incremental && table.columns.find((c) => c.name === incremental.cursor);
  if (incremental && !cursorColumn) {
    throw new SluiceError(
      `source "${config.name}": incremental.${table.name}.cursor "${incremental.cursor}" is not a column of table "${schema}.${table.name}" ` +
        `(columns: ${table.columns.map((c) => c.name).join(', ')})`,
    );
  }
  if (cursorColumn && !CURSOR_TYPES.includes(cursorColumn.dataType)) {
    throw new SluiceError(
      `source "${config.name}": incremental.${table.name}.cursor "${cursorColumn.name}" has type ${cursorColumn.dbType}; ` +
        'a cursor column must be an integer, a timestamp, a date or text',
    );
  }
  const columns: Record<string, ColumnHint> = {};
  for (const column of table.columns) {
    columns[column.name] = column.precision === undefined
      ? { dataType: column.dataType }
      : { dataType: column.dataType, precision: column.precision, scale: column.scale };
  }
  const hasKey = table.primaryKey.length > 0;
  const chunkSize = config.chunk_size ?? DEFAULT_CHUNK_SIZE;
  const resource: ResourceDef = {
    name: table.name,
    columns,
    writeDisposition: hasKey ? 'merge' : config.write_disposition ?? 'append',
    async *rows(ctx) {
      const db = await connect(config.name, credentials);
      const cursor = incremental && { column: incremental.cursor, start: ctx.incremental?.start, end: ctx.incremental?.end };
      yield* db.read(schema, table, { chunkSize, cursor });
    },
  };
  if (hasKey) resource.primaryKey = table.primaryKey;
  if (incremental) {
    resource.incremental = { cursor: incremental.cursor, initialValue: incremental.initial_value, endValue: incremental.end_value };
  }
  return resource;
}
