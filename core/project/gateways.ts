// Gateways: the engines a project's models can run on. sluice.yaml names them
//   gateways: { local: { type: duckdb, path: warehouse.duckdb }, pg: { type: postgres, url: '${secrets.PG_URL}' } }
//   default_gateway: local
// and SQLMesh's config.yaml gateways with a duckdb or postgres connection map to the same. Without any,
// the one gateway is the DuckDB warehouse file.

import path from 'node:path';
import { SluiceError } from '../errors';
import { fillSecretReferences } from './secrets';
import { isRecord } from './settings';

export type Gateway =
  | { name: string; type: 'duckdb'; /** Absolute path; undefined: the project's warehouse. */ path?: string }
  | { name: string; type: 'postgres'; /** As written: `${secrets.NAME}` is resolved only when connecting. */ url: string };

export interface GatewaySettings {
  gateways: Record<string, Gateway>;
  defaultGateway?: string;
}

type Fail = (at: string[], message: string, place?: 'key' | 'value') => never;

const TYPES = ['duckdb', 'postgres'];

/** `gateways` and `default_gateway` of sluice.yaml. */
export function readGateways(raw: Record<string, unknown>, dir: string, fail: Fail): GatewaySettings {
  const out: GatewaySettings = { gateways: {} };
  const value = raw.gateways;
  if (value !== undefined && value !== null) {
    if (!isRecord(value)) fail(['gateways'], 'gateways must map names to settings, e.g. gateways: { pg: { type: postgres, url: "${secrets.PG_URL}" } }');
    for (const [name, settings] of Object.entries(value)) {
      const at = ['gateways', name];
      if (!isRecord(settings)) fail(at, `gateway ${name} must be a mapping with a type (${TYPES.join(' or ')})`);
      for (const key of Object.keys(settings)) {
        if (!['type', 'path', 'url'].includes(key)) fail([...at, key], `gateways.${name}.${key} is not a gateway setting; use type, path (duckdb) or url (postgres)`, 'key');
      }
      const type = settings.type;
      if (type === 'duckdb') {
        if (settings.path !== undefined && typeof settings.path !== 'string') fail([...at, 'path'], `gateways.${name}.path must be a file path`);
        out.gateways[name] = { name, type, ...(typeof settings.path === 'string' ? { path: path.resolve(dir, settings.path) } : {}) };
      } else if (type === 'postgres') {
        if (typeof settings.url !== 'string' || settings.url === '') {
          fail([...at, 'url'], `gateway ${name} needs url: postgres://user@host:5432/database, or '\${secrets.PG_URL}' to keep the password out of the file`);
        }
        out.gateways[name] = { name, type, url: settings.url };
      } else {
        fail([...at, 'type'], `gateways.${name}.type must be ${TYPES.join(' or ')}${typeof type === 'string' ? `, not ${type}` : ''}`);
      }
    }
  }
  const named = raw.default_gateway;
  if (named !== undefined && named !== null) {
    if (typeof named !== 'string' || !out.gateways[named]) fail(['default_gateway'], `default_gateway must be one of the gateways (${Object.keys(out.gateways).join(', ') || 'none defined'})`);
    out.defaultGateway = named;
  }
  return out;
}

/**
 * The gateway a command uses: the one named (--gateway), else the project's default_gateway, else the
 * DuckDB warehouse file.
 */
export function chooseGateway(project: { warehouse: string } & GatewaySettings, name?: string): Gateway {
  const wanted = name ?? project.defaultGateway;
  if (wanted === undefined) return { name: 'local', type: 'duckdb', path: project.warehouse };
  const gateway = project.gateways[wanted];
  if (!gateway) {
    const known = Object.keys(project.gateways);
    throw new SluiceError(`there is no gateway ${wanted}${known.length > 0 ? `; the project's gateways are ${known.join(', ')}` : '; define it under gateways: in sluice.yaml'}`);
  }
  return gateway.type === 'duckdb' && gateway.path === undefined ? { ...gateway, path: project.warehouse } : gateway;
}

/** A postgres gateway's URL with `${secrets.NAME}` filled from the environment, then the project's .env. */
export function gatewayUrl(gateway: Extract<Gateway, { type: 'postgres' }>, secrets: (name: string) => string | undefined): string {
  return fillSecretReferences(gateway.url, secrets, (name) => `gateway ${gateway.name}: url needs the secret ${name}; set it in the environment or in .env`);
}
