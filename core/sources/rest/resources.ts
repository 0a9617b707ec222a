// Turns the config's resources into one plan per resource: defaults merged in, shorthand expanded,
// parent and incremental settings worked out, cross-resource references checked. Runs before any request.

import { SluiceError } from '../../errors';
import type { IncrementalSpec } from '../../ingest/types';
import type { EndpointConfig, IncrementalParam, RestApiConfig, ResourceConfig } from './config';
import { type Dependency, findDependency } from './resolve';

export interface IncrementalPlan {
  spec: IncrementalSpec;
  /** Query parameter that carries the start value (the previous run's last value, else initial_value). */
  startParam?: string;
  /** Query parameter that carries end_value. */
  endParam?: string;
}

export interface ResourcePlan {
  config: ResourceConfig;
  endpoint: EndpointConfig;
  dependency?: Dependency;
  incremental?: IncrementalPlan;
}

export function planResources(config: RestApiConfig): ResourcePlan[] {
  const defaults = config.resource_defaults ?? {};
  const plans = config.resources.map((entry, index) => {
    const own: ResourceConfig = typeof entry === 'string' ? { name: entry } : entry;
    const ownEndpoint: EndpointConfig = typeof own.endpoint === 'string' ? { path: own.endpoint } : own.endpoint ?? {};
    const endpoint: EndpointConfig = {
      ...defaults.endpoint,
      ...ownEndpoint,
      params: { ...defaults.endpoint?.params, ...ownEndpoint.params },
    };
    if (endpoint.path === undefined) endpoint.path = own.name;
    const resource: ResourceConfig = { ...defaults, ...own, endpoint } as ResourceConfig;
    const where = `resources[${index}] ("${own.name}").endpoint`;
    return { config: resource, endpoint, dependency: findDependency(endpoint, where), incremental: incrementalPlan(endpoint) };
  });
  checkParents(plans);
  return plans;
}

function incrementalPlan(endpoint: EndpointConfig): IncrementalPlan | undefined {
  const fromParams = Object.entries(endpoint.params ?? {}).find(
    ([, v]) => typeof v === 'object' && (v as IncrementalParam).type === 'incremental',
  ) as [string, IncrementalParam] | undefined;
  if (fromParams) {
    const [param, p] = fromParams;
    delete endpoint.params![param];
    return { spec: spec(p.cursor_path, p.initial_value, p.end_value), startParam: param };
  }
  const inc = endpoint.incremental;
  if (!inc) return undefined;
  return {
    spec: spec(inc.cursor_path, inc.initial_value, inc.end_value, inc.last_value_func),
    startParam: inc.start_param,
    endParam: inc.end_param,
  };
}

function spec(cursorPath: string, initialValue: unknown, endValue: unknown, lastValue?: 'max' | 'min'): IncrementalSpec {
  // dlt's cursor paths are JSONPaths; Sluice's incremental cursor is a dotted field path.
  const cursor = cursorPath.replace(/^\$\.?/, '');
  const out: IncrementalSpec = { cursor };
  if (initialValue !== undefined) out.initialValue = initialValue;
  if (endValue !== undefined) out.endValue = endValue;
  if (lastValue !== undefined) out.lastValue = lastValue;
  return out;
}

/** Every parent exists, is not the resource itself, and following parents never comes back around. */
function checkParents(plans: ResourcePlan[]): void {
  const names = plans.map((p) => p.config.name);
  plans.forEach((plan, index) => {
    const parent = plan.dependency?.parent;
    if (parent === undefined) return;
    const where = `resources[${index}] ("${plan.config.name}")`;
    if (parent === plan.config.name) throw new SluiceError(`${where} depends on itself`);
    if (!names.includes(parent)) throw new SluiceError(`${where} depends on resource "${parent}", which is not defined (resources: ${names.join(', ')})`);
  });
  const parentOf = new Map(plans.filter((p) => p.dependency).map((p) => [p.config.name, p.dependency!.parent]));
  for (const start of parentOf.keys()) {
    const seen = [start];
    for (let at = parentOf.get(start); at !== undefined; at = parentOf.get(at)) {
      if (seen.includes(at)) throw new SluiceError(`resources depend on each other in a cycle: ${[...seen, at].join(' -> ')}`);
      seen.push(at);
    }
  }
  for (const [index, plan] of plans.entries()) {
    if (plan.config.include_from_parent && !plan.dependency) {
      throw new SluiceError(`resources[${index}] ("${plan.config.name}").include_from_parent is set, but the resource has no parent`);
    }
  }
}
