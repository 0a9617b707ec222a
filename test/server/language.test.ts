import { strict as assert } from 'node:assert';
import { Lineage, ListModels } from '../../core/protocol';
import { copyDemo, lineOf, positionOf, type DemoCopy } from './demo';
import { fileUri, LspTestClient, type LspDiagnostic } from './lspClient';

interface Location {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}
interface CodeLens {
  range: { start: { line: number } };
  command: { title: string; command: string; arguments?: unknown[] };
}

const DAILY = 'models/marts/daily_revenue.sql';

/** Asks again until the answer matches (what arrives a moment later), or fails with the last answer. */
async function eventually<T>(ask: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await ask();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not there after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const ENRICHED = 'models/intermediate/orders_enriched.sql';
const ORDERS = 'models/staging/orders.sql';

describe('language server: hover, navigation, completion and CodeLens in the demo project', function () {
  let demo: DemoCopy;
  let client: LspTestClient;
  const uris = new Map<string, string>();

  /** Opens a demo file once and returns its URI. */
  async function open(relative: string): Promise<string> {
    let uri = uris.get(relative);
    if (!uri) {
      uri = await client.open(demo.file(relative), demo.text(relative), relative.endsWith('.ts') ? 'typescript' : 'sql');
      uris.set(relative, uri);
    }
    return uri;
  }

  before(async () => {
    demo = copyDemo();
    // Untrusted on purpose: everything here only reads files.
    client = await LspTestClient.start({ folders: [demo.dir], trusted: false });
  });

  after(async () => {
    await client?.stop();
    demo?.cleanup();
  });

  it('hovers a model column with its type, description and upstream chain down to the source field', async () => {
    const uri = await open(DAILY);
    const text = await client.hoverText(uri, demo.position(DAILY, 'AS revenue', 4));
    assert.ok(text, 'a hover');
    assert.match(text, /column `revenue` of this model/);
    assert.match(text, /Sum of order amounts, placed and shipped orders only/);
    // The chain, each step one level deeper than the one before it.
    const lines = text.split('\n');
    const step = (needle: string) => {
      const line = lines.find((l) => l.includes(needle));
      assert.ok(line, `the hover names ${needle}:\n${text}`);
      return line;
    };
    const enriched = step('[intermediate.orders\\_enriched.amount]');
    const staging = step('[staging.orders.amount]');
    const source = step('[shop.orders.total]');
    assert.ok(enriched.startsWith('- ') && staging.startsWith('  - ') && source.startsWith('    - '), text);
    assert.match(source, /source `shop` · resource `orders` · field `total`/);
    // Links lead to the upstream model files and to the resource in the source module.
    assert.ok(enriched.includes(`(${fileUri(demo.file(ENRICHED))}#L`), enriched);
    const resourceLine = lineOf(demo.text('sources/shop.ts'), "name: 'orders'") + 1;
    assert.ok(source.includes(`(${fileUri(demo.file('sources/shop.ts'))}#L${resourceLine},`), source);
    assert.match(text, /\*\*Rows decided by\*\*[\s\S]*intermediate\.orders\\_enriched\.status/);
  });

  it('hovers a column reference with the column it reads', async () => {
    const uri = await open(DAILY);
    const text = await client.hoverText(uri, demo.position(DAILY, 'sum(amount)', 5));
    assert.ok(text);
    assert.match(text!.split('\n')[0], /^\[intermediate\.orders\\_enriched\.amount\]\(.*\) · DECIMAL\(12,2\)$/);
    assert.match(text!, /\[staging\.orders\.amount\]/);
  });

  it('hovers a star with the columns it expands to', async () => {
    const uri = await open(ENRICHED);
    const text = await client.hoverText(uri, demo.position(ENRICHED, 'o.* EXCLUDE', 2));
    assert.ok(text);
    assert.match(text!, /`\*` expands to \*\*8 columns\*\*/);
    assert.match(text!, /- `order_id` · BIGINT — from `staging\.orders\.order_id`/);
    // EXCLUDE (order_row_id, currency) leaves them out.
    assert.doesNotMatch(text!, /order_row_id|`currency`/);
  });

  it('hovers a table reference with its columns and description', async () => {
    const uri = await open(DAILY);
    const text = await client.hoverText(uri, demo.position(DAILY, 'intermediate.orders_enriched', 14));
    assert.ok(text);
    assert.match(text!, /^\[intermediate\.orders\\_enriched\]\(.*\) · model \(FULL\)/);
    assert.match(text!, /Orders with their customer, status flags and line totals/);
    assert.match(text!, /\*\*16 columns\*\*/);
    assert.match(text!, /- `amount` · DECIMAL\(12,2\)/);
    assert.match(text!, /Read by: `analytics\.customer_summary`, `analytics\.daily_revenue`/);
  });

  it('goes from a model reference to the model file', async () => {
    const uri = await open(DAILY);
    const found = await client.lsp<Location>('textDocument/definition', { textDocument: { uri }, position: demo.position(DAILY, 'intermediate.orders_enriched', 3) });
    assert.equal(found.uri, fileUri(demo.file(ENRICHED)));
    assert.deepEqual(found.range.start, demo.position(ENRICHED, 'intermediate.orders_enriched'));
  });

  it('goes from a source table to its resource in the source module, found in the text', async () => {
    const uri = await open(ORDERS);
    const found = await client.lsp<Location>('textDocument/definition', { textDocument: { uri }, position: demo.position(ORDERS, 'FROM shop.orders', 10) });
    assert.equal(found.uri, fileUri(demo.file('sources/shop.ts')));
    assert.deepEqual(found.range.start, demo.position('sources/shop.ts', "name: 'orders'", 7));
  });

  it('finds every model that references a model', async () => {
    const uri = await open(ENRICHED);
    const found = await client.lsp<Location[]>('textDocument/references', {
      textDocument: { uri },
      position: demo.position(ENRICHED, 'intermediate.orders_enriched', 3),
      context: { includeDeclaration: false },
    });
    const summary = 'models/marts/customer_summary.sql';
    assert.deepEqual(
      found.map((l) => [l.uri, l.range.start]),
      [
        [fileUri(demo.file(summary)), demo.position(summary, 'intermediate.orders_enriched')],
        [fileUri(demo.file(DAILY)), demo.position(DAILY, 'intermediate.orders_enriched')],
      ],
    );
  });

  it('completes macros after @, MODEL properties in the block, columns after an alias, tables after FROM', async () => {
    const labels = async (uri: string, position: { line: number; character: number }) =>
      (await client.lsp<{ label: string }[]>('textDocument/completion', { textDocument: { uri }, position })).map((i) => i.label);
    const daily = await open(DAILY);
    assert.ok((await labels(daily, demo.position(DAILY, '@start_ds', 1))).includes('start_ds'));
    const inBlock = await labels(daily, demo.position(DAILY, '  start ', 2));
    assert.ok(inBlock.includes('kind') && inBlock.includes('column_descriptions') && inBlock.includes('audits'), inBlock.join());

    const file = demo.file('models/staging/typing.sql');
    const text = 'MODEL (name staging.typing, kind VIEW);\nSELECT o.\nFROM staging.orders AS o';
    const uri = await client.open(file, text);
    const columns = await labels(uri, positionOf(text, 'o.\n', 2));
    assert.deepEqual(columns.slice(0, 3), ['order_id', 'customer_id', 'status']);
    const tables = await labels(uri, positionOf(text, 'staging.orders', 0));
    assert.ok(tables.includes('intermediate.orders_enriched') && tables.includes('shop.orders') && tables.includes('seeds.order_statuses'), tables.join());
    await client.close(uri);
  });

  it('shows the inferred schema, with the types DuckDB binds computed columns to, and the graph neighbours as CodeLens', async () => {
    const uri = await open(DAILY);
    // Types of computed columns come from DuckDB's binder a moment after the analysis; the server asks for
    // fresh lenses then. amount is DECIMAL(12,2) in staging.orders: DuckDB sums it to DECIMAL(38,2).
    const typed = '4 columns: order_date date, revenue decimal(38,2), order_count bigint, customer_count bigint';
    const lenses = await eventually(
      () => client.lsp<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } }),
      (found) => found[0]?.command.title === typed,
    );
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command.title, l.command.command]),
      [
        [lineOf(demo.text(DAILY), 'MODEL ('), typed, 'sluice.showLineage'],
        [lineOf(demo.text(DAILY), 'MODEL ('), '$(type-hierarchy) reads intermediate.orders_enriched · read by no model', 'sluice.showLineage'],
        [lineOf(demo.text(DAILY), 'MODEL ('), '$(play) Preview', 'sluice.previewQuery'],
      ],
    );
    // Lenses asked for before the types arrived are refreshed: the server asks the editor for new ones.
    await client.waitFor('workspace/codeLens/refresh');
    const hover = await client.hoverText(uri, demo.position(DAILY, 'AS revenue', 4));
    assert.match(hover!.split('\n')[0], /^column `revenue` of this model — \[analytics\.daily\\_revenue\.revenue\]\(.*\) · DECIMAL\(38,2\)$/);
    const summary = 'models/marts/customer_summary.sql';
    const count = await client.hoverText(await open(summary), demo.position(summary, 'AS order_count', 4));
    assert.match(count!.split('\n')[0], / · BIGINT$/);
  });

  it('puts run lenses and the inferred schema above each resource of a source module', async () => {
    const uri = await open('sources/shop.ts');
    const lenses = await client.lsp<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const shop = demo.text('sources/shop.ts');
    const orders = lineOf(shop, "name: 'orders'");
    const atOrders = lenses.filter((l) => l.range.start.line === orders).map((l) => l.command);
    assert.deepEqual(atOrders.map((c) => c.title), [
      '$(play) Run to DuckDB',
      'Run first 100',
      'not loaded yet · 10 columns: id bigint, customer_id bigint, status text, total double +6 more',
    ]);
    assert.deepEqual(atOrders[0].arguments, [uri, 'orders', null]);
    assert.deepEqual(atOrders[1].arguments, [uri, 'orders', 100]);
    assert.equal(lenses.filter((l) => l.range.start.line === lineOf(shop, "name: 'customers'")).length, 3);
  });

  it('answers the lineage graph request for a column under the cursor', async () => {
    const uri = await open(DAILY);
    const result = await client.request(Lineage.type, { file: uri, position: demo.position(DAILY, 'AS revenue', 4) });
    assert.equal(result.model, 'analytics.daily_revenue');
    assert.equal(result.column, 'analytics.daily_revenue.revenue');
    const focus = result.models.nodes.find((n) => n.focus);
    assert.equal(focus?.id, 'analytics.daily_revenue');
    assert.deepEqual(
      result.models.edges.filter((e) => e.to === 'analytics.daily_revenue' || e.to === 'intermediate.orders_enriched').map((e) => `${e.from}>${e.to}`).sort(),
      ['intermediate.orders_enriched>analytics.daily_revenue', 'seeds.order_statuses>intermediate.orders_enriched', 'staging.customers>intermediate.orders_enriched', 'staging.order_items>intermediate.orders_enriched', 'staging.orders>intermediate.orders_enriched'],
    );
    const columns = result.columns!;
    const total = columns.nodes.find((n) => n.id === 'shop.orders.total');
    assert.equal(total?.kind, 'source');
    assert.equal(total?.detail, 'double · field total');
    assert.equal(total?.location?.file, demo.file('sources/shop.ts'));
    const edges = new Set(columns.edges.map((e) => `${e.from}>${e.to}:${e.role}`));
    for (const edge of [
      'shop.orders.total>staging.orders.amount:source',
      'staging.orders.amount>intermediate.orders_enriched.amount:source',
      'intermediate.orders_enriched.amount>analytics.daily_revenue.revenue:source',
      'intermediate.orders_enriched.status>analytics.daily_revenue.revenue:filter',
    ]) {
      assert.ok(edges.has(edge), `${edge} in ${[...edges].join(', ')}`);
    }
    // Columns are drawn inside their tables.
    assert.ok(columns.nodes.some((n) => n.id === 'table:shop.orders'));
  });

  it('lists the models by schema with their kinds', async () => {
    const { projects } = await client.request(ListModels.type, {});
    const models = projects[0].models;
    const daily = models.find((m) => m.key === 'analytics.daily_revenue');
    assert.equal(daily?.kind, 'INCREMENTAL_BY_TIME_RANGE');
    assert.equal(daily?.schema, 'analytics');
    assert.equal(daily?.file, demo.file(DAILY));
    assert.deepEqual(new Set(models.map((m) => m.schema)), new Set(['analytics', 'intermediate', 'seeds', 'staging']));
  });
});

describe('language server: project diagnostics in model files', function () {
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

  const at = (d: LspDiagnostic) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`;

  it('reports an unknown column at the name', async () => {
    const text = 'MODEL (name analytics.bad_column, kind VIEW);\nSELECT order_id, amout FROM staging.orders';
    const uri = await client.open(demo.file('models/marts/bad_column.sql'), text);
    const [d, ...rest] = await client.diagnostics(uri, (ds) => ds.length > 0);
    assert.deepEqual(rest, []);
    assert.equal(d.message, 'column "amout" not found in orders');
    assert.equal(d.code, 'unknown-column');
    const p = positionOf(text, 'amout');
    assert.equal(at(d), `${p.line}:${p.character}-${p.line}:${p.character + 5}`);
    await client.close(uri);
  });

  it('reports a cycle on both models, and clears it when one of them stops reading the other', async () => {
    const a = 'MODEL (name loop.a, kind VIEW);\nSELECT id FROM loop.b';
    const b = 'MODEL (name loop.b, kind VIEW);\nSELECT 1 AS id FROM loop.a';
    const uriA = await client.open(demo.file('models/loop/a.sql'), a);
    const uriB = await client.open(demo.file('models/loop/b.sql'), b);
    const [da] = await client.diagnostics(uriA, (ds) => ds.some((d) => d.code === 'cycle'));
    const [db] = await client.diagnostics(uriB, (ds) => ds.some((d) => d.code === 'cycle'));
    assert.equal(da.message, 'model loop.a is part of a cycle: loop.a → loop.b → loop.a (each model reads the next)');
    assert.equal(db.message, 'model loop.b is part of a cycle: loop.b → loop.a → loop.b (each model reads the next)');
    assert.equal(at(da), `1:15-1:21`);
    const mark = client.mark();
    // b stops reading a (" FROM loop.a" goes): both files are clear, a's without being edited.
    await client.edit(uriB, { start: { line: 1, character: 14 }, end: { line: 1, character: 26 } }, '');
    await client.diagnostics(uriB, (ds) => ds.length === 0, mark);
    await client.diagnostics(uriA, (ds) => ds.length === 0, mark);
    await client.close(uriA);
    await client.close(uriB);
  });

  it('re-analyses downstream models on an edit and reports what broke in files that are not open', async () => {
    const uri = await client.open(demo.file(ORDERS), demo.text(ORDERS));
    const start = demo.position(ORDERS, 'AS amount', 3);
    const mark = client.mark();
    // Rename amount: orders_enriched passes it on through o.*, daily_revenue sums it.
    await client.edit(uri, { start, end: { line: start.line, character: start.character + 'amount'.length } }, 'total_amount');
    const daily = fileUri(demo.file(DAILY));
    const [d] = await client.diagnostics(daily, (ds) => ds.length > 0, mark);
    assert.equal(d.message, 'column "amount" not found in orders_enriched');
    assert.deepEqual(d.range.start, demo.position(DAILY, 'sum(amount)', 4));
    // Closing the editor goes back to the file on disk, and the problem goes away.
    const closed = client.mark();
    await client.close(uri);
    await client.diagnostics(daily, (ds) => ds.length === 0, closed);
  });
});
