// The project's settings: sluice.yaml (where a project lives, its warehouse, per-source settings) and,
// in a SQLMesh project, SQLMesh's config (model_defaults, variables, gateways, ...). A SQLMesh project
// needs no sluice.yaml; where both set something, sluice.yaml wins.

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../errors';
import { ANOMALY_DIRECTIONS, freshnessProblems, parseDuration, type AnomalyDirection, type Freshness, type HealthSettings } from '../health/settings';
import type { Contract } from '../ingest/types';
import { readNotifications } from '../notify/config';
import { DEFAULT_ENVIRONMENT_TTL_MS } from '../plan/environments';
import type { NotificationTarget } from '../notify/types';
import { readGateways, type Gateway } from './gateways';
import { mergeShared, readSharedSettings, type ModelSettings, type SharedSettings } from './settings';
import { readSqlmeshConfig, sqlmeshConfigFile } from './sqlmesh';
import { yamlSource, type YamlSource } from './yamlSource';

/** Health settings a source or resource may have in sluice.yaml (see docs/health.md). */
const HEALTH_KEYS = ['freshness', 'owner', 'tags', 'volume_anomaly'];

export const PROJECT_FILE = 'sluice.yaml';

export interface SourceSettings {
  /** Resource toggles: false keeps a resource out of the warehouse without touching its code. */
  resources: Record<string, boolean>;
  contract?: Contract;
  /** Non-secret values handed to the source as ctx.config. */
  config: Record<string, unknown>;
  /** Names of environment variables (or .env keys) handed to the source as ctx.secrets. */
  secrets: string[];
  /** freshness, owner, tags and volume_anomaly of the source as a whole. */
  health: HealthSettings;
  /** The same per resource, where a resource sets its own (they win over the source's). */
  resourceHealth: Record<string, HealthSettings>;
}

export interface Project {
  name: string;
  /** Absolute path of the project folder (holding sluice.yaml, or SQLMesh's config and models/). */
  dir: string;
  /** Absolute path of the DuckDB warehouse file. */
  warehouse: string;
  /** Engines the models can run on (`gateways:` in sluice.yaml or SQLMesh's config); see core/project/gateways.ts. */
  gateways: Record<string, Gateway>;
  /** The gateway plan and apply use when no --gateway is given; unset: the warehouse file. */
  defaultGateway?: string;
  /** `lock_wait` (seconds), in ms: how long an ingest or apply queues behind another process. */
  lockWaitMs?: number;
  sources: Record<string, SourceSettings>;
  /** Model defaults, variables and name inference, for reading the models. */
  models: ModelSettings;
  /** default_target_environment: the environment plan, apply and run use when none is named. */
  defaultEnvironment?: string;
  /** environment_ttl in ms, null for never: dev environments not applied for longer are removed by the janitor. */
  environmentTtlMs: number | null;
  /** SQL run at the start and at the end of an apply or run. */
  beforeAll: string[];
  afterAll: string[];
  /** Settings read but not acted on, and similar things worth telling, each naming its file and line. */
  notes: string[];
  /** The SQLMesh config file read, if any. */
  sqlmeshConfig?: string;
  /** Where alerts go (`notifications:`, see docs/health.md); none when unset. */
  notifications?: NotificationTarget[];
  /**
   * The further folders of a multi-repo project (`--paths a b`), read as part of this one: their models with
   * their own settings. The warehouse, gateways, environments and state are this project's.
   */
  repos?: Project[];
}

/** Whether a folder is a project: it holds sluice.yaml, or SQLMesh's config.yaml / config.py beside a models/ folder. */
export function isProjectDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, PROJECT_FILE)) || sqlmeshConfigFile(dir) !== undefined;
}

/**
 * The settings file a problem with the project's settings is in: the one the message names (sluice.yaml or
 * SQLMesh's config), else sluice.yaml when there is one, else SQLMesh's config.
 */
export function projectConfigFile(dir: string, message?: string): string {
  const sluice = path.join(dir, PROJECT_FILE);
  const sqlmesh = sqlmeshConfigFile(dir);
  const named = [sluice, sqlmesh].find((file) => file !== undefined && message?.startsWith(`${file}:`));
  return named ?? (fs.existsSync(sluice) || !sqlmesh ? sluice : sqlmesh);
}

/** Finds the project folder: start or the nearest directory above it. */
export function findProjectDir(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (isProjectDir(dir)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new SluiceError(`no ${PROJECT_FILE} (or SQLMesh config.yaml / config.py beside models/) found in ${path.resolve(start)} or any directory above it`);
    }
    dir = parent;
  }
}

export function loadProject(dir: string): Project {
  const file = path.join(dir, PROJECT_FILE);
  const sqlmeshFile = sqlmeshConfigFile(dir);
  const sqlmesh = sqlmeshFile ? readSqlmeshConfig(dir, sqlmeshFile) : undefined;
  let raw: Record<string, unknown> = {};
  let source: YamlSource | undefined;
  let shared: SharedSettings = sqlmesh ?? { models: { defaults: {}, variables: {} }, notes: [] };
  if (fs.existsSync(file) || !sqlmesh) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new SluiceError(`cannot read ${file}`);
    }
    source = yamlSource(file, text);
    raw = source.raw;
    shared = mergeShared(shared, readSharedSettings(source));
  }
  const name = typeof raw.name === 'string' ? raw.name : sqlmesh?.name ?? path.basename(dir);
  const warehouseSetting = raw.warehouse ?? undefined;
  if (warehouseSetting !== undefined && typeof warehouseSetting !== 'string') throw new SluiceError(`${file}: 'warehouse' must be a file path`);
  const lockWait = raw.lock_wait ?? undefined;
  if (lockWait !== undefined && !(typeof lockWait === 'number' && Number.isFinite(lockWait) && lockWait >= 0)) {
    throw new SluiceError(`${file}: 'lock_wait' must be a number of seconds (0 or more)`);
  }
  const fail: Fail = (at, message, place = 'value') => {
    throw new SluiceError(`${source ? source.where(at, place) : file}: ${message}`);
  };
  const own = readGateways(raw, dir, fail);
  // sluice.yaml's gateways win over SQLMesh's of the same name, and its default_gateway over SQLMesh's.
  const gateways = { ...(sqlmesh?.gateways ?? {}), ...own.gateways };
  const defaultGateway = own.defaultGateway ?? sqlmesh?.defaultGateway;
  const defaultDuckDb = defaultGateway !== undefined && gateways[defaultGateway].type === 'duckdb' ? (gateways[defaultGateway] as { path?: string }).path : undefined;
  const project: Project = {
    name,
    dir,
    warehouse: warehouseOverride(dir) ?? (warehouseSetting !== undefined ? path.resolve(dir, warehouseSetting) : defaultDuckDb ?? sqlmesh?.warehouse ?? path.resolve(dir, 'warehouse.duckdb')),
    gateways,
    ...(defaultGateway === undefined ? {} : { defaultGateway }),
    ...(lockWait === undefined ? {} : { lockWaitMs: lockWait * 1000 }),
    sources: readSources(file, raw.sources, fail),
    models: shared.models,
    beforeAll: shared.beforeAll ?? [],
    afterAll: shared.afterAll ?? [],
    environmentTtlMs: shared.environmentTtlMs !== undefined ? shared.environmentTtlMs : DEFAULT_ENVIRONMENT_TTL_MS,
    notes: shared.notes,
  };
  const notifications = readNotifications(raw.notifications, fail);
  if (notifications.length > 0) project.notifications = notifications;
  if (shared.defaultEnvironment !== undefined) project.defaultEnvironment = shared.defaultEnvironment;
  if (sqlmeshFile) project.sqlmeshConfig = sqlmeshFile;
  return project;
}

/**
 * SLUICE_WAREHOUSE (relative to the project) replaces the warehouse setting: a CI runner keeps the warehouse
 * outside the checkout, which is cleaned between jobs, without editing sluice.yaml.
 */
function warehouseOverride(dir: string): string | undefined {
  const value = process.env.SLUICE_WAREHOUSE?.trim();
  return value ? path.resolve(dir, value) : undefined;
}

/** Throws a SluiceError about the value (or the key) at a path of sluice.yaml, naming its line and column. */
type Fail = (at: string[], message: string, place?: 'key' | 'value') => never;

/** Keys a source's settings may have; anything else is a typo that would be silently ignored. */
const SOURCE_KEYS = new Set(['resources', 'contract', 'config', 'secrets', ...HEALTH_KEYS]);

function readSources(file: string, value: unknown, fail: Fail): Record<string, SourceSettings> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new SluiceError(`${file}: 'sources' must be a mapping of source name to settings`);
  const out: Record<string, SourceSettings> = {};
  for (const [source, settings] of Object.entries(value as Record<string, unknown>)) {
    const s = (settings ?? {}) as Record<string, unknown>;
    if (typeof s !== 'object' || Array.isArray(s)) throw new SluiceError(`${file}: sources.${source} must be a mapping`);
    const at = ['sources', source];
    for (const key of Object.keys(s)) {
      if (!SOURCE_KEYS.has(key)) fail([...at, key], `sources.${source}.${key} is not a source setting; use one of ${[...SOURCE_KEYS].join(', ')}`, 'key');
    }
    const resources: Record<string, boolean> = {};
    const resourceHealth: Record<string, HealthSettings> = {};
    if (s.resources !== undefined) {
      if (typeof s.resources !== 'object' || s.resources === null || Array.isArray(s.resources)) {
        throw new SluiceError(`${file}: sources.${source}.resources must map resource names to true/false`);
      }
      for (const [resource, entry] of Object.entries(s.resources as Record<string, unknown>)) {
        const where = [...at, 'resources', resource];
        if (typeof entry === 'boolean') {
          resources[resource] = entry;
          continue;
        }
        if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
          fail(where, `sources.${source}.resources.${resource} must be true or false, or a mapping of settings (${['enabled', ...HEALTH_KEYS].join(', ')})`);
        }
        const settings = entry as Record<string, unknown>;
        for (const key of Object.keys(settings)) {
          if (key !== 'enabled' && !HEALTH_KEYS.includes(key)) {
            fail([...where, key], `sources.${source}.resources.${resource}.${key} is not a resource setting; use one of ${['enabled', ...HEALTH_KEYS].join(', ')}`, 'key');
          }
        }
        if (settings.enabled !== undefined) {
          if (typeof settings.enabled !== 'boolean') fail([...where, 'enabled'], `sources.${source}.resources.${resource}.enabled must be true or false`);
          resources[resource] = settings.enabled as boolean;
        }
        resourceHealth[resource] = readHealthSettings(settings, where, fail);
      }
    }
    const secrets = s.secrets ?? [];
    if (!Array.isArray(secrets) || secrets.some((x) => typeof x !== 'string')) {
      throw new SluiceError(`${file}: sources.${source}.secrets must be a list of environment variable names`);
    }
    const config = s.config ?? {};
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new SluiceError(`${file}: sources.${source}.config must be a mapping of names to values`);
    }
    out[source] = {
      resources,
      contract: s.contract as Contract | undefined,
      config: config as Record<string, unknown>,
      secrets: secrets as string[],
      health: readHealthSettings(s, at, fail),
      resourceHealth,
    };
  }
  return out;
}

/** freshness, owner, tags and volume_anomaly of a source or resource. */
function readHealthSettings(s: Record<string, unknown>, at: string[], fail: Fail): HealthSettings {
  const out: HealthSettings = {};
  const name = (key: string) => [...at, key].join('.');
  if (s.freshness !== undefined && s.freshness !== null) out.freshness = readFreshness(s.freshness, [...at, 'freshness'], fail);
  if (s.owner !== undefined && s.owner !== null) {
    if (typeof s.owner !== 'string' || s.owner.trim() === '') fail([...at, 'owner'], `${name('owner')} must be a name, e.g. owner: data-platform`);
    out.owner = s.owner as string;
  }
  if (s.tags !== undefined && s.tags !== null) {
    const tags = typeof s.tags === 'string' ? [s.tags] : s.tags;
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t.trim() === '')) {
      fail([...at, 'tags'], `${name('tags')} must be a list of names, e.g. tags: [customer_facing]`);
    }
    out.tags = tags as string[];
  }
  if (s.volume_anomaly !== undefined && s.volume_anomaly !== null) {
    if (!ANOMALY_DIRECTIONS.includes(s.volume_anomaly as AnomalyDirection)) {
      fail([...at, 'volume_anomaly'], `${name('volume_anomaly')} must be one of ${ANOMALY_DIRECTIONS.join(', ')}; found ${JSON.stringify(s.volume_anomaly)}`);
    }
    out.volumeAnomaly = s.volume_anomaly as AnomalyDirection;
  }
  return out;
}

function readFreshness(value: unknown, at: string[], fail: Fail): Freshness {
  const name = at.join('.');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(at, `${name} must be a mapping such as { warn_after: 6h, error_after: 24h }`);
  }
  const out: Freshness = {};
  for (const [key, text] of Object.entries(value as Record<string, unknown>)) {
    if (key !== 'warn_after' && key !== 'error_after') fail([...at, key], `${name}.${key} is not a freshness setting; use warn_after and error_after`, 'key');
    const ms = typeof text === 'string' ? parseDuration(text) : undefined;
    if (ms === undefined) fail([...at, key], `${name}.${key} must be a duration such as 30m, 6h or 1d; found ${JSON.stringify(text)}`);
    if (key === 'warn_after') out.warnAfterMs = ms;
    else out.errorAfterMs = ms;
  }
  const problem = freshnessProblems(out)[0];
  if (problem) fail(at, `${name}: ${problem}`);
  return out;
}

export function sourceSettings(project: Project, source: string): SourceSettings {
  return project.sources[source] ?? { resources: {}, config: {}, secrets: [], health: {}, resourceHealth: {} };
}
