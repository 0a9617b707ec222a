// Dependent resources: `{resources.<parent>.<field>}` placeholders in an endpoint's path or params, and
// dlt's older `{ type: 'resolve', resource, field }` params, filled from each item of the parent resource.

import { SluiceError } from '../../errors';
import { readPath } from '../../ingest/extract/cursor';
import { describeValue } from '../../ingest/extract/describe';
import type { Item } from '../../ingest/types';
import type { EndpointConfig, ResolveParam } from './config';

const REFERENCE = /\{resources\.([^.{}]+)\.([^{}]+)\}/g;
const ANY_PLACEHOLDER = /\{([^{}]*)\}/g;

/** One value taken from the parent item: where it goes (path or query param) and which field it is. */
export interface Binding {
  field: string;
  /** Query parameter it is sent as, or undefined when it is substituted into the path or a param's text. */
  param?: string;
}

export interface Dependency {
  parent: string;
  /** Parent fields the endpoint needs, in order of first use. */
  fields: string[];
}

/** The parent resource an endpoint depends on, or undefined; throws for two parents or unknown placeholders. */
export function findDependency(endpoint: EndpointConfig, where: string): Dependency | undefined {
  const parents = new Set<string>();
  const fields: string[] = [];
  const use = (parent: string, field: string) => {
    parents.add(parent);
    if (!fields.includes(field)) fields.push(field);
  };
  const resolveNames = new Set<string>();
  for (const [name, value] of Object.entries(endpoint.params ?? {})) {
    if (typeof value === 'string') for (const m of value.matchAll(REFERENCE)) use(m[1], m[2]);
    else if (typeof value === 'object' && value.type === 'resolve') {
      use(value.resource, value.field);
      resolveNames.add(name);
    }
  }
  for (const m of (endpoint.path ?? '').matchAll(ANY_PLACEHOLDER)) {
    const ref = /^resources\.([^.]+)\.(.+)$/.exec(m[1]);
    if (ref) use(ref[1], ref[2]);
    else if (!resolveNames.has(m[1]) && !m[1].startsWith('secrets.')) {
      throw new SluiceError(
        `${where}.path: placeholder {${m[1]}} is neither {resources.<parent>.<field>} nor a resolve parameter in params`,
      );
    }
  }
  if (parents.size > 1) throw new SluiceError(`${where}: depends on several resources (${[...parents].join(', ')}); a resource has one parent`);
  const [parent] = parents;
  return parent === undefined ? undefined : { parent, fields };
}

/** The parent item's values of the fields a child needs, by field; throws naming the missing field. */
export function parentValues(item: Item, dependency: Dependency, child: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of dependency.fields) {
    const value = readPath(item, field.split('.'));
    if (value === undefined || value === null || typeof value === 'object') {
      throw new SluiceError(
        `resource "${child}" needs field "${field}" of each "${dependency.parent}" item, but an item has ${describeValue(value)} there`,
      );
    }
    values[field] = value;
  }
  return values;
}

/** The endpoint's path and params with the parent's values put in place; resolve params go into the path when it names them. */
export function bindEndpoint(
  endpoint: EndpointConfig,
  values: Record<string, unknown>,
): { path: string; params: Record<string, unknown> } {
  const fill = (text: string, encode: boolean) =>
    text.replace(REFERENCE, (_, __, field: string) => (encode ? encodeURIComponent(String(values[field])) : String(values[field])));
  let path = fill(endpoint.path ?? '', true);
  const params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(endpoint.params ?? {})) {
    if (typeof value === 'object' && (value as ResolveParam).type === 'resolve') {
      const v = String(values[(value as ResolveParam).field]);
      if (path.includes(`{${name}}`)) path = path.split(`{${name}}`).join(encodeURIComponent(v));
      else params[name] = v;
    } else if (typeof value === 'string') params[name] = fill(value, false);
    else params[name] = value;
  }
  return { path, params };
}
