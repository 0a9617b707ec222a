// Opening the engine of a gateway: the DuckDB warehouse file as it always was, or a PostgreSQL server whose
// URL may hold `${secrets.NAME}` (from the environment, then the project's .env; never printed).

import fs from 'node:fs';
import { readPlanState } from '../plan/state';
import { existingTables, existingTablesOf, openWarehouse, readStateOf } from '../plan/session';
import type { PlanState } from '../plan/types';
import { chooseGateway, gatewayUrl, type Gateway } from '../project/gateways';
import { readDotEnv } from '../project/secrets';
import type { OpenOptions } from '../warehouse/connection';
import { PostgresAdapter } from './postgres';
import type { EngineConnection } from './types';

export interface GatewayProject {
  dir: string;
  warehouse: string;
  gateways: Record<string, Gateway>;
  defaultGateway?: string;
}

/** Opens the gateway's engine for writing (or reading); the caller closes it. */
export async function openGateway(project: GatewayProject, name: string | undefined, options: OpenOptions = {}): Promise<EngineConnection> {
  const gateway = chooseGateway(project, name);
  if (gateway.type === 'duckdb') return openWarehouse(gateway.path!, options);
  return PostgresAdapter.open(gatewayUrl(gateway, secretsOf(project.dir)), options);
}

/** The plan state the gateway holds; empty for a DuckDB file that does not exist yet (nothing is created). */
export async function readGatewayState(project: GatewayProject, name: string | undefined): Promise<PlanState> {
  const gateway = chooseGateway(project, name);
  if (gateway.type === 'duckdb') return readStateOf(gateway.path!);
  return withEngine(project, name, readPlanState);
}

/** `schema.table` of every table and view the gateway's engine has. */
export async function gatewayTables(project: GatewayProject, name: string | undefined): Promise<Set<string>> {
  const gateway = chooseGateway(project, name);
  if (gateway.type === 'duckdb') return existingTablesOf(gateway.path!);
  return withEngine(project, name, existingTables);
}

/** fn on the gateway's engine opened read-only; `empty` when it is a DuckDB file that does not exist yet. */
export async function readFromGateway<T>(project: GatewayProject, name: string | undefined, fn: (engine: EngineConnection) => Promise<T>, empty: T): Promise<T> {
  const gateway = chooseGateway(project, name);
  if (gateway.type === 'duckdb' && !fs.existsSync(gateway.path!)) return empty;
  return withEngine(project, name, fn);
}

async function withEngine<T>(project: GatewayProject, name: string | undefined, fn: (engine: EngineConnection) => Promise<T>): Promise<T> {
  const engine = await openGateway(project, name, { readOnly: true });
  try {
    return await fn(engine);
  } finally {
    engine.close();
  }
}

function secretsOf(dir: string): (name: string) => string | undefined {
  let dotEnv: Record<string, string> | undefined;
  return (name) => process.env[name] ?? (dotEnv ??= readDotEnv(dir))[name];
}
