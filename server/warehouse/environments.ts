// The Environments view's requests: the environments recorded in the warehouse with the models each shows
// differently from prod, how their data differs from prod's (like `sluice diff prod:<env> <model>`), and
// removing one (its views and record, then the janitor for tables nobody needs any more).

import fs from 'node:fs';
import { describeError, SluiceError } from '../../core/errors';
import { formatDiff, storedGrain } from '../../core/plan/diffReport';
import { nowMs } from '../../core/clock';
import { formatActor } from '../../core/plan/actor';
import { overridesVsProd, summarizeEnvironments } from '../../core/plan/environments';
import { invalidateEnvironment } from '../../core/plan/invalidate';
import { runJanitor } from '../../core/plan/janitor';
import { environmentName, PROD } from '../../core/plan/names';
import { openWarehouse } from '../../core/plan/session';
import { readEnvironments } from '../../core/plan/state';
import { hasView } from '../../core/plan/swap';
import { diffEnvironments } from '../../core/plan/tableDiff';
import type { EnvironmentRecord } from '../../core/plan/types';
import { SluiceErrorCodes, type EnvironmentDiff, type EnvironmentInfo, type Environments, type InvalidateEnvironment } from '../../core/protocol';
import { withWarehouse } from '../../core/warehouse/connection';
import { RefusedError } from '../rpc';
import type { WarehouseGate } from './gate';

/** At most this many models are compared in one environment diff. */
const MAX_DIFFED = 20;

export async function listEnvironments(gate: WarehouseGate, warehouse: string, modelFile: (key: string) => string | undefined, ttlMs: number | null): Promise<Environments.Result> {
  const prodOnly: Environments.Result = { environments: [{ name: PROD }] };
  if (!fs.existsSync(warehouse)) return prodOnly;
  let records: EnvironmentRecord[];
  try {
    records = await gate.read(warehouse, () => withWarehouse(warehouse, readEnvironments, { readOnly: true }));
  } catch (err) {
    return { ...prodOnly, error: describeError(err) };
  }
  if (records.length === 0) return prodOnly;
  return {
    environments: summarizeEnvironments(records, ttlMs, nowMs()).map((s) => {
      const env: EnvironmentInfo = { name: s.name, updatedAt: s.updatedAt, models: s.models };
      if (s.overrides) {
        env.overrides = s.overrides.map((o) => {
          const file = modelFile(o.model);
          return file ? { ...o, file } : o;
        });
      }
      if (s.createdBy) env.createdBy = formatActor(s.createdBy);
      if (s.appliedBy) env.appliedBy = formatActor(s.appliedBy);
      if (s.expiresAt) {
        env.expiresAt = s.expiresAt;
        env.expired = s.expired;
      }
      return env;
    }),
  };
}

export async function environmentDiff(gate: WarehouseGate, warehouse: string, params: EnvironmentDiff.Params): Promise<EnvironmentDiff.Result> {
  const environment = environmentName(String(params.environment));
  if (environment === PROD) throw new SluiceError('pick an environment other than prod to compare with prod');
  if (!fs.existsSync(warehouse)) throw new SluiceError(`there is no warehouse yet (${warehouse})`);
  return gate.read(warehouse, () =>
    withWarehouse(
      warehouse,
      async (wh) => {
        const records = await readEnvironments(wh);
        const env = records.find((r) => r.name === environment);
        if (!env) throw new SluiceError(`there is no environment ${environment} in the warehouse`);
        const kinds = new Map([...env.snapshots, ...(records.find((r) => r.name === PROD)?.snapshots ?? [])].map((s) => [s.name, s.kind]));
        let overrides = overridesVsProd(env, records.find((r) => r.name === PROD));
        if (params.model) {
          const wanted = String(params.model).toLowerCase();
          overrides = overrides.filter((o) => o.model === wanted);
          if (overrides.length === 0) throw new SluiceError(`${environment} shows ${wanted} as prod does`);
        }
        const sections: string[] = [];
        const models: string[] = [];
        for (const o of overrides.slice(0, MAX_DIFFED)) {
          models.push(o.model);
          if (o.change !== 'changed') {
            sections.push(`${o.model}: only in ${o.change === 'added' ? environment : PROD}\n`);
          } else if (!hasView(kinds.get(o.model) ?? 'FULL')) {
            sections.push(`${o.model}: changed, but its kind has no table to compare\n`);
          } else {
            try {
              const grain = await storedGrain(wh, o.model, [environment, PROD]);
              sections.push(formatDiff(await diffEnvironments(wh, o.model, PROD, environment, { grain, limit: 5 })));
            } catch (err) {
              sections.push(`${o.model}: cannot compare: ${describeError(err)}\n`);
            }
          }
        }
        const head = overrides.length === 0 ? `${environment} shows every model as prod does.\n` : `${environment} vs prod: ${overrides.length} model${overrides.length === 1 ? '' : 's'} differ.\n`;
        const left = overrides.length > MAX_DIFFED ? `\n${overrides.length - MAX_DIFFED} more not compared: ${overrides.slice(MAX_DIFFED).map((o) => o.model).join(', ')}\n` : '';
        return { environment, models, text: [head, ...sections].join('\n') + left };
      },
      { readOnly: true },
    ),
  );
}

export async function removeEnvironment(gate: WarehouseGate, warehouse: string, params: InvalidateEnvironment.Params): Promise<InvalidateEnvironment.Result> {
  const environment = environmentName(String(params.environment));
  if (!fs.existsSync(warehouse)) throw new SluiceError(`there is no warehouse yet (${warehouse})`);
  if (gate.busy(warehouse)) throw new RefusedError(SluiceErrorCodes.Busy, 'the warehouse is busy with an apply or a source run; try again when it is done');
  return gate.run(warehouse, async () => {
    const wh = await openWarehouse(warehouse);
    try {
      const { droppedViews } = await invalidateEnvironment(wh, environment);
      const janitor = await runJanitor(wh);
      return { environment, droppedViews, droppedTables: janitor.dropped };
    } finally {
      wh.close();
    }
  });
}
