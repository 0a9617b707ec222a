// "Run source to DuckDB" for a Singer tap: the editor's sluice/runSource over a real LSP connection.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { CancelIngest, ListSources, RunSource } from '../../core/protocol';
import { query, type TempProject } from '../helpers/project';
import { ENV, shopProject, sourceModule } from '../sources/singerProject';
import { fileUri, LspTestClient } from './lspClient';

describe('language server: sluice/runSource with a Singer tap', function () {
  this.timeout(120_000);
  let project: TempProject;
  let client: LspTestClient;

  before(async () => {
    project = shopProject({ 'sources/shop.ts': sourceModule({ extra: "\n  streams: { customers: {}, events: {} }," }) });
    // The server reads secrets from its own environment, like the CLI.
    client = await LspTestClient.start({ folders: [project.dir], trusted: true, env: ENV });
  });

  after(async () => {
    await client?.stop();
    project?.cleanup();
  });

  it('lists the streams named in the config and runs the tap into the warehouse', async () => {
    const listing = await client.request(ListSources.type, {});
    const [shop] = listing.projects[0].sources.filter((s) => s.name === 'shop');
    assert.deepEqual(shop.resources?.map((r) => r.name), ['customers', 'events']);
    const result = await client.request(RunSource.type, { file: fileUri(path.join(project.dir, 'sources', 'shop.ts')) });
    assert.equal(result.status, 'loaded', result.error);
    assert.deepEqual(result.tables, [
      { table: 'customers', rows: 3 },
      { table: 'customers__tags', rows: 2 },
      { table: 'events', rows: 3 },
    ]);
    const [row] = await query<{ n: number }>(project.warehouse, 'SELECT count(*)::INT AS n FROM shop.customers');
    assert.equal(row.n, 3);
  });

  it('cancelling the run ends the tap and loads nothing more', async () => {
    project.write('sources/shop.ts', sourceModule({ fail: 'hang' }));
    project.write('shop.json', JSON.stringify({ customers: [{ id: 9, updated_at: '2030-01-01T00:00:00Z' }], events: [] }));
    const run = client.request(RunSource.type, { source: 'shop', runId: 'singer-cancel', fullRefresh: true });
    const pidFile = path.join(project.dir, 'tap.pid');
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(pidFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    await client.notify(CancelIngest.type, { runId: 'singer-cancel' });
    const result = await run;
    assert.equal(result.status, 'cancelled');
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(), false, 'the tap process was ended');
    const [row] = await query<{ n: number }>(project.warehouse, 'SELECT count(*)::INT AS n FROM shop.customers WHERE id = 9');
    assert.equal(row.n, 0);
  });
});
