// Checks a REST API source config before any request is made. Each problem is one line naming the
// field path (resources[1].endpoint.paginator.limit), so a pasted dlt config is fixed key by key.

import { closeNames } from '../../dag/suggest';
import { SluiceError } from '../../errors';
import { describeType, describeValue, isPlainObject } from '../../ingest/extract/describe';
import type { RestApiConfig } from './config';

/** Known keys per config object; schemas/rest-api.schema.json lists the same keys (a test keeps them equal). */
export const CONFIG_KEYS = {
  source: ['name', 'client', 'resource_defaults', 'resources'],
  client: ['base_url', 'headers', 'auth', 'paginator', 'timeout', 'max_retries', 'backoff_seconds', 'requests_per_second'],
  resource: [
    'name', 'endpoint', 'primary_key', 'merge_key', 'write_disposition', 'table_name', 'max_table_nesting',
    'selected', 'include_from_parent', 'processing_steps', 'schema_contract',
  ],
  endpoint: ['path', 'method', 'params', 'json', 'paginator', 'data_selector', 'response_actions', 'incremental'],
  incremental: ['cursor_path', 'start_param', 'end_param', 'initial_value', 'end_value', 'last_value_func'],
  incrementalParam: ['type', 'cursor_path', 'initial_value', 'end_value'],
  resolveParam: ['type', 'resource', 'field'],
  responseAction: ['status_code', 'content', 'action'],
  auth: {
    bearer: ['type', 'token'],
    api_key: ['type', 'name', 'api_key', 'location'],
    http_basic: ['type', 'username', 'password'],
    oauth2_client_credentials: [
      'type', 'access_token_url', 'client_id', 'client_secret', 'access_token_request_data', 'default_token_expiration',
    ],
  },
  paginator: {
    json_link: ['type', 'next_url_path'],
    header_link: ['type', 'links_next_key'],
    offset: ['type', 'limit', 'offset', 'offset_param', 'limit_param', 'total_path', 'maximum_offset'],
    page_number: ['type', 'base_page', 'page', 'page_param', 'total_path', 'maximum_page'],
    cursor: ['type', 'cursor_path', 'cursor_param'],
    single_page: ['type'],
    auto: ['type'],
  },
} as const;

const DISPOSITIONS = ['append', 'replace', 'merge'];
const STRATEGIES = ['delete-insert', 'upsert', 'scd2'];
const CONTRACT_MODES = ['evolve', 'freeze', 'discard_row', 'discard_value'];

type Obj = Record<string, unknown>;

class Checker {
  constructor(private readonly where: string) {}

  fail(path: string, message: string): never {
    throw new SluiceError(`${this.where}: ${path} ${message}`);
  }

  object(value: unknown, path: string, what = 'an object'): Obj {
    if (!isPlainObject(value)) this.fail(path, `must be ${what}, got ${describeType(value)}`);
    return value as Obj;
  }

  keys(obj: Obj, known: readonly string[], path: string): void {
    for (const key of Object.keys(obj)) {
      if (known.includes(key)) continue;
      const squash = (k: string) => k.toLowerCase().replace(/[_\-\s]/g, '');
      const near = known.find((k) => squash(k) === squash(key)) ?? closeNames(key, known, 1)[0];
      this.fail(`${path}.${key}`, `is not a known property (${near ? `did you mean "${near}"?` : `known: ${known.join(', ')}`})`);
    }
  }

  string(value: unknown, path: string, optional = false): void {
    if (value === undefined && optional) return;
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, `must be a non-empty string, got ${describeValue(value)}`);
  }

  number(value: unknown, path: string, min: number, whole = true): void {
    if (value === undefined) return;
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && (!whole || Number.isInteger(value));
    if (!ok) this.fail(path, `must be a ${whole ? 'whole ' : ''}number >= ${min}, got ${describeValue(value)}`);
  }

  oneOf(value: unknown, options: readonly string[], path: string): void {
    if (typeof value !== 'string' || !options.includes(value)) {
      this.fail(path, `must be one of ${options.join(', ')}, got ${describeValue(value)}`);
    }
  }

  stringMap(value: unknown, path: string): void {
    if (value === undefined) return;
    for (const [k, v] of Object.entries(this.object(value, path))) {
      if (typeof v !== 'string') this.fail(`${path}.${k}`, `must be a string, got ${describeType(v)}`);
    }
  }

  keyList(value: unknown, path: string): void {
    if (value === undefined) return;
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || list.some((k) => typeof k !== 'string' || !k)) {
      this.fail(path, `must be a field name or a non-empty list of field names, got ${describeValue(value)}`);
    }
  }
}

/** Validates the config and returns it typed; throws a SluiceError naming the first bad field. */
export function validateRestApiConfig(value: unknown): RestApiConfig {
  const name = isPlainObject(value) && typeof value.name === 'string' ? value.name : undefined;
  const c = new Checker(name ? `restApiSource "${name}"` : 'restApiSource');
  const config = c.object(value, 'the config', 'an object { name, client, resources }');
  c.keys(config, CONFIG_KEYS.source, 'config');
  c.string(config.name, 'name');
  checkClient(c, config.client);
  if (config.resource_defaults !== undefined) {
    const defaults = c.object(config.resource_defaults, 'resource_defaults');
    c.keys(defaults, CONFIG_KEYS.resource.filter((k) => k !== 'name'), 'resource_defaults');
    checkResourceBody(c, defaults, 'resource_defaults', true);
  }
  if (!Array.isArray(config.resources) || config.resources.length === 0) {
    c.fail('resources', `must be a non-empty list of resources, got ${describeValue(config.resources)}`);
  }
  const names = new Set<string>();
  (config.resources as unknown[]).forEach((r, i) => {
    const path = `resources[${i}]`;
    if (typeof r === 'string') {
      c.string(r, path);
      if (names.has(r)) c.fail(path, `defines resource "${r}" a second time`);
      names.add(r);
      return;
    }
    const resource = c.object(r, path, 'a resource name or an object { name, endpoint, ... }');
    c.keys(resource, CONFIG_KEYS.resource, path);
    c.string(resource.name, `${path}.name`);
    if (names.has(resource.name as string)) c.fail(`${path}.name`, `"${resource.name}" is used by another resource`);
    names.add(resource.name as string);
    checkResourceBody(c, resource, path, false);
  });
  return value as RestApiConfig;
}

function checkClient(c: Checker, value: unknown): void {
  const client = c.object(value, 'client', 'an object { base_url, auth, paginator, headers }');
  c.keys(client, CONFIG_KEYS.client, 'client');
  c.string(client.base_url, 'client.base_url');
  const base = client.base_url as string;
  if (!/^https?:\/\//i.test(base) && !base.startsWith('${')) c.fail('client.base_url', `must start with http:// or https://, got ${describeValue(base)}`);
  c.stringMap(client.headers, 'client.headers');
  if (client.auth !== undefined) checkAuth(c, client.auth);
  if (client.paginator !== undefined) checkPaginator(c, client.paginator, 'client.paginator');
  c.number(client.timeout, 'client.timeout', 0.001, false);
  c.number(client.max_retries, 'client.max_retries', 0);
  c.number(client.backoff_seconds, 'client.backoff_seconds', 0, false);
  c.number(client.requests_per_second, 'client.requests_per_second', 0.001, false);
}

function checkAuth(c: Checker, value: unknown): void {
  const auth = c.object(value, 'client.auth', 'an object { type, ... }');
  const types = Object.keys(CONFIG_KEYS.auth) as (keyof typeof CONFIG_KEYS.auth)[];
  c.oneOf(auth.type, types, 'client.auth.type');
  const type = auth.type as keyof typeof CONFIG_KEYS.auth;
  c.keys(auth, CONFIG_KEYS.auth[type], 'client.auth');
  if (type === 'bearer') c.string(auth.token, 'client.auth.token');
  if (type === 'api_key') {
    c.string(auth.api_key, 'client.auth.api_key');
    c.string(auth.name, 'client.auth.name', true);
    if (auth.location !== undefined) c.oneOf(auth.location, ['header', 'query'], 'client.auth.location');
  }
  if (type === 'http_basic') {
    c.string(auth.username, 'client.auth.username');
    if (typeof auth.password !== 'string') c.fail('client.auth.password', `must be a string, got ${describeType(auth.password)}`);
  }
  if (type === 'oauth2_client_credentials') {
    for (const key of ['access_token_url', 'client_id', 'client_secret']) c.string(auth[key], `client.auth.${key}`);
    c.stringMap(auth.access_token_request_data, 'client.auth.access_token_request_data');
    c.number(auth.default_token_expiration, 'client.auth.default_token_expiration', 1);
  }
}

function checkPaginator(c: Checker, value: unknown, path: string): void {
  const types = Object.keys(CONFIG_KEYS.paginator) as (keyof typeof CONFIG_KEYS.paginator)[];
  if (typeof value === 'string') {
    c.oneOf(value, types, path);
    if (value === 'offset') c.fail(path, 'offset needs its limit: write { type: "offset", limit: 100 }');
    return;
  }
  const p = c.object(value, path, `a paginator name (${types.join(', ')}) or an object { type, ... }`);
  c.oneOf(p.type, types, `${path}.type`);
  const type = p.type as keyof typeof CONFIG_KEYS.paginator;
  c.keys(p, CONFIG_KEYS.paginator[type], path);
  for (const key of ['next_url_path', 'links_next_key', 'offset_param', 'limit_param', 'page_param', 'cursor_path', 'cursor_param']) {
    c.string(p[key], `${path}.${key}`, true);
  }
  if (p.total_path !== undefined && p.total_path !== null) c.string(p.total_path, `${path}.total_path`);
  if (type === 'offset') {
    if (p.limit === undefined) c.fail(`${path}.limit`, 'is required: the page size sent as limit_param');
    c.number(p.limit, `${path}.limit`, 1);
    c.number(p.offset, `${path}.offset`, 0);
    c.number(p.maximum_offset, `${path}.maximum_offset`, 0);
  }
  if (type === 'page_number') {
    c.number(p.base_page, `${path}.base_page`, 0);
    c.number(p.page, `${path}.page`, 0);
    c.number(p.maximum_page, `${path}.maximum_page`, 0);
  }
}

function checkResourceBody(c: Checker, r: Obj, path: string, isDefaults: boolean): void {
  if (r.endpoint !== undefined) {
    if (typeof r.endpoint === 'string') c.string(r.endpoint, `${path}.endpoint`);
    else checkEndpoint(c, c.object(r.endpoint, `${path}.endpoint`, 'a path or an object { path, params, ... }'), `${path}.endpoint`, isDefaults);
  }
  c.keyList(r.primary_key, `${path}.primary_key`);
  c.keyList(r.merge_key, `${path}.merge_key`);
  if (r.write_disposition !== undefined) {
    if (typeof r.write_disposition === 'string') c.oneOf(r.write_disposition, DISPOSITIONS, `${path}.write_disposition`);
    else {
      const wd = c.object(r.write_disposition, `${path}.write_disposition`, 'a disposition or { disposition, strategy }');
      c.keys(wd, ['disposition', 'strategy'], `${path}.write_disposition`);
      c.oneOf(wd.disposition, DISPOSITIONS, `${path}.write_disposition.disposition`);
      if (wd.strategy !== undefined) c.oneOf(wd.strategy, STRATEGIES, `${path}.write_disposition.strategy`);
    }
  }
  c.string(r.table_name, `${path}.table_name`, true);
  c.number(r.max_table_nesting, `${path}.max_table_nesting`, 0);
  if (r.selected !== undefined && typeof r.selected !== 'boolean') c.fail(`${path}.selected`, `must be true or false, got ${describeValue(r.selected)}`);
  if (r.include_from_parent !== undefined) {
    const list = r.include_from_parent;
    if (!Array.isArray(list) || list.some((f) => typeof f !== 'string' || !f)) {
      c.fail(`${path}.include_from_parent`, `must be a list of parent field names, got ${describeValue(list)}`);
    }
  }
  if (r.processing_steps !== undefined) {
    if (!Array.isArray(r.processing_steps)) c.fail(`${path}.processing_steps`, `must be a list, got ${describeType(r.processing_steps)}`);
    (r.processing_steps as unknown[]).forEach((s, i) => {
      const at = `${path}.processing_steps[${i}]`;
      const step = c.object(s, at, 'an object { filter } or { map }');
      const keys = Object.keys(step);
      if (keys.length !== 1 || !['filter', 'map'].includes(keys[0])) c.fail(at, `must have exactly one of filter or map, got keys ${keys.join(', ') || '(none)'}`);
      if (typeof step[keys[0]] !== 'function') c.fail(`${at}.${keys[0]}`, `must be a function, got ${describeType(step[keys[0]])}`);
    });
  }
  if (r.schema_contract !== undefined) {
    if (typeof r.schema_contract === 'string') c.oneOf(r.schema_contract, CONTRACT_MODES, `${path}.schema_contract`);
    else {
      const sc = c.object(r.schema_contract, `${path}.schema_contract`, 'a mode or { tables, columns, data_type }');
      c.keys(sc, ['tables', 'columns', 'data_type'], `${path}.schema_contract`);
      for (const [k, v] of Object.entries(sc)) c.oneOf(v, CONTRACT_MODES, `${path}.schema_contract.${k}`);
    }
  }
}

function checkEndpoint(c: Checker, e: Obj, path: string, isDefaults: boolean): void {
  c.keys(e, CONFIG_KEYS.endpoint, path);
  c.string(e.path, `${path}.path`, true);
  if (e.method !== undefined) c.oneOf(e.method, ['GET', 'POST'], `${path}.method`);
  if (e.json !== undefined) c.object(e.json, `${path}.json`);
  if (e.paginator !== undefined) checkPaginator(c, e.paginator, `${path}.paginator`);
  c.string(e.data_selector, `${path}.data_selector`, true);
  if (e.params !== undefined) {
    let incrementals = 0;
    for (const [key, v] of Object.entries(c.object(e.params, `${path}.params`))) {
      const at = `${path}.params.${key}`;
      if (['string', 'number', 'boolean'].includes(typeof v)) continue;
      const p = c.object(v, at, 'a string, a number, a boolean, { type: "resolve", ... } or { type: "incremental", ... }');
      c.oneOf(p.type, ['resolve', 'incremental'], `${at}.type`);
      if (isDefaults) c.fail(at, `cannot be in resource_defaults (a ${p.type} parameter belongs to one resource)`);
      if (p.type === 'resolve') {
        c.keys(p, CONFIG_KEYS.resolveParam, at);
        c.string(p.resource, `${at}.resource`);
        c.string(p.field, `${at}.field`);
      } else {
        c.keys(p, CONFIG_KEYS.incrementalParam, at);
        c.string(p.cursor_path, `${at}.cursor_path`);
        incrementals++;
      }
    }
    if (incrementals > 1) c.fail(`${path}.params`, 'has more than one incremental parameter; a resource has one cursor');
    if (incrementals === 1 && e.incremental !== undefined) c.fail(`${path}.incremental`, 'is given besides an incremental parameter in params; use one of the two');
  }
  if (e.incremental !== undefined) {
    if (isDefaults) c.fail(`${path}.incremental`, 'cannot be in resource_defaults (a cursor belongs to one resource)');
    const inc = c.object(e.incremental, `${path}.incremental`, 'an object { cursor_path, start_param, ... }');
    c.keys(inc, CONFIG_KEYS.incremental, `${path}.incremental`);
    c.string(inc.cursor_path, `${path}.incremental.cursor_path`);
    c.string(inc.start_param, `${path}.incremental.start_param`, true);
    c.string(inc.end_param, `${path}.incremental.end_param`, true);
    if (inc.last_value_func !== undefined) c.oneOf(inc.last_value_func, ['max', 'min'], `${path}.incremental.last_value_func`);
  }
  if (e.response_actions !== undefined) {
    if (!Array.isArray(e.response_actions)) c.fail(`${path}.response_actions`, `must be a list, got ${describeType(e.response_actions)}`);
    (e.response_actions as unknown[]).forEach((a, i) => {
      const at = `${path}.response_actions[${i}]`;
      if (typeof a === 'function') return;
      const action = c.object(a, at, 'a function (a response hook) or { status_code, content, action: "ignore" }');
      c.keys(action, CONFIG_KEYS.responseAction, at);
      c.oneOf(action.action, ['ignore'], `${at}.action`);
      c.number(action.status_code, `${at}.status_code`, 100);
      c.string(action.content, `${at}.content`, true);
    });
  }
}
