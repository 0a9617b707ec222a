import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { DidChangeTrust, ListSources, RunSource, SluiceErrorCodes } from '../../core/protocol';
import { makeProject, tableNames, type TempProject } from '../helpers/project';
import { numbersSource } from './fixtures';
import { macroProjectFiles } from '../macros/fixture';
import { fileUri, LspTestClient } from './lspClient';

describe('language server: workspace trust', function () {
  let project: TempProject;

  before(() => {
    // A source whose module leaves a mark when it is loaded, to prove listing did not run it.
    project = makeProject({
      'sources/numbers.ts': numbersSource,
      'sources/marker.ts':
        "require('node:fs').writeFileSync(__dirname + '/../ran.txt', 'ran');\n" +
        "export default { name: 'marker', resources: [{ name: 'x', rows: () => [{ a: 1 }] }] };\n",
    });
  });

  after(() => project?.cleanup());

  const isUntrusted = (err: { code: number; message: string }) => {
    assert.equal(err.code, SluiceErrorCodes.Untrusted);
    assert.equal(err.message, 'Running a source runs code from this workspace, which is not trusted; trust the workspace to allow it');
    return true;
  };

  it('refuses runSource in an untrusted workspace, lists sources without loading them, still checks models', async () => {
    const client = await LspTestClient.start({ folders: [project.dir], trusted: false });
    try {
      await assert.rejects(client.request(RunSource.type, { source: 'numbers' }), isUntrusted);
      const listing = await client.request(ListSources.type, {});
      assert.equal(listing.trusted, false);
      assert.deepEqual(
        listing.projects[0].sources.map((s) => ({ ...s })),
        [
          { name: 'marker', file: path.join(project.dir, 'sources', 'marker.ts') },
          { name: 'numbers', file: path.join(project.dir, 'sources', 'numbers.ts') },
        ],
      );
      assert.equal(fs.existsSync(path.join(project.dir, 'ran.txt')), false);
      assert.equal(fs.existsSync(project.warehouse), false);
      // Parsing-only features keep working.
      const uri = await client.open(path.join(project.dir, 'models', 'm.sql'), 'MODEL (name a.m);\nSELECT 1 FROM');
      const [d] = await client.diagnostics(uri, (ds) => ds.length > 0);
      assert.equal(d.message, 'syntax error at end of input');
    } finally {
      await client.stop();
    }
  });

  it('treats a client that says nothing about trust as untrusted', async () => {
    const client = await LspTestClient.start({ folders: [project.dir] });
    try {
      await assert.rejects(client.request(RunSource.type, { source: 'numbers' }), isUntrusted);
    } finally {
      await client.stop();
    }
  });

  it('runs sources once the client reports that trust was granted', async () => {
    const client = await LspTestClient.start({ folders: [project.dir], trusted: false });
    try {
      await assert.rejects(client.request(RunSource.type, { source: 'numbers', limit: 5 }), isUntrusted);
      await client.notify(DidChangeTrust.type, { trusted: true });
      const result = await client.request(RunSource.type, { source: 'numbers', limit: 5 });
      assert.equal(result.status, 'loaded', result.error);
      assert.deepEqual(await tableNames(project.warehouse, 'numbers'), ['evens', 'odds', 'odds__tags']);
      const listing = await client.request(ListSources.type, {});
      const marker = listing.projects[0].sources.find((s) => s.name === 'marker');
      assert.deepEqual(marker?.resources, [{ name: 'x', enabled: true }]);
      assert.equal(fs.existsSync(path.join(project.dir, 'ran.txt')), true);
    } finally {
      await client.stop();
    }
  });
});

describe('language server: TypeScript macros and workspace trust', function () {
  this.timeout(60_000);
  let project: TempProject;
  const UNTRUSTED = 'cannot be evaluated: macros/*.ts run code from this workspace, which is not trusted; trust the workspace to evaluate this macro';

  before(() => {
    project = makeProject({
      ...macroProjectFiles,
      // Leaves a mark when loaded, to prove an untrusted workspace never ran it.
      'macros/marker.ts': "require('node:fs').writeFileSync(__dirname + '/../macros-ran.txt', 'ran');\nexport const marked = () => 'TRUE';\n",
    });
  });
  after(() => project?.cleanup());

  it('does not run macros/*.ts in an untrusted workspace: each call says trust is needed; granting trust evaluates them', async () => {
    const client = await LspTestClient.start({ folders: [project.dir], trusted: false });
    try {
      const file = path.join(project.dir, 'models', 'customer_report.sql');
      const uri = await client.open(file, macroProjectFiles['models/customer_report.sql']);
      const untrusted = await client.diagnostics(uri, (ds) => ds.length > 0);
      assert.deepEqual(untrusted.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`), [
        `5:3 @MASK ${UNTRUSTED}`,
        `6:3 @ADD_ONE ${UNTRUSTED}`,
        `7:3 @MODEL_LABEL ${UNTRUSTED}`,
      ]);
      assert.equal(fs.existsSync(path.join(project.dir, 'macros-ran.txt')), false);

      let since = client.notifications.length;
      await client.notify(DidChangeTrust.type, { trusted: true });
      await client.diagnostics(uri, (ds) => ds.length === 0, since);
      assert.equal(fs.existsSync(path.join(project.dir, 'macros-ran.txt')), true);

      // A changed macro file is loaded again: a throw now shows at the call, with the macro's message.
      project.write('macros/utils.ts', macroProjectFiles['macros/utils.ts'].replace('return `(${value}) + 1`;', "throw new Error('add_one is broken');"));
      since = client.notifications.length;
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(path.join(project.dir, 'macros', 'utils.ts')), type: 2 }] });
      const [broken] = await client.diagnostics(uri, (ds) => ds.length > 0, since);
      assert.equal(`${broken.range.start.line + 1}:${broken.range.start.character + 1} ${broken.message}`, '6:3 @ADD_ONE (macros/utils.ts:5:9) failed: add_one is broken');
    } finally {
      await client.stop();
    }
  });
});
