// SQLMesh-style example project (shaped like SQLMesh's sushi example, written for these tests): it must load
// unchanged, and the rendered queries must run on DuckDB and compute the right numbers.

import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { discoverModels } from '../../core/models/discover';
import { findDuplicateModels } from '../../core/models/duplicates';
import { readExternalModels } from '../../core/models/externalModels';
import { renderQuery } from '../../core/models/render';
import type { ParsedModel } from '../../core/models/types';
import { Warehouse } from '../../core/warehouse/connection';
import { qualified, quoteLiteral } from '../../core/warehouse/quote';
import { describeDiagnostics, parse } from './helpers';

const project = path.join(__dirname, 'fixtures', 'sushi');

describe('example SQLMesh project (sushi-shaped)', () => {
  let models: ParsedModel[];
  before(async () => {
    models = await discoverModels(project);
  });

  const byName = (name: string): ParsedModel => {
    const found = models.find((m) => m.definition?.name === name);
    assert.ok(found, `model ${name} not found`);
    return found;
  };

  it('loads every model without errors, in a stable path order', () => {
    assert.deepEqual(
      models.map((m) => path.relative(project, m.file).split(path.sep).join('/')),
      [
        'models/customers.sql', 'models/items.sql', 'models/marts/customer_revenue_by_day.sql', 'models/marts/order_sizes.sql',
        'models/marts/top_waiters.sql', 'models/marts/waiter_revenue_by_day.sql', 'models/order_items.sql', 'models/orders.sql',
      ],
    );
    const errors = models.flatMap((m) => m.diagnostics.filter((d) => d.severity === 'error'));
    assert.deepEqual(describeDiagnostics(errors), []);
    assert.deepEqual(findDuplicateModels(models), []);
    // No warnings: the seed's inline audit is named by its audits property, so it runs.
    const warnings = models.flatMap((m) => describeDiagnostics(m.diagnostics.filter((d) => d.severity === 'warning')));
    assert.deepEqual(warnings, []);
  });

  it('reads the definitions', () => {
    const revenue = byName('sushi.customer_revenue_by_day').definition!;
    assert.deepEqual(revenue.kind, { name: 'INCREMENTAL_BY_TIME_RANGE', timeColumn: 'event_date', batchSize: 10 });
    assert.equal(revenue.description, 'Revenue per customer and day.');
    assert.deepEqual(revenue.grain, ['customer_id', 'event_date']);
    assert.deepEqual(revenue.audits, [
      { name: 'number_of_rows', args: { threshold: '0' } },
      { name: 'not_null', args: { columns: '(customer_id, event_date)' } },
    ]);
    assert.deepEqual(byName('sushi.top_waiters').definition!.kind, { name: 'VIEW' });
    assert.deepEqual(byName('sushi.items').definition!.kind, { name: 'SEED', path: '../seeds/items.csv', csvSettings: { delimiter: ',' } });
    assert.deepEqual(byName('sushi.order_sizes').definition!.kind, { name: 'EMBEDDED' });
    assert.deepEqual(byName('sushi.customers').definition!.kind, {
      name: 'INCREMENTAL_BY_UNIQUE_KEY',
      uniqueKey: ['customer_id'],
      whenMatched: 'WHEN MATCHED THEN UPDATE SET target.last_order = source.last_order',
    });
    assert.deepEqual(byName('sushi.orders').definition!.columns, { id: 'INT', customer_id: 'INT', waiter_id: 'INT', event_date: 'DATE' });
  });

  it('runs the rendered queries on DuckDB with the right results', async () => {
    const wh = await Warehouse.open(':memory:');
    try {
      await wh.run('CREATE SCHEMA raw');
      await wh.run('CREATE SCHEMA sushi');
      await wh.run('CREATE TABLE raw.orders (id INT, customer_id INT, waiter_id INT, event_date DATE)');
      await wh.run('CREATE TABLE raw.order_items (order_id INT, item_id INT, quantity INT, event_date DATE)');
      const orders: Array<[number, number, number, string]> = [
        [1, 1, 1, '2024-01-01'], [2, 2, 1, '2024-01-01'], [3, 1, 2, '2024-01-02'], [4, 1, 2, '2024-01-05'],
      ];
      for (const row of orders) await wh.run('INSERT INTO raw.orders VALUES ($1, $2, $3, $4::DATE)', row);
      const items: Array<[number, number, number, string]> = [
        [1, 1, 2, '2024-01-01'], [2, 2, 1, '2024-01-01'], [3, 3, 2, '2024-01-02'], [3, 1, 1, '2024-01-02'], [4, 1, 10, '2024-01-05'],
      ];
      for (const row of items) await wh.run('INSERT INTO raw.order_items VALUES ($1, $2, $3, $4::DATE)', row);

      const seed = byName('sushi.items');
      const csv = path.resolve(path.dirname(seed.file), (seed.definition!.kind as { path: string }).path);
      await wh.run(`CREATE TABLE sushi.items AS SELECT * FROM read_csv(${quoteLiteral(csv)}, header = true)`);

      const context = { start: '2024-01-01', end: '2024-01-02', executionTime: '2024-01-03 01:00:00' };
      for (const name of ['orders', 'order_items', 'customer_revenue_by_day', 'waiter_revenue_by_day', 'customers', 'top_waiters']) {
        const model = byName(`sushi.${name}`);
        const rendered = renderQuery(model, context);
        assert.deepEqual(rendered.diagnostics, [], name);
        const what = model.definition!.kind.name === 'VIEW' ? 'VIEW' : 'TABLE';
        await wh.run(`CREATE ${what} ${qualified('sushi', name)} AS ${rendered.sql}`);
      }

      assert.deepEqual(await wh.json('SELECT id FROM sushi.orders ORDER BY id'), [{ id: 1 }, { id: 2 }, { id: 3 }]);
      assert.deepEqual(
        await wh.json("SELECT customer_id, revenue, strftime(event_date, '%Y-%m-%d') AS day FROM sushi.customer_revenue_by_day ORDER BY day, customer_id"),
        [
          { customer_id: 1, revenue: 9, day: '2024-01-01' },
          { customer_id: 2, revenue: 6, day: '2024-01-01' },
          { customer_id: 1, revenue: 23, day: '2024-01-02' },
        ],
      );
      assert.deepEqual(await wh.json('SELECT waiter_id, revenue FROM sushi.top_waiters'), [{ waiter_id: 2, revenue: 23 }]);
      assert.deepEqual(
        await wh.json("SELECT customer_id, strftime(last_order, '%Y-%m-%d') AS last_order, refreshed_on FROM sushi.customers ORDER BY customer_id"),
        [
          { customer_id: 1, last_order: '2024-01-02', refreshed_on: '2024-01-03' },
          { customer_id: 2, last_order: '2024-01-01', refreshed_on: '2024-01-03' },
        ],
      );
    } finally {
      wh.close();
    }
  });

  it('maps a DuckDB parse error in a rendered query back to the model file', async () => {
    const text = "MODEL (name sushi.broken);\n@DEF(label, 'a long label that shifts offsets');\nSELECT @label AS l, @start_ts AS s\nFROM sushi.orders\nWHERE id IN IN (1)";
    const model = parse(text);
    const rendered = renderQuery(model, { start: '2024-01-01' });
    const wh = await Warehouse.open(':memory:');
    try {
      const [row] = await wh.all<{ j: string }>('SELECT json_serialize_sql($1::VARCHAR) AS j', [rendered.sql]);
      const result = JSON.parse(row.j) as { error: boolean; position: string };
      assert.equal(result.error, true);
      const at = rendered.sourceMap.toFilePosition(Number(result.position));
      assert.equal(at.line, 5);
      assert.equal(at.column, 13);
      assert.equal(text.slice(at.offset), 'IN (1)');
    } finally {
      wh.close();
    }
  });

  it('reads the project external_models.yaml', async () => {
    const file = await readExternalModels(path.join(project, 'external_models.yaml'));
    assert.deepEqual(file.diagnostics, []);
    assert.deepEqual(file.entries.map((e) => [e.name, Object.keys(e.columns).length, e.managed]), [['raw.orders', 4, false], ['raw.order_items', 4, false]]);
    assert.equal(file.entries[0].description, 'Orders as they come from the till');
  });
});
