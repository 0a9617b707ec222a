// The files() config: resources read from files matched by a glob, checked when the source module loads.

import { SluiceError } from '../../errors';
import { describeType, describeValue, isPlainObject } from '../../ingest/extract/describe';

export const FILE_FORMATS = ['jsonl', 'json', 'csv', 'parquet'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export interface FileResourceConfig {
  name: string;
  /** Files to read, relative to the project directory: 'data/events/*.jsonl'. */
  glob: string;
  format: FileFormat;
  /** Merge on these fields instead of appending. */
  primary_key?: string | string[];
  write_disposition?: 'append' | 'replace' | 'merge';
}

export interface FilesConfig {
  name: string;
  resources: FileResourceConfig[];
}

const CONFIG_KEYS = ['name', 'resources'];
const RESOURCE_KEYS = ['name', 'glob', 'format', 'primary_key', 'write_disposition'];

export function validateFilesConfig(value: unknown): FilesConfig {
  if (!isPlainObject(value)) throw new SluiceError(`files() needs a config object { name, resources }, got ${describeType(value)}`);
  const config = value as Record<string, unknown>;
  const name = typeof config.name === 'string' && config.name.trim() ? config.name : undefined;
  const fail = (message: string): never => {
    throw new SluiceError(`${name ? `source "${name}"` : 'files()'}: ${message}`);
  };
  if (!name) fail(`needs a name (a non-empty string), got ${describeValue(config.name)}`);
  for (const key of Object.keys(config)) if (!CONFIG_KEYS.includes(key)) fail(`unknown key ${JSON.stringify(key)} (known: ${CONFIG_KEYS.join(', ')})`);
  if (!Array.isArray(config.resources) || config.resources.length === 0) fail('resources must be a non-empty list of { name, glob, format }');
  (config.resources as unknown[]).forEach((resource, index) => {
    const at = `resources[${index}]`;
    if (!isPlainObject(resource)) fail(`${at} must be an object { name, glob, format }, got ${describeType(resource)}`);
    const r = resource as Record<string, unknown>;
    for (const key of Object.keys(r)) if (!RESOURCE_KEYS.includes(key)) fail(`${at}: unknown key ${JSON.stringify(key)} (known: ${RESOURCE_KEYS.join(', ')})`);
    if (typeof r.name !== 'string' || !r.name) fail(`${at} needs a name, got ${describeValue(r.name)}`);
    if (typeof r.glob !== 'string' || !r.glob) fail(`${at} ("${r.name}") needs a glob such as "data/*.jsonl", got ${describeValue(r.glob)}`);
    if (!(FILE_FORMATS as readonly unknown[]).includes(r.format)) {
      fail(`${at} ("${r.name}"): format must be one of ${FILE_FORMATS.join(', ')}, got ${describeValue(r.format)}`);
    }
  });
  return config as unknown as FilesConfig;
}
