import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { DidChangeTrust, ListSources, RunSource, SluiceErrorCodes } from '../../core/protocol';
import { makeProject, tableNames, type TempProject } from '../helpers/project';
import { numbersSource } from './fixtures';
import { LspTestClient } from './lspClient';

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
