// SQLMesh blueprints in the editor, over a real language server connection: a table made by a blueprint
// is known to the models reading it (hover, go to definition lead to the blueprint file), and problems of
// one blueprint are shown in the file at their line and column, as the edit is typed.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/project';
import { fileUri, LspTestClient } from './lspClient';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'sqlmesh-blueprints');
const ALL = 'models/marts/all_regions.sql';
const ORDERS = 'models/regions/orders.sql';

/** 0-based LSP position of the `offset`-th character after the first occurrence of `needle`. */
function positionIn(text: string, needle: string, offset = 0): { line: number; character: number } {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `${needle} is in the text`);
  const before = text.slice(0, index + offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

describe('language server: blueprint models', function () {
  this.timeout(60_000);
  let dir: string;
  let client: LspTestClient;
  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-blueprints-lsp-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    // The editor opens a project on its sluice.yaml; the rest of the configuration is SQLMesh's.
    fs.writeFileSync(path.join(dir, 'sluice.yaml'), 'name: regional_shop\n');
    client = await LspTestClient.start({ folders: [dir], trusted: false });
  });

  after(async () => {
    await client?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('goes from a table a blueprint makes to the blueprint file, and hovers it with its columns', async () => {
    const text = read(ALL);
    const uri = await client.open(path.join(dir, ALL), text);
    const at = positionIn(text, 'FROM us_sales.orders', 8);
    const found = await client.lsp<{ uri: string; range: { start: { line: number; character: number } } }>('textDocument/definition', { textDocument: { uri }, position: at });
    assert.equal(found.uri, fileUri(path.join(dir, ORDERS)));
    assert.deepEqual(found.range.start, positionIn(read(ORDERS), '@{region}_sales.orders'));
    const hover = await client.hoverText(uri, at);
    assert.ok(hover, 'a hover');
    assert.match(hover, /us\\?_sales\.orders/);
    assert.match(hover, /region\\?_label/);
  });

  it('refuses to rename a table a blueprint makes: its name comes from the blueprint variables', async () => {
    const text = read(ALL);
    const uri = await client.open(path.join(dir, ALL), text);
    const request = client.lsp('textDocument/rename', { textDocument: { uri }, position: positionIn(text, 'FROM us_sales.orders', 14), newName: 'us_sales.purchases' });
    await assert.rejects(request, (err: Error) => /us_sales\.orders is made by a blueprint of orders\.sql/.test(err.message));
  });

  it('shows a blueprint without the variable its query uses at the use, naming the blueprint', async () => {
    const text = read(ORDERS);
    const uri = await client.open(path.join(dir, ORDERS), text);
    const since = client.mark();
    const at = positionIn(text, "label := 'Asia Pacific'");
    // The third blueprint loses its label.
    await client.edit(uri, { start: { line: at.line, character: at.character - 2 }, end: { line: at.line, character: at.character + "label := 'Asia Pacific'".length } }, '');
    const diagnostics = await client.diagnostics(uri, (d) => d.some((x) => /@label/.test(x.message)), since);
    const problem = diagnostics.find((d) => /@label/.test(d.message))!;
    assert.match(problem.message, /blueprint 3 \(line 7\) does not set it/);
    assert.deepEqual(problem.range.start, positionIn(text, '@label AS region_label'));
  });
});
