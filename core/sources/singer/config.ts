// The singerTap() config: which tap to run and how its streams are written, checked when the source
// module loads, before the tap is ever started.

import { SluiceError } from '../../errors';
import { describeType, describeValue, isPlainObject } from '../../ingest/extract/describe';

export interface SingerStreamConfig {
  /** Merge on these fields instead of the tap's key_properties. */
  primary_key?: string | string[];
  /** Default: merge when the stream has key properties, else append. */
  write_disposition?: 'append' | 'replace' | 'merge';
}

export interface SingerTapConfig {
  /** The source name: the DuckDB schema the streams land in. */
  name: string;
  /** The tap and its arguments, run without a shell from the project directory: ['tap-asana', '--config', 'tap_config.json']. */
  command: string[];
  /** A catalog file (relative to the project); without it the tap is run with --discover and every stream is used. */
  catalog?: string;
  /** The tap's config, written to a private temporary file passed with --config; '${secrets.NAME}' fills in secrets. */
  config?: Record<string, unknown>;
  /** Per stream: primary key and write disposition instead of the defaults. */
  streams?: Record<string, SingerStreamConfig>;
}

const CONFIG_KEYS = ['name', 'command', 'catalog', 'config', 'streams'];
const STREAM_KEYS = ['primary_key', 'write_disposition'];
const DISPOSITIONS = ['append', 'replace', 'merge'];

export function validateSingerConfig(value: unknown): SingerTapConfig {
  if (!isPlainObject(value)) throw new SluiceError(`singerTap() needs a config object { name, command }, got ${describeType(value)}`);
  const config = value as Record<string, unknown>;
  const name = typeof config.name === 'string' && config.name.trim() ? config.name : undefined;
  const fail = (message: string): never => {
    throw new SluiceError(`${name ? `source "${name}"` : 'singerTap()'}: ${message}`);
  };
  if (!name) fail(`needs a name (a non-empty string), got ${describeValue(config.name)}`);
  for (const key of Object.keys(config)) if (!CONFIG_KEYS.includes(key)) fail(`unknown key ${JSON.stringify(key)} (known: ${CONFIG_KEYS.join(', ')})`);
  const command = config.command;
  if (!Array.isArray(command) || command.length === 0 || command.some((part) => typeof part !== 'string' || part === '')) {
    fail(`command must be a non-empty list of strings such as ['tap-asana', '--config', 'tap_config.json'], got ${describeValue(command)}`);
  }
  if (config.catalog !== undefined && (typeof config.catalog !== 'string' || !config.catalog)) {
    fail(`catalog must be the path of a catalog file, got ${describeValue(config.catalog)}`);
  }
  if (config.config !== undefined) {
    if (!isPlainObject(config.config)) fail(`config must be an object (the tap's config), got ${describeType(config.config)}`);
    if ((command as string[]).includes('--config')) fail('give the tap\'s config either as config or as --config in command, not both');
  }
  if (config.streams !== undefined) {
    if (!isPlainObject(config.streams)) fail(`streams must be an object { <stream>: { primary_key, write_disposition } }, got ${describeType(config.streams)}`);
    for (const [stream, spec] of Object.entries(config.streams as Record<string, unknown>)) {
      const at = `streams.${stream}`;
      if (!isPlainObject(spec)) fail(`${at} must be an object { primary_key, write_disposition }, got ${describeType(spec)}`);
      const s = spec as Record<string, unknown>;
      for (const key of Object.keys(s)) if (!STREAM_KEYS.includes(key)) fail(`${at}: unknown key ${JSON.stringify(key)} (known: ${STREAM_KEYS.join(', ')})`);
      if (s.write_disposition !== undefined && !DISPOSITIONS.includes(s.write_disposition as string)) {
        fail(`${at}.write_disposition must be one of ${DISPOSITIONS.join(', ')}, got ${describeValue(s.write_disposition)}`);
      }
      const key = s.primary_key;
      if (key !== undefined && !(typeof key === 'string' && key) && !(Array.isArray(key) && key.length > 0 && key.every((k) => typeof k === 'string' && k))) {
        fail(`${at}.primary_key must be a field name or a list of them, got ${describeValue(key)}`);
      }
    }
  }
  return config as unknown as SingerTapConfig;
}
