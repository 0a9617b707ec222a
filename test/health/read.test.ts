// The health reader's queries on the real _sluice tables: which load attempts it reads, the newest success
// per table and failure per source, schema versions, and one environment's builds and audits.
import { strict as assert } from 'node:assert';
import { readHealthFacts } from '../../core/health/read';
import { ensurePlanTables } from '../../core/plan/state';
import { Warehouse } from '../../core/warehouse/connection';
import { ensureSystemTables } from '../../core/warehouse/system';

const H = 3_600_000;
const T = Date.parse('2026-12-04T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

async function insertLoad(wh: Warehouse, id: string, source: string, status: string, finishedMs: number, rows: Record<string, number>, error: string | null = null) {
  await wh.run(
    `INSERT INTO "_sluice"."loads" ("load_id", "source", "status", "started_at", "finished_at", "rows", "schema_version", "error")
     VALUES ($1, $2, $3, CAST($4 AS TIMESTAMPTZ), CAST($5 AS TIMESTAMPTZ), CAST($6 AS JSON), 1, $7)`,
    [id, source, status, iso(finishedMs - 1000), iso(finishedMs), JSON.stringify(rows), error],
  );
}

describe('health reader', () => {
  let wh: Warehouse;
  beforeEach(async () => {
    wh = await Warehouse.open(':memory:');
  });
  afterEach(() => wh.close());

  it('reads nothing from a warehouse that was never loaded or planned', async () => {
    const facts = await readHealthFacts(wh, 'prod');
    assert.deepEqual([facts.loads, facts.schemas, facts.lastSuccessByTable.size, facts.environment.exists], [[], [], 0, false]);
  });

  it('reads the last 60 attempts per source and every one of the 14 days before its latest', async () => {
    await ensureSystemTables(wh);
    // Source a loads every 2 h for 20 days: 169 loads fall in the 14 days up to its latest.
    for (let i = 0; i < 240; i++) await insertLoad(wh, `a${String(i).padStart(3, '0')}`, 'a', 'loaded', T - i * 2 * H, { t: i });
    // Source b loads once a day for 100 days: the window holds 15, the last 60 are read.
    for (let i = 0; i < 100; i++) await insertLoad(wh, `b${String(i).padStart(3, '0')}`, 'b', 'loaded', T - i * 24 * H, { t: i });
    const facts = await readHealthFacts(wh, 'prod');
    const count = (source: string) => facts.loads.filter((l) => l.source === source).length;
    assert.deepEqual([count('a'), count('b')], [169, 60]);
    assert.ok(facts.loads.every((l, i) => i === 0 || l.startedMs <= facts.loads[i - 1].startedMs), 'newest first');
    assert.deepEqual(facts.loads.find((l) => l.loadId === 'a000'), { loadId: 'a000', source: 'a', status: 'loaded', startedMs: T - 1000, finishedMs: T, rows: { t: 0 }, error: null, resources: null });
  });

  it('finds the newest success per table (a table listed with 0 rows counts) and the newest failure per source', async () => {
    await ensureSystemTables(wh);
    await insertLoad(wh, 'L1', 'shop', 'loaded', T - 5 * H, { orders: 3, orders__items: 7, customers: 2 });
    await insertLoad(wh, 'L2', 'shop', 'loaded', T - 4 * H, { orders: 0 });
    await insertLoad(wh, 'F1', 'shop', 'failed', T - 3 * H, {}, 'first');
    await insertLoad(wh, 'F2', 'shop', 'failed', T - 2 * H, {}, 'second');
    await insertLoad(wh, 'L3', 'shop', 'loaded', T - 1 * H, { customers: 2 });
    await insertLoad(wh, 'X1', 'other', 'loaded', T, { orders: 1 });
    const facts = await readHealthFacts(wh, 'prod');
    const success = Object.fromEntries([...facts.lastSuccessByTable].map(([key, l]) => [key, l.loadId]));
    assert.deepEqual(success, { 'shop.orders': 'L2', 'shop.orders__items': 'L1', 'shop.customers': 'L3', 'other.orders': 'X1' });
    assert.deepEqual([...facts.lastFailureBySource].map(([source, l]) => [source, l.loadId, l.error]), [['shop', 'F2', 'second']]);
  });

  it('looks further back only for a resource or a failure the recent loads do not show', async () => {
    await ensureSystemTables(wh);
    const schema = { name: 'shop', version: 1, tables: ['orders', 'rare', 'never'].map((name) => ({ name, resource: name, writeDisposition: 'append', columns: [] })) };
    await wh.run(`INSERT INTO "_sluice"."schemas" VALUES ('shop', 1, CAST($1 AS JSON), 'x', CAST($2 AS TIMESTAMPTZ))`, [JSON.stringify(schema), iso(T - 1000 * H)]);
    // 100 daily loads of orders; 'rare' ran 80 days ago, the one failure was 90 days ago: both beyond the last 60 loads.
    for (let i = 0; i < 100; i++) {
      const rows: Record<string, number> = i === 80 ? { orders: 1, rare: 5 } : { orders: 1 };
      await insertLoad(wh, `L${String(i).padStart(3, '0')}`, 'shop', i === 90 ? 'failed' : 'loaded', T - i * 24 * H, i === 90 ? {} : rows, i === 90 ? 'old failure' : null);
    }
    const facts = await readHealthFacts(wh, 'prod');
    assert.equal(facts.loads.length, 60);
    assert.equal(facts.lastSuccessByTable.get('shop.orders')?.loadId, 'L000');
    assert.equal(facts.lastSuccessByTable.get('shop.rare')?.loadId, 'L080');
    assert.equal(facts.lastSuccessByTable.has('shop.never'), false);
    assert.deepEqual([facts.lastFailureBySource.get('shop')?.loadId, facts.lastFailureBySource.get('shop')?.error], ['L090', 'old failure']);
  });

  it('reads the latest schema versions of each source', async () => {
    await ensureSystemTables(wh);
    for (let v = 1; v <= 13; v++) {
      await wh.run(`INSERT INTO "_sluice"."schemas" VALUES ('s', $1, CAST($2 AS JSON), $3, CAST($4 AS TIMESTAMPTZ))`, [v, JSON.stringify({ name: 's', version: v, tables: [] }), `L${v}`, iso(T - (13 - v) * H)]);
    }
    const facts = await readHealthFacts(wh, 'prod');
    assert.deepEqual(facts.schemas.map((s) => s.version), [13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    assert.deepEqual([facts.schemas[0].loadId, facts.schemas[0].createdMs, facts.schemas[0].schema.version], ['L13', T, 13]);
  });

  it('reads each model of an environment with its build time and the audits of its latest run', async () => {
    await ensurePlanTables(wh);
    const env = [
      { name: 'a.full', fingerprint: 'f1', version: 'v1', kind: 'FULL' },
      { name: 'a.inc', fingerprint: 'f2', version: 'v2', kind: 'INCREMENTAL_BY_TIME_RANGE' },
      { name: 'a.view', fingerprint: 'f3', version: 'v3', kind: 'VIEW' },
    ];
    await wh.run(`INSERT INTO "_sluice"."environments" ("name", "snapshots", "previous", "plan_id", "updated_at") VALUES ('prod', CAST($1 AS JSON), CAST('[]' AS JSON), 'p1', CAST($2 AS TIMESTAMPTZ))`, [JSON.stringify(env), iso(T)]);
    const snapshot = (name: string, fingerprint: string, version: string, ms: number) =>
      wh.run(`INSERT INTO "_sluice"."snapshots" VALUES ($1, $2, $3, 'd', CAST('{}' AS JSON), CAST($4 AS TIMESTAMPTZ))`, [name, fingerprint, version, iso(ms)]);
    // A later snapshot of the same version (a metadata change) did not rebuild the table.
    await snapshot('a.full', 'f0', 'v1', T - 10 * H);
    await snapshot('a.full', 'f1', 'v1', T - 2 * H);
    await snapshot('a.full', 'old', 'v0', T - 1 * H);
    await snapshot('a.inc', 'f2', 'v2', T - 9 * H);
    await wh.run(`INSERT INTO "_sluice"."intervals" VALUES ('a.inc', 'v2', 0, 10, CAST($1 AS TIMESTAMPTZ))`, [iso(T - 1 * H)]);
    const audit = (apply: string, model: string, version: string, name: string, passed: boolean, violations: number, ms: number) =>
      wh.run(`INSERT INTO "_sluice"."audit_results" VALUES ($1, $2, $3, $4, true, $5, $6, NULL, NULL, NULL, CAST($7 AS TIMESTAMPTZ))`, [apply, model, version, name, passed, violations, iso(ms)]);
    await audit('p0', 'a.full', 'v1', 'not_null', false, 4, T - 10 * H);
    await audit('p1', 'a.full', 'v1', 'not_null', true, 0, T - 2 * H);
    await audit('p1', 'a.full', 'v1', 'unique_values', true, 0, T - 2 * H);
    await audit('r1', 'a.inc', 'v2', 'not_null', true, 0, T - 3 * H);
    await audit('r2', 'a.inc', 'v2', 'not_null', false, 2, T - 1 * H);
    await audit('p9', 'a.inc', 'other', 'not_null', true, 0, T);

    const facts = await readHealthFacts(wh, 'prod');
    assert.equal(facts.environment.exists, true);
    const models = Object.fromEntries([...facts.environment.models].map(([name, m]) => [name, { builtMs: m.builtMs, audits: m.audits }]));
    assert.deepEqual(models, {
      'a.full': { builtMs: T - 10 * H, audits: { state: 'passed', ranMs: T - 2 * H, failed: [] } },
      'a.inc': { builtMs: T - 1 * H, audits: { state: 'failed', ranMs: T - 1 * H, failed: [{ audit: 'not_null', blocking: true, violations: 2, error: null }] } },
      'a.view': { builtMs: null, audits: { state: 'none', ranMs: null, failed: [] } },
    });
    assert.equal((await readHealthFacts(wh, 'dev')).environment.exists, false);
  });
});
