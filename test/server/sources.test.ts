import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Environments, RunSource, SetResourceEnabled, SourceOutline, WarehouseCatalog } from '../../core/protocol';
import { cliPath, makeProject, query, type TempProject } from '../helpers/project';
import { lineOf, positionOf } from './demo';
import { numbersSource } from './fixtures';
import { fileUri, LspTestClient } from './lspClient';

interface CodeLens {
  range: { start: { line: number } };
  command: { title: string };
}

/** A resource whose columns are frozen: a new field in a later run is a contract violation. */
const strictSource = (fields: string) => `
export default {
  name: 'strict',
  resources: [
    {
      name: 'people',
      primaryKey: 'id',
      contract: { columns: 'freeze' },
      rows: () => [{ id: 1, ${fields} }],
    },
  ],
};
`;

const SLUICE_YAML = `# Test project.
name: sources_test
sources:
  numbers:
    resources:
      evens: true # the big one
      odds: true
`;

describe('language server: sources, load history, warehouse and environments', function () {
  let project: TempProject;
  let client: LspTestClient;
  const strictFile = () => path.join(project.dir, 'sources', 'strict.ts');

  before(async () => {
    project = makeProject({
      'sluice.yaml': SLUICE_YAML,
      'sources/numbers.ts': numbersSource,
      'sources/strict.ts': strictSource("name: 'a'"),
      'models/staging/evens.sql': 'MODEL (name staging.evens, kind VIEW);\nSELECT n FROM numbers.evens',
    });
    client = await LspTestClient.start({ folders: [project.dir], trusted: true });
  });

  after(async () => {
    await client?.stop();
    project?.cleanup();
  });

  const lensTitles = async (file: string, needle: string) => {
    const lenses = await client.lsp<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: fileUri(file) } });
    const line = lineOf(fs.readFileSync(file, 'utf8'), needle);
    return lenses.filter((l) => l.range.start.line === line).map((l) => l.command.title);
  };

  it('shows a contract violation of the last load at the resource it names', async () => {
    const first = await client.request(RunSource.type, { source: 'strict' });
    assert.equal(first.status, 'loaded', first.error);
    fs.writeFileSync(strictFile(), strictSource("name: 'b', email: 'b@example.com'"));
    const mark = client.mark();
    const second = await client.request(RunSource.type, { source: 'strict' });
    assert.equal(second.status, 'failed');
    const [d, ...rest] = await client.diagnostics(fileUri(strictFile()), (ds) => ds.length > 0, mark);
    assert.deepEqual(rest, []);
    assert.match(d.message, /^the last load of this source failed \(load .+\): resource 'people': new column 'email' .* at field 'email' \(value "b@example\.com"\) is not allowed: the columns contract is freeze$/);
    assert.equal(d.code, 'contract');
    const text = fs.readFileSync(strictFile(), 'utf8');
    const at = positionOf(text, "'people'", 1);
    assert.deepEqual(d.range, { start: at, end: { line: at.line, character: at.character + 'people'.length } });
    assert.deepEqual(await lensTitles(strictFile(), "name: 'people'"), [
      '$(play) Run to DuckDB',
      'Run first 100',
      'last run failed · last loaded: 1 row · 2 columns: id bigint, name text',
    ]);
  });

  it('shows what the last run loaded above each resource, and clears the violation once a load succeeds', async () => {
    const result = await client.request(RunSource.type, { source: 'numbers' });
    assert.equal(result.status, 'loaded', result.error);
    const numbers = path.join(project.dir, 'sources', 'numbers.ts');
    const titles = await lensTitles(numbers, "name: 'evens'");
    assert.equal(titles[2], 'last run: 12,000 rows · 1 column: n bigint');
    const odds = await lensTitles(numbers, "name: 'odds'");
    assert.equal(odds[2], 'last run: 300 rows (+600 rows in child tables) · 1 column: n bigint');

    fs.writeFileSync(strictFile(), strictSource("name: 'c'"));
    const mark = client.mark();
    assert.equal((await client.request(RunSource.type, { source: 'strict' })).status, 'loaded');
    await client.diagnostics(fileUri(strictFile()), (ds) => ds.length === 0, mark);
  });

  it('lists the warehouse schemas, tables and column types, and leaves the file free', async () => {
    const catalog = await client.request(WarehouseCatalog.type, { projectDir: project.dir });
    assert.equal(catalog.exists, true);
    assert.equal(catalog.error, undefined);
    const numbers = catalog.schemas.find((s) => s.name === 'numbers');
    assert.deepEqual(numbers?.tables.map((t) => t.name), ['evens', 'odds', 'odds__tags']);
    const evens = numbers!.tables[0];
    assert.equal(evens.kind, 'table');
    assert.deepEqual(evens.columns.find((c) => c.name === 'n'), { name: 'n', type: 'BIGINT' });
    assert.equal(catalog.schemas[catalog.schemas.length - 1].name, '_sluice');
    // A writer from another process gets the file: the server let go of it.
    const instance = await DuckDBInstance.create(project.warehouse);
    instance.closeSync();
  });

  it('lists environments from the warehouse, or just prod when there are none', async () => {
    assert.deepEqual(await client.request(Environments.type, { projectDir: project.dir }), { environments: [{ name: 'prod' }] });
    const instance = await DuckDBInstance.create(project.warehouse);
    const connection = await instance.connect();
    await connection.run(`CREATE TABLE _sluice.environments ("name" VARCHAR, "snapshots" JSON, "previous" JSON, "plan_id" VARCHAR, "updated_at" TIMESTAMPTZ)`);
    const entry = (name: string, fingerprint: string) => ({ name, fingerprint, version: fingerprint, kind: 'FULL' });
    const dev = JSON.stringify([entry('staging.a', 'f1'), entry('staging.b', 'f2')]);
    await connection.run(`INSERT INTO _sluice.environments VALUES ('dev', $1, '[]', 'p1', TIMESTAMPTZ '2024-05-01 10:00:00+00'), ('prod', '[]', '[]', 'p0', NULL)`, [dev]);
    connection.closeSync();
    instance.closeSync();
    const result = await client.request(Environments.type, { projectDir: project.dir });
    assert.deepEqual(result.environments.map((e) => [e.name, e.models]), [['dev', 2], ['prod', 0]]);
    assert.match(result.environments[0].updatedAt ?? '', /^2024-05-01/);
    // Prod shows neither model: both are dev's own.
    assert.deepEqual(result.environments[0].overrides, [{ model: 'staging.a', change: 'added' }, { model: 'staging.b', change: 'added' }]);
  });

  it('switches a resource off and on in sluice.yaml, keeping its comments', async () => {
    const file = path.join(project.dir, 'sluice.yaml');
    const off = await client.request(SetResourceEnabled.type, { projectDir: project.dir, source: 'numbers', resource: 'odds', enabled: false });
    assert.deepEqual(off, { changed: true });
    assert.equal(fs.readFileSync(file, 'utf8'), SLUICE_YAML.replace('odds: true', 'odds: false'));
    const outline = await client.request(SourceOutline.type, { projectDir: project.dir });
    const numbers = outline.projects[0].sources.find((s) => s.name === 'numbers')!;
    assert.equal(numbers.resourcesFrom, 'module');
    assert.deepEqual(numbers.resources.map((r) => [r.name, r.enabled, r.lastRows]), [['evens', true, 12000], ['odds', false, 300]]);
    assert.equal(numbers.resources[0].location?.line, lineOf(numbersSource, "name: 'evens'"));
    // A source sluice.yaml does not mention gets its own section.
    await client.request(SetResourceEnabled.type, { projectDir: project.dir, source: 'strict', resource: 'people', enabled: false });
    assert.match(fs.readFileSync(file, 'utf8'), /\n {2}strict:\n {4}resources:\n {6}people: false\n$/);
    assert.deepEqual(await client.request(SetResourceEnabled.type, { projectDir: project.dir, source: 'numbers', resource: 'odds', enabled: false }), { changed: false });
    await client.request(SetResourceEnabled.type, { projectDir: project.dir, source: 'numbers', resource: 'odds', enabled: true });
    assert.ok(fs.readFileSync(file, 'utf8').startsWith(SLUICE_YAML));
  });

  it('lets `sluice ingest` run from a terminal while the editor features are in use, and picks its load up', async () => {
    const model = path.join(project.dir, 'models', 'staging', 'evens.sql');
    const text = fs.readFileSync(model, 'utf8');
    const uri = await client.open(model, text);
    const numbers = path.join(project.dir, 'sources', 'numbers.ts');
    let stop = false;
    let requests = 0;
    // Hover, CodeLens, diagnostics and the Sources view keep working while the CLI loads.
    const busy = (async () => {
      while (!stop) {
        await client.hoverText(uri, positionOf(text, 'numbers.evens', 9));
        await client.lsp('textDocument/codeLens', { textDocument: { uri: fileUri(numbers) } });
        await client.request(SourceOutline.type, { projectDir: project.dir });
        requests++;
      }
    })();
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cliPath, 'ingest', 'numbers', '--project', project.dir, '--full-refresh', '--json'], { cwd: project.dir });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    stop = true;
    await busy;
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).status, 'loaded');
    assert.ok(requests > 0);
    const [{ n }] = await query<{ n: number }>(project.warehouse, 'SELECT count(*)::INTEGER AS n FROM numbers.evens');
    assert.equal(n, 12000);
    // The CLI's load is read from _sluice.loads once the file has been quiet (possibly already while the CLI
    // was finishing): the server's view of the source comes to show that load.
    const loads = await query<{ n: number; finished: number }>(
      project.warehouse,
      "SELECT count(*)::INTEGER AS n, epoch_ms(max(finished_at))::DOUBLE AS finished FROM _sluice.loads WHERE source = 'numbers'",
    );
    assert.equal(loads[0].n, 2);
    const cliFinished = new Date(loads[0].finished).toISOString();
    const deadline = Date.now() + 20_000;
    let seen: string | null | undefined;
    while (Date.now() < deadline) {
      await client.lsp('textDocument/codeLens', { textDocument: { uri: fileUri(numbers) } });
      const outline = await client.request(SourceOutline.type, { projectDir: project.dir });
      seen = outline.projects[0].sources.find((s) => s.name === 'numbers')?.lastLoad?.finishedAt;
      if (seen === cliFinished) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(seen, cliFinished, 'the server never showed the load the CLI made');
    await client.close(uri);
  });

  it('lists resources from the text of the modules when the workspace is not trusted', async () => {
    const untrusted = await LspTestClient.start({ folders: [project.dir], trusted: false });
    try {
      const outline = await untrusted.request(SourceOutline.type, {});
      assert.equal(outline.trusted, false);
      const strict = outline.projects[0].sources.find((s) => s.name === 'strict')!;
      assert.equal(strict.resourcesFrom, 'text');
      assert.deepEqual(strict.resources.map((r) => [r.name, r.enabled]), [['people', false]]);
      assert.equal(fs.existsSync(path.join(project.dir, 'ran.txt')), false);
    } finally {
      await untrusted.stop();
    }
  });
});

describe('language server: a project with nothing loaded yet', function () {
  let project: TempProject;

  before(() => {
    project = makeProject({ 'sources/numbers.ts': numbersSource });
  });

  after(() => project?.cleanup());

  it('answers the warehouse and environment requests without creating the warehouse', async () => {
    const client = await LspTestClient.start({ folders: [project.dir], trusted: true });
    try {
      const catalog = await client.request(WarehouseCatalog.type, { projectDir: project.dir });
      assert.deepEqual(catalog, { warehouse: project.warehouse, exists: false, schemas: [] });
      assert.deepEqual(await client.request(Environments.type, { projectDir: project.dir }), { environments: [{ name: 'prod' }] });
      assert.equal(fs.existsSync(project.warehouse), false);
    } finally {
      await client.stop();
    }
  });
});
