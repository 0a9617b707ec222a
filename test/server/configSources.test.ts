// Editor support for sources built from config (sqlDatabase on a real PostgreSQL server, files): Run source
// to DuckDB, and go to definition and hover from a model to the table's entry in the config, over a real
// LSP connection.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { ListSources, RunSource } from '../../core/protocol';
import { makeProject, query, type TempProject } from '../helpers/project';
import { PG_URL, pgSchema } from '../sources/sqlServers';
import { fileUri, LspTestClient } from './lspClient';

const MODEL = 'models/open_orders.sql';
const MODEL_TEXT = `MODEL (name analytics.open_orders, kind FULL);

SELECT o.id, o.amount, e.kind
FROM crm.orders AS o
LEFT JOIN lake.events AS e ON e.order_id = o.id
WHERE o.status = 'open'
`;

/** The LSP position of the offset-th character of the first `needle` in text. */
function positionOf(text: string, needle: string, offset = 0): { line: number; character: number } {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} is in the text`);
  const before = text.slice(0, at + offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

describe('language server: sources built from config (sqlDatabase, files)', function () {
  this.timeout(120_000);
  let schema: Awaited<ReturnType<typeof pgSchema>>;
  let project: TempProject;
  let client: LspTestClient;
  let crmText: string;
  let lakeText: string;

  before(async () => {
    schema = await pgSchema();
    await schema.sql(`CREATE TABLE orders (id bigint PRIMARY KEY, amount numeric(10,2), status text, placed_at timestamptz);
      CREATE TABLE notes (id integer, body text);
      INSERT INTO orders VALUES (1, 12.50, 'open', '2024-01-01 10:00:00+00'), (2, NULL, 'closed', NULL), (3, 0.10, 'open', '2024-01-03 00:00:00+02')`);
    crmText = `import { sqlDatabase } from 'sluice';
export default sqlDatabase({
  name: 'crm',
  credentials: '\${secrets.CRM_URL}',
  schema: '${schema.name}',
  tables: ['notes', 'orders'],
});
`;
    lakeText = `import { files } from 'sluice';
export default files({ name: 'lake', resources: [
  { name: 'events', glob: 'data/events/*.jsonl', format: 'jsonl' },
] });
`;
    project = makeProject({
      'sluice.yaml': 'name: test\nsources:\n  crm:\n    secrets: [CRM_URL]\n',
      'sources/crm.ts': crmText,
      'sources/lake.ts': lakeText,
      'data/events/1.jsonl': '{"order_id": 1, "kind": "paid"}\n{"order_id": 3, "kind": "viewed", "extra": {"page": "/cart"}}\n',
      [MODEL]: MODEL_TEXT,
    });
    client = await LspTestClient.start({ folders: [project.dir], trusted: true, env: { CRM_URL: PG_URL } });
  });

  after(async () => {
    await client?.stop();
    project?.cleanup();
    await schema?.drop();
  });

  it('lists the named tables before any run, and runs both sources into the warehouse', async () => {
    const listing = await client.request(ListSources.type, {});
    const byName = new Map(listing.projects[0].sources.map((s) => [s.name, s.resources?.map((r) => r.name)]));
    assert.deepEqual(byName.get('crm'), ['notes', 'orders']);
    assert.deepEqual(byName.get('lake'), ['events']);

    const crm = await client.request(RunSource.type, { file: fileUri(path.join(project.dir, 'sources', 'crm.ts')) });
    assert.equal(crm.status, 'loaded', crm.error);
    assert.deepEqual(crm.tables, [{ table: 'notes', rows: 0 }, { table: 'orders', rows: 3 }].filter((t) => t.rows > 0 || crm.tables.some((c) => c.table === t.table)));
    const lake = await client.request(RunSource.type, { source: 'lake' });
    assert.equal(lake.status, 'loaded', lake.error);
    const [orders] = await query<{ n: number; total: string; placed: string }>(
      project.warehouse,
      "SELECT count(*)::INT AS n, sum(amount)::VARCHAR AS total, max(placed_at AT TIME ZONE 'UTC')::VARCHAR AS placed FROM crm.orders",
    );
    assert.deepEqual(orders, { n: 3, total: '12.60', placed: '2024-01-02 22:00:00' });
    const [types] = await query<{ t: string }>(project.warehouse, "SELECT data_type AS t FROM information_schema.columns WHERE table_schema = 'crm' AND table_name = 'orders' AND column_name = 'amount'");
    assert.equal(types.t, 'DECIMAL(10,2)');
    const [events] = await query<{ n: number }>(project.warehouse, 'SELECT count(*)::INT AS n FROM lake.events');
    assert.equal(events.n, 2);
  });

  it('puts Run to DuckDB lenses on each table of the config, naming it when tables share a line', async () => {
    const file = path.join(project.dir, 'sources', 'crm.ts');
    const lenses = await client.lsp<{ range: { start: { line: number } }; command: { title: string; arguments?: unknown[] } }[]>('textDocument/codeLens', {
      textDocument: { uri: fileUri(file) },
    });
    const line = positionOf(crmText, "'orders'").line;
    const runs = lenses.filter((l) => l.command.title.startsWith('$(play)'));
    assert.deepEqual(
      runs.map((l) => [l.range.start.line, l.command.title, l.command.arguments?.[1]]),
      [[line, '$(play) Run notes to DuckDB', 'notes'], [line, '$(play) Run orders to DuckDB', 'orders']],
    );
    assert.ok(lenses.some((l) => /^orders: last run: 3 rows · /.test(l.command.title)), lenses.map((l) => l.command.title).join('\n'));
  });

  it('goes from each table and its columns to the entry of its resource in the config', async () => {
    const uri = await client.open(path.join(project.dir, MODEL), MODEL_TEXT);
    const cases = [
      { at: positionOf(MODEL_TEXT, 'crm.orders', 6), file: 'sources/crm.ts', target: positionOf(crmText, "'orders'", 1) },
      { at: positionOf(MODEL_TEXT, 'o.status', 3), file: 'sources/crm.ts', target: positionOf(crmText, "'orders'", 1) },
      { at: positionOf(MODEL_TEXT, 'lake.events', 6), file: 'sources/lake.ts', target: positionOf(lakeText, "'events'", 1) },
    ];
    for (const { at, file, target } of cases) {
      const definition = () => client.lsp<{ uri: string; range: { start: unknown } } | null>('textDocument/definition', { textDocument: { uri }, position: at });
      const wanted = fileUri(path.join(project.dir, file));
      // The server reads the runs' loads from the warehouse in the background.
      let found = await definition();
      for (const deadline = Date.now() + 20_000; found?.uri !== wanted && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 200));
        found = await definition();
      }
      assert.equal(found?.uri, wanted, JSON.stringify(at));
      assert.deepEqual(found.range.start, target, JSON.stringify(at));
    }
  });

  it('shows on hover the source and resource a table and a column came from, with the column type', async () => {
    const uri = fileUri(path.join(project.dir, MODEL));
    const table = await client.hoverText(uri, positionOf(MODEL_TEXT, 'crm.orders', 6));
    assert.match(table ?? '', /Loaded by source `crm`, resource `orders`/);
    assert.match(table ?? '', /`amount` · DECIMAL\(10,2\)/);
    const column = await client.hoverText(uri, positionOf(MODEL_TEXT, 'o.status', 3));
    assert.match(column ?? '', /source `crm` · resource `orders`/);
    const events = await client.hoverText(uri, positionOf(MODEL_TEXT, 'lake.events', 6));
    assert.match(events ?? '', /Loaded by source `lake`, resource `events`/);
  });
});
