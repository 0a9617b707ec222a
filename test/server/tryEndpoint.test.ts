// The "Try endpoint" CodeLens of declarative REST sources, over a real LSP connection to dist/server.js,
// against an HTTP server in this process.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { SluiceErrorCodes, TryEndpoint } from '../../core/protocol';
import { makeProject, type TempProject } from '../helpers/project';
import { TOKEN, type ApiServer, startApiServer } from '../helpers/restServer';
import { fileUri, LspTestClient } from './lspClient';

interface CodeLens {
  range: { start: { line: number } };
  command: { title: string; command: string; arguments?: unknown[] };
}

const source = (url: string) => `import { restApiSource } from 'sluice';
export default restApiSource({
  name: 'gh',
  client: { base_url: '${url}/repos/acme/app/', auth: { type: 'bearer', token: '\${secrets.GH_TOKEN}' } },
  resource_defaults: { endpoint: { params: { per_page: 2 } } },
  resources: [
    { name: 'issues', endpoint: { path: 'issues', params: { since: { type: 'incremental', cursor_path: 'updated_at', initial_value: '2024-01-01T00:00:00Z' } } } },
    { name: 'issue_comments', endpoint: 'issues/{resources.issues.number}/comments' },
    'labels',
  ],
});
`;

describe('language server: Try endpoint on REST sources', function () {
  this.timeout(60_000);
  let server: ApiServer;
  let project: TempProject;
  let client: LspTestClient | undefined;
  let file: string;

  before(async () => {
    server = await startApiServer();
    project = makeProject({ 'sources/gh.ts': source(server.url), '.env': `GH_TOKEN=${TOKEN}\n` });
    file = path.join(project.dir, 'sources', 'gh.ts');
  });
  afterEach(async () => {
    await client?.stop();
    client = undefined;
  });
  after(async () => {
    project.cleanup();
    await server.close();
  });

  it('puts a Try endpoint lens on every resource, the shorthand ones included', async () => {
    client = await LspTestClient.start({ folders: [project.dir], trusted: true });
    const lenses = await client.lsp<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: fileUri(file) } });
    const tries = lenses.filter((l) => l.command.title === 'Try endpoint');
    assert.deepEqual(tries.map((l) => l.command.arguments), [
      [fileUri(file), 'issues'],
      [fileUri(file), 'issue_comments'],
      [fileUri(file), 'labels'],
    ]);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.match(lines[tries[2].range.start.line], /'labels'/);
  });

  it('fetches two pages: requests, the detected selector and paginator, the next page and the columns', async () => {
    client = await LspTestClient.start({ folders: [project.dir], trusted: true });
    const result = await client.request(TryEndpoint.type, { file: fileUri(file), resource: 'issues' });
    assert.equal(result.pages.length, 2);
    assert.match(result.pages[0].url, /\/repos\/acme\/app\/issues\?per_page=2&since=2024-01-01T00%3A00%3A00Z$/);
    assert.deepEqual(result.pages.map((p) => [p.status, p.items, p.dataSelector]), [[200, 2, '$'], [200, 2, '$']]);
    assert.match(String(result.pages[1].next), /page=3/);
    assert.ok(result.notes.some((n) => /detected header_link/.test(n)), result.notes.join('\n'));
    const columns = Object.fromEntries(result.columns.map((c) => [c.name, c.type]));
    assert.equal(columns.number, 'bigint');
    assert.equal(columns.updated_at, 'timestamp');
    assert.equal(columns.assignee__login, 'text');
    assert.equal(columns.labels, 'list (child table)');
    assert.match(result.text, /next page: http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/app\/issues\?.*page=3/);
    assert.ok(!JSON.stringify(result).includes(TOKEN));
    // Nothing was loaded.
    assert.equal(fs.existsSync(project.warehouse), false);

    const comments = await client.request(TryEndpoint.type, { file: fileUri(file), resource: 'issue_comments' });
    assert.deepEqual(comments.parent, { number: 1 });
    assert.equal(comments.pages[0].dataSelector, '$.data');
    assert.deepEqual(comments.columns.map((c) => c.name), ['id', 'body', 'updated_at', 'user__login']);
  });

  it('is refused in an untrusted workspace', async () => {
    client = await LspTestClient.start({ folders: [project.dir], trusted: false });
    await assert.rejects(client.request(TryEndpoint.type, { file: fileUri(file), resource: 'issues' }), (err: { code?: number }) => err.code === SluiceErrorCodes.Untrusted);
  });
});
