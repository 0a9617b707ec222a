// Identifies an item across runs, for skipping items at the incremental boundary that were loaded last time.

import { createHash } from 'node:crypto';
import { SluiceError } from '../../errors';

/**
 * A hash of the item's primary key fields (read from the raw item), or of the whole item when
 * the resource has no primary key. Equal keys give equal hashes regardless of property order.
 */
export function itemKey(item: Record<string, unknown>, primaryKey: readonly string[] | undefined, resource: string): string {
  const identity = primaryKey ? primaryKey.map((field) => item[field] ?? null) : item;
  const text = stableJson(identity, resource);
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** JSON with object keys sorted; bigints, Dates and byte arrays get unambiguous forms. */
export function stableJson(value: unknown, resource = '?'): string {
  const seen = new Set<object>();
  const walk = (v: unknown): string => {
    if (v === undefined || v === null || typeof v === 'function' || typeof v === 'symbol') return 'null';
    if (typeof v === 'bigint') return `{"$bigint":"${v}"}`;
    if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : `{"$number":"${v}"}`;
    if (typeof v !== 'object') return JSON.stringify(v);
    if (v instanceof Date) return `{"$date":${JSON.stringify(Number.isNaN(v.getTime()) ? null : v.toISOString())}}`;
    if (v instanceof Uint8Array) return `{"$bytes":"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"}`;
    if (seen.has(v)) throw new SluiceError(`resource "${resource}": an item refers to itself (circular structure)`);
    seen.add(v);
    let out: string;
    if (Array.isArray(v)) {
      out = `[${v.map(walk).join(',')}]`;
    } else {
      const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
      out = `{${keys.map((k) => `${JSON.stringify(k)}:${walk((v as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    seen.delete(v);
    return out;
  };
  return walk(value);
}
