// A YAML settings file as a ConfigSource: values by key path, and the line and column each is written at.

import { LineCounter, parseDocument, isMap, isNode, isScalar } from 'yaml';
import { SluiceError } from '../errors';
import type { ConfigSource } from './settings';

export interface YamlSource extends ConfigSource {
  /** The whole document as plain data. */
  raw: Record<string, unknown>;
}

/** Parses a YAML file; a syntax error or a top level that is not a mapping throws, naming file:line:col. */
export function yamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const [line, col] = err.linePos?.[0] ? [err.linePos[0].line, err.linePos[0].col] : [1, 1];
    // yaml's message repeats the position ("… at line 4, column 3:"); the prefix already says where.
    const message = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new SluiceError(`${file}:${line}:${col}: ${message}`);
  }
  const raw = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new SluiceError(`${file}:1:1: expected a mapping at the top level`);
  const value = (keys: readonly (string | number)[]): unknown => {
    let current: unknown = raw;
    for (const key of keys) {
      if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
      current = (current as Record<string | number, unknown>)[key];
    }
    return current;
  };
  const where = (keys: readonly (string | number)[], place: 'key' | 'value' = 'value'): string => {
    // The key itself (an unknown setting): the pair in its parent mapping.
    if (place === 'key' && keys.length > 0) {
      const parent = keys.length === 1 ? doc.contents : doc.getIn(keys.slice(0, -1), true);
      const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(keys[keys.length - 1])) : undefined;
      const range = isNode(pair?.key) ? pair.key.range : undefined;
      if (range) {
        const { line, col } = lineCounter.linePos(range[0]);
        return `${file}:${line}:${col}`;
      }
    }
    for (let n = keys.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
      if (isNode(node) && node.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return `${file}:${line}:${col}`;
      }
    }
    return `${file}:1:1`;
  };
  return { file, raw: raw as Record<string, unknown>, value, where };
}
