// The plan in the editor over a real LSP connection: the plan lens above a model against the environment
// of the settings after an apply from the CLI, sluice/plan with categories and diffs, and sluice/apply
// (checked in the warehouse catalog afterwards), refused in an untrusted workspace.

import { strict as assert } from 'node:assert';
import { ApplyRequest, PlanRequest, SluiceErrorCodes, WarehouseCatalog } from '../../core/protocol';
import { makeProject, runCli, type TempProject } from '../helpers/project';
import { baseModels } from '../plan/helpers';
import { positionOf } from './demo';
import { fileUri, LspTestClient } from './lspClient';

interface Lens {
  range: { start: { line: number } };
  command?: { title: string; command: string; arguments?: unknown[] };
}

const ORDERS = 'models/orders.sql';

describe('language server: the plan in the editor', function () {
  this.timeout(60_000);
  let project: TempProject;
  let client: LspTestClient;
  let uri: string;

  before(async () => {
    project = makeProject(baseModels);
    const applied = runCli(['apply', 'prod', '--project', project.dir], project.dir);
    assert.equal(applied.code, 0, applied.stderr);
    client = await LspTestClient.start({ folders: [project.dir], trusted: true, settings: { defaultEnvironment: 'prod' } });
    uri = await client.open(`${project.dir}/${ORDERS}`, baseModels[ORDERS]);
  });

  after(async () => {
    await client?.stop();
    project?.cleanup();
  });

  /** The plan lens of the file, asked for again after each refresh the server requests, until `done` holds. */
  async function planLensUntil(done: (title: string | undefined) => boolean): Promise<string | undefined> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const mark = client.mark();
      const lenses = await client.lsp<Lens[]>('textDocument/codeLens', { textDocument: { uri } });
      const title = lenses.find((l) => l.command?.command === 'sluice.showPlan')?.command?.title;
      if (done(title)) return title;
      if (Date.now() > deadline) throw new Error(`plan lens never matched; last: ${title}`);
      await client.waitFor('workspace/codeLens/refresh', () => true, mark, Math.max(1, deadline - Date.now()));
    }
  }

  async function replace(needle: string, text: string): Promise<void> {
    const current = baseModels[ORDERS];
    const start = positionOf(current, needle);
    const end = positionOf(current, needle, needle.length);
    await client.edit(uri, { start, end }, text);
  }

  it('shows no plan lens on a model the plan leaves alone', async () => {
    // The unchanged model gets its schema lenses; once the first plan is known (the server asks for fresh
    // lenses then) there is still no plan lens.
    const mark = client.mark();
    await client.lsp<Lens[]>('textDocument/codeLens', { textDocument: { uri } });
    await client.waitFor('workspace/codeLens/refresh', () => true, mark);
    const lenses = await client.lsp<Lens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.ok(lenses.length >= 2, JSON.stringify(lenses));
    assert.equal(lenses.find((l) => l.command?.command === 'sluice.showPlan'), undefined);
  });

  it('labels an added projection non-breaking with +1 column and its downstream count', async () => {
    await replace('AS order_date', 'AS order_date, i % 2 AS parity');
    const title = await planLensUntil((t) => t !== undefined && t.includes('non-breaking'));
    assert.equal(title, '$(git-compare) plan prod: non-breaking · +1 column · 2 downstream');
  });

  it('labels a changed filter breaking with the number of models it rebuilds', async () => {
    // Back to the applied projection list, and a filter on top: only the rows change.
    await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } }, baseModels[ORDERS].replace('FROM range(1, 21) AS t(i)', 'FROM range(1, 21) AS t(i) WHERE i > 2'));
    const title = await planLensUntil((t) => t !== undefined && !t.includes('non-breaking'));
    assert.equal(title, '$(warning) plan prod: breaking · 2 downstream · rebuilds 3 models');
    const lenses = await client.lsp<Lens[]>('textDocument/codeLens', { textDocument: { uri } });
    const lens = lenses.find((l) => l.command?.command === 'sluice.showPlan')!;
    assert.equal(lens.range.start.line, 0);
    assert.deepEqual(lens.command?.arguments, [{ projectDir: project.dir, environment: 'prod' }]);
  });

  it('says how many errors stand in the way while the model has errors, instead of a plan or columns', async () => {
    const withFilter = baseModels[ORDERS].replace('FROM range(1, 21) AS t(i)', 'FROM range(1, 21) AS t(i) WHERE i > 2');
    const lensesOf = async (text: string) => {
      await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } }, text);
      return client.lsp<Lens[]>('textDocument/codeLens', { textDocument: { uri } });
    };
    // A typo in the keyword: the file has no query left.
    const typo = await lensesOf(withFilter.replace('SELECT i AS id', 'SELEC i AS id'));
    assert.deepEqual(typo.map((l) => l.command?.title), ['$(error) fix 1 error to see the plan and columns']);
    assert.equal(typo[0].command?.command, 'workbench.actions.view.problems');
    assert.equal(typo[0].range.start.line, 0);
    // Two unknown columns: two errors of the analysis.
    const unknown = await lensesOf(withFilter.replace('i * 10.0 AS amount', 'nope_a * 10.0 AS amount, nope_b AS other'));
    assert.deepEqual(unknown.map((l) => l.command?.title), ['$(error) fix 2 errors to see the plan and columns']);
    // Fixed: the columns, the graph and the plan are back, and Preview last.
    // (The health lens comes and goes with the background health report: not counted here.)
    const fixed = (await lensesOf(withFilter)).filter((l) => l.command?.command !== 'sluice.showHealth');
    assert.deepEqual(fixed.map((l) => l.command?.command), ['sluice.showLineage', 'sluice.showLineage', 'sluice.showPlan', 'sluice.previewQuery']);
    assert.deepEqual(fixed[3].command!.arguments, [{ uri }]);
    assert.equal(fixed[0].command!.title, '4 columns: id, customer_id, amount, order_date');
    assert.equal(await planLensUntil((t) => t !== undefined && t.includes('rebuilds')), '$(warning) plan prod: breaking · 2 downstream · rebuilds 3 models');
  });

  it('before anything was applied, the error lens only speaks of the columns', async () => {
    const fresh = makeProject(baseModels);
    const other = await LspTestClient.start({ folders: [fresh.dir], trusted: true, settings: { defaultEnvironment: 'prod' } });
    try {
      const freshUri = await other.open(`${fresh.dir}/${ORDERS}`, baseModels[ORDERS].replace('AS order_date', 'AS order_date,, 1'));
      // The first request starts the background plan; the lens is asked for again once it is known.
      const mark = other.mark();
      await other.lsp<Lens[]>('textDocument/codeLens', { textDocument: { uri: freshUri } });
      await other.waitFor('workspace/codeLens/refresh', () => true, mark);
      const lenses = await other.lsp<Lens[]>('textDocument/codeLens', { textDocument: { uri: freshUri } });
      assert.deepEqual(lenses.map((l) => l.command?.title), ['$(error) fix 1 error to see the columns']);
    } finally {
      await other.stop();
      fresh.cleanup();
    }
  });

  it('answers sluice/plan with the changes, their categories, diffs and impacts', async () => {
    const plan = await client.request(PlanRequest.type, { projectDir: project.dir, environment: 'prod' });
    assert.equal(plan.environment, 'prod');
    assert.equal(plan.base, 'prod');
    assert.deepEqual(plan.errors, []);
    const orders = plan.changes.find((c) => c.model === 'staging.orders');
    assert.ok(orders, JSON.stringify(plan.changes));
    assert.equal(orders.change, 'directly_modified');
    assert.equal(orders.category, 'breaking');
    assert.equal(orders.file, project.dir + '/' + ORDERS);
    assert.deepEqual([...orders.impacted].sort(), ['analytics.revenue', 'staging.enriched']);
    assert.match(orders.diff, /^\+FROM range\(1, 21\) AS t\(i\) WHERE i > 2$/m);
    assert.match(orders.diff, /^-FROM range\(1, 21\) AS t\(i\)$/m);
    assert.deepEqual(plan.changes.map((c) => [c.model, c.change]).sort(), [
      ['analytics.revenue', 'indirectly_modified'],
      ['staging.enriched', 'indirectly_modified'],
      ['staging.orders', 'directly_modified'],
    ]);
    assert.deepEqual([...plan.build].sort(), ['analytics.revenue', 'staging.enriched', 'staging.orders']);
    assert.equal(plan.empty, false);
  });

  it('names the columns behind a breaking change in sluice/plan: changed and removed ones', async () => {
    const reasonOf = async (text: string) => {
      await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } }, text);
      const plan = await client.request(PlanRequest.type, { projectDir: project.dir, environment: 'prod' });
      return plan.changes.find((c) => c.model === 'staging.orders')?.reason;
    };
    // The analysis knows no type for these columns (they come from range()): the column is named without types.
    assert.equal(await reasonOf(baseModels[ORDERS].replace('i * 10.0 AS amount', '(i * 10.0)::DOUBLE AS amount')), 'column amount changed');
    assert.equal(await reasonOf(baseModels[ORDERS].replace('1 + (i % 3) AS customer_id, ', '')), 'column customer_id was removed');
    assert.equal(await reasonOf(baseModels[ORDERS].replace('i AS id, 1 + (i % 3) AS customer_id, ', '')), 'columns id, customer_id were removed');
  });

  it('applies a dev environment with sluice/apply; the catalog has it and the next plan is empty', async () => {
    // A new column, and two audits on the new table: one passes, one fails without blocking.
    const audited = 'grain id, audits (not_null(columns := (id)), accepted_values_non_blocking(column := customer_id, is_in := (1, 2)))';
    await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } }, baseModels[ORDERS].replace('AS order_date', 'AS order_date, i % 2 AS parity').replace('grain id', audited));
    const result = await client.request(ApplyRequest.type, { projectDir: project.dir, environment: 'dev' });
    assert.equal(result.error, undefined);
    assert.equal(result.environment, 'dev');
    assert.equal(result.swapped, true);
    // The changed table and the view over it are built; the mart and the seed are reused as they are.
    assert.deepEqual(result.built, ['staging.orders', 'staging.enriched']);
    assert.deepEqual([...result.reused].sort(), ['analytics.revenue', 'raw.customers']);
    assert.deepEqual(result.audits, { run: 2, passed: 1, failed: 1 });
    assert.deepEqual(result.backfilled, []);
    assert.ok(result.durationMs > 0);
    const catalog = await client.request(WarehouseCatalog.type, { projectDir: project.dir });
    const orders = catalog.schemas.find((s) => s.name === 'staging__dev')?.tables.find((t) => t.name === 'orders');
    assert.deepEqual(orders?.columns.map((c) => c.name), ['id', 'customer_id', 'amount', 'order_date', 'parity']);
    const prodOrders = catalog.schemas.find((s) => s.name === 'staging')?.tables.find((t) => t.name === 'orders');
    assert.deepEqual(prodOrders?.columns.map((c) => c.name), ['id', 'customer_id', 'amount', 'order_date']);
    const after = await client.request(PlanRequest.type, { projectDir: project.dir, environment: 'dev' });
    assert.equal(after.empty, true);
    assert.deepEqual(after.changes, []);
  });

  it('reports a failed apply as a result with the reason, leaving the environment as it was', async () => {
    await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } }, baseModels[ORDERS].replace('AS order_date', 'AS order_date, 1 / 0 AS boom, error(\'no\') AS broken'));
    const result = await client.request(ApplyRequest.type, { projectDir: project.dir, environment: 'dev' });
    assert.match(String(result.error), /^apply of dev failed: .*no.*; environment dev is unchanged$/);
    assert.equal(result.swapped, false);
    const catalog = await client.request(WarehouseCatalog.type, { projectDir: project.dir });
    const orders = catalog.schemas.find((s) => s.name === 'staging__dev')?.tables.find((t) => t.name === 'orders');
    assert.deepEqual(orders?.columns.map((c) => c.name), ['id', 'customer_id', 'amount', 'order_date', 'parity']);
  });

  it('refuses a bad environment name and an unknown project as problems the user can fix', async () => {
    await assert.rejects(client.request(PlanRequest.type, { projectDir: project.dir, environment: 'no such env' }), (err: { code: number; message: string }) => {
      assert.equal(err.code, SluiceErrorCodes.UserError);
      assert.match(err.message, /environment name 'no such env' is not valid/);
      return true;
    });
    await assert.rejects(client.request(ApplyRequest.type, { projectDir: '/nowhere' }), (err: { code: number }) => err.code === SluiceErrorCodes.UserError);
  });

  it('refuses sluice/apply in an untrusted workspace but still plans', async () => {
    const untrusted = await LspTestClient.start({ folders: [project.dir], trusted: false });
    try {
      const plan = await untrusted.request(PlanRequest.type, { projectDir: project.dir, environment: 'prod' });
      assert.equal(plan.environment, 'prod');
      await assert.rejects(untrusted.request(ApplyRequest.type, { projectDir: project.dir, environment: 'prod' }), (err: { code: number; message: string }) => {
        assert.equal(err.code, SluiceErrorCodes.Untrusted);
        assert.match(err.message, /^Applying a plan runs code from this workspace, which is not trusted/);
        return true;
      });
    } finally {
      await untrusted.stop();
    }
  });
});
