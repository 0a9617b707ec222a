// The REST source's pure parts: config validation, the JSON Schema kept in step with it, Link headers,
// Retry-After, and finding the items in a response.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { retryAfterMs } from '../../core/sources/rest/client';
import { parseLinkHeader } from '../../core/sources/rest/paginators';
import { bindEndpoint, findDependency } from '../../core/sources/rest/resolve';
import { restApiSource } from '../../core/sources/rest/source';
import { detectSelector, selectItems } from '../../core/sources/rest/selector';
import { CONFIG_KEYS, validateRestApiConfig } from '../../core/sources/rest/validate';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'rest-api.schema.json'), 'utf8'));
const props = (def: { properties: object }) => Object.keys(def.properties).sort();
const variant = (def: { oneOf: { properties?: { type?: { const?: string } } }[] }, type: string) =>
  def.oneOf.find((v) => v.properties?.type?.const === type) as { properties: object };

describe('restApiSource config', () => {
  const base = { name: 'api', client: { base_url: 'https://api.example.com/v1' } };

  it('keeps the JSON Schema and the validator on the same keys', () => {
    const d = schema.definitions;
    assert.deepEqual(Object.keys(schema.properties).sort(), [...CONFIG_KEYS.source].sort());
    assert.deepEqual(props(d.client), [...CONFIG_KEYS.client].sort());
    assert.deepEqual(props(d.resource), [...CONFIG_KEYS.resource].sort());
    assert.deepEqual(props(d.resourceDefaults), CONFIG_KEYS.resource.filter((k) => k !== 'name').concat('endpoint').filter((k, i, a) => a.indexOf(k) === i).sort());
    assert.deepEqual(props(d.endpoint), [...CONFIG_KEYS.endpoint].sort());
    assert.deepEqual(props(d.incremental), [...CONFIG_KEYS.incremental].sort());
    for (const [type, keys] of Object.entries(CONFIG_KEYS.auth)) assert.deepEqual(props(variant(d.auth, type)), [...keys].sort(), type);
    for (const [type, keys] of Object.entries(CONFIG_KEYS.paginator)) assert.deepEqual(props(variant(d.paginator, type)), [...keys].sort(), type);
    assert.deepEqual(props(variant(d.param, 'resolve')), [...CONFIG_KEYS.resolveParam].sort());
    assert.deepEqual(props(variant(d.param, 'incremental')), [...CONFIG_KEYS.incrementalParam].sort());
  });

  it('accepts a pasted dlt config and turns resources into Sluice resources', () => {
    const source = restApiSource({
      ...base,
      resource_defaults: { primary_key: 'id', write_disposition: 'merge', endpoint: { params: { per_page: 100 } } },
      resources: [
        { name: 'issues', endpoint: { path: 'issues', params: { since: { type: 'incremental', cursor_path: '$.updated_at', initial_value: '2024-01-01' } } } },
        { name: 'comments', endpoint: { path: 'issues/{issue}/comments', params: { issue: { type: 'resolve', resource: 'issues', field: 'number' } } } },
        'pulls',
      ],
    });
    assert.deepEqual(source.resources.map((r) => r.name), ['issues', 'comments', 'pulls']);
    assert.deepEqual(source.resources[0].incremental, { cursor: 'updated_at', initialValue: '2024-01-01' });
    assert.equal(source.resources[0].writeDisposition, 'merge');
    assert.equal(source.resources[1].transformer?.from, 'issues');
    assert.equal(source.resources[1].incremental, undefined, 'a dependent resource keeps its cursor per parent, not in the shared filter');
    assert.equal(typeof source.resources[2].rows, 'function');
  });

  const rejects = (config: unknown, message: RegExp) => assert.throws(() => restApiSource(config as never), message);

  it('names the field path of each problem', () => {
    rejects({ ...base, resources: [] }, /restApiSource "api": resources must be a non-empty list/);
    rejects({ name: 'api', client: { base_url: 'api.example.com' }, resources: ['a'] }, /client\.base_url must start with http:\/\/ or https:\/\//);
    rejects({ ...base, client: { ...base.client, auth: { type: 'bearer' } }, resources: ['a'] }, /client\.auth\.token must be a non-empty string, got undefined/);
    rejects({ ...base, client: { ...base.client, auth: { type: 'oauth2' } }, resources: ['a'] }, /client\.auth\.type must be one of bearer, api_key, http_basic, oauth2_client_credentials/);
    rejects({ ...base, resources: [{ name: 'a', endpoint: { paginator: 'offset' } }] }, /resources\[0\]\.endpoint\.paginator offset needs its limit/);
    rejects({ ...base, resources: [{ name: 'a', endpoint: { paginator: { type: 'cursor', cursor_parm: 'c' } } }] }, /resources\[0\]\.endpoint\.paginator\.cursor_parm is not a known property \(did you mean "cursor_param"\?\)/);
    rejects({ ...base, resources: ['a', { name: 'a' }] }, /resources\[1\]\.name "a" is used by another resource/);
    rejects({ ...base, resources: [{ name: 'a', processing_steps: [{ filter: 1 }] }] }, /resources\[0\]\.processing_steps\[0\]\.filter must be a function/);
    rejects({ ...base, resources: [{ name: 'a', endpoint: 'x/{id}' }] }, /resources\[0\] \("a"\)\.endpoint\.path: placeholder \{id\} is neither/);
    rejects({ ...base, resources: [{ name: 'a', endpoint: 'a/{resources.b.id}' }, { name: 'b', endpoint: 'b/{resources.a.id}' }] }, /resources depend on each other in a cycle: a -> b -> a/);
    rejects({ ...base, resources: [{ name: 'a', include_from_parent: ['id'] }] }, /include_from_parent is set, but the resource has no parent/);
    rejects(
      { ...base, resources: [{ name: 'a', endpoint: { params: { s: { type: 'incremental', cursor_path: 'x' } }, incremental: { cursor_path: 'y' } } }] },
      /resources\[0\]\.endpoint\.incremental is given besides an incremental parameter/,
    );
    assert.equal(validateRestApiConfig({ ...base, resources: ['a'] }).name, 'api');
  });
});

describe('REST dependent endpoints', () => {
  it('fills parent values into the path (encoded), into param text and as resolve params', () => {
    const endpoint = {
      path: 'repos/{resources.repos.owner.login}/{name}/issues',
      params: {
        name: { type: 'resolve' as const, resource: 'repos', field: 'name' },
        q: 'repo:{resources.repos.full_name} is:open',
        id: { type: 'resolve' as const, resource: 'repos', field: 'id' },
        per_page: 50,
      },
    };
    const dependency = findDependency(endpoint, 'resources[1].endpoint');
    assert.deepEqual(dependency, { parent: 'repos', fields: ['name', 'full_name', 'id', 'owner.login'] });
    const values = { 'owner.login': 'acme corp', name: 'app/x', full_name: 'acme corp/app', id: 7 };
    assert.deepEqual(bindEndpoint(endpoint, values), {
      path: 'repos/acme%20corp/app%2Fx/issues',
      params: { q: 'repo:acme corp/app is:open', id: '7', per_page: 50 },
    });
    assert.throws(
      () => findDependency({ path: 'a/{resources.x.id}/{resources.y.id}' }, 'resources[2].endpoint'),
      /resources\[2\]\.endpoint: depends on several resources \(x, y\)/,
    );
  });
});

describe('REST response helpers', () => {
  it('reads RFC 8288 Link headers', () => {
    assert.deepEqual(parseLinkHeader('<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel="last"'), {
      next: 'https://a/x?page=2',
      last: 'https://a/x?page=9',
    });
    assert.deepEqual(parseLinkHeader('<https://a/x?a=1,2>; title="p, q"; rel=next'), { next: 'https://a/x?a=1,2' });
    assert.deepEqual(parseLinkHeader('<https://a/p2>; rel="next last"'), { next: 'https://a/p2', last: 'https://a/p2' });
    assert.deepEqual(parseLinkHeader(null), {});
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('2'), 2000);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const ms = retryAfterMs(inTenSeconds)!;
    assert.ok(ms > 8000 && ms <= 10_000, String(ms));
    assert.equal(retryAfterMs('soon'), undefined);
    assert.equal(retryAfterMs(null), undefined);
  });

  it('finds the items of a response when no data_selector is given', () => {
    assert.equal(detectSelector([{ id: 1 }]), '$');
    assert.equal(detectSelector({ total: 2, results: [{ id: 1 }] }), '$.results');
    assert.equal(detectSelector({ response: { items: [] } }), '$.response.items');
    assert.equal(detectSelector({ count: 1, 'the users': [{ id: 1 }], tags: ['a'] }), "$['the users']");
    assert.equal(detectSelector({ id: 1, name: 'single object' }), '$');
    assert.equal(detectSelector({ messages: [], count: 0 }), '$.messages');
    assert.equal(detectSelector({ id: 1, tags: ['a'], aliases: [] }), '$');
    assert.deepEqual(selectItems({ 'the users': [{ id: 1 }] }, "$['the users']"), [{ id: 1 }]);
    assert.deepEqual(selectItems({ id: 1 }, '$'), [{ id: 1 }]);
    assert.deepEqual(selectItems({ data: { rows: [{ a: 1 }, { a: 2 }] } }, '$.data.rows[*]'), [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(selectItems({ data: null }, '$.data'), []);
  });
});
