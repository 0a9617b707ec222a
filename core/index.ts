// Sluice's public API: what `import ... from 'sluice'` gives a source module.
// Sources are plain objects; defineSource only adds type checking in editors.

export { defineSource } from './ingest/types';
export type {
  ColumnHint,
  Contract,
  ContractMode,
  IncrementalSpec,
  Item,
  ItemSource,
  LastValueFn,
  Logger,
  ResourceContext,
  ResourceDef,
  SourceDef,
} from './ingest/types';
export type { DataType, MergeStrategy, WriteDisposition } from './schema/types';
/** Sources may throw it for problems the user should fix (missing config, bad secret); it prints as one line. */
export { SluiceError } from './errors';
/** A source built from a declarative REST API config (dlt's rest_api keys); see docs/rest-api.md. */
export { restApiSource } from './sources/rest';
export type { RestApiConfig, ResourceConfig as RestResourceConfig, EndpointConfig as RestEndpointConfig } from './sources/rest';
/** A source whose resources are the tables of a PostgreSQL or MySQL/MariaDB schema. */
export { sqlDatabase } from './sources/sqlDatabase';
export type { SqlDatabaseConfig, SqlIncrementalConfig } from './sources/sqlDatabase';
/** A source whose resources are read from files of the project (JSON Lines, JSON, CSV, Parquet). */
export { files } from './sources/files';
export type { FileFormat, FileResourceConfig, FilesConfig } from './sources/files';
/** What a macro in macros/*.ts gets as its first argument; see "Macros in TypeScript" in docs/models.md. */
export type { MacroEvaluator } from './models/macroApi';
/** A source that runs a Singer tap: each of its streams is a resource; see docs/singer.md. */
export { singerTap } from './sources/singer';
export type { SingerStreamConfig, SingerTapConfig } from './sources/singer';
