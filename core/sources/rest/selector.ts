// Finding things in a response body: the list of items (data_selector as a JSONPath, or found by looking)
// and single values such as a next-page URL, a cursor or a total (JSONPath or dotted paths).

import { JSONPath } from 'jsonpath-plus';

/** The value at a JSONPath ('$.meta.next', 'meta.next'); undefined when nothing matches. */
export function valueAt(body: unknown, path: string): unknown {
  if (body === null || typeof body !== 'object') return undefined;
  const results = JSONPath({ path, json: body as object, wrap: true }) as unknown[];
  return results.length === 0 ? undefined : results[0];
}

/** The items a data_selector picks: a matched list is the items, a matched object is one item. */
export function selectItems(body: unknown, selector: string): unknown[] {
  if (body === null || typeof body !== 'object') return [];
  const results = JSONPath({ path: selector, json: body as object, wrap: true }) as unknown[];
  if (results.length === 1) {
    const [only] = results;
    if (Array.isArray(only)) return only;
    return only === null || only === undefined ? [] : [only];
  }
  return results.filter((r) => r !== null && r !== undefined);
}

/** Keys that APIs commonly put their list under, most telling first. */
const LIST_KEYS = ['data', 'items', 'results', 'records', 'entries', 'values', 'objects', 'rows', 'list', 'hits', 'nodes', 'elements', 'content'];

/**
 * The JSONPath of the item list in a response when none is configured: the body itself when it is a
 * list; else a well-known key holding a list, at the top or one level down; else the only list of
 * objects at the top (or the only list, when empty); else the body as one item.
 */
export function detectSelector(body: unknown): string {
  if (Array.isArray(body) || body === null || typeof body !== 'object') return '$';
  const obj = body as Record<string, unknown>;
  for (const key of LIST_KEYS) if (Array.isArray(obj[key])) return `$.${key}`;
  for (const [outer, inner] of Object.entries(obj)) {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) continue;
    for (const key of LIST_KEYS) if (Array.isArray((inner as Record<string, unknown>)[key])) return `$.${outer}.${key}`;
  }
  const lists = Object.entries(obj).filter(([, v]) => Array.isArray(v));
  const ofObjects = lists.filter(([, v]) => (v as unknown[]).some((x) => x !== null && typeof x === 'object'));
  // An empty list still marks where items go ({ messages: [] }): an object holding one list is not an item.
  if (ofObjects.length === 1) return `$${step(ofObjects[0][0])}`;
  if (ofObjects.length === 0 && lists.length === 1) return `$${step(lists[0][0])}`;
  return '$';
}

/** One JSONPath step for a key: .key when it is a plain name, else ['key']. */
function step(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}
