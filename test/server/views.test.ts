// The requests behind the Warehouse, Environments, Schemas and Sources views over a real LSP connection, on
// a copy of the demo project after real runs of the CLI: every source ingested (shop twice, its customers
// changing shape in between), prod applied, a model changed and dev applied.

import { strict as assert } from 'node:assert';
import os from 'node:os';
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  EnvironmentDiff,
  Environments,
  InvalidateEnvironment,
  PreviewTable,
  SluiceErrorCodes,
  SourceOutline,
  SourceSchemas,
  WarehouseCatalog,
  type WarehouseSchema,
} from '../../core/protocol';
import { query, runCli } from '../helpers/project';
import { copyDemo, lineOf, type DemoCopy } from './demo';
import { LspTestClient } from './lspClient';

const DAILY = 'models/marts/daily_revenue.sql';
const CUSTOMER_FIELDS = "signedUpOn: `2023-${String((i % 12) + 1).padStart(2, '0')}-15`,";
/** A schema and a table whose names need quoting (and would break SQL pasted together from them). */
const ODD_SCHEMA = 'odd "schema"; --';
const ODD_TABLE = "x' y";

interface CodeLens {
  range: { start: { line: number } };
  command: { title: string; tooltip?: string };
}

describe('language server: the Warehouse, Environments, Schemas and Sources views', function () {
  this.timeout(180_000);
  let demo: DemoCopy;
  let client: LspTestClient;

  const cli = (...args: string[]) => {
    const run = runCli([...args, '--project', demo.dir], demo.dir);
    assert.equal(run.code, 0, `sluice ${args.join(' ')}: ${run.stderr}`);
  };
  const schemaOf = (schemas: WarehouseSchema[], name: string) => {
    const found = schemas.find((s) => s.name === name);
    assert.ok(found, `no schema ${name} in ${schemas.map((s) => s.name).join(', ')}`);
    return found;
  };

  before(async () => {
    demo = copyDemo();
    const shop = demo.text('sources/shop.ts');
    // First load: customers get a whole-number score and a numeric code.
    fs.writeFileSync(demo.file('sources/shop.ts'), shop.replace(CUSTOMER_FIELDS, `${CUSTOMER_FIELDS} score: i, code: i,`));
    for (const source of ['shop', 'github', 'legacy_crm']) cli('ingest', source);
    // Second load: the score turns fractional (widened), the code turns text (a variant), an email appears.
    fs.writeFileSync(demo.file('sources/shop.ts'), shop.replace(CUSTOMER_FIELDS, `${CUSTOMER_FIELDS} score: i + 0.5, code: \`c\${i}\`, email: \`c\${i}@example.com\`,`));
    cli('ingest', 'shop');
    cli('apply', 'prod');
    fs.writeFileSync(demo.file(DAILY), demo.text(DAILY).replace('AS customer_count', 'AS customer_count, 1 AS one'));
    cli('apply', 'dev');
    const instance = await DuckDBInstance.create(demo.warehouse);
    const connection = await instance.connect();
    await connection.run(`CREATE SCHEMA "odd ""schema""; --"`);
    await connection.run(`CREATE TABLE "odd ""schema""; --"."x' y" AS SELECT 1 AS "a b", NULL::VARCHAR AS "c"`);
    connection.closeSync();
    instance.closeSync();
    // sluice.yaml stops mentioning github's comments, and switches on a shop resource that does not exist.
    const config = fs.readFileSync(demo.file('sluice.yaml'), 'utf8');
    fs.writeFileSync(demo.file('sluice.yaml'), config.replace('      comments: true\n', '').replace('      orders: true\n', '      orders: true\n      refunds: true\n'));
    client = await LspTestClient.start({ folders: [demo.dir], trusted: true });
  });

  after(async () => {
    await client?.stop();
    demo?.cleanup();
  });

  it('lists the project\'s schemas first and marks environments, model versions and bookkeeping as internal', async () => {
    const catalog = await client.request(WarehouseCatalog.type, { projectDir: demo.dir });
    assert.equal(catalog.error, undefined);
    const roles = catalog.schemas.map((s) => [s.name, s.role, s.environment]);
    assert.deepEqual(
      roles.filter(([, role]) => role === 'user').map(([name]) => name),
      ['analytics', 'github', 'intermediate', 'legacy_crm', ODD_SCHEMA, 'seeds', 'shop', 'staging'],
    );
    assert.deepEqual(
      roles.filter(([, role]) => role !== 'user'),
      [
        ['analytics__dev', 'environment', 'dev'],
        ['intermediate__dev', 'environment', 'dev'],
        ['seeds__dev', 'environment', 'dev'],
        ['staging__dev', 'environment', 'dev'],
        ['sluice__analytics', 'physical', undefined],
        ['sluice__intermediate', 'physical', undefined],
        ['sluice__seeds', 'physical', undefined],
        ['sluice__staging', 'physical', undefined],
        ['_sluice', 'system', undefined],
      ],
    );
    // Every user schema comes before every internal one.
    const firstInternal = catalog.schemas.findIndex((s) => s.role !== 'user');
    assert.ok(catalog.schemas.slice(firstInternal).every((s) => s.role !== 'user'));
  });

  it('counts the rows of tables (views: of the table they show) and gives full column types', async () => {
    const catalog = await client.request(WarehouseCatalog.type, { projectDir: demo.dir });
    for (const [schema, table] of [['shop', 'customers'], ['shop', 'orders'], ['github', 'issues'], ['analytics', 'daily_revenue'], ['analytics__dev', 'daily_revenue']]) {
      const [{ n }] = await query<{ n: number }>(demo.warehouse, `SELECT count(*)::INTEGER AS n FROM "${schema}"."${table}"`);
      const found = schemaOf(catalog.schemas, schema).tables.find((t) => t.name === table);
      assert.equal(found?.rows, n, `${schema}.${table}`);
    }
    assert.equal(schemaOf(catalog.schemas, 'shop').tables.find((t) => t.name === 'orders')?.rows, 80);
    const issues = schemaOf(catalog.schemas, 'github').tables.find((t) => t.name === 'issues')!;
    assert.deepEqual(issues.columns.find((c) => c.name === 'created_at'), { name: 'created_at', type: 'TIMESTAMP WITH TIME ZONE' });
    // A view of a VIEW model shows no table: it has no estimate.
    const orders = schemaOf(catalog.schemas, 'staging').tables.find((t) => t.name === 'orders')!;
    assert.equal(orders.kind, 'view');
    assert.equal(orders.rows, undefined);
  });

  it('says which model or source builds each table, and under which key lineage knows it', async () => {
    const catalog = await client.request(WarehouseCatalog.type, { projectDir: demo.dir });
    const table = (schema: string, name: string) => schemaOf(catalog.schemas, schema).tables.find((t) => t.name === name)!;
    const shopOrders = table('shop', 'orders');
    assert.deepEqual(shopOrders.origin, {
      kind: 'source',
      source: 'shop',
      resource: 'orders',
      file: demo.file('sources/shop.ts'),
      location: { file: demo.file('sources/shop.ts'), line: lineOf(demo.text('sources/shop.ts'), "name: 'orders'"), character: 13 },
    });
    assert.equal(shopOrders.lineage, 'shop.orders');
    const items = table('shop', 'orders__items').origin;
    assert.equal(items?.kind === 'source' && items.resource, 'orders');
    assert.deepEqual(table('analytics', 'daily_revenue').origin, { kind: 'model', model: 'analytics.daily_revenue', file: demo.file(DAILY) });
    assert.equal(table('analytics', 'daily_revenue').lineage, 'analytics.daily_revenue');
    assert.deepEqual(table('analytics__dev', 'daily_revenue').origin, { kind: 'model', model: 'analytics.daily_revenue', environment: 'dev', file: demo.file(DAILY) });
    const physical = schemaOf(catalog.schemas, 'sluice__analytics').tables.filter((t) => t.name.startsWith('daily_revenue__'));
    assert.equal(physical.length, 2, 'prod\'s and dev\'s versions');
    for (const version of physical) assert.equal(version.origin?.kind === 'model' && version.origin.model, 'analytics.daily_revenue');
    assert.equal(table('_sluice', 'loads').origin, undefined);
    assert.equal(table(ODD_SCHEMA, ODD_TABLE).origin, undefined);
  });

  it('previews the first rows of a table read-only, whatever its name', async () => {
    const customers = await client.request(PreviewTable.type, { projectDir: demo.dir, schema: 'shop', table: 'customers' });
    assert.equal(customers.rows.length, 25);
    assert.equal(customers.truncated, false);
    const id = customers.columns.findIndex((c) => c.name === 'id');
    assert.deepEqual(customers.rows.map((r) => r[id]).slice(0, 2), ['100', '101']);
    const issues = await client.request(PreviewTable.type, { projectDir: demo.dir, schema: 'github', table: 'issues' });
    assert.equal(issues.rows.length, 100);
    assert.equal(issues.truncated, true);
    const createdAt = issues.columns.findIndex((c) => c.name === 'created_at');
    assert.match(String(issues.rows[0][createdAt]), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    const odd = await client.request(PreviewTable.type, { projectDir: demo.dir, schema: ODD_SCHEMA, table: ODD_TABLE, limit: 5 });
    assert.deepEqual(odd, { schema: ODD_SCHEMA, table: ODD_TABLE, columns: [{ name: 'a b', type: 'INTEGER' }, { name: 'c', type: 'VARCHAR' }], rows: [['1', null]], truncated: false });
    await assert.rejects(client.request(PreviewTable.type, { projectDir: demo.dir, schema: 'shop', table: 'customers"; DROP TABLE shop.orders; --' }), (err: { code: number; message: string }) => {
      assert.equal(err.code, SluiceErrorCodes.UserError);
      assert.match(err.message, /^there is no table or view shop\.customers"; DROP TABLE/);
      return true;
    });
    const [{ n }] = await query<{ n: number }>(demo.warehouse, 'SELECT count(*)::INTEGER AS n FROM shop.orders');
    assert.equal(n, 80);
  });

  it('lists environments with their last apply and the models they show differently from prod', async () => {
    const { environments } = await client.request(Environments.type, { projectDir: demo.dir });
    assert.deepEqual(environments.map((e) => [e.name, e.models]), [['dev', 12], ['prod', 12]]);
    const [dev, prod] = environments;
    assert.deepEqual(dev.overrides, [{ model: 'analytics.daily_revenue', change: 'changed', file: demo.file(DAILY) }]);
    assert.equal(prod.overrides, undefined);
    for (const env of environments) assert.ok(Date.now() - Date.parse(env.updatedAt ?? '') < 10 * 60_000, `${env.name} applied at ${env.updatedAt}`);
    // Who applied them, and when dev expires: a week after its last apply (the default environment_ttl); prod never.
    const user = os.userInfo().username;
    assert.ok(dev.createdBy?.startsWith(user) && prod.appliedBy?.startsWith(user), `${dev.createdBy} / ${prod.appliedBy}`);
    assert.equal(Date.parse(dev.expiresAt ?? '') - Date.parse(dev.updatedAt ?? ''), 7 * 86_400_000);
    assert.equal(dev.expired, false);
    assert.equal(prod.expiresAt, undefined);
  });

  it('diffs an environment\'s data against prod like `sluice diff`', async () => {
    const diff = await client.request(EnvironmentDiff.type, { projectDir: demo.dir, environment: 'dev' });
    assert.deepEqual(diff.models, ['analytics.daily_revenue']);
    assert.match(diff.text, /^dev vs prod: 1 model differ/);
    assert.match(diff.text, /analytics\.daily_revenue: prod \(analytics\.daily_revenue\) vs dev \(analytics__dev\.daily_revenue\)/);
    assert.match(diff.text, /\n {2}\+ one INTEGER\n/);
    const cliDiff = runCli(['diff', 'prod:dev', 'analytics.daily_revenue', '--project', demo.dir], demo.dir);
    assert.ok(diff.text.includes(cliDiff.stdout), `the report holds what the CLI prints:\n${cliDiff.stdout}`);
    await assert.rejects(client.request(EnvironmentDiff.type, { projectDir: demo.dir, environment: 'dev', model: 'staging.orders' }), /dev shows staging\.orders as prod does/);
  });

  it('shows each source\'s inferred schema with the warehouse\'s types and the last load\'s changes', async () => {
    const { projects } = await client.request(SourceSchemas.type, { projectDir: demo.dir });
    const sources = projects[0].sources;
    assert.deepEqual(sources.map((s) => [s.source, s.from]), [['github', 'file'], ['helpdesk', 'file'], ['legacy_crm', 'file'], ['shop', 'file']]);
    const shop = sources.find((s) => s.source === 'shop')!;
    assert.equal(shop.schemaFile, demo.file('schemas/shop.schema.yaml'));
    assert.deepEqual(shop.tables.map((t) => [t.name, t.rows]), [['customers', 25], ['orders', 80], ['orders__items', 161]]);
    const customers = shop.tables[0];
    assert.equal(customers.location?.line, lineOf(demo.text('schemas/shop.schema.yaml'), '  customers:'));
    const column = (name: string) => customers.columns.find((c) => c.name === name)!;
    const changeOf = (name: string) => {
      const change = column(name).change;
      return change && { kind: change.kind, dataType: change.dataType, from: change.from, variantOf: change.variantOf, lastLoad: change.lastLoad };
    };
    assert.deepEqual(changeOf('score'), { kind: 'type_widened', dataType: 'double', from: 'bigint', variantOf: undefined, lastLoad: true });
    assert.deepEqual(changeOf('code__v_text'), { kind: 'variant_added', dataType: 'text', from: undefined, variantOf: 'code', lastLoad: true });
    assert.deepEqual(changeOf('email'), { kind: 'column_added', dataType: 'text', from: undefined, variantOf: undefined, lastLoad: true });
    assert.equal(column('name').change, undefined);
    assert.equal(column('score').warehouseType, 'DOUBLE');
    assert.equal(column('id').primaryKey, true);
    assert.equal(shop.changes.length, 3);
    assert.ok(shop.changes.every((c) => c.lastLoad && c.table === 'customers'));
    // A source loaded once has no earlier version to compare with: nothing is marked.
    assert.deepEqual(sources.find((s) => s.source === 'github')?.changes, []);
    const legacy = sources.find((s) => s.source === 'legacy_crm')!;
    assert.deepEqual(legacy.tables.map((t) => t.name), ['contacts', 'contacts__tags']);
    assert.equal(legacy.tables[1].parent, 'contacts');
  });

  it('tells resources sluice.yaml switches from those left to their default, and names entries for missing resources', async () => {
    const outline = await client.request(SourceOutline.type, { projectDir: demo.dir });
    const sources = outline.projects[0].sources;
    const github = sources.find((s) => s.name === 'github')!;
    assert.deepEqual(github.resources.map((r) => [r.name, r.enabled, r.setting]), [['issues', true, 'on'], ['comments', true, 'unset']]);
    const shop = sources.find((s) => s.name === 'shop')!;
    assert.deepEqual(shop.resources.map((r) => [r.name, r.enabled, r.setting]), [['customers', true, 'on'], ['orders', true, 'on']]);
    assert.deepEqual(shop.unknownInConfig, ['refunds']);
    assert.equal(sources.find((s) => s.name === 'legacy_crm')?.unknownInConfig, undefined);
  });

  it('keeps model CodeLens short: the first columns, the rest counted, every one in the tooltip', async () => {
    const file = demo.file('models/intermediate/orders_enriched.sql');
    const uri = await client.open(file, fs.readFileSync(file, 'utf8'));
    const lenses = await client.lsp<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const schema = lenses.find((l) => /columns/.test(l.command.title))!;
    // Computed columns get their types from DuckDB in the background: `status` may be typed yet or not.
    assert.match(schema.command.title, /^16 columns: order_id bigint, customer_id bigint, status( varchar)?, amount decimal\(12,2\) \+12 more$/);
    const lines = schema.command.tooltip?.split('\n') ?? [];
    assert.equal(lines.length, 16);
    assert.deepEqual(lines.slice(3, 6), ['amount decimal(12,2)', 'ordered_at timestamptz', 'order_date date']);
    assert.match(lines[15], /^customer_order_number\b/);
    await client.close(uri);
  });

  it('invalidates dev: its views go, then the tables no environment needs; prod stays and cannot be invalidated', async () => {
    await assert.rejects(client.request(InvalidateEnvironment.type, { projectDir: demo.dir, environment: 'prod' }), (err: { code: number; message: string }) => {
      assert.equal(err.code, SluiceErrorCodes.UserError);
      assert.match(err.message, /prod cannot be invalidated/);
      return true;
    });
    const before = await client.request(WarehouseCatalog.type, { projectDir: demo.dir });
    const devVersion = schemaOf(before.schemas, 'sluice__analytics').tables.map((t) => t.name).filter((n) => n.startsWith('daily_revenue__'));
    const result = await client.request(InvalidateEnvironment.type, { projectDir: demo.dir, environment: 'dev' });
    assert.equal(result.droppedViews.length, 12);
    assert.ok(result.droppedViews.includes('analytics__dev.daily_revenue'));
    assert.equal(result.droppedTables.length, 1);
    assert.ok(devVersion.map((n) => `sluice__analytics.${n}`).includes(result.droppedTables[0]));
    const after = await client.request(WarehouseCatalog.type, { projectDir: demo.dir });
    assert.deepEqual(after.schemas.filter((s) => s.role === 'environment'), []);
    assert.deepEqual((await client.request(Environments.type, { projectDir: demo.dir })).environments.map((e) => e.name), ['prod']);
    const [{ n }] = await query<{ n: number }>(demo.warehouse, 'SELECT count(*)::INTEGER AS n FROM analytics.daily_revenue');
    assert.ok(n > 0);
  });
});
