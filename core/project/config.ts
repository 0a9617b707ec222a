// sluice.yaml: where a project lives, where its warehouse is, and per-source settings.

import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { SluiceError } from '../errors';
import type { Contract } from '../ingest/types';

export const PROJECT_FILE = 'sluice.yaml';

export interface SourceSettings {
  /** Resource toggles: false keeps a resource out of the warehouse without touching its code. */
  resources: Record<string, boolean>;
  contract?: Contract;
  /** Non-secret values handed to the source as ctx.config. */
  config: Record<string, unknown>;
  /** Names of environment variables (or .env keys) handed to the source as ctx.secrets. */
  secrets: string[];
}

export interface Project {
  name: string;
  /** Absolute path of the directory holding sluice.yaml. */
  dir: string;
  /** Absolute path of the DuckDB warehouse file. */
  warehouse: string;
  /** `lock_wait` (seconds), in ms: how long an ingest or apply queues behind another process. */
  lockWaitMs?: number;
  sources: Record<string, SourceSettings>;
}

/** Finds sluice.yaml in start or the nearest directory above it. */
export function findProjectDir(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, PROJECT_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new SluiceError(`no ${PROJECT_FILE} found in ${path.resolve(start)} or any directory above it`);
    }
    dir = parent;
  }
}

export function loadProject(dir: string): Project {
  const file = path.join(dir, PROJECT_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new SluiceError(`cannot read ${file}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const [line, col] = err.linePos?.[0] ? [err.linePos[0].line, err.linePos[0].col] : [1, 1];
    // yaml's message repeats the position ("… at line 4, column 3:"); the prefix already says where.
    const message = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new SluiceError(`${file}:${line}:${col}: ${message}`);
  }
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new SluiceError(`${file}: expected a mapping at the top level`);
  const name = typeof raw.name === 'string' ? raw.name : path.basename(dir);
  const warehouseSetting = raw.warehouse ?? 'warehouse.duckdb';
  if (typeof warehouseSetting !== 'string') throw new SluiceError(`${file}: 'warehouse' must be a file path`);
  const lockWait = raw.lock_wait ?? undefined;
  if (lockWait !== undefined && !(typeof lockWait === 'number' && Number.isFinite(lockWait) && lockWait >= 0)) {
    throw new SluiceError(`${file}: 'lock_wait' must be a number of seconds (0 or more)`);
  }
  return {
    name,
    dir,
    warehouse: path.resolve(dir, warehouseSetting),
    ...(lockWait === undefined ? {} : { lockWaitMs: lockWait * 1000 }),
    sources: readSources(file, raw.sources),
  };
}

function readSources(file: string, value: unknown): Record<string, SourceSettings> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new SluiceError(`${file}: 'sources' must be a mapping of source name to settings`);
  const out: Record<string, SourceSettings> = {};
  for (const [source, settings] of Object.entries(value as Record<string, unknown>)) {
    const s = (settings ?? {}) as Record<string, unknown>;
    if (typeof s !== 'object' || Array.isArray(s)) throw new SluiceError(`${file}: sources.${source} must be a mapping`);
    const resources: Record<string, boolean> = {};
    if (s.resources !== undefined) {
      if (typeof s.resources !== 'object' || s.resources === null || Array.isArray(s.resources)) {
        throw new SluiceError(`${file}: sources.${source}.resources must map resource names to true/false`);
      }
      for (const [resource, enabled] of Object.entries(s.resources as Record<string, unknown>)) {
        if (typeof enabled !== 'boolean') {
          throw new SluiceError(`${file}: sources.${source}.resources.${resource} must be true or false`);
        }
        resources[resource] = enabled;
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
    };
  }
  return out;
}

export function sourceSettings(project: Project, source: string): SourceSettings {
  return project.sources[source] ?? { resources: {}, config: {}, secrets: [] };
}
