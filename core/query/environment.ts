// Which environment's views a query reads. Queries name models as `schema.table`, which is prod's view; in
// another environment ENV the same model is the view `schema__ENV.table`, so names of the environment's
// models are pointed there (found in DuckDB's syntax tree, as plan/rewrite.ts does for builds). The default
// is `dev` when it has been applied, else `prod`.

import { SluiceError } from '../errors';
import { environmentName, PROD, viewSql } from '../plan/names';
import { rewriteTableNamesMapped } from '../plan/rewrite';
import { readEnvironments } from '../plan/state';
import { parseSql } from '../sql/duckdbParser';
import type { Warehouse } from '../warehouse/connection';
import { OffsetMap } from './offsetMap';

export const DEFAULT_ENVIRONMENT = 'dev';

export interface EnvironmentViews {
  name: string;
  /** Model keys (schema.table, lower-case) that have a view in the environment. */
  models: ReadonlySet<string>;
}

export async function environmentViews(wh: Warehouse, requested?: string): Promise<EnvironmentViews> {
  const records = await readEnvironments(wh);
  const name = requested === undefined ? (records.some((r) => r.name === DEFAULT_ENVIRONMENT) ? DEFAULT_ENVIRONMENT : PROD) : environmentName(requested);
  const record = records.find((r) => r.name === name);
  if (!record && name !== PROD) {
    const known = records.map((r) => r.name).join(', ') || 'none yet';
    throw new SluiceError(`there is no environment ${name} in the warehouse (environments: ${known}); run sluice apply ${name} first`);
  }
  return { name, models: new Set((record?.snapshots ?? []).filter((s) => s.kind !== 'EMBEDDED' && s.kind !== 'EXTERNAL').map((s) => s.name)) };
}

/**
 * The query with the environment's model names pointed at its views (SUMMARIZE and DESCRIBE too). A text
 * DuckDB cannot parse as one SELECT (a syntax error, DDL) runs as written; DuckDB then says what is wrong.
 */
export async function pointAtEnvironment(sql: string, env: EnvironmentViews): Promise<OffsetMap> {
  if (env.name === PROD || env.models.size === 0) return OffsetMap.identity(sql);
  const parsed = await parseSql(sql);
  if (!parsed.query || parsed.diagnostics.some((d) => d.severity === 'error')) return OffsetMap.identity(sql);
  const alias = !/^\s*(summarize|describe|show)\b/i.test(sql);
  return rewriteTableNamesMapped(parsed, (key) => (env.models.has(key) ? viewSql(key, env.name) : undefined), { alias });
}
