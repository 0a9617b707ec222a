// "Run source to DuckDB" for a Singer tap: the editor's sluice/runSource over a real LSP connection.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { CancelIngest, ListSources, RunSource } from '../../core/protocol';
import { query, type TempProject } from '../helpers/project';
import { ENV, shopProject, sourceModule } from '../sources/singerProject';
import { fileUri, LspTestClient } from './lspClient';

const MODEL = 'models/vip_customers.sql';
const MODEL_TEXT = 'MODEL (name analytics.vip_customers, kind FULL);\n\nSELECT id, email FROM shop.customers WHERE vip\n';

/** The LSP position of the offset-th character of the first `needle` in text. */
function positionOf(text: string, needle: string, offset = 0): { line: number; character: number } {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} is in the text`);
  const before = text.slice(0, at + offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

describe('language server: sluice/runSource with a Singer tap', function () {
  this.timeout(120_000);
  let project: TempProject;
  let client: LspTestClient;

  before(async () => {
    project = shopProject({
      'sources/shop.ts': sourceModule({ extra: "\n  streams: { customers: {}, events: {} }," }),
      [MODEL]: MODEL_TEXT,
    });
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

  it('goes from a table and a column the tap loaded to the stream in the singerTap() config', async () => {
    const uri = await client.open(path.join(project.dir, MODEL), MODEL_TEXT);
    const shopFile = path.join(project.dir, 'sources', 'shop.ts');
    const streamKey = positionOf(fs.readFileSync(shopFile, 'utf8'), 'customers: {}');
    for (const [needle, offset] of [['shop.customers', 8], ['WHERE vip', 7]] as const) {
      const definition = () => client.lsp<{ uri: string; range: { start: unknown } } | null>('textDocument/definition', {
        textDocument: { uri },
        position: positionOf(MODEL_TEXT, needle, offset),
      });
      // The server reads the run's load from the warehouse in the background.
      let found = await definition();
      for (const deadline = Date.now() + 20_000; found?.uri !== fileUri(shopFile) && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 200));
        found = await definition();
      }
      assert.equal(found?.uri, fileUri(shopFile), needle);
      assert.deepEqual(found.range.start, streamKey, needle);
    }
  });

  it('shows on hover which source and stream a table and a column came from', async () => {
    const uri = fileUri(path.join(project.dir, MODEL));
    const table = await client.hoverText(uri, positionOf(MODEL_TEXT, 'shop.customers', 8));
    assert.match(table ?? '', /Loaded by source `shop`, resource `customers`/);
    const column = await client.hoverText(uri, positionOf(MODEL_TEXT, 'WHERE vip', 7));
    assert.match(column ?? '', /source `shop` · resource `customers`/);
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
