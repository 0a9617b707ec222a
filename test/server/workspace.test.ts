import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Projects, ProjectsChanged, RunSource, SluiceErrorCodes } from '../../core/protocol';
import { makeProject, type TempProject } from '../helpers/project';
import { numbersSource } from './fixtures';
import { fileUri, LspTestClient } from './lspClient';

describe('language server: projects in the workspace', function () {
  let root: string;
  let client: LspTestClient;

  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-ws-'));
    write('alpha/sluice.yaml', 'name: alpha\n');
    write('alpha/sources/numbers.ts', numbersSource);
    write('group/beta/sluice.yaml', 'name: beta\nwarehouse: data/beta.duckdb\n');
    // Dependencies and hidden folders are never searched.
    write('node_modules/pkg/sluice.yaml', 'name: dependency\n');
    write('.hidden/sluice.yaml', 'name: hidden\n');
    client = await LspTestClient.start({ folders: [root], trusted: true });
  });

  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('finds the sluice.yaml folders and announces them', async () => {
    const { projects } = await client.request(Projects.type, {});
    assert.deepEqual(projects, [
      { name: 'alpha', dir: path.join(root, 'alpha'), warehouse: path.join(root, 'alpha', 'warehouse.duckdb'), environment: 'dev' },
      { name: 'beta', dir: path.join(root, 'group', 'beta'), warehouse: path.join(root, 'group', 'beta', 'data', 'beta.duckdb'), environment: 'dev' },
    ]);
    const announced = await client.waitFor(ProjectsChanged.method);
    assert.deepEqual(announced.params.projects, projects);
  });

  it('asks which project when a source name is ambiguous', async () => {
    await assert.rejects(client.request(RunSource.type, { source: 'numbers' }), (err: { code: number; message: string }) => {
      assert.equal(err.code, SluiceErrorCodes.UserError);
      assert.match(err.message, /several Sluice projects are open \(alpha, beta\)/);
      return true;
    });
    const result = await client.request(RunSource.type, { source: 'numbers', projectDir: path.join(root, 'alpha'), limit: 1 });
    assert.equal(result.status, 'loaded', result.error);
  });

  it('shows a broken sluice.yaml as a diagnostic at the line, and clears it when fixed', async () => {
    const file = path.join(root, 'group', 'beta', 'sluice.yaml');
    const mark = client.mark();
    write('group/beta/sluice.yaml', 'name: beta\nsources:\n  shop:\n    resources:\n      orders: maybe\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(file), type: 2 }] });
    const [d] = await client.diagnostics(fileUri(file), (ds) => ds.length > 0, mark);
    assert.equal(d.message, 'sources.shop.resources.orders must be true or false, or a mapping of settings (enabled, freshness, owner, tags, volume_anomaly)');
    assert.deepEqual(d.range.start, { line: 4, character: 14 });
    const changed = await client.waitFor(ProjectsChanged.method, () => true, mark);
    const beta = changed.params.projects.find((p: { dir: string }) => p.dir.endsWith('beta'));
    assert.match(beta.error, /must be true or false/);

    const yamlMark = client.mark();
    write('group/beta/sluice.yaml', 'name: beta\nwarehouse: [1\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(file), type: 2 }] });
    const [syntax] = await client.diagnostics(fileUri(file), (ds) => ds.length > 0 && ds[0].range.start.line > 0, yamlMark);
    assert.equal(syntax.range.start.line, 2);

    const fixMark = client.mark();
    write('group/beta/sluice.yaml', 'name: beta\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(file), type: 2 }] });
    await client.diagnostics(fileUri(file), (ds) => ds.length === 0, fixMark);
  });

  it('follows workspace folders being added and removed', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-ws-other-'));
    try {
      fs.writeFileSync(path.join(other, 'sluice.yaml'), 'name: gamma\n');
      const mark = client.mark();
      await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', {
        event: { added: [{ uri: fileUri(other), name: 'other' }], removed: [] },
      });
      const added = await client.waitFor(ProjectsChanged.method, (p) => p.projects.length === 3, mark);
      // Projects are listed by folder path, and the temporary folders' names are random: compare as sets.
      assert.deepEqual(added.params.projects.map((p: { name: string }) => p.name).sort(), ['alpha', 'beta', 'gamma']);

      const removedMark = client.mark();
      await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', {
        event: { added: [], removed: [{ uri: fileUri(root), name: path.basename(root) }] },
      });
      const removed = await client.waitFor(ProjectsChanged.method, (p) => p.projects.length === 1, removedMark);
      assert.equal(removed.params.projects[0].name, 'gamma');
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('language server: settings', function () {
  let project: TempProject;
  let client: LspTestClient;

  before(async () => {
    project = makeProject({ 'sources/numbers.ts': numbersSource, 'app/readme.txt': 'not a project' });
    client = await LspTestClient.start({
      folders: [project.dir],
      trusted: true,
      settings: { warehousePath: 'custom/dev.duckdb', defaultEnvironment: 'staging' },
    });
  });

  after(async () => {
    await client?.stop();
    project?.cleanup();
  });

  it('applies sluice.warehousePath and sluice.defaultEnvironment', async () => {
    const { projects } = await client.request(Projects.type, {});
    assert.equal(projects[0].warehouse, path.join(project.dir, 'custom', 'dev.duckdb'));
    assert.equal(projects[0].environment, 'staging');
    const result = await client.request(RunSource.type, { source: 'numbers', limit: 3 });
    assert.equal(result.status, 'loaded', result.error);
    assert.equal(result.warehouse, path.join(project.dir, 'custom', 'dev.duckdb'));
    assert.ok(fs.existsSync(path.join(project.dir, 'custom', 'dev.duckdb')));
    assert.ok(!fs.existsSync(project.warehouse));
  });

  it('re-reads settings when told they changed, and sluice.projectPath picks the project folder', async () => {
    const mark = client.mark();
    client.settings = { projectPath: 'app' };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const changed = await client.waitFor(ProjectsChanged.method, () => true, mark);
    assert.equal(changed.params.projects.length, 1);
    assert.equal(changed.params.projects[0].dir, path.join(project.dir, 'app'));
    assert.match(changed.params.projects[0].error, /cannot read .*app[\\/]sluice\.yaml/);
    assert.equal(changed.params.projects[0].environment, 'dev');
  });
});

describe('language server: a SQLMesh project without sluice.yaml', function () {
  let root: string;
  let client: LspTestClient;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-ws-sqlmesh-'));
    fs.mkdirSync(path.join(root, 'models'));
    fs.writeFileSync(path.join(root, 'config.yaml'), 'project: shop\nmodel_defaults:\n  dialect: duckdb\n');
    client = await LspTestClient.start({ folders: [root], trusted: true });
  });

  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("reads config.yaml again when it changes: the models are analysed with its new variables", async () => {
    // One model open in an editor, one only on disk: both are checked with the project's settings.
    const onDisk = path.join(root, 'models', 'totals.sql');
    fs.writeFileSync(onDisk, 'MODEL (name shop.totals, kind FULL);\nSELECT @currency AS currency, count(*) AS n FROM shop.prices\n');
    const model = path.join(root, 'models', 'prices.sql');
    const text = 'MODEL (name shop.prices, kind FULL);\nSELECT 1 AS id, @currency AS currency\n';
    fs.writeFileSync(model, text);
    const uri = await client.open(model, text);
    const [missing] = await client.diagnostics(uri, (ds) => ds.length > 0);
    assert.match(missing.message, /macro variable @currency is not defined/);
    const [missingOnDisk] = await client.diagnostics(fileUri(onDisk), (ds) => ds.length > 0);
    assert.match(missingOnDisk.message, /macro variable @currency is not defined/);

    const mark = client.mark();
    const config = path.join(root, 'config.yaml');
    fs.writeFileSync(config, 'project: shop\nmodel_defaults:\n  dialect: duckdb\nvariables:\n  currency: EUR\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(config), type: 2 }] });
    await client.diagnostics(uri, (ds) => ds.length === 0, mark);
    await client.diagnostics(fileUri(onDisk), (ds) => ds.length === 0, mark);
  });
});
