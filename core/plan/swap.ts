// Switching an environment to a set of model versions: every view of the environment is replaced and the
// environment row is written, all in one transaction, so readers see either the old set or the new one.
// Promotion and rollback are this swap alone: no table is computed.

import { SluiceError } from '../errors';
import { engineOf, type EngineConnection, type Relation, type ViewDefinition } from '../engine';
import { quoteIdent } from '../warehouse/quote';
import { environmentSchema, physicalSchema, physicalTable, viewRelation } from './names';
import { storeSnapshot, writeEnvironment } from './state';
import type { EnvironmentEntry, SnapshotRecord } from './types';

/** Whether a kind has a view in environments (EMBEDDED models are inlined, not shown). */
export function hasView(kind: EnvironmentEntry['kind']): boolean {
  return kind !== 'EMBEDDED' && kind !== 'EXTERNAL';
}

export interface SwapInput {
  environment: string;
  entries: EnvironmentEntry[];
  /** What the environment shows now (views of models not in entries are dropped). */
  current: EnvironmentEntry[];
  /** Kept as the rollback target. */
  previous: EnvironmentEntry[];
  planId: string;
  /** Snapshot rows to store with the swap (versions reused under a new fingerprint). */
  newRecords?: SnapshotRecord[];
  /** Runs in the swap's transaction once the views point at the new versions (ON_VIRTUAL_UPDATE statements): a failure undoes the swap. */
  afterViews?: () => Promise<void>;
}

export async function swapEnvironment(wh: EngineConnection, input: SwapInput): Promise<void> {
  const { environment: env } = input;
  await wh.transaction(async () => {
    const existingViews = await viewsOf(wh, [...input.entries, ...input.current].map((e) => e.name), env);
    const keep = new Set<string>();
    const schemas = new Set<string>();
    for (const entry of input.entries) {
      if (!hasView(entry.kind)) continue;
      keep.add(entry.name);
      const schema = environmentSchema(entry.name, env);
      if (!schemas.has(schema)) {
        await wh.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
        schemas.add(schema);
      }
      try {
        await engineOf(wh).swapViews([{ view: viewRelation(entry.name, env), target: { schema: physicalSchema(entry.name), table: physicalTable(entry.name, entry.version) } }], []);
      } catch (err) {
        const v = viewRelation(entry.name, env);
        const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
        throw new SluiceError(`cannot create view ${v.schema}.${v.table} of environment ${env}: ${reason}`);
      }
    }
    for (const name of existingViews) {
      if (!keep.has(name)) await engineOf(wh).swapViews([], [viewRelation(name, env)]);
    }
    for (const record of input.newRecords ?? []) await storeSnapshot(wh, record);
    await input.afterViews?.();
    await writeEnvironment(wh, env, input.entries, input.previous, input.planId);
  });
}

/** Which of these models have a view (not a table of the same name) in the environment. */
async function viewsOf(wh: EngineConnection, names: readonly string[], env: string): Promise<string[]> {
  const rows = (await engineOf(wh).relations()).filter((r) => r.type === 'view');
  const present = new Set(rows.map((r) => `${r.schema.toLowerCase()}.${r.name.toLowerCase()}`));
  return [...new Set(names)].filter((name) => {
    const v = viewRelation(name, env);
    return present.has(`${v.schema}.${v.table}`);
  });
}

export function sameEntries(a: readonly EnvironmentEntry[], b: readonly EnvironmentEntry[]): boolean {
  if (a.length !== b.length) return false;
  const fingerprints = new Map(a.map((e) => [e.name, e.fingerprint]));
  return b.every((e) => fingerprints.get(e.name) === e.fingerprint);
}
