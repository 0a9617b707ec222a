// `sluice models`, `sluice render` and `sluice lineage` on real project directories, and the ingest →
// transform bridge on a copy of the demo project: ingest, then trace a model column to a source field.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { bindModelTypes } from '../../core/dag/modelTypes';
import { ModelProject } from '../../core/dag/project';
import { displayType } from '../../core/sql/typeBinder';
import { readExternalModels } from '../../core/models/externalModels';
import { renderQuery } from '../../core/models/render';
import { quoteIdent, quoteLiteral } from '../../core/warehouse/quote';
import { repoRoot, runCli, runCliJson, type TempProject } from '../helpers/project';
import { chainModels, modelProject } from '../project/helpers';

const incremental = `MODEL (
  name analytics.paid_orders,
  kind INCREMENTAL_BY_TIME_RANGE (time_column order_date)
);
@DEF(paid, 'paid');

SELECT order_id, amount, order_date
FROM staging.orders
WHERE status = @paid AND order_date BETWEEN @start_ds AND @end_ds
`;

describe('sluice models, render and lineage (end to end)', function () {
  this.timeout(120_000);

  describe('on a small project', () => {
    let project: TempProject;
    before(() => {
      project = modelProject(chainModels);
    });
    after(() => project.cleanup());

    it('sluice models lists kind, upstream and downstream; --json gives one object', () => {
      const text = runCli(['models'], project.dir);
      assert.equal(text.code, 0, text.stderr);
      assert.equal(text.stderr, '');
      const lines = text.stdout.trim().split('\n');
      assert.match(lines[0], /^model\s+kind\s+upstream\s+downstream$/);
      assert.match(lines[2], /^analytics\.daily_revenue\s+FULL\s+intermediate\.orders_wide\s+-$/);
      assert.match(lines[3], /^intermediate\.orders_wide\s+FULL\s+shop\.customers, staging\.orders\s+analytics\.daily_revenue$/);
      assert.match(lines[4], /^staging\.orders\s+VIEW\s+shop\.orders\s+intermediate\.orders_wide$/);

      const json = runCliJson(['models'], project.dir);
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(json.json.diagnostics, []);
      assert.deepEqual(json.json.models.map((m: any) => [m.name, m.kind, m.file, m.upstream, m.downstream]), [
        ['analytics.daily_revenue', 'FULL', 'models/marts/daily_revenue.sql', ['intermediate.orders_wide'], []],
        ['intermediate.orders_wide', 'FULL', 'models/intermediate/orders_wide.sql', ['shop.customers', 'staging.orders'], ['analytics.daily_revenue']],
        ['staging.orders', 'VIEW', 'models/staging/orders.sql', ['shop.orders'], ['intermediate.orders_wide']],
      ]);
      // Computed columns have the types DuckDB's binder gives them: sum(DOUBLE) is DOUBLE, count(*) BIGINT.
      assert.deepEqual(json.json.models[0].columns, [
        { name: 'order_date', type: 'DATE' },
        { name: 'revenue', type: 'DOUBLE' },
        { name: 'orders', type: 'BIGINT' },
      ]);
    });

    it('sluice render prints the query with macros expanded for the interval asked', () => {
      project.write('models/marts/paid_orders.sql', incremental);
      try {
        const run = runCli(['render', 'Analytics.Paid_Orders', '--start', '2024-03-01', '--end', '2024-03-31'], project.dir);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, "SELECT order_id, amount, order_date\nFROM staging.orders\nWHERE status = 'paid' AND order_date BETWEEN '2024-03-01' AND '2024-03-31'\n");
        assert.equal(runCli(['render', 'analytics.nope'], project.dir).code, 2);
        const badTime = runCli(['render', 'analytics.paid_orders', '--start', 'last tuesday'], project.dir);
        assert.equal(badTime.code, 2);
        assert.match(badTime.stderr, /start 'last tuesday' is not a date/);
      } finally {
        fs.rmSync(path.join(project.dir, 'models/marts/paid_orders.sql'));
      }
    });

    it('sluice lineage reads a model written in another dialect', () => {
      project.write('models/marts/mysql_orders.sql', 'MODEL (name analytics.mysql_orders, dialect mysql);\nSELECT `order_id`, IFNULL(`amount`, 0) AS amount FROM staging.orders\n');
      try {
        const run = runCli(['lineage', 'analytics.mysql_orders'], project.dir);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, 'analytics.mysql_orders (VIEW)\n  order_id ← staging.orders.order_id\n  amount ← staging.orders.amount\n');
      } finally {
        fs.rmSync(path.join(project.dir, 'models/marts/mysql_orders.sql'));
      }
    });

    it('sluice lineage --json gives every model column its one-hop sources and filters', () => {
      const run = runCliJson(['lineage'], project.dir);
      assert.equal(run.code, 0, run.stderr);
      const same = (s: string) => ({ sources: [s], filters: [] });
      const wideFilters = ['shop.customers.id', 'staging.orders.customer_id'];
      const wide = (s: string) => ({ sources: [s], filters: wideFilters.filter((f) => f !== s) });
      assert.deepEqual(run.json, {
        models: {
          'analytics.daily_revenue': {
            columns: {
              order_date: { sources: ['intermediate.orders_wide.order_date'], filters: ['intermediate.orders_wide.status'] },
              revenue: { sources: ['intermediate.orders_wide.amount'], filters: ['intermediate.orders_wide.order_date', 'intermediate.orders_wide.status'] },
              orders: { sources: [], filters: ['intermediate.orders_wide.order_date', 'intermediate.orders_wide.status'] },
            },
          },
          'intermediate.orders_wide': {
            columns: {
              order_id: wide('staging.orders.order_id'),
              customer_id: wide('staging.orders.customer_id'),
              status: wide('staging.orders.status'),
              amount: wide('staging.orders.amount'),
              customer_name: wide('staging.orders.customer_name'),
              order_date: wide('staging.orders.order_date'),
              region: wide('shop.customers.region'),
            },
          },
          'staging.orders': {
            columns: {
              order_id: same('shop.orders.id'),
              customer_id: same('shop.orders.customer_id'),
              status: same('shop.orders.status'),
              amount: same('shop.orders.amount'),
              customer_name: same('shop.orders.customer__name'),
              order_date: same('shop.orders.created_at'),
            },
          },
        },
      });
    });

    it('--deep lists the ultimate source columns and the source fields they hold', () => {
      const run = runCliJson(['lineage', '--deep'], project.dir);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.json.models['analytics.daily_revenue'].columns.revenue, {
        sources: ['shop.orders.amount'],
        filters: ['shop.customers.id', 'shop.orders.created_at', 'shop.orders.customer_id', 'shop.orders.status'],
        origins: [{ column: 'shop.orders.amount', source: 'shop', resource: 'orders', table: 'orders', field: 'amount' }],
      });
      assert.deepEqual(run.json.models['intermediate.orders_wide'].columns.customer_name.origins, [
        { column: 'shop.orders.customer__name', source: 'shop', resource: 'orders', table: 'orders', field: 'customer.name' },
      ]);
    });

    it('MODEL.COLUMN prints the tree down to the source field; --json adds the tree to the lineage', () => {
      const text = runCli(['lineage', 'analytics.daily_revenue.revenue', '--deep'], project.dir);
      assert.equal(text.code, 0, text.stderr);
      assert.deepEqual(text.stdout.split('\n').slice(0, 4), [
        'analytics.daily_revenue.revenue',
        '└── intermediate.orders_wide.amount',
        '    └── staging.orders.amount',
        '        └── shop.orders.amount  [source shop, resource orders, field amount]',
      ]);
      assert.match(text.stdout, /\nsources: shop\.orders\.amount\n/);
      assert.match(text.stdout, /\nfiltered by: shop\.customers\.id, shop\.orders\.created_at, shop\.orders\.customer_id, shop\.orders\.status\n/);

      const json = runCliJson(['lineage', 'intermediate.orders_wide.customer_name'], project.dir);
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(Object.keys(json.json.models), ['intermediate.orders_wide']);
      assert.deepEqual(json.json.models['intermediate.orders_wide'].columns.customer_name.sources, ['staging.orders.customer_name']);
      assert.equal(json.json.tree.children[0].children[0].column, 'shop.orders.customer__name');
      assert.equal(json.json.tree.children[0].children[0].origin.field, 'customer.name');
    });

    it('--downstream lists every model column depending on a source column, recursively', () => {
      const json = runCliJson(['lineage', 'shop.orders.status', '--downstream'], project.dir);
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(json.json.downstream['shop.orders.status'], [
        { column: 'analytics.daily_revenue.order_date', via: 'filter' },
        { column: 'analytics.daily_revenue.orders', via: 'filter' },
        { column: 'analytics.daily_revenue.revenue', via: 'filter' },
        { column: 'intermediate.orders_wide.status', via: 'source' },
        { column: 'staging.orders.status', via: 'source' },
      ]);
      const text = runCli(['lineage', 'staging.orders.customer_name', '--downstream'], project.dir);
      assert.equal(text.code, 0, text.stderr);
      assert.equal(text.stdout, 'staging.orders.customer_name\n└── intermediate.orders_wide.customer_name\n');
    });

    it('exits 2 for an unknown model or column, naming it', () => {
      const model = runCli(['lineage', 'analytics.daily_revenu'], project.dir);
      assert.equal(model.code, 2);
      assert.match(model.stderr, /no model or table column named analytics\.daily_revenu \(did you mean analytics\.daily_revenue\?\)/);
      const column = runCli(['lineage', 'analytics.daily_revenue.profit'], project.dir);
      assert.equal(column.code, 2);
      assert.match(column.stderr, /analytics\.daily_revenue has no column profit; it has order_date, revenue, orders/);
      assert.equal(runCli(['lineage', '--downstream'], project.dir).code, 2);
      assert.equal(model.stdout, '');
    });

    it('exits 1 when a model has errors, printing them as file:line:col and the lineage of everything else', () => {
      project.write('models/broken.sql', 'MODEL (name analytics.broken);\nSELECT x FROM shop.nothing\n');
      try {
        const run = runCliJson(['lineage'], project.dir);
        assert.equal(run.code, 1);
        assert.ok(run.stderr.startsWith(
          'models/broken.sql:2:15: unknown table shop.nothing: source shop has no table nothing; it has customers, orders\n',
        ), run.stderr);
        assert.deepEqual(Object.keys(run.json.models), ['analytics.broken', 'analytics.daily_revenue', 'intermediate.orders_wide', 'staging.orders']);
        assert.deepEqual(run.json.models['analytics.broken'].columns, { x: { sources: ['shop.nothing.x'], filters: [] } });
        assert.equal(runCli(['models'], project.dir).code, 1);
      } finally {
        fs.rmSync(path.join(project.dir, 'models/broken.sql'));
      }
    });
  });

  describe('on the demo project, after ingesting its sources', () => {
    let dir: string;
    before(function () {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-demo-'));
      const demo = path.join(repoRoot, 'examples', 'demo');
      // Without the generated files: the bridge has to produce what the models need.
      const generated = new Set(['warehouse.duckdb', 'warehouse.duckdb.wal', '.sluice', 'external_models.yaml', 'schemas']);
      fs.cpSync(demo, dir, { recursive: true, filter: (src) => !generated.has(path.relative(demo, src).split(path.sep)[0]) });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('models read unknown tables before the ingest, and say which source to ingest', () => {
      const run = runCli(['models'], dir);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /models\/staging\/issues\.sql:\d+:\d+: unknown table github\.issues: source github has not been loaded yet; run `sluice ingest github`/);
    });

    it('ingest writes external_models.yaml for the loaded tables, and lineage reaches the source field', async () => {
      for (const source of ['github', 'shop', 'legacy_crm']) {
        const run = runCli(['ingest', source], dir);
        assert.equal(run.code, 0, run.stderr);
      }
      const external = await readExternalModels(path.join(dir, 'external_models.yaml'));
      const names = external.entries.map((e) => e.name);
      for (const table of ['github.issues', 'github.issues__labels', 'github.comments', 'shop.orders', 'shop.orders__items', 'shop.customers', 'legacy_crm.contacts']) {
        assert.ok(names.includes(table), `${table} missing from external_models.yaml: ${names.join(', ')}`);
      }
      assert.ok(external.entries.every((e) => e.managed));
      assert.equal(external.entries.find((e) => e.name === 'github.issues')?.columns.user__login, 'VARCHAR');

      const models = runCli(['models'], dir);
      assert.equal(models.code, 0, models.stderr);
      const lineage = runCliJson(['lineage', 'analytics.issue_activity.author_login', '--deep'], dir);
      assert.equal(lineage.code, 0, lineage.stderr);
      const column = lineage.json.models['analytics.issue_activity'].columns.author_login;
      assert.deepEqual(column.sources, ['github.issues.user__login']);
      assert.deepEqual(column.origins, [{ column: 'github.issues.user__login', source: 'github', resource: 'issues', table: 'issues', field: 'user.login' }]);
      const impact = runCliJson(['lineage', 'github.issues.user__login', '--downstream'], dir);
      assert.ok(impact.json.downstream['github.issues.user__login'].some((d: any) => d.column === 'analytics.issue_activity.author_login' && d.via === 'source'));
    });

    it('every demo model runs on the loaded warehouse and has the columns lineage says', async () => {
      const project = await ModelProject.load(dir);
      assert.deepEqual(project.diagnostics().filter((d) => d.severity === 'error'), []);
      // Types the analysis leaves unknown come from DuckDB's binder: each must be the type the built table has.
      const unknownBefore = new Map(project.models().map((m) => [m.key, m.columns.map((c) => c.type === undefined)]));
      await bindModelTypes(project);
      let bound = 0;
      const instance = await DuckDBInstance.create(path.join(dir, 'warehouse.duckdb'));
      const connection = await instance.connect();
      try {
        for (const key of project.buildOrder()) {
          const prepared = project.preparedModel(key)!;
          const [schema, table] = key.split('.');
          const target = `${quoteIdent(schema)}.${quoteIdent(table)}`;
          await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
          const select = prepared.seed
            ? `SELECT * FROM read_csv(${quoteLiteral(prepared.seed.file)})`
            : renderQuery(prepared.parsed, { start: '2024-01-01', end: '2024-12-31' }).sql;
          await connection.run(`CREATE OR REPLACE TABLE ${target} AS ${select}`);
          const result = await connection.runAndReadAll(`SELECT * FROM ${target} LIMIT 1`);
          assert.deepEqual(result.columnNames().map((n) => n.toLowerCase()), project.model(key)!.columns.map((c) => c.name), key);
          assert.equal(result.currentRowCount, 1, `${key} is empty`);
          project.model(key)!.columns.forEach((c, i) => {
            if (!unknownBefore.get(key)![i] || c.type === undefined) return;
            bound++;
            assert.equal(c.type, displayType(result.columnTypes()[i].toString()), `${key}.${c.name}`);
          });
        }
        assert.ok(bound >= 10, `${bound} computed columns typed`);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    });
  });
});
