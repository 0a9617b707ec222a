// Quick fixes in model files, over a real connection on a copy of the demo project: each fix is applied the
// way an editor applies it, sent back to the server as an edit, and the problem it fixed is gone.

import { strict as assert } from 'node:assert';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { copyDemo, positionOf, type DemoCopy } from './demo';
import { LspTestClient, type LspDiagnostic, type LspRange } from './lspClient';

interface TextEdit {
  range: LspRange;
  newText: string;
}
interface CodeAction {
  title: string;
  kind?: string;
  isPreferred?: boolean;
  diagnostics?: LspDiagnostic[];
  edit?: { changes?: Record<string, TextEdit[]> };
}

describe('language server: quick fixes in model files', function () {
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

  /** Code actions as asked for by the user (triggerKind 1), or automatically for the light bulb (2). */
  async function actions(uri: string, range: LspRange, diagnostics: LspDiagnostic[] = [], triggerKind = 1): Promise<CodeAction[]> {
    return client.lsp<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, triggerKind } });
  }

  /** Applies an action's edits to the text, sends the result as an edit, and returns it. */
  async function apply(uri: string, text: string, action: CodeAction): Promise<string> {
    const edits = action.edit?.changes?.[uri];
    assert.ok(edits && edits.length > 0, `${action.title} edits the file`);
    assert.deepEqual(Object.keys(action.edit!.changes!), [uri], 'and no other file');
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'sql', 1, text), edits);
    const lines = text.split('\n');
    await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1].length } }, fixed);
    return fixed;
  }

  it('suggests the close column name for an unknown column, among the columns in scope', async () => {
    const text = 'MODEL (name analytics.bad_column, kind VIEW);\nSELECT order_id, o.amout, ammount FROM staging.orders AS o';
    const uri = await client.open(demo.file('models/marts/bad_column.sql'), text);
    const diagnostics = await client.diagnostics(uri, (ds) => ds.length === 2);
    assert.deepEqual(diagnostics.map((d) => d.code), ['unknown-column', 'unknown-column']);

    const qualified = await actions(uri, diagnostics[0].range, [diagnostics[0]]);
    assert.deepEqual(qualified.map((a) => [a.title, a.kind, a.isPreferred]), [['Change `amout` to `amount`', 'quickfix', true]]);
    assert.deepEqual(qualified[0].diagnostics?.map((d) => d.message), ['table "o" has no column "amout"']);
    let fixed = await apply(uri, text, qualified[0]);
    assert.equal(fixed, 'MODEL (name analytics.bad_column, kind VIEW);\nSELECT order_id, o.amount, ammount FROM staging.orders AS o');
    const mark = client.mark();
    // Asked for automatically while the edit is not analysed yet, there is nothing: no fix for older text.
    const ammount = positionOf(fixed, 'ammount');
    assert.deepEqual(await actions(uri, { start: ammount, end: ammount }, [], 2), []);
    const [left] = await client.diagnostics(uri, (ds) => ds.length === 1, mark);
    assert.equal((await actions(uri, left.range, [left], 2))[0]?.title, 'Change `ammount` to `amount`');

    const unqualified = await actions(uri, left.range);
    assert.equal(unqualified[0].title, 'Change `ammount` to `amount`');
    fixed = await apply(uri, fixed, unqualified[0]);
    assert.equal(fixed, 'MODEL (name analytics.bad_column, kind VIEW);\nSELECT order_id, o.amount, amount FROM staging.orders AS o');
    await client.diagnostics(uri, (ds) => ds.length === 0, mark);
    await client.close(uri);
  });

  it('suggests a known table for an unknown table, written the way the reference was', async () => {
    const text = 'MODEL (name analytics.bad_table, kind VIEW);\nSELECT order_id FROM staging.ordrs';
    const uri = await client.open(demo.file('models/marts/bad_table.sql'), text);
    const [d] = await client.diagnostics(uri, (ds) => ds.length === 1);
    assert.equal(d.code, 'unknown-table');
    const found = await actions(uri, d.range, [d]);
    assert.equal(found[0].title, 'Change `staging.ordrs` to `staging.orders`');
    const mark = client.mark();
    const fixed = await apply(uri, text, found[0]);
    assert.equal(fixed, 'MODEL (name analytics.bad_table, kind VIEW);\nSELECT order_id FROM staging.orders');
    await client.diagnostics(uri, (ds) => ds.length === 0, mark);
    await client.close(uri);
  });

  it('adds the output column under the cursor to column_descriptions, on a line like the others', async () => {
    const file = 'models/marts/daily_revenue.sql';
    const text = demo.text(file);
    const uri = await client.open(demo.file(file), text);
    const at = demo.position(file, 'AS order_count', 5);
    const found = (await actions(uri, { start: at, end: at })).filter((a) => /column_descriptions/.test(a.title));
    assert.deepEqual(found.map((a) => a.title), ['Add `order_count` to column_descriptions']);
    const fixed = await apply(uri, text, found[0]);
    assert.ok(
      fixed.includes("  column_descriptions (\n    revenue = 'Sum of order amounts, placed and shipped orders only',\n    order_count = ''\n  )\n);"),
      fixed,
    );
    // A described column gets no such action.
    const revenue = positionOf(fixed, 'AS revenue', 4);
    const none = await actions(uri, { start: revenue, end: revenue });
    assert.deepEqual(none.filter((a) => /column_descriptions/.test(a.title)), []);
    await client.close(uri);
  });

  it('warns about a column_descriptions entry for a column the query no longer outputs, and removes it', async () => {
    const file = 'models/staging/orders.sql';
    const text = demo.text(file).replace('AS order_date', 'AS order_day');
    const uri = await client.open(demo.file(file), text);
    const [d, ...rest] = await client.diagnostics(uri, (ds) => ds.length > 0);
    assert.deepEqual(rest, []);
    assert.equal(d.message, 'column_descriptions names "order_date", but the model has no such column');
    assert.equal(d.code, 'stale-column-description');
    assert.equal(d.severity, 2);
    assert.deepEqual(d.range.start, positionOf(text, "order_date = 'Day"));
    const found = await actions(uri, d.range, [d]);
    assert.deepEqual(found.map((a) => a.title), ['Remove `order_date` from column_descriptions']);
    const mark = client.mark();
    const fixed = await apply(uri, text, found[0]);
    assert.ok(fixed.includes("  column_descriptions (\n    amount = 'Order total in the order currency'\n  )\n);"), fixed);
    await client.diagnostics(uri, (ds) => ds.length === 0, mark);
    await client.close(uri);
  });

  it('removes the only entry, leaving an empty list', async () => {
    const text = "MODEL (name analytics.described, kind VIEW, column_descriptions (gone = 'was here'));\nSELECT 1 AS kept";
    const uri = await client.open(demo.file('models/marts/described.sql'), text);
    const [d] = await client.diagnostics(uri, (ds) => ds.length === 1);
    const mark = client.mark();
    const fixed = await apply(uri, text, (await actions(uri, d.range, [d]))[0]);
    assert.equal(fixed, 'MODEL (name analytics.described, kind VIEW, column_descriptions ());\nSELECT 1 AS kept');
    await client.diagnostics(uri, (ds) => ds.length === 0, mark);
    const kept = positionOf(fixed, 'kept');
    const add = await actions(uri, { start: kept, end: kept });
    assert.equal(TextDocument.applyEdits(TextDocument.create(uri, 'sql', 1, fixed), add[0].edit!.changes![uri]), "MODEL (name analytics.described, kind VIEW, column_descriptions (kept = ''));\nSELECT 1 AS kept");
    await client.close(uri);
  });
});
