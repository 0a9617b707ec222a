// A model's pre-, post- and ON_VIRTUAL_UPDATE statements through the built CLI on a real project: what they
// wrote into the DuckDB file shows when each ran, with which @runtime_stage, @start_ds and @this_model; a
// failing statement names its file and line:col and leaves the environment as it was.
import { strict as assert } from 'node:assert';
import { makeProject, query, runCliJson, writeDb, type TempProject } from '../helpers/project';

const at = (iso: string) => ({ SLUICE_NOW: new Date(iso).toISOString() });

const ORDERS = `MODEL (name shop.orders, kind FULL);

CREATE TABLE IF NOT EXISTS ops.events (model VARCHAR, step VARCHAR, stage VARCHAR, day VARCHAR, n BIGINT);
INSERT INTO ops.events SELECT 'orders', 'pre', @runtime_stage, @start_ds, NULL;

SELECT id, amount FROM raw.orders;

INSERT INTO ops.events SELECT 'orders', 'post', @runtime_stage, @start_ds, count(*) FROM @this_model;

ON_VIRTUAL_UPDATE_BEGIN;
COMMENT ON VIEW @this_model IS 'orders as shown';
INSERT INTO ops.events SELECT 'orders', 'virtual', @this_env, NULL, count(*) FROM @this_model;
ON_VIRTUAL_UPDATE_END;
`;

const DAILY = `MODEL (
  name shop.daily,
  kind INCREMENTAL_BY_TIME_RANGE (time_column day, batch_size 1),
  start '2024-05-01',
  cron '@daily'
);

INSERT INTO ops.events SELECT 'daily', 'pre', @runtime_stage, @start_ds, NULL;

SELECT CAST(@start_ds AS DATE) AS day, count(*) AS orders FROM shop.orders;

INSERT INTO ops.events SELECT 'daily', 'post', @runtime_stage, @start_ds, count(*) FROM @this_model;
`;

describe('model statements (pre, post, ON_VIRTUAL_UPDATE) through the CLI', function () {
  this.timeout(180_000);
  let project: TempProject;

  before(async () => {
    project = makeProject({ 'external_models.yaml': '- name: raw.orders\n  columns: { id: INT, amount: DOUBLE }\n', 'models/orders.sql': ORDERS, 'models/daily.sql': DAILY });
    await writeDb(project.warehouse, 'CREATE SCHEMA raw; CREATE SCHEMA ops; CREATE TABLE raw.orders AS SELECT * FROM (VALUES (1, 2.5), (2, 4.0), (3, NULL)) AS t(id, amount)');
  });
  after(() => project.cleanup());

  const events = () => query<Record<string, unknown>>(project.warehouse, 'SELECT model, step, stage, day, CAST(n AS INT) AS n FROM ops.events ORDER BY rowid');

  it('runs pre before and post after the query, in each stage; ON_VIRTUAL_UPDATE on the view once it is swapped', async () => {
    const apply = runCliJson(['apply', 'dev'], project.dir, at('2024-05-03T01:00:00Z'));
    assert.equal(apply.code, 0, apply.stderr);
    const rows = await events();
    const of = (model: string) => rows.filter((r) => r.model === model).map((r) => [r.step, r.stage, r.day, r.n]);
    // FULL: built by evaluating its query; post sees the three rows in the physical table.
    assert.deepEqual(of('orders').slice(0, 2), [['pre', 'evaluating', '1970-01-01', null], ['post', 'evaluating', '1970-01-01', 3]]);
    // Incremental: the empty table is made ('creating'), then each day's batch is evaluated.
    assert.deepEqual(of('daily'), [
      ['pre', 'creating', '2024-05-01', null], ['post', 'creating', '2024-05-01', 0],
      ['pre', 'evaluating', '2024-05-01', null], ['post', 'evaluating', '2024-05-01', 1],
      ['pre', 'evaluating', '2024-05-02', null], ['post', 'evaluating', '2024-05-02', 2],
    ]);
    // On the environment's view: the comment is on shop__dev.orders, and the view already shows the rows.
    assert.deepEqual(of('orders').slice(2), [['virtual', 'dev', null, 3]]);
    const comment = await query(project.warehouse, "SELECT comment FROM duckdb_views() WHERE schema_name = 'shop__dev' AND view_name = 'orders'");
    assert.deepEqual(comment, [{ comment: 'orders as shown' }]);
  });

  it('promotion to prod runs ON_VIRTUAL_UPDATE again on prod\'s view, and computes nothing', async () => {
    const before = (await events()).length;
    const apply = runCliJson(['apply', 'prod'], project.dir, at('2024-05-03T02:00:00Z'));
    assert.equal(apply.code, 0, apply.stderr);
    assert.deepEqual((await events()).slice(before).map((r) => [r.model, r.step, r.stage, r.n]), [['orders', 'virtual', 'prod', 3]]);
  });

  it('a failing post-statement fails the model with its file and line:col; the environment is unchanged', async () => {
    project.write('models/orders.sql', ORDERS.replace('count(*) FROM @this_model;\n\nON_', 'count(*) FROM ops.no_such_table;\n\nON_'));
    const shown = await query(project.warehouse, "SELECT sql FROM duckdb_views() WHERE schema_name = 'shop__dev' ORDER BY view_name");
    const apply = runCliJson(['apply', 'dev'], project.dir, at('2024-05-03T03:00:00Z'));
    assert.notEqual(apply.code, 0, JSON.stringify(apply.json));
    assert.match(apply.json.error, /model shop\.orders \(models\/orders\.sql:8:1\): post-statement failed: .*no_such_table/);
    assert.deepEqual(await query(project.warehouse, "SELECT sql FROM duckdb_views() WHERE schema_name = 'shop__dev' ORDER BY view_name"), shown);
  });

  it('a failing ON_VIRTUAL_UPDATE statement undoes the swap: the environment shows its previous versions', async () => {
    project.write('models/orders.sql', ORDERS.replace('SELECT id, amount', 'SELECT id, amount, 1 AS flag').replace("COMMENT ON VIEW @this_model IS 'orders as shown';", 'COMMENT ON VIEW @this_model IS 1 + ;'));
    const target = async () => (await query<{ sql: string }>(project.warehouse, "SELECT sql FROM duckdb_views() WHERE schema_name = 'shop__dev' AND view_name = 'orders'"))[0].sql;
    const shown = await target();
    const apply = runCliJson(['apply', 'dev'], project.dir, at('2024-05-03T04:00:00Z'));
    assert.notEqual(apply.code, 0);
    assert.match(apply.json.error, /model shop\.orders \(models\/orders\.sql:11:1\): ON_VIRTUAL_UPDATE statement failed/);
    assert.equal(await target(), shown);
  });
});
