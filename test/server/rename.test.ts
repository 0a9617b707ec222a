// Renaming models and model columns across a copy of the demo project, over a real connection: the
// WorkspaceEdit is applied to the files the way an editor applies it, the files are saved, and the project
// is analysed again from disk, with no new errors. Renames that cannot be done safely are refused with a
// message saying why.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ModelProject } from '../../core/dag/project';
import { runUnitTests } from '../../core/quality/unitTest';
import { copyDemo, positionOf, type DemoCopy } from './demo';
import { fileUri, LspTestClient, type LspPosition, type LspRange } from './lspClient';

interface WorkspaceEdit {
  changes?: Record<string, { range: LspRange; newText: string }[]>;
}

const DAILY = 'models/marts/daily_revenue.sql';
const SUMMARY = 'models/marts/customer_summary.sql';
const ENRICHED = 'models/intermediate/orders_enriched.sql';
const ORDERS = 'models/staging/orders.sql';
const TEST = 'tests/test_daily_revenue.yaml';

describe('language server: rename of models and columns across the project', function () {
  let demo: DemoCopy;
  let client: LspTestClient;

  beforeEach(async () => {
    demo = copyDemo();
    client = await LspTestClient.start({ folders: [demo.dir], trusted: false });
  });

  afterEach(async () => {
    await client?.stop();
    demo?.cleanup();
  });

  async function open(relative: string): Promise<string> {
    return client.open(demo.file(relative), demo.text(relative));
  }

  /** A new model file, on disk and open in the editor (so the server analyses it at once). */
  async function addModel(relative: string, text: string): Promise<string> {
    fs.writeFileSync(demo.file(relative), text);
    return client.open(demo.file(relative), text);
  }

  async function prepare(uri: string, position: LspPosition): Promise<{ range: LspRange; placeholder: string }> {
    return client.lsp('textDocument/prepareRename', { textDocument: { uri }, position });
  }

  async function renameAt(uri: string, position: LspPosition, newName: string): Promise<WorkspaceEdit> {
    return client.lsp('textDocument/rename', { textDocument: { uri }, position, newName });
  }

  /** Writes every edited file back to disk; returns the relative paths of the files changed. */
  function applyToDisk(edit: WorkspaceEdit): string[] {
    const changed: string[] = [];
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
      const file = fileURLToPath(uri);
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, TextDocument.applyEdits(TextDocument.create(uri, 'sql', 1, text), edits));
      changed.push(file.slice(demo.dir.length + 1).split('\\').join('/'));
    }
    return changed.sort();
  }

  async function errorsOnDisk(): Promise<string[]> {
    const project = await ModelProject.load(demo.dir);
    return project.diagnostics().filter((d) => d.severity === 'error').map((d) => `${d.file}: ${d.message}`);
  }

  /** The project's unit tests, run on in-memory DuckDB: they pass only if the test files follow the rename. */
  async function unitTests(): Promise<string> {
    const summary = await runUnitTests(demo.dir);
    return `${summary.passed} passed, ${summary.failed} failed, ${summary.errors} errors`;
  }

  async function refusal(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
    } catch (err) {
      return (err as Error).message;
    }
    assert.fail('the request was not refused');
  }

  it('renames a model at a reference: its MODEL block, every model reading it and the unit test giving rows for it', async () => {
    assert.deepEqual(await errorsOnDisk(), []);
    const uri = await open(DAILY);
    const at = demo.position(DAILY, 'intermediate.orders_enriched', 14);
    const prepared = await prepare(uri, at);
    assert.equal(prepared.placeholder, 'intermediate.orders_enriched');
    assert.deepEqual(prepared.range.start, demo.position(DAILY, 'intermediate.orders_enriched'));

    const edit = await renameAt(uri, at, 'intermediate.enriched_orders');
    const before = { daily: demo.text(DAILY), summary: demo.text(SUMMARY), enriched: demo.text(ENRICHED), test: demo.text(TEST) };
    assert.deepEqual(applyToDisk(edit), [ENRICHED, DAILY, SUMMARY, TEST].sort());
    // The unit test gives rows for the model as an input.
    assert.equal(demo.text(TEST), before.test.replace('    intermediate.orders_enriched:', '    intermediate.enriched_orders:'));
    assert.equal(demo.text(ENRICHED), before.enriched.replace('name intermediate.orders_enriched', 'name intermediate.enriched_orders'));
    assert.equal(demo.text(DAILY), before.daily.replace('FROM intermediate.orders_enriched', 'FROM intermediate.enriched_orders'));
    assert.equal(demo.text(SUMMARY), before.summary.replace('FROM intermediate.orders_enriched', 'FROM intermediate.enriched_orders'));
    assert.deepEqual(await errorsOnDisk(), []);
    const project = await ModelProject.load(demo.dir);
    assert.deepEqual(project.model('analytics.daily_revenue')?.upstream, ['intermediate.enriched_orders']);
    assert.equal(await unitTests(), '1 passed, 0 failed, 0 errors');
  });

  it('renames a model at its name, keeping qualified columns and depends_on in step', async () => {
    const reader = 'models/marts/reader.sql';
    await addModel(
      reader,
      'MODEL (name analytics.reader, kind VIEW, depends_on (staging.customers));\nSELECT orders.order_id, staging.orders.status, orders.* EXCLUDE (order_id, status) FROM staging.orders\n',
    );
    const uri = await open(ORDERS);
    const at = demo.position(ORDERS, 'staging.orders', 3);
    assert.equal((await prepare(uri, at)).placeholder, 'staging.orders');
    applyToDisk(await renameAt(uri, at, 'staging.shop_orders'));
    assert.equal(
      fs.readFileSync(demo.file(reader), 'utf8'),
      'MODEL (name analytics.reader, kind VIEW, depends_on (staging.customers));\nSELECT shop_orders.order_id, staging.shop_orders.status, shop_orders.* EXCLUDE (order_id, status) FROM staging.shop_orders\n',
    );
    assert.match(demo.text(ENRICHED), /FROM staging\.shop_orders AS o/);
    assert.match(demo.text(ORDERS), /name staging\.shop_orders,/);
    assert.deepEqual(await errorsOnDisk(), []);
  });

  it('renames a column where it is named, through a * and into every model reading it, and its MODEL block entries', async () => {
    const uri = await open(DAILY);
    // sum(amount) reads orders_enriched.amount, which o.* brings from staging.orders, where it is named.
    const at = demo.position(DAILY, 'sum(amount)', 5);
    const name = demo.position(DAILY, 'sum(amount)', 4);
    assert.deepEqual(await prepare(uri, at), { range: { start: name, end: { line: name.line, character: name.character + 6 } }, placeholder: 'amount' });
    const before = { orders: demo.text(ORDERS), daily: demo.text(DAILY), summary: demo.text(SUMMARY), test: demo.text(TEST) };
    const edit = await renameAt(uri, positionOf(demo.text(DAILY), 'sum(amount)', 6), 'total_amount');
    // orders_enriched passes the column on through o.*: nothing to edit there.
    assert.deepEqual(applyToDisk(edit), [ORDERS, DAILY, SUMMARY, TEST].sort());
    // The test's input rows for orders_enriched name the column.
    assert.equal(demo.text(TEST), before.test.replaceAll(' amount: ', ' total_amount: '));
    assert.equal(
      demo.text(ORDERS),
      before.orders
        .replace('CAST(total AS DECIMAL(12, 2)) AS amount', 'CAST(total AS DECIMAL(12, 2)) AS total_amount')
        .replace("amount = 'Order total", "total_amount = 'Order total"),
    );
    assert.equal(demo.text(DAILY), before.daily.replace('sum(amount) AS revenue', 'sum(total_amount) AS revenue'));
    assert.equal(demo.text(SUMMARY), before.summary.replace('sum(amount) FILTER', 'sum(total_amount) FILTER'));
    assert.deepEqual(await errorsOnDisk(), []);
    const project = await ModelProject.load(demo.dir);
    assert.ok(project.model('intermediate.orders_enriched')!.columns.some((c) => c.name === 'total_amount'));
    assert.equal(await unitTests(), '1 passed, 0 failed, 0 errors');
  });

  it('renames an output column at its alias, with references to the alias and the audits and descriptions naming it', async () => {
    const uri = await open(DAILY);
    const at = demo.position(DAILY, 'AS revenue', 5);
    const before = demo.text(DAILY);
    const test = demo.text(TEST);
    const reader = 'models/marts/reader.sql';
    await addModel(reader, 'MODEL (name analytics.reader, kind VIEW);\nSELECT d.revenue, revenue * 2 AS twice FROM analytics.daily_revenue AS d ORDER BY revenue\n');
    assert.deepEqual(applyToDisk(await renameAt(uri, at, 'gross_revenue')), [DAILY, reader, TEST].sort());
    // The expected output rows of the test of daily_revenue name the column.
    assert.equal(demo.text(TEST), test.replaceAll(' revenue: ', ' gross_revenue: '));
    assert.equal(
      demo.text(DAILY),
      before
        .replace('not_null(columns := (order_date, revenue))', 'not_null(columns := (order_date, gross_revenue))')
        .replace("revenue = 'Sum", "gross_revenue = 'Sum")
        .replace('AS revenue', 'AS gross_revenue'),
    );
    // d.revenue passes the name on: reader's column is renamed too, and so is its ORDER BY.
    assert.equal(
      fs.readFileSync(demo.file(reader), 'utf8'),
      'MODEL (name analytics.reader, kind VIEW);\nSELECT d.gross_revenue, gross_revenue * 2 AS twice FROM analytics.daily_revenue AS d ORDER BY gross_revenue\n',
    );
    assert.deepEqual(await errorsOnDisk(), []);
    assert.equal(await unitTests(), '1 passed, 0 failed, 0 errors');
  });

  it('gives a column read by its plain name an alias, leaving what it reads alone', async () => {
    const uri = await open(SUMMARY);
    const at = demo.position(SUMMARY, '  customer_id,', 2);
    const before = demo.text(SUMMARY);
    assert.deepEqual(applyToDisk(await renameAt(uri, at, 'customer')), [SUMMARY]);
    assert.equal(demo.text(SUMMARY), before.replace('  customer_id,', '  customer_id AS customer,').replace('grain customer_id', 'grain customer'));
    assert.deepEqual(await errorsOnDisk(), []);
  });

  it('refuses what cannot be renamed safely, saying why', async () => {
    const uri = await open(ORDERS);
    // A source table's column and a source table: their names come from the loaded data.
    assert.match(await refusal(prepare(uri, demo.position(ORDERS, 'lower(status)', 7))), /shop\.orders\.status is a column of a table a source loads/);
    assert.match(await refusal(prepare(uri, demo.position(ORDERS, 'FROM shop.orders', 10))), /shop\.orders is a table a source loads/);
    // A name taken by another table.
    const enriched = await open(ENRICHED);
    assert.match(await refusal(renameAt(enriched, demo.position(ENRICHED, 'intermediate.orders_enriched', 3), 'staging.orders')), /staging\.orders already exists \(a model\)/);
    assert.match(await refusal(renameAt(enriched, demo.position(ENRICHED, 'intermediate.orders_enriched', 3), 'enriched')), /not a model name: write it as schema\.table/);
    // A column joined with USING needs the same name on both sides.
    const joinedText = 'MODEL (name analytics.joined, kind VIEW);\nSELECT e.sku FROM staging.orders AS o JOIN staging.order_items AS e USING (order_id) WHERE o.order_id > 0\n';
    const joined = await addModel('models/marts/joined.sql', joinedText);
    assert.equal(
      await refusal(renameAt(joined, positionOf(joinedText, 'o.order_id', 3), 'id_of_order')),
      'Cannot rename: analytics.joined joins on the column with USING or NATURAL JOIN, which needs the same name on both sides',
    );
    // Two columns of the same name.
    assert.match(await refusal(renameAt(uri, demo.position(ORDERS, 'AS order_date', 4), 'status')), /staging\.orders would have two columns named "status"/);
    // A star has no name; a name a macro writes cannot be edited.
    assert.match(await refusal(prepare(enriched, demo.position(ENRICHED, 'o.* EXCLUDE', 2))), /a \* has no name to rename/);
    const macro = 'models/marts/macro.sql';
    const macroUri = await addModel(macro, "MODEL (name analytics.macro, kind VIEW);\n@DEF(col, currency);\nSELECT @col AS c FROM staging.orders\n");
    assert.equal(
      await refusal(renameAt(uri, demo.position(ORDERS, '  currency,', 3), 'currency_code')),
      'Cannot rename: cannot rename "currency" in analytics.macro: it is not written as such in the file (a macro or a translated dialect produces it)',
    );
    fs.rmSync(demo.file(macro));
    await client.close(macroUri);
    // What the edits do not cover is caught by analysing the project as the rename would leave it.
    const like = 'models/marts/like.sql';
    await addModel(like, "MODEL (name analytics.like, kind VIEW);\nSELECT * LIKE 'ship%' FROM staging.orders\n");
    assert.match(
      await refusal(renameAt(uri, demo.position(ORDERS, 'AS shipping_city', 5), 'city')),
      /^Cannot rename: the rename would change the columns of analytics\.like beyond the rename \(to shipping_method\): a name in it cannot be renamed safely$/,
    );
    // The files are as they were.
    assert.deepEqual(await errorsOnDisk(), []);
  });
});
