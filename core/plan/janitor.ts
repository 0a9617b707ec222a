// `sluice janitor`: first removes the dev environments that expired (not applied for longer than the
// project's environment_ttl; prod never expires), then drops the physical tables and views no environment
// references, now or as its rollback target, and forgets their snapshots and intervals. Objects in sluice__ schemas that no snapshot row
// describes (left by a build that never committed, or by hand) are dropped too.

import { engineOf, type EngineConnection } from '../engine';
import { qualified, quoteIdent } from '../warehouse/quote';
import { systemTableExists } from '../warehouse/system';
import { nowMs } from '../clock';
import { expiredEnvironments } from './environments';
import { dropEnvironment, environmentViews } from './invalidate';
import { withLock } from './lock';
import { PHYSICAL_PREFIX, physicalSchema, physicalTable, tableId } from './names';
import { INTERVALS_TABLE, readEnvironments, SNAPSHOTS_TABLE } from './state';

export interface JanitorResult {
  /** `schema.name` of every dropped table or view. */
  dropped: string[];
  /** Snapshot rows forgotten. */
  forgotten: number;
  /** Physical objects kept because an environment references them. */
  kept: number;
  dryRun: boolean;
  /** Environments removed because they expired (or that would be, in a dry run), with their views. */
  expired: { environment: string; updatedAt: string; droppedViews: string[] }[];
}

export interface JanitorOptions {
  /** List what would be removed, remove nothing. */
  dryRun?: boolean;
  /** Remove dev environments last applied longer ago than this (ms); null or absent: none expire. */
  ttlMs?: number | null;
  /** The time expiry is judged at (default: now, SLUICE_NOW honoured). */
  nowMs?: number;
}

interface PhysicalObject {
  schema: string;
  name: string;
  type: 'table' | 'view';
}

export async function runJanitor(wh: EngineConnection, options: JanitorOptions = {}): Promise<JanitorResult> {
  const dryRun = options.dryRun === true;
  return withLock(wh, 'janitor', undefined, async () => {
    const environments = await readEnvironments(wh);
    const expiredRecords = expiredEnvironments(environments, options.ttlMs ?? null, options.nowMs ?? nowMs());
    const expired: JanitorResult['expired'] = [];
    for (const record of expiredRecords) {
      const droppedViews = dryRun ? environmentViews(record) : await dropEnvironment(wh, record);
      expired.push({ environment: record.name, updatedAt: record.updatedAt, droppedViews });
    }
    const gone = new Set(expiredRecords.map((r) => r.name));
    const referenced = new Set<string>();
    const referencedObjects = new Set<string>();
    for (const env of environments.filter((e) => !gone.has(e.name))) {
      for (const e of [...env.snapshots, ...env.previous]) {
        referenced.add(tableId(e.name, e.version));
        referencedObjects.add(`${physicalSchema(e.name)}.${physicalTable(e.name, e.version)}`.toLowerCase());
      }
    }
    const objects = await physicalObjects(wh);
    const drop = objects.filter((o) => !referencedObjects.has(`${o.schema}.${o.name}`.toLowerCase()));
    const rows = (await systemTableExists(wh, 'snapshots'))
      ? await wh.all<{ fingerprint: string; name: string; version: string }>(`SELECT "fingerprint", "name", "version" FROM ${SNAPSHOTS_TABLE}`)
      : [];
    const forget = rows.filter((r) => !referenced.has(tableId(r.name, r.version))).map((r) => r.fingerprint);
    const result: JanitorResult = { dropped: drop.map((o) => `${o.schema}.${o.name}`).sort(), forgotten: forget.length, kept: objects.length - drop.length, dryRun, expired };
    if (dryRun || (drop.length === 0 && forget.length === 0)) return result;

    await wh.transaction(async () => {
      // Views first: they read the tables.
      for (const o of [...drop].sort((a, b) => (a.type === b.type ? 0 : a.type === 'view' ? -1 : 1))) {
        await wh.run(`DROP ${o.type === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${qualified(o.schema, o.name)}`);
      }
      if (forget.length > 0) {
        await engineOf(wh).run(`DELETE FROM ${SNAPSHOTS_TABLE} WHERE "fingerprint" IN (SELECT unnest($1::VARCHAR[]))`, [engineOf(wh).textList(forget)]);
      }
      if (await systemTableExists(wh, 'intervals')) {
        const kept = [...referenced];
        await engineOf(wh).run(`DELETE FROM ${INTERVALS_TABLE} WHERE ("name" || '@' || "version") NOT IN (SELECT unnest($1::VARCHAR[]))`, [engineOf(wh).textList(kept)]);
      }
      const left = new Set((await physicalObjects(wh)).map((o) => o.schema));
      for (const schema of new Set(drop.map((o) => o.schema))) {
        if (!left.has(schema)) await wh.run(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)}`);
      }
    });
    return result;
  });
}

async function physicalObjects(wh: EngineConnection): Promise<PhysicalObject[]> {
  return engineOf(wh).relations(PHYSICAL_PREFIX);
}
