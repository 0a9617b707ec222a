// The SQL database source: PostgreSQL and MySQL/MariaDB tables as Sluice resources.

export { sqlDatabase } from './source';
export type { SqlDatabaseConfig, SqlIncrementalConfig } from './config';
