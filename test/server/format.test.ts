// Formatting, the outline (document symbols) and workspace symbols of model files, over a real LSP
// connection to dist/server.js on a copy of the demo project.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { formatModelText } from '../../core/format/modelFormat';
import { copyDemo, positionOf, writeHandwrittenModels, type DemoCopy } from './demo';
import { fileUri, LspTestClient, repoRoot, type LspRange } from './lspClient';

interface TextEdit {
  range: LspRange;
  newText: string;
}
interface DocumentSymbol {
  name: string;
  detail?: string;
  kind: number;
  range: LspRange;
  selectionRange: LspRange;
  children?: DocumentSymbol[];
}
interface SymbolInformation {
  name: string;
  kind: number;
  containerName?: string;
  location: { uri: string; range: LspRange };
}

const SymbolKind = { Module: 2, Package: 4, Property: 7, Field: 8, Function: 12, Variable: 13, Struct: 23 };

const EVENTS = 'models/intermediate/issue_events.sql';
const DAILY = 'models/marts/daily_revenue.sql';
const ACTIVITY = 'models/marts/issue_activity.sql';

describe('language server: formatting and symbols of model files', function () {
  let demo: DemoCopy;
  let client: LspTestClient;

  before(async () => {
    demo = copyDemo();
    writeHandwrittenModels(demo);
    client = await LspTestClient.start({ folders: [demo.dir], trusted: false });
  });

  after(async () => {
    await client?.stop();
    demo?.cleanup();
  });

  const opened = new Map<string, string>();
  /** Opens a demo file once (as sluice-sql, as the extension does) and returns its URI. */
  async function open(relative: string): Promise<string> {
    let uri = opened.get(relative);
    if (!uri) {
      uri = await client.open(demo.file(relative), demo.text(relative), 'sluice-sql');
      opened.set(relative, uri);
    }
    return uri;
  }

  async function format(uri: string): Promise<TextEdit[]> {
    return (await client.lsp<TextEdit[] | null>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) ?? [];
  }

  function applied(text: string, edits: TextEdit[]): string {
    return TextDocument.applyEdits(TextDocument.create('file:///x.sql', 'sql', 1, text), edits);
  }

  async function symbols(uri: string): Promise<DocumentSymbol[]> {
    return client.lsp<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  }

  const child = (symbol: DocumentSymbol | undefined, name: string) => symbol?.children?.find((c) => c.name === name);

  it('announces formatting, document symbols and workspace symbols', () => {
    const caps = client.initializeResult.capabilities;
    assert.equal(caps.documentFormattingProvider, true);
    assert.equal(caps.documentSymbolProvider, true);
    assert.equal(caps.workspaceSymbolProvider, true);
  });

  it('formats a model opened with the sluice-sql language: one select item per line, like sluice format', async () => {
    const text = demo.text(EVENTS);
    const uri = await open(EVENTS);
    const edits = await format(uri);
    assert.equal(edits.length, 1);
    const result = applied(text, edits);
    const expected = formatModelText(text);
    assert.ok(expected.ok);
    assert.equal(result, expected.text);
    assert.match(result, /^SELECT\n {2}issue_number,\n {2}'opened' AS event_type,\n {2}author_login AS actor_login,\n {2}created_at AS event_at\nFROM staging\.issues\nUNION ALL\n/m);
    // The edit covers only what changed: the MODEL block before the query is not part of it.
    assert.ok(edits[0].range.start.line >= positionOf(text, 'SELECT').line, JSON.stringify(edits[0].range));
    // Formatting again gives nothing to do.
    await client.edit(uri, edits[0].range, edits[0].newText);
    assert.deepEqual(await format(uri), []);
  });

  it('leaves a formatted model alone, and a model that does not read, with its diagnostics still coming', async () => {
    assert.deepEqual(await format(await open(DAILY)), []);

    const broken = 'MODEL (name staging.broken, kind VIEW);\nselect a,   b from staging.orders where status = \'open\n';
    const file = demo.file('models/staging/broken.sql');
    fs.writeFileSync(file, broken);
    const brokenUri = await client.open(file, broken, 'sluice-sql');
    const diagnostics = await client.diagnostics(brokenUri, (ds) => ds.length > 0);
    assert.ok(diagnostics.some((d) => /unterminated string/.test(d.message)), JSON.stringify(diagnostics));
    assert.deepEqual(await format(brokenUri), []);
  });

  it('formats models opened as plain sql too, and nothing outside models/', async () => {
    const messy = "MODEL (name staging.messy,kind VIEW);\nselect id,lower(status) as status from shop.orders -- kept\n";
    const file = demo.file('models/staging/messy.sql');
    fs.writeFileSync(file, messy);
    const uri = await client.open(file, messy, 'sql');
    const result = applied(messy, await format(uri));
    assert.equal(result, 'MODEL (\n  name staging.messy,\n  kind VIEW\n);\n\nSELECT\n  id,\n  lower(status) AS status\nFROM shop.orders -- kept\n');

    const outside = demo.file('scratch.sql');
    fs.writeFileSync(outside, messy);
    const outsideUri = await client.open(outside, messy, 'sql');
    assert.deepEqual(await format(outsideUri), []);
    assert.deepEqual(await symbols(outsideUri), []);
  });

  it('outlines the MODEL block, kind options and the output columns with their ranges', async () => {
    const text = demo.text(DAILY);
    const [model, query, ...rest] = await symbols(await open(DAILY));
    assert.equal(rest.length, 0);
    assert.equal(model.name, 'analytics.daily_revenue');
    assert.equal(model.kind, SymbolKind.Module);
    assert.equal(model.detail, 'INCREMENTAL_BY_TIME_RANGE');
    assert.deepEqual(model.selectionRange.start, positionOf(text, 'analytics.daily_revenue'));
    assert.deepEqual(model.range.start, positionOf(text, 'MODEL ('));
    assert.deepEqual(model.range.end, positionOf(text, ');', 2));
    assert.deepEqual(model.children!.map((c) => c.name), ['name', 'kind', 'start', 'cron', 'grain', 'audits', 'column_descriptions']);
    const kind = child(model, 'kind')!;
    assert.equal(kind.kind, SymbolKind.Property);
    assert.deepEqual(kind.children!.map((c) => [c.name, c.detail]), [['time_column', 'order_date']]);
    assert.equal(child(model, 'cron')!.detail, "'@daily'");
    assert.deepEqual(child(model, 'cron')!.selectionRange.start, positionOf(text, 'cron'));

    assert.equal(query.kind, SymbolKind.Function);
    assert.equal(query.detail, '4 columns');
    assert.deepEqual(query.selectionRange.start, positionOf(text, 'SELECT'));
    assert.deepEqual(query.children!.map((c) => [c.name, c.detail]), [
      ['order_date', undefined],
      ['revenue', 'sum(amount)'],
      ['order_count', 'count(*)'],
      ['customer_count', 'count(DISTINCT customer_id)'],
    ]);
    const revenue = child(query, 'revenue')!;
    assert.equal(revenue.kind, SymbolKind.Field);
    assert.deepEqual(revenue.selectionRange, { start: positionOf(text, 'AS revenue', 3), end: positionOf(text, 'AS revenue', 10) });
    assert.deepEqual(revenue.range.start, positionOf(text, 'sum(amount)'));
  });

  it('outlines CTEs with their columns', async () => {
    const text = demo.text(ACTIVITY);
    const [model, labels, activity, query] = await symbols(await open(ACTIVITY));
    assert.equal(model.name, 'analytics.issue_activity');
    assert.deepEqual([labels.name, labels.kind, labels.detail], ['labels', SymbolKind.Struct, '2 columns']);
    assert.deepEqual(labels.selectionRange.start, positionOf(text, 'labels AS ('));
    assert.deepEqual(labels.children!.map((c) => c.name), ['issue_id', 'labels']);
    assert.deepEqual(activity.children!.map((c) => c.name), ['issue_number', 'comments', 'participants', 'first_comment_at', 'last_activity_at']);
    assert.deepEqual(activity.range.end, positionOf(text, ')\nSELECT', 1));
    assert.equal(query.children!.length, 10);
    assert.deepEqual(child(query, 'title'), {
      name: 'title',
      detail: 'i.title',
      kind: SymbolKind.Field,
      range: { start: positionOf(text, 'i.title'), end: positionOf(text, 'i.title', 7) },
      selectionRange: { start: positionOf(text, 'i.title', 2), end: positionOf(text, 'i.title', 7) },
      children: [],
    });
  });

  it('finds models, sources and resources across the workspace by substring and by letters in order', async () => {
    const find = (query: string) => client.lsp<SymbolInformation[]>('workspace/symbol', { query });

    const daily = await find('daily');
    assert.equal(daily[0].name, 'analytics.daily_revenue');
    assert.equal(daily[0].kind, SymbolKind.Module);
    assert.equal(daily[0].location.uri, fileUri(demo.file(DAILY)));
    assert.deepEqual(daily[0].location.range.start, positionOf(demo.text(DAILY), 'analytics.daily_revenue'));

    const shop = await find('shop');
    const source = shop.find((s) => s.kind === SymbolKind.Package);
    assert.equal(source?.name, 'shop');
    assert.equal(source?.location.uri, fileUri(demo.file('sources/shop.ts')));
    assert.deepEqual(source?.location.range.start, positionOf(demo.text('sources/shop.ts'), "name: 'shop'", 7));
    // Resources match by their table name too (source.resource).
    const resources = shop.filter((s) => s.kind === SymbolKind.Struct).map((s) => `${s.containerName}.${s.name}`).sort();
    assert.deepEqual(resources, ['shop.customers', 'shop.orders']);

    // Letters in order: "stgordr" is staging.orders (and staging.order_items), not analytics.issue_activity.
    const fuzzy = (await find('stgordr')).map((s) => s.name);
    assert.ok(fuzzy.includes('staging.orders') && fuzzy.includes('staging.order_items'), fuzzy.join(', '));
    assert.ok(!fuzzy.includes('analytics.issue_activity'));
    const contacts = await find('contacts');
    assert.deepEqual(contacts.map((s) => [s.name, s.containerName]), [['contacts', 'legacy_crm']]);
    assert.deepEqual(contacts[0].location.range.start, positionOf(demo.text('sources/legacy_crm.ts'), "name: 'contacts'", 7));
    assert.deepEqual(await find('zzqx'), []);

    // Every model of the demo is listed for an empty query.
    const listed = new Set((await find('')).filter((s) => s.kind === SymbolKind.Module).map((s) => s.name));
    const demoModels = path.join(repoRoot, 'examples', 'demo', 'models');
    const names = fs.readdirSync(demoModels, { recursive: true })
      .filter((f) => String(f).endsWith('.sql'))
      .map((f) => /^\s*name ([\w.]+)/m.exec(fs.readFileSync(path.join(demoModels, String(f)), 'utf8'))![1]);
    assert.equal(names.length, 12);
    for (const name of names) assert.ok(listed.has(name), `${name} is listed`);
  });
});
