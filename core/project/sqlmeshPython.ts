// SQLMesh's config.py, read without running it: the `config = Config(...)` assignment, keyword by keyword.
// Keywords whose value is built from literals (also through module-level names holding literals, `**dict`
// and SQLMesh's config classes) are read; the others are listed in one note, since only Python could
// compute them.

import { LineMap } from '../models/position';
import { calleeName, evaluate, NotLiteral, readPythonModule, type EvaluateOptions, type PyExpr, type PyModule, type PyValue } from '../python/literals';
import type { ConfigSource } from './settings';

/** The Config keywords Sluice acts on; the rest are not read at all. */
const READ_KEYS = new Set([
  'gateways', 'default_gateway', 'default_connection', 'model_defaults', 'variables', 'default_target_environment', 'environment_ttl',
  'before_all', 'after_all', 'project', 'model_naming',
]);

/** Config classes whose keyword arguments are the settings themselves. */
const PLAIN_CLASSES = new Set(['Config', 'GatewayConfig', 'ModelDefaultsConfig', 'NameInferenceConfig', 'dict']);

export interface PythonConfig {
  source: ConfigSource;
  /** What could not be read, in one note (empty when everything Sluice uses was read). */
  notes: string[];
}

export function readPythonConfig(file: string, text: string): PythonConfig {
  const lines = new LineMap(text);
  const at = (offset: number) => {
    const p = lines.position(offset);
    return `${file}:${p.line}:${p.column}`;
  };
  const settings: Record<string, PyValue> = {};
  const positions = new Map<string, number>();
  const source: ConfigSource = {
    file,
    value: (keys) => {
      let current: unknown = settings;
      for (const key of keys) {
        if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
        current = (current as Record<string | number, unknown>)[key];
      }
      return current;
    },
    where: (keys) => at(positions.get(String(keys[0])) ?? 0),
  };

  const module = readPythonModule(text);
  const config = module.assignments.get('config');
  if (!config || config.type !== 'call' || calleeName(config) !== 'Config') {
    return { source, notes: [`${file}: no \`config = Config(...)\` that Sluice can read without running Python; its settings are not used (a config.yaml, or settings in sluice.yaml, can give them)`] };
  }
  const options = evaluateOptions(module);
  const unread: string[] = [];
  const skip = (key: string, err: unknown): void => {
    if (!(err instanceof NotLiteral)) throw err;
    unread.push(`${key} (line ${lines.position(err.at.start).line}: ${err.why})`);
  };
  if (config.spreads.length > 0) unread.push(`**${text.slice(config.spreads[0].start, config.spreads[0].end)}`);
  for (const kw of config.kwargs) {
    if (!READ_KEYS.has(kw.name)) continue;
    positions.set(kw.name, kw.value.start);
    if (kw.name === 'gateways' && kw.value.type === 'dict') {
      // Each gateway on its own: one that cannot be read does not hide the others.
      const gateways: Record<string, PyValue> = {};
      for (const entry of kw.value.entries) {
        if ('spread' in entry || entry.key.type !== 'str') {
          unread.push(`a gateway (line ${lines.position(('spread' in entry ? entry.spread : entry.key).start).line})`);
          continue;
        }
        try {
          gateways[entry.key.value] = evaluate(entry.value, options);
        } catch (err) {
          skip(`gateway ${entry.key.value}`, err);
        }
      }
      settings.gateways = gateways;
      continue;
    }
    try {
      settings[kw.name] = evaluate(kw.value, options);
    } catch (err) {
      skip(kw.name, err);
    }
  }
  const notes = unread.length === 0 ? [] : [`${file}: read without running Python; not read: ${unread.join('; ')}`];
  return { source, notes };
}

/** Module-level names holding literals, ModelKindName.X, and SQLMesh's config classes as plain mappings. */
function evaluateOptions(module: PyModule): EvaluateOptions {
  const resolving = new Set<string>();
  const options: EvaluateOptions = {
    name: (path) => {
      if (path.length === 2 && path[0] === 'ModelKindName') return path[1];
      if (path.length !== 1 || resolving.has(path[0])) return undefined;
      const assigned: PyExpr | undefined = module.assignments.get(path[0]);
      if (!assigned) return undefined;
      resolving.add(path[0]);
      try {
        return evaluate(assigned, options);
      } finally {
        resolving.delete(path[0]);
      }
    },
    call: (callee) => {
      const name = callee.split('.').pop()!;
      if (PLAIN_CLASSES.has(name)) return (kwargs) => kwargs;
      // DuckDBConnectionConfig(database=...) → { type: 'duckdb', database: ... }
      const connection = /^(\w+?)ConnectionConfig$/.exec(name);
      if (connection) return (kwargs) => ({ type: connection[1].toLowerCase(), ...kwargs });
      return undefined;
    },
  };
  return options;
}
