// SQLMesh's project configuration (config.yaml, config.yml or config.py beside models/), so a SQLMesh
// project opens without a sluice.yaml: model_defaults, variables, the default gateway's DuckDB database
// as the warehouse, default_target_environment, before_all / after_all and the project name.

import fs from 'node:fs';
import * as path from 'node:path';
import { SluiceError } from '../errors';
import type { Gateway as SluiceGateway } from './gateways';
import { readPythonConfig } from './sqlmeshPython';
import { isRecord, readSharedSettings, readVariables, type ConfigSource, type SharedSettings } from './settings';
import { yamlSource } from './yamlSource';

/** SQLMesh's config file names, in the order they are looked for. */
export const SQLMESH_CONFIG_FILES = ['config.yaml', 'config.yml', 'config.py'];

export interface SqlmeshSettings extends SharedSettings {
  /** The config file read. */
  file: string;
  name?: string;
  /** Absolute path of the default gateway's DuckDB database, when it has one on disk. */
  warehouse?: string;
  /** Gateways whose connection Sluice can run models on (duckdb with a file, postgres). */
  gateways: Record<string, SluiceGateway>;
  /** The default gateway, when it is a PostgreSQL one (a DuckDB default gives the warehouse instead). */
  defaultGateway?: string;
}

/** The SQLMesh config file of a folder, when it is a SQLMesh project (a config file and a models/ folder). */
export function sqlmeshConfigFile(dir: string): string | undefined {
  if (!isDirectory(path.join(dir, 'models'))) return undefined;
  return SQLMESH_CONFIG_FILES.map((name) => path.join(dir, name)).find((file) => isFile(file));
}

export function readSqlmeshConfig(dir: string, file: string): SqlmeshSettings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new SluiceError(`cannot read ${file}`);
  }
  const notes: string[] = [];
  let source: ConfigSource;
  if (file.endsWith('.py')) {
    const read = readPythonConfig(file, text);
    source = read.source;
    notes.push(...read.notes);
  } else {
    source = yamlSource(file, substituteEnvVars(file, text, notes));
  }
  const shared = readSharedSettings(source);
  const settings: SqlmeshSettings = { ...shared, file, notes: [...notes, ...shared.notes], gateways: {} };
  const project = source.value(['project']);
  if (typeof project === 'string' && project.trim() !== '') settings.name = project;
  const gateway = defaultGateway(source, settings.notes);
  if (gateway) {
    // A gateway's variables override the project's, name by name.
    Object.assign(settings.models.variables, readVariables(source, ['gateways', gateway.name, 'variables'], settings.notes));
  }
  settings.gateways = runnableGateways(source, dir);
  if (gateway && settings.gateways[gateway.name]?.type === 'postgres') {
    settings.defaultGateway = gateway.name;
    return settings;
  }
  const warehouse = gateway ? duckdbFile(source, gateway.at, gateway.connection, gateway.name, settings.notes) : undefined;
  if (warehouse) settings.warehouse = path.resolve(dir, warehouse);
  return settings;
}

interface Gateway {
  name: string;
  connection: unknown;
  /** Key path of the connection. */
  at: (string | number)[];
}

function defaultGateway(source: ConfigSource, notes: string[]): Gateway | undefined {
  const gateways = source.value(['gateways']);
  const named = source.value(['default_gateway']);
  if (isRecord(gateways) && Object.keys(gateways).length > 0) {
    const names = Object.keys(gateways);
    const name = typeof named === 'string' && named !== '' ? named : names[0];
    const gateway = gateways[name];
    if (gateway === undefined) {
      throw new SluiceError(`${source.where(['default_gateway'])}: default_gateway ${name} is not one of the gateways (${names.join(', ')})`);
    }
    if (isRecord(gateway) && gateway.connection !== undefined) return { name, connection: gateway.connection, at: ['gateways', name, 'connection'] };
  }
  const fallback = source.value(['default_connection']);
  if (fallback !== undefined) return { name: 'default', connection: fallback, at: ['default_connection'] };
  if (gateways !== undefined && !isRecord(gateways)) notes.push(`${source.where(['gateways'])}: gateways must map gateway names to their settings; Sluice keeps the warehouse in warehouse.duckdb`);
  return undefined;
}

/** Gateways with a DuckDB file or a PostgreSQL connection, as Sluice gateways (`--gateway NAME`). */
function runnableGateways(source: ConfigSource, dir: string): Record<string, SluiceGateway> {
  const gateways = source.value(['gateways']);
  const out: Record<string, SluiceGateway> = {};
  if (!isRecord(gateways)) return out;
  for (const [name, gateway] of Object.entries(gateways)) {
    const connection = isRecord(gateway) ? gateway.connection : undefined;
    if (!isRecord(connection) || typeof connection.type !== 'string') continue;
    const type = connection.type.toLowerCase();
    if (type === 'postgres') {
      out[name] = { name, type: 'postgres', url: postgresUrl(connection) };
    } else if (type === 'duckdb') {
      const file = duckdbFile(source, [], connection, name, []);
      if (file) out[name] = { name, type: 'duckdb', path: path.resolve(dir, file) };
    }
  }
  return out;
}

/** SQLMesh's postgres connection (host, port, user, password, database) as a URL. */
function postgresUrl(connection: Record<string, unknown>): string {
  const part = (key: string) => (connection[key] === undefined || connection[key] === null ? '' : String(connection[key]));
  const user = part('user') || part('username');
  const password = part('password');
  const auth = user ? `${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@` : '';
  const port = part('port');
  return `postgres://${auth}${part('host') || 'localhost'}${port ? `:${port}` : ''}/${encodeURIComponent(part('database'))}`;
}

/** The database file of a DuckDB connection; anything else is noted and gives the default warehouse. */
function duckdbFile(source: ConfigSource, at: (string | number)[], connection: unknown, gateway: string, notes: string[]): string | undefined {
  const type = isRecord(connection) && typeof connection.type === 'string' ? connection.type.toLowerCase() : undefined;
  if (!isRecord(connection) || type !== 'duckdb') {
    notes.push(`${source.where(at)}: gateway ${gateway} connects to ${type ?? 'an engine Sluice cannot tell'}; Sluice runs the models on DuckDB, in warehouse.duckdb`);
    return undefined;
  }
  const database = connection.database;
  if (typeof database === 'string' && database !== '' && database !== ':memory:') return database;
  // catalogs: { name: path } — the first catalog is the default one.
  const catalogs = connection.catalogs;
  const first = isRecord(catalogs) ? Object.values(catalogs)[0] : undefined;
  const catalogPath = typeof first === 'string' ? first : isRecord(first) && typeof first.path === 'string' ? first.path : undefined;
  if (catalogPath && catalogPath !== ':memory:') return catalogPath;
  notes.push(`${source.where(at)}: gateway ${gateway} uses an in-memory DuckDB database; Sluice keeps the warehouse in warehouse.duckdb, so that environments last between commands`);
  return undefined;
}

/** SQLMesh's {{ env_var('NAME') }} / {{ env_var('NAME', 'default') }} in config.yaml. */
function substituteEnvVars(file: string, text: string, notes: string[]): string {
  return text.replace(/\{\{\s*env_var\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])(.*?)\3\s*)?\)\s*\}\}/g, (whole, _q, name: string, _q2, fallback: string | undefined, offset: number) => {
    const value = process.env[name] ?? fallback;
    if (value !== undefined) return value;
    const line = text.slice(0, offset).split('\n').length;
    notes.push(`${file}:${line}: environment variable ${name} is not set; it reads as empty`);
    return '';
  });
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
