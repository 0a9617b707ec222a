// The server stays responsive while it analyses: a request on one file never waits for another file's
// analysis, a request on an unchanged name is answered from the previous analysis at once (at the right
// place in the new text), and a request on a name just typed waits for the analysis of that very text.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { makeProject, type TempProject } from '../helpers/project';
import { copyDemo, positionOf, type DemoCopy } from './demo';
import { LspTestClient } from './lspClient';

const COLUMNS = 40;
const DOWNSTREAM = 400;

const SCHEMA = `name: raw
version: 1
tables:
  events:
    resource: events
    columns:
      id: { data_type: bigint, field: id }
      amount: { data_type: double, field: amount }
`;

function wideModel(): string {
  const columns = Array.from({ length: COLUMNS }, (_, i) => `  amount * ${i} AS c${i}`).join(',\n');
  return `MODEL (name base.wide, kind FULL);\nSELECT\n  id,\n${columns}\nFROM raw.events\n`;
}

describe('language server: responsiveness while analysing', function () {
  this.timeout(120_000);

  describe('a project where one edit re-analyses 400 models', () => {
    let project: TempProject;
    let client: LspTestClient;

    before(() => {
      const files: Record<string, string> = {
        'schemas/raw.schema.yaml': SCHEMA,
        'models/base/wide.sql': wideModel(),
        'models/small/s.sql': 'MODEL (name small.s, kind VIEW);\nSELECT id, amount AS total FROM raw.events\n',
      };
      for (let i = 0; i < DOWNSTREAM; i++) {
        files[`models/down/d${i}.sql`] = `MODEL (name down.d${i}, kind VIEW);\nSELECT *, c${i % COLUMNS} * 2 AS k FROM base.wide\n`;
      }
      project = makeProject(files);
    });

    after(async () => {
      await client?.stop();
      project?.cleanup();
    });

    it("answers a hover on another file before the edit's downstream models are analysed", async () => {
      client = await LspTestClient.start({ folders: [project.dir], trusted: false });
      await client.waitFor('window/logMessage', (p) => /analysed \d+ models/.test(p.message), 0, 60_000);
      const wideFile = path.join(project.dir, 'models', 'base', 'wide.sql');
      const smallFile = path.join(project.dir, 'models', 'small', 's.sql');
      const wideText = fs.readFileSync(wideFile, 'utf8');
      const smallText = fs.readFileSync(smallFile, 'utf8');
      const wide = await client.open(wideFile, wideText);
      const small = await client.open(smallFile, smallText);
      await client.diagnostics(small, () => true);

      // c0 becomes c0_gone: down.d0, d40, ... read c0 and break, which is found only by analysing them all.
      const mark = client.mark();
      const at = positionOf(wideText, 'AS c0', 3);
      await client.edit(wide, { start: at, end: { line: at.line, character: at.character + 2 } }, 'c0_gone');
      // A hover on the new name needs the analysis of the new text: it starts that analysis now.
      const wideHover = client.hoverText(wide, { line: at.line, character: at.character + 1 });
      const smallHover = await client.hoverText(small, positionOf(smallText, 'AS total', 4));
      const answeredAt = client.mark();
      assert.match(smallHover ?? '', /column `total` of this model/);
      assert.match((await wideHover) ?? '', /column `c0_gone` of this model/);

      const broken = Array.from({ length: DOWNSTREAM / COLUMNS }, (_, k) => path.join(project.dir, 'models', 'down', `d${k * COLUMNS}.sql`));
      for (const file of broken) {
        await client.waitFor('textDocument/publishDiagnostics', (p) => p.uri.endsWith(`/down/${path.basename(file)}`) && p.diagnostics.length > 0, mark, 60_000);
      }
      const lastBroken = Math.max(
        ...broken.map((file) => client.notifications.findIndex((n, i) => i >= mark && n.method === 'textDocument/publishDiagnostics' && n.params.uri.endsWith(`/down/${path.basename(file)}`))),
      );
      assert.ok(answeredAt <= lastBroken, `the hover on small.s was answered after the ${DOWNSTREAM} downstream models were analysed`);
    });
  });

  describe('the demo project, asked while the newest text is analysed', () => {
    const DAILY = 'models/marts/daily_revenue.sql';
    let demo: DemoCopy;
    let client: LspTestClient;

    before(async () => {
      demo = copyDemo();
      client = await LspTestClient.start({ folders: [demo.dir], trusted: false });
    });
    after(async () => {
      await client?.stop();
      demo?.cleanup();
    });

    it('answers a hover on an unchanged name below an edit, with its range in the new text', async () => {
      const text = demo.text(DAILY);
      const uri = await client.open(demo.file(DAILY), text);
      await client.diagnostics(uri, () => true);
      await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '-- first line added\n-- and a second\n');
      const before = demo.position(DAILY, 'AS revenue', 4);
      const position = { line: before.line + 2, character: before.character };
      const hover = await client.lsp<{ contents: { value: string }; range?: { start: { line: number; character: number } } }>('textDocument/hover', { textDocument: { uri }, position });
      assert.match(hover.contents.value, /column `revenue` of this model/);
      assert.deepEqual(hover.range?.start, { line: position.line, character: before.character - 1 });
    });

    it('answers a hover on a name just typed from the analysis of that text', async () => {
      const text = demo.text(DAILY);
      const uri = await client.open(demo.file(DAILY), text);
      await client.diagnostics(uri, () => true);
      const at = demo.position(DAILY, 'AS order_count', 3);
      await client.edit(uri, { start: at, end: { line: at.line, character: at.character + 'order_count'.length } }, 'orders_placed');
      const hover = await client.hoverText(uri, { line: at.line, character: at.character + 2 });
      assert.match(hover ?? '', /column `orders_placed` of this model/);
      const definition = await client.lsp<{ uri: string } | null>('textDocument/definition', { textDocument: { uri }, position: demo.position(DAILY, 'intermediate.orders_enriched', 15) });
      assert.ok(definition?.uri.endsWith('orders_enriched.sql'));
    });
  });
});
