// Where things live in the warehouse. Physical tables are named by version in `sluice__<schema>` schemas;
// an environment is a set of views: `prod` is `<schema>.<table>`, any other environment ENV is
// `<schema>__<ENV>.<table>`. Model keys are lower-case `schema.table`.

import { SluiceError } from '../errors';
import { qualified } from '../warehouse/quote';

export const PROD = 'prod';
export const PHYSICAL_PREFIX = 'sluice__';
/** How many characters of the version go into a physical table name. */
export const VERSION_CHARS = 10;

const ENVIRONMENT_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Checks and lower-cases an environment name (it becomes part of schema names). */
export function environmentName(name: string | undefined): string {
  const env = (name ?? PROD).trim().toLowerCase();
  if (!ENVIRONMENT_NAME.test(env) || env.includes('__')) {
    throw new SluiceError(`environment name '${name}' is not valid: use a letter followed by letters, digits or single underscores (e.g. dev, feature_x)`);
  }
  return env;
}

/** Splits a model key into schema and table. */
export function splitKey(key: string): { schema: string; table: string } {
  const dot = key.indexOf('.');
  return { schema: key.slice(0, dot), table: key.slice(dot + 1) };
}

export function physicalSchema(key: string): string {
  return PHYSICAL_PREFIX + splitKey(key).schema;
}

export function physicalTable(key: string, version: string): string {
  return `${splitKey(key).table}__${version.slice(0, VERSION_CHARS)}`;
}

/** `"sluice__schema"."table__version"`. */
export function physicalSql(key: string, version: string): string {
  return qualified(physicalSchema(key), physicalTable(key, version));
}

export function environmentSchema(key: string, env: string): string {
  const { schema } = splitKey(key);
  return env === PROD ? schema : `${schema}__${env}`;
}

/** The view a model has in an environment. */
export function viewRelation(key: string, env: string): { schema: string; table: string } {
  return { schema: environmentSchema(key, env), table: splitKey(key).table };
}

export function viewSql(key: string, env: string): string {
  const v = viewRelation(key, env);
  return qualified(v.schema, v.table);
}

/** Key of intervals and other per-table state. */
export function tableId(name: string, version: string): string {
  return `${name}@${version}`;
}
