// Health in the editor over a real LSP connection, on a copy of the demo after real CLI runs (every source
// ingested, prod applied): the report behind the Health view, the freshness lens on a model, and the same
// lens once the clock (SLUICE_NOW) has moved a day and a half past the loads.

import { strict as assert } from 'node:assert';
import { ProjectHealth } from '../../core/protocol';
import { runCli } from '../helpers/project';
import { copyDemo, type DemoCopy } from './demo';
import { LspTestClient } from './lspClient';

const DAILY = 'models/marts/daily_revenue.sql';

interface CodeLens {
  command: { title: string; tooltip?: string; command: string; arguments?: unknown[] };
}

describe('language server: health', function () {
  this.timeout(180_000);
  let demo: DemoCopy;
  const clients: LspTestClient[] = [];

  const cli = (...args: string[]) => {
    const run = runCli([...args, '--project', demo.dir], demo.dir);
    assert.equal(run.code, 0, `sluice ${args.join(' ')}: ${run.stderr}`);
  };

  /** The health lens of daily_revenue, once the server has computed the report in the background. */
  async function healthLens(client: LspTestClient): Promise<CodeLens> {
    const uri = await client.open(demo.file(DAILY), demo.text(DAILY));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const lenses = await client.lsp<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
      const lens = lenses.find((l) => l.command.command === 'sluice.showHealth');
      if (lens) return lens;
      if (Date.now() > deadline) throw new Error(`no health lens: ${lenses.map((l) => l.command.title).join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  before(() => {
    demo = copyDemo();
    for (const source of ['shop', 'github', 'legacy_crm']) cli('ingest', source);
    cli('apply', 'prod');
  });

  after(async () => {
    for (const client of clients) await client.stop();
    demo?.cleanup();
  });

  it('reports every column as sluice health does, with the files of the models', async () => {
    const client = await LspTestClient.start({ folders: [demo.dir] });
    clients.push(client);
    const result = await client.request(ProjectHealth.type, { projectDir: demo.dir });
    assert.equal(result.error, undefined);
    assert.equal(result.environment, 'prod');
    const report = result.report!;
    const cliReport = JSON.parse(runCli(['health', '--json', '--project', demo.dir], demo.dir).stdout);
    assert.deepEqual(Object.keys(report.columns).sort(), Object.keys(cliReport.columns).sort());
    const revenue = report.columns['analytics.daily_revenue.revenue'];
    assert.equal(revenue.status, 'fresh');
    assert.ok(revenue.sources.some((s) => s.field === 'shop.orders.total'), JSON.stringify(revenue.sources));
    assert.equal(report.sources['shop.orders'].status, 'fresh');
    assert.equal(report.sources['shop.orders'].volume.length, 1);
    assert.ok(result.modelFiles['analytics.daily_revenue'].endsWith('daily_revenue.sql'));
  });

  it('shows the freshness of a model in a lens that opens the Health view on it', async () => {
    const client = clients[0];
    const lens = await healthLens(client);
    assert.match(lens.command.title, /^\$\(pass\) prod: fresh · built (just now|\d+ (s|min) ago) · audits passed$/);
    assert.match(lens.command.tooltip ?? '', /shop\.orders/);
    assert.deepEqual(lens.command.arguments, [{ projectDir: demo.dir, model: 'analytics.daily_revenue' }]);
  });

  it('says stale and why once the clock has moved past the freshness limit of shop', async () => {
    const later = new Date(Date.now() + 36 * 3_600_000).toISOString();
    const client = await LspTestClient.start({ folders: [demo.dir], env: { SLUICE_NOW: later } });
    clients.push(client);
    const lens = await healthLens(client);
    assert.match(lens.command.title, /^\$\(warning\) prod: stale · built 36 h ago · audits passed$/);
    assert.match(lens.command.tooltip ?? '', /longer than the error_after of shop\.orders \(24h\)/);
    const result = await client.request(ProjectHealth.type, { projectDir: demo.dir });
    assert.equal(result.report!.columns['analytics.daily_revenue.revenue'].status, 'stale');
    assert.equal(result.report!.summary.ok, false);
  });
});
