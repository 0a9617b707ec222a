// Removing a virtual environment: its views are dropped, its schemas too once empty, and its record is
// forgotten, in one transaction under the apply lock. The physical tables stay (another environment may
// show them); the janitor drops those nobody references any more. Prod cannot be removed this way.

import { SluiceError } from '../errors';
import { engineOf, type EngineConnection } from '../engine';
import { quoteIdent } from '../warehouse/quote';
import { withLock } from './lock';
import { environmentName, environmentSchema, PROD, viewRelation, viewSql } from './names';
import { deleteEnvironment, readEnvironments } from './state';
import { hasView } from './swap';
import type { EnvironmentRecord } from './types';

export interface InvalidateResult {
  environment: string;
  /** `schema.view` of every view dropped. */
  droppedViews: string[];
}

export async function invalidateEnvironment(wh: EngineConnection, name: string): Promise<InvalidateResult> {
  const environment = environmentName(name);
  if (environment === PROD) throw new SluiceError('prod cannot be invalidated: it is what the project serves');
  return withLock(wh, 'invalidate', environment, async () => {
    const record = (await readEnvironments(wh)).find((e) => e.name === environment);
    if (!record) throw new SluiceError(`there is no environment ${environment} in ${wh.path}`);
    return { environment, droppedViews: await dropEnvironment(wh, record) };
  });
}

/**
 * Drops an environment's views (and its schemas once empty) and its record, in one transaction. The caller
 * holds the apply lock. Returns `schema.view` of every view dropped.
 */
export async function dropEnvironment(wh: EngineConnection, record: EnvironmentRecord): Promise<string[]> {
  const environment = record.name;
  if (environment === PROD) throw new SluiceError('prod cannot be removed: it is what the project serves');
  const views = record.snapshots.filter((e) => hasView(e.kind)).map((e) => e.name);
  await wh.transaction(async () => {
    for (const key of views) await wh.run(`DROP VIEW IF EXISTS ${viewSql(key, environment)}`);
    for (const schema of new Set(views.map((key) => environmentSchema(key, environment)))) {
      if (!(await schemaIsEmpty(wh, schema))) continue;
      await wh.run(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)}`);
    }
    await deleteEnvironment(wh, environment);
  });
  return environmentViews(record);
}

/** `schema.view` of every view an environment has, sorted. */
export function environmentViews(record: Pick<EnvironmentRecord, 'name' | 'snapshots'>): string[] {
  return record.snapshots
    .filter((e) => hasView(e.kind))
    .map((e) => {
      const v = viewRelation(e.name, record.name);
      return `${v.schema}.${v.table}`;
    })
    .sort();
}

/** Whether a schema holds no table or view (something else put there by hand keeps it). */
async function schemaIsEmpty(wh: EngineConnection, schema: string): Promise<boolean> {
  return !(await engineOf(wh).relations(schema)).some((r) => r.schema === schema);
}
