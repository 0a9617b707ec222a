// Model queries rendered for execution read the physical tables of the same plan, not the prod views.
import { strict as assert } from 'node:assert';
import { executionQuery } from '../../core/plan/executionSql';
import type { SnapshotRecord } from '../../core/plan/types';

function record(name: string, version: string, modelText: string, kind: SnapshotRecord['kind'] = { name: 'FULL' }): SnapshotRecord {
  return {
    name, fingerprint: `f-${version}`, dataFingerprint: `d-${version}`, dataHash: '', metadataHash: '', version, kind, file: `models/${name}.sql`,
    modelText, columns: [], lineage: [], parents: [], audits: [],
  };
}

const orders = record('staging.orders', 'aaaaaaaaaaaaaaaa', 'MODEL (name staging.orders, kind FULL);\nSELECT 1 AS id');
const paid = record('staging.paid', 'cccccccccccccccc', 'MODEL (name staging.paid, kind EMBEDDED);\nSELECT id FROM staging.orders WHERE id > 0', { name: 'EMBEDDED' });
const context = (...records: SnapshotRecord[]) => ({ models: new Map(records.map((r) => [r.name, r])), environment: 'dev', executionTimeMs: 0 });
const day = { startMs: Date.parse('2024-02-01T00:00:00Z'), endMs: Date.parse('2024-02-02T00:00:00Z') };

describe('plan: execution queries', () => {
  it("reads the upstream model's physical table, keeping the name usable as a qualifier", async () => {
    const mart = record('analytics.mart', 'bbbbbbbbbbbbbbbb', `MODEL (name analytics.mart, kind FULL);
SELECT orders.id, o2.id AS other FROM staging.orders JOIN Staging.Orders AS o2 USING (id), shop.customers`);
    const sql = await executionQuery(mart, context(orders, mart), day);
    assert.equal(sql, 'SELECT orders.id, o2.id AS other FROM "sluice__staging"."orders__aaaaaaaaaa" AS "orders" JOIN "sluice__staging"."orders__aaaaaaaaaa" AS o2 USING (id), shop.customers');
  });

  it('leaves CTEs that shadow a model name, and tables that are not models, alone', async () => {
    const mart = record('analytics.mart', 'bbbbbbbbbbbbbbbb', `MODEL (name analytics.mart, kind FULL);
WITH orders AS (SELECT 2 AS id) SELECT * FROM orders, staging.orders AS s, github.issues`);
    const sql = await executionQuery(mart, context(orders, mart), day);
    assert.equal(sql, 'WITH orders AS (SELECT 2 AS id) SELECT * FROM orders, "sluice__staging"."orders__aaaaaaaaaa" AS s, github.issues');
  });

  it('inlines EMBEDDED models as subqueries, themselves rewritten', async () => {
    const mart = record('analytics.mart', 'bbbbbbbbbbbbbbbb', 'MODEL (name analytics.mart, kind FULL);\nSELECT count(*) AS n FROM staging.paid');
    const sql = await executionQuery(mart, context(orders, paid, mart), day);
    assert.equal(sql, 'SELECT count(*) AS n FROM (SELECT id FROM "sluice__staging"."orders__aaaaaaaaaa" AS "orders" WHERE id > 0) AS "paid"');
  });

  it('renders @start_ds/@end_ds for the interval and @this_model as the physical table, also for self-references', async () => {
    const inc = record('analytics.inc', 'dddddddddddddddd', `MODEL (name analytics.inc, kind INCREMENTAL_BY_TIME_RANGE (time_column d));
SELECT d FROM staging.orders, @this_model AS me, analytics.inc AS again WHERE d BETWEEN @start_ds AND @end_ds`, { name: 'INCREMENTAL_BY_TIME_RANGE', timeColumn: 'd' });
    const sql = await executionQuery(inc, context(orders, inc), day);
    assert.equal(sql, `SELECT d FROM "sluice__staging"."orders__aaaaaaaaaa" AS "orders", "sluice__analytics"."inc__dddddddddd" AS me, "sluice__analytics"."inc__dddddddddd" AS again WHERE d BETWEEN '2024-02-01' AND '2024-02-01'`);
  });

  it('reports a model that does not render with its file and position', async () => {
    const broken = record('analytics.broken', 'eeeeeeeeeeeeeeee', 'MODEL (name analytics.broken, kind FULL);\nSELECT @nope AS x');
    await assert.rejects(executionQuery(broken, context(broken), day), /model analytics\.broken \(models\/analytics\.broken\.sql:2:8\): macro variable @nope is not defined/);
  });
});
