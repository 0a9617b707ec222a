// What runs for a model, a selection of it or the CTE under the cursor: rendered with macros, pointed at an
// environment's views, and offsets that lead back to the model file's line and column.

import { strict as assert } from 'node:assert';
import { parseModelFile } from '../../core/models/parse';
import { cteQueryAt } from '../../core/query/cte';
import { prepareModelQuery, prepareSqlQuery } from '../../core/query/modelQuery';
import { closeSqlParser } from '../../core/sql/duckdbParser';

const FILE = '/project/models/marts/customer_orders.sql';
const MODEL = `MODEL (name analytics.customer_orders, kind VIEW);
@DEF(min_amount, 5);

WITH paid AS (
  SELECT customer_id, amount FROM staging.orders WHERE status <> 'cancelled' AND amount > @min_amount
),
per_customer (customer_id, total) AS (
  SELECT customer_id, sum(amount) FROM paid GROUP BY customer_id
)
SELECT * FROM per_customer WHERE customer_id IS NOT NULL
`;

const prod = { name: 'prod', models: new Set(['staging.orders', 'analytics.customer_orders']) };
const dev = { name: 'dev', models: new Set(['staging.orders', 'analytics.customer_orders']) };

describe('model queries', () => {
  after(() => closeSqlParser());

  it('runs the whole model with its macros rendered; in dev, model names read dev views', async () => {
    const model = parseModelFile(MODEL, FILE);
    const inProd = await prepareModelQuery(model, { env: prod });
    assert.match(inProd.sql, /amount > 5\n/);
    assert.match(inProd.sql, /FROM staging\.orders WHERE/);
    const inDev = await prepareModelQuery(model, { env: dev });
    assert.match(inDev.sql, /FROM "staging__dev"\."orders" AS "orders" WHERE/);
    assert.equal(inDev.label, 'analytics.customer_orders');
  });

  it('runs the CTE under the cursor with the CTEs before it, without the outer query', async () => {
    const model = parseModelFile(MODEL, FILE);
    const inside = MODEL.indexOf('sum(amount)');
    const prepared = await prepareModelQuery(model, { env: prod, part: { kind: 'cte', offset: inside } });
    assert.equal(prepared.label, 'CTE per_customer in analytics.customer_orders');
    assert.match(prepared.sql, /^WITH paid AS \(/);
    assert.match(prepared.sql, /per_customer \(customer_id, total\) AS \(/);
    assert.match(prepared.sql, /\nSELECT \* FROM "per_customer"$/);
    assert.doesNotMatch(prepared.sql, /IS NOT NULL/);
    // The first CTE alone: nothing after it.
    const first = await prepareModelQuery(model, { env: prod, part: { kind: 'cte', offset: MODEL.indexOf("status <> 'cancelled'") } });
    assert.doesNotMatch(first.sql, /per_customer/);
    await assert.rejects(prepareModelQuery(model, { env: prod, part: { kind: 'cte', offset: MODEL.indexOf('WHERE customer_id IS NOT NULL') } }), /not inside a CTE/);
  });

  it('maps an offset of what runs back to the model file, across the macro and the dev rewrite', async () => {
    const model = parseModelFile(MODEL, FILE);
    const prepared = await prepareModelQuery(model, { env: dev, part: { kind: 'cte', offset: MODEL.indexOf('customer_id, amount') } });
    // "amount > 5" in what runs is "amount > @min_amount" on line 5 of the file.
    const amount = prepared.sql.indexOf('amount > 5');
    const line5 = MODEL.split('\n')[4];
    assert.deepEqual(prepared.locate!(amount), { file: FILE, line: 5, column: line5.indexOf('amount > @min_amount') + 1 });
    // The status column, after the rewritten table name.
    assert.deepEqual(prepared.locate!(prepared.sql.indexOf('status')), { file: FILE, line: 5, column: line5.indexOf('status') + 1 });
  });

  it('runs a selection of the model file', async () => {
    const model = parseModelFile(MODEL, FILE);
    const start = MODEL.indexOf('SELECT customer_id, amount');
    const end = MODEL.indexOf('@min_amount') + '@min_amount'.length;
    const prepared = await prepareModelQuery(model, { env: dev, part: { kind: 'selection', start, end } });
    assert.equal(prepared.sql, `SELECT customer_id, amount FROM "staging__dev"."orders" AS "orders" WHERE status <> 'cancelled' AND amount > 5`);
  });

  it('finds CTEs of a nested WITH, with the outer CTEs before it in scope', () => {
    const sql = `WITH a AS (SELECT 1 AS x), b AS (WITH c AS (SELECT x FROM a), d AS (SELECT x + 1 AS y FROM c) SELECT * FROM d) SELECT * FROM b`;
    const found = cteQueryAt(sql, sql.indexOf('x + 1'));
    assert.equal(found?.name, 'd');
    assert.equal(found?.map.text, 'WITH a AS (SELECT 1 AS x),\nc AS (SELECT x FROM a),\nd AS (SELECT x + 1 AS y FROM c)\nSELECT * FROM "d"');
    // Strings and comments never count: a 'WITH x AS (' inside a literal is text.
    const quoted = `SELECT 'with q as (select 1)' AS s -- with r as (select 2)`;
    assert.equal(cteQueryAt(quoted, quoted.indexOf('select 1')), undefined);
  });

  it('points an ad-hoc query at dev views and leaves statements other than queries as written', async () => {
    assert.equal((await prepareSqlQuery('SELECT count(*) FROM staging.orders', dev)).sql, 'SELECT count(*) FROM "staging__dev"."orders" AS "orders"');
    assert.equal((await prepareSqlQuery('SELECT count(*) FROM staging.orders', prod)).sql, 'SELECT count(*) FROM staging.orders');
    assert.equal((await prepareSqlQuery('SUMMARIZE staging.orders', dev)).sql, 'SUMMARIZE "staging__dev"."orders"');
    assert.equal((await prepareSqlQuery('CREATE TABLE x AS SELECT 1', dev)).sql, 'CREATE TABLE x AS SELECT 1');
    await assert.rejects(prepareSqlQuery('  ', dev), /empty/);
  });
});
