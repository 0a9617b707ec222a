// The declarative REST API source through the real CLI, against an HTTP server in this process; checked
// through the DuckDB file the load leaves. The CLI runs as a child process, asynchronously, so that this
// process keeps answering its requests.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type CliRun, cliPath, makeProject, query, type TempProject } from '../helpers/project';
import { API_KEY, BASIC, OAUTH, TOKEN, type ApiServer, startApiServer } from '../helpers/restServer';

function runCliAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Every file under dir (the warehouse, load packages, schemas) as text, for secret scans. */
function allFilesText(dir: string): string {
  let out = '';
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out += fs.readFileSync(path.join(entry.parentPath ?? (entry as any).path, entry.name)).toString('latin1');
  }
  return out;
}

const githubSource = (url: string) => `
import { restApiSource } from 'sluice';
export default restApiSource({
  name: 'gh',
  client: {
    base_url: '${url}/repos/acme/app/',
    auth: { type: 'bearer', token: '\${secrets.GH_TOKEN}' },
    paginator: 'header_link',
    headers: { Accept: 'application/vnd.github+json' },
  },
  resource_defaults: { primary_key: 'id', write_disposition: 'merge', endpoint: { params: { per_page: 3 } } },
  resources: [
    {
      name: 'issues',
      primary_key: 'number',
      endpoint: {
        path: 'issues',
        data_selector: '$',
        params: { since: { type: 'incremental', cursor_path: 'updated_at', initial_value: '2024-01-01T00:00:00Z' } },
      },
    },
    {
      name: 'issue_comments',
      endpoint: {
        path: 'issues/{resources.issues.number}/comments',
        paginator: { type: 'json_link', next_url_path: 'next' },
        incremental: { cursor_path: 'updated_at', start_param: 'since' },
      },
      include_from_parent: ['number', 'title'],
      processing_steps: [{ map: (c) => ({ ...c, body_length: String(c.body).length }) }],
    },
    { name: 'labels', endpoint: { path: 'labels', paginator: 'auto' }, primary_key: 'name' },
  ],
});
`;

describe('restApiSource through sluice ingest', function () {
  this.timeout(120_000);
  let server: ApiServer;
  let project: TempProject;
  beforeEach(async () => {
    server = await startApiServer();
  });
  afterEach(async () => {
    project?.cleanup();
    await server.close();
  });

  it('loads a GitHub-like API: header links, bearer auth, dependent resources with per-parent incremental state', async () => {
    project = makeProject({
      'sources/gh.ts': githubSource(server.url),
      'sluice.yaml': 'name: test\nsources:\n  gh:\n    secrets: [GH_TOKEN]\n',
    });
    const env = { GH_TOKEN: TOKEN };
    const first = await runCliAsync(['ingest', 'gh', '--verbose'], project.dir, env);
    assert.equal(first.code, 0, first.stderr);
    // Issue 6 is older than initial_value: the API is asked from initial_value and the incremental filter agrees.
    const issues = await query<{ number: number; title: string }>(project.warehouse, 'SELECT number::INT AS number, title FROM gh.issues ORDER BY number');
    assert.deepEqual(issues.map((i) => i.number), [1, 2, 3, 4, 5, 7]);
    assert.ok(server.requests.some((r) => r.url === '/repos/acme/app/issues?per_page=3&since=2024-01-01T00%3A00%3A00Z'));
    assert.ok(server.requests.some((r) => r.url.startsWith('/repos/acme/app/issues?') && r.url.includes('page=2')), 'followed the Link header');
    // Every request carried the token, and verbose output shows each request and its status.
    assert.ok(server.requests.every((r) => r.auth === `Bearer ${TOKEN}`));
    assert.match(first.stderr, /\[issues\] GET http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/app\/issues\?per_page=3&since=\S+ → 200 \(\d+ ms\)/);
    assert.match(first.stderr, /\[labels\] no paginator configured; detected single_page/);
    assert.match(first.stderr, /\[labels\] no data_selector configured; items found at \$/);

    const comments = await query<{ id: number; _issues_number: number; _issues_title: string; body_length: number }>(
      project.warehouse,
      'SELECT id::INT AS id, _issues_number::INT AS _issues_number, _issues_title, body_length::INT AS body_length FROM gh.issue_comments ORDER BY id',
    );
    assert.deepEqual(comments.map((c) => [c.id, c._issues_number]), [[101, 1], [102, 1], [103, 1], [301, 3], [401, 4]]);
    assert.equal(comments[0]._issues_title, 'Crash on start');
    assert.equal(comments[0].body_length, 'comment 1 on 1'.length);
    // Issue 1's three comments came in two pages (json_link).
    assert.ok(server.requests.some((r) => r.url === '/repos/acme/app/issues/1/comments?per_page=3&from=2' || r.url.startsWith('/repos/acme/app/issues/1/comments?from=2')));
    const labels = await query<{ name: string }>(project.warehouse, 'SELECT name FROM gh.labels ORDER BY name');
    assert.deepEqual(labels.map((l) => l.name), ['bug', 'feature']);

    // Second run: issues 1 and 3 got new comments (so they were updated), issue 8 is new.
    server.comments.get(1)!.push({ id: 104, body: 'fixed?', updated_at: '2024-04-01T09:00:00Z', user: { login: 'bo' } });
    server.comments.get(3)!.push({ id: 302, body: 'still slow', updated_at: '2024-04-02T09:00:00Z', user: { login: 'cy' } });
    server.issues[0].updated_at = '2024-04-01T09:00:00Z';
    server.issues[2].updated_at = '2024-04-02T09:00:00Z';
    server.issues.push({ number: 8, title: 'New one', state: 'open', updated_at: '2024-04-03T00:00:00Z', assignee: null });
    server.requests.length = 0;
    const second = await runCliAsync(['ingest', 'gh'], project.dir, env);
    assert.equal(second.code, 0, second.stderr);
    // The issues request starts from the last updated_at loaded (2024-03-06), not from initial_value.
    const issueRequest = server.requests.find((r) => r.url.startsWith('/repos/acme/app/issues?'));
    assert.ok(issueRequest?.url.includes('since=2024-03-06T10%3A00%3A00Z'), issueRequest?.url);
    // Each parent's comments start from that parent's own last comment (per-parent state), issue 8 from nothing.
    const commentUrls = server.requests.filter((r) => r.url.includes('/comments')).map((r) => r.url).sort();
    assert.deepEqual(commentUrls, [
      '/repos/acme/app/issues/1/comments?per_page=3&since=2024-03-01T13%3A00%3A00Z',
      '/repos/acme/app/issues/3/comments?per_page=3&since=2024-03-03T11%3A00%3A00Z',
      '/repos/acme/app/issues/8/comments?per_page=3',
    ]);
    const after = await query<{ id: number }>(project.warehouse, 'SELECT id::INT AS id FROM gh.issue_comments ORDER BY id');
    assert.deepEqual(after.map((c) => c.id), [101, 102, 103, 104, 301, 302, 401]);
    const [count] = await query<{ n: number }>(project.warehouse, 'SELECT count(*)::INT AS n FROM gh.issues');
    assert.equal(count.n, 7);
    // The token is nowhere in the output, the warehouse, the load packages or the schema files.
    for (const text of [first.stdout, first.stderr, second.stdout, second.stderr, allFilesText(project.dir)]) {
      assert.ok(!text.includes(TOKEN));
    }
  });

  it('pages with offset (total and short page), page_number and an auto-detected cursor; api key in the query masked', async () => {
    project = makeProject({
      'sources/catalog.ts': `
import { restApiSource } from 'sluice';
export default restApiSource({
  name: 'catalog',
  client: { base_url: '${server.url}/catalog', requests_per_second: 10, auth: { type: 'api_key', name: 'api_key', api_key: '\${secrets.CATALOG_KEY}', location: 'query' } },
  resources: [
    { name: 'users', endpoint: { path: 'users', paginator: { type: 'offset', limit: 2, total_path: 'total' } }, primary_key: 'id' },
    { name: 'events', endpoint: { path: '/events', data_selector: 'events', paginator: { type: 'offset', limit: 2, total_path: null } },
      processing_steps: [{ filter: (e) => e.type !== 'IssuesEvent' || e.id !== 'e3' }] },
    { name: 'stargazers', endpoint: { path: 'stargazers', paginator: { type: 'page_number', base_page: 1, page_param: 'p', total_path: 'meta.pages' } } },
    { name: 'releases', endpoint: { path: 'releases', response_actions: [(r) => { for (const rel of (r.body as any).releases) rel.hooked_status = r.status; }] } },
    { name: 'history', endpoint: { path: 'history', incremental: { cursor_path: 'day', start_param: 'since', end_param: 'until', initial_value: '2024-01-15', end_value: '2024-03-01' } } },
  ],
});
`,
      // UNRELATED is a secret this config never sends: ordinary data containing "1" must stay as it is.
      '.env': `CATALOG_KEY=${API_KEY}\nUNRELATED=1\n`,
    });
    const run = await runCliAsync(['ingest', 'catalog', '--verbose'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    const count = async (table: string) => (await query<{ n: number }>(project.warehouse, `SELECT count(*)::INT AS n FROM catalog."${table}"`))[0].n;
    assert.equal(await count('users'), 5);
    // The key the API echoed inside the items is masked before it reaches the load package and the warehouse.
    const [avatar] = await query<{ avatar_url: string }>(project.warehouse, 'SELECT avatar_url FROM catalog.users ORDER BY id LIMIT 1');
    assert.equal(avatar.avatar_url, `${server.url}/avatars/1?api_key=***`);
    assert.equal(await count('events'), 4, 'e3 filtered out by the processing step');
    assert.equal(await count('stargazers'), 7);
    assert.equal(await count('releases'), 5);
    assert.deepEqual(await query(project.warehouse, 'SELECT DISTINCT hooked_status::INT AS s FROM catalog.releases'), [{ s: 200 }], 'the response hook saw each response');
    const history = await query<{ day: string }>(project.warehouse, 'SELECT day::VARCHAR AS day FROM catalog.history ORDER BY id');
    assert.deepEqual(history.map((h) => h.day), ['2024-02-01', '2024-03-01']);
    const paths = server.requests.map((r) => r.url.replace(`api_key=${API_KEY}`, 'KEY'));
    // users: offset 0, 2, 4 then total reached; events: stops on the short page (offset 4 gave 1 of 2).
    assert.deepEqual(paths.filter((u) => u.startsWith('/catalog/users')), [
      '/catalog/users?offset=0&limit=2&KEY', '/catalog/users?offset=2&limit=2&KEY', '/catalog/users?offset=4&limit=2&KEY',
    ]);
    assert.equal(paths.filter((u) => u.startsWith('/catalog/events')).length, 3);
    assert.equal(paths.filter((u) => u.startsWith('/catalog/stargazers')).length, 3);
    assert.deepEqual(paths.filter((u) => u.startsWith('/catalog/history')), ['/catalog/history?since=2024-01-15&until=2024-03-01&KEY']);
    assert.match(run.stderr, /\[releases\] no paginator configured; detected cursor \(cursor_path: meta\.next_cursor, cursor_param: cursor\)/);
    assert.match(run.stderr, /\[users\] GET \S+\/catalog\/users\?offset=0&limit=2&api_key=\*\*\* → 200/);
    assert.ok(!run.stderr.includes(API_KEY));
    // requests_per_second: 10 spaces the request starts of all resources 100 ms apart (as sent; arrival jitters a little).
    const span = server.requests.at(-1)!.at - server.requests[0].at;
    assert.ok(span >= (server.requests.length - 1) * 100 - 100, `${server.requests.length} requests in ${span} ms`);
    assert.ok(!allFilesText(project.dir).replace(`CATALOG_KEY=${API_KEY}`, '').includes(API_KEY));
  });

  it('authenticates with HTTP basic and OAuth2 client credentials', async () => {
    project = makeProject({
      'sources/me.ts': `
import { restApiSource } from 'sluice';
export default restApiSource({
  name: 'me',
  client: { base_url: '${server.url}/basic/', auth: { type: 'http_basic', username: '${BASIC.user}', password: '\${secrets.BASIC_PW}' } },
  resources: ['me'],
});
`,
      'sources/orgs.ts': `
import { restApiSource } from 'sluice';
export default restApiSource({
  name: 'orgs',
  client: {
    base_url: '${server.url}/oauth-api/',
    auth: { type: 'oauth2_client_credentials', access_token_url: '${server.url}/oauth/token', client_id: '${OAUTH.id}', client_secret: '\${secrets.OAUTH_SECRET}' },
  },
  resources: ['orgs'],
});
`,
      '.env': `BASIC_PW=${BASIC.password}\nOAUTH_SECRET=${OAUTH.secret}\n`,
    });
    const me = await runCliAsync(['ingest', 'me', '--verbose'], project.dir);
    assert.equal(me.code, 0, me.stderr);
    assert.deepEqual(await query(project.warehouse, 'SELECT login, plan__name FROM me.me'), [{ login: BASIC.user, plan__name: 'pro' }]);
    const orgs = await runCliAsync(['ingest', 'orgs', '--verbose'], project.dir);
    assert.equal(orgs.code, 0, orgs.stderr);
    assert.deepEqual(await query(project.warehouse, 'SELECT id FROM orgs.orgs ORDER BY id'), [{ id: 'o1' }, { id: 'o2' }]);
    assert.ok(!orgs.stderr.includes(OAUTH.token) && !orgs.stderr.includes(OAUTH.secret));
    assert.ok(!allFilesText(project.dir).includes(OAUTH.token));
  });

  it('retries a 429 after Retry-After and a 500 with backoff; stops on a next-link loop and on a repeated page', async () => {
    project = makeProject({
      'sources/odd.ts': `
import { restApiSource } from 'sluice';
export default restApiSource({
  name: 'odd',
  client: { base_url: '${server.url}/catalog/', backoff_seconds: 0.2, timeout: 0.5,
    auth: { type: 'api_key', name: 'api_key', api_key: '\${secrets.CATALOG_KEY}', location: 'query' } },
  resources: [
    'flaky',
    'slow',
    { name: 'loop', endpoint: { path: 'loop', paginator: { type: 'json_link', next_url_path: 'next' } } },
    { name: 'repeat', endpoint: { path: 'repeat', paginator: { type: 'page_number', total_path: null } } },
  ],
});
`,
      '.env': `CATALOG_KEY=${API_KEY}\n`,
    });
    const started = Date.now();
    const run = await runCliAsync(['ingest', 'odd'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Date.now() - started >= 1000, 'waited for Retry-After: 1');
    assert.match(run.stderr, /\[flaky\] status 429; retry 1 of 5 in 1\.0s/);
    assert.match(run.stderr, /\[flaky\] status 500; retry 2 of 5 in 0\.4s/);
    assert.equal(server.requests.filter((r) => r.url.startsWith('/catalog/flaky')).length, 3);
    assert.deepEqual(await query(project.warehouse, 'SELECT id::INT AS id, ok, note FROM odd.flaky ORDER BY id'), [
      { id: 1, ok: true, note: null },
      { id: 2, ok: false, note: 'third try' },
    ]);
    assert.match(run.stderr, /\[slow\] no response within 0\.5s; retry 1 of 5 in 0\.2s/);
    assert.deepEqual(await query(project.warehouse, 'SELECT id::INT AS id FROM odd.slow'), [{ id: 2 }]);
    assert.match(run.stderr, /warning: \[loop\] page 3 would request \S+\/catalog\/loop\?page=2&api_key=\*\*\* again \(a next-page loop\); stopping here/);
    assert.deepEqual(await query(project.warehouse, 'SELECT id::INT AS id FROM odd.loop ORDER BY id'), [{ id: 10 }, { id: 20 }]);
    assert.match(run.stderr, /warning: \[repeat\] page 2 repeats page 1/);
    assert.equal(server.requests.filter((r) => r.url.startsWith('/catalog/repeat')).length, 2);
    assert.equal((await query<{ n: number }>(project.warehouse, 'SELECT count(*)::INT AS n FROM odd.repeat'))[0].n, 2);
  });

  it('fails the load on a 404 with the URL (secrets masked), the status and the body', async () => {
    project = makeProject({
      'sources/gone.ts': `
import { restApiSource } from 'sluice';
export default restApiSource({
  name: 'gone',
  client: { base_url: '${server.url}/repos/acme/app', auth: { type: 'bearer', token: '\${secrets.GH_TOKEN}' } },
  resources: [{ name: 'missing', endpoint: { path: 'missing', params: { token_hint: '\${secrets.GH_TOKEN}' } } }],
});
`,
    });
    project.write('sluice.yaml', 'name: test\nsources:\n  gone:\n    secrets: [GH_TOKEN]\n');
    const run = await runCliAsync(['ingest', 'gone', '--json'], project.dir, { GH_TOKEN: TOKEN });
    assert.equal(run.code, 1);
    const result = JSON.parse(run.stdout);
    assert.equal(result.status, 'failed');
    assert.match(
      result.error,
      /resource "missing" failed after 0 items: GET http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/app\/missing\?token_hint=\*\*\* returned 404: \{"message":"Not Found","documentation_url":"https:\/\/docs\.example\/rest"\}/,
    );
    assert.ok(!run.stdout.includes(TOKEN) && !run.stderr.includes(TOKEN));
    const tables = await query(project.warehouse, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'gone'");
    assert.deepEqual(tables, []);
  });

  it('retries a refused connection, then fails naming the request and the reason', async () => {
    const closed = await startApiServer();
    await closed.close();
    project = makeProject({
      'sources/down.ts': `
import { restApiSource } from 'sluice';
export default restApiSource({
  name: 'down',
  client: { base_url: '${closed.url}/', max_retries: 2, backoff_seconds: 0.1 },
  resources: ['things'],
});
`,
    });
    const run = await runCliAsync(['ingest', 'down'], project.dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /\[things\] ECONNREFUSED; retry 1 of 2 in 0\.1s\n\[things\] ECONNREFUSED; retry 2 of 2 in 0\.2s/);
    assert.match(run.stderr, /resource "things" failed after 0 items: GET http:\/\/127\.0\.0\.1:\d+\/things failed after 3 attempts: ECONNREFUSED/);
  });

  it('rejects a bad config before any request, naming the field', async () => {
    project = makeProject({
      'sources/bad.ts': `
import { restApiSource } from 'sluice';
export default restApiSource({
  name: 'bad',
  client: { base_url: '${server.url}/catalog/' },
  resources: [{ name: 'users', endpoint: { path: 'users', paginator: { type: 'offset', limit: 0 } } }],
});
`,
      'sources/typo.ts': `
import { restApiSource } from 'sluice';
export default restApiSource({
  name: 'typo',
  client: { base_url: '${server.url}/catalog/' },
  resources: [{ name: 'users', endpoint: { path: 'users', data_selctor: 'items' } }],
});
`,
      'sources/orphan.ts': `
import { restApiSource } from 'sluice';
export default restApiSource({
  name: 'orphan',
  client: { base_url: '${server.url}/catalog/' },
  resources: [{ name: 'comments', endpoint: 'issues/{resources.issues.number}/comments' }],
});
`,
    });
    const bad = await runCliAsync(['ingest', 'bad'], project.dir);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /restApiSource "bad": resources\[0\]\.endpoint\.paginator\.limit must be a whole number >= 1, got 0/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
    const typo = await runCliAsync(['ingest', 'typo'], project.dir);
    assert.match(typo.stderr, /resources\[0\]\.endpoint\.data_selctor is not a known property \(did you mean "data_selector"\?\)/);
    const orphan = await runCliAsync(['ingest', 'orphan'], project.dir);
    assert.match(orphan.stderr, /resources\[0\] \("comments"\) depends on resource "issues", which is not defined/);
    assert.deepEqual(server.requests, []);
  });
});
