// The health evaluation on its own, from hand-made facts: statuses and their reasons, freshness limits of
// resources and models, the load a table model still shows, failures before and after successes, audits,
// targets and the summary.
import { strict as assert } from 'node:assert';
import { evaluateHealth, type HealthInput } from '../../core/health/evaluate';
import { emptyFacts } from '../../core/health/read';
import type { HealthModel, HealthSources, LoadFact, ModelBuildFact, WarehouseFacts } from '../../core/health/types';
import type { SourceSchema } from '../../core/schema/types';

const H = 3_600_000;
const NOW = Date.parse('2026-12-04T12:00:00Z');
const at = (hoursAgo: number) => NOW - hoursAgo * H;

const SHOP: SourceSchema = {
  name: 'shop',
  version: 1,
  tables: [
    { name: 'orders', resource: 'orders', writeDisposition: 'merge', columns: [{ name: 'total', dataType: 'double', nullable: true, path: ['total'] }] },
    { name: 'orders__items', resource: 'orders', parent: 'orders', writeDisposition: 'merge', columns: [{ name: 'sku', dataType: 'text', nullable: true, path: ['sku'] }] },
    { name: 'customers', resource: 'customers', writeDisposition: 'replace', columns: [{ name: 'name', dataType: 'text', nullable: true, path: ['name'] }] },
  ],
};

function load(id: string, hoursAgo: number, rows: Record<string, number>, status: 'loaded' | 'failed' = 'loaded', error?: string): LoadFact {
  return { loadId: id, source: 'shop', status, startedMs: at(hoursAgo) - 60_000, finishedMs: at(hoursAgo), rows, error: error ?? null };
}

/** Facts as the reader builds them from a list of load attempts of source shop (any order). */
function facts(loads: LoadFact[], builds: ModelBuildFact[] = [], schema: SourceSchema = SHOP): WarehouseFacts {
  const f = emptyFacts();
  f.loads = [...loads].sort((a, b) => b.startedMs - a.startedMs);
  for (const l of f.loads) {
    if (l.status === 'loaded') for (const table of Object.keys(l.rows)) if (!f.lastSuccessByTable.has(`${l.source}.${table}`)) f.lastSuccessByTable.set(`${l.source}.${table}`, l);
    if (l.status === 'failed' && !f.lastFailureBySource.has(l.source)) f.lastFailureBySource.set(l.source, l);
  }
  f.schemas = [{ source: 'shop', version: schema.version, loadId: loads[0]?.loadId ?? null, createdMs: at(100), schema }];
  f.environment = { exists: true, models: new Map(builds.map((b) => [b.name, b])) };
  return f;
}

function built(name: string, hoursAgo: number, audits: ModelBuildFact['audits'] = { state: 'passed', ranMs: at(hoursAgo), failed: [] }): ModelBuildFact {
  return { name, version: 'v1', kind: 'FULL', builtMs: at(hoursAgo), audits };
}

const origin = (table: string, column: string, role: 'value' | 'filter' = 'value') => ({
  column: `shop.${table}.${column}`, source: 'shop', resource: table.split('__')[0], resourceKey: `shop.${table.split('__')[0]}`, table, field: column, role,
});

/** staging.orders: a view over shop.orders; marts.revenue: a table over it; marts.top: a table over marts.revenue. */
const MODELS: HealthModel[] = [
  { key: 'staging.orders', kind: 'VIEW', materialized: false, expectsBuild: true, parents: [], reads: ['shop.orders'], columns: [{ name: 'amount', origins: [origin('orders', 'total')] }] },
  { key: 'marts.revenue', kind: 'FULL', materialized: true, expectsBuild: true, owner: 'finance', tags: ['customer_facing'], parents: ['staging.orders'], reads: [], columns: [{ name: 'revenue', origins: [origin('orders', 'total'), origin('orders__items', 'sku', 'filter')] }] },
  { key: 'marts.top', kind: 'FULL', materialized: true, expectsBuild: true, freshness: { warnAfterMs: 2 * H }, parents: ['marts.revenue'], reads: [], columns: [{ name: 'revenue', origins: [origin('orders', 'total')] }] },
];
const SOURCES: HealthSources = { shop: { health: { freshness: { warnAfterMs: 6 * H, errorAfterMs: 24 * H }, owner: 'sales' }, resourceHealth: {} } };

function evaluate(f: WarehouseFacts, extra: Partial<HealthInput> = {}) {
  return evaluateHealth({ environment: 'prod', nowMs: NOW, models: MODELS, sources: SOURCES, facts: f, ...extra });
}

const ALL_BUILT = [built('staging.orders', 1), built('marts.revenue', 1), built('marts.top', 1)];

describe('health evaluation', () => {
  it('is fresh when every source field loaded within its limits and the models were built after it', () => {
    const report = evaluate(facts([load('L1', 26, { orders: 10 }), load('L2', 2, { orders: 12, orders__items: 30, customers: 5 })], ALL_BUILT));
    const revenue = report.columns['marts.revenue.revenue'];
    assert.equal(revenue.status, 'fresh');
    assert.equal(revenue.reason, 'marts.revenue.revenue comes from shop.orders.total, whose last load L2 succeeded 2 h ago with 12 rows (it also depends on 1 field that pick its rows); the model was built in prod 1 h ago and its audits passed.');
    assert.deepEqual(revenue.sources.map((s) => [s.field, s.status, s.fed_by?.load_id, s.fed_by?.rows]), [['shop.orders.total', 'fresh', 'L2', 12]]);
    assert.deepEqual(revenue.filters, [{ field: 'shop.orders__items.sku', resource: 'shop.orders', path: 'sku', status: 'fresh' }]);
    assert.deepEqual(revenue.model, { name: 'marts.revenue', kind: 'FULL', built_at: new Date(at(1)).toISOString(), audits: 'passed', failed_audits: [], owner: 'finance', tags: ['customer_facing'] });
    assert.equal(revenue.as_of, new Date(at(2)).toISOString());
    assert.equal(report.columns['staging.orders.amount'].reason, 'staging.orders.amount comes from shop.orders.total, whose last load L2 succeeded 2 h ago with 12 rows; the model is a view in prod, created 1 h ago and its audits passed.');
    assert.deepEqual(report.summary, { columns: { fresh: 3, stale: 0, failing: 0, unknown: 0 }, sources: { fresh: 2, stale: 0, failing: 0, unknown: 0 }, ok: true });
    const orders = report.sources['shop.orders'];
    assert.deepEqual(orders.volume.map((v) => [v.load_id, v.rows]), [['L1', 10], ['L2', 12]]);
    assert.deepEqual([orders.owner, orders.freshness], ['sales', { warn_after: '6h', error_after: '24h' }]);
    assert.deepEqual(orders.schema_changes, [{ load_id: 'L1', at: new Date(at(100)).toISOString(), version: 1, changes: [
      { kind: 'table_added', table: 'orders', resource: 'orders' }, { kind: 'table_added', table: 'orders__items', resource: 'orders' },
    ] }]);
  });

  it('counts a child table that got no rows in a load its resource ran as 0 rows', () => {
    const items: HealthModel = { ...MODELS[0], key: 'staging.items', columns: [{ name: 'sku', origins: [origin('orders__items', 'sku')] }] };
    const report = evaluate(facts([load('L1', 3, { orders: 5 }), load('L2', 2, { customers: 5 })], [...ALL_BUILT, built('staging.items', 1)]), { models: [...MODELS, items] });
    const sku = report.columns['staging.items.sku'].sources[0];
    assert.deepEqual([sku.fed_by?.load_id, sku.fed_by?.rows], ['L1', 0]);
    assert.equal(report.sources['shop.orders'].last_success?.load_id, 'L1', 'a load of customers only is no load of orders');
  });

  it('is stale past warn_after and past error_after, and only the latter makes the check fail', () => {
    const warn = evaluate(facts([load('L1', 7, { orders: 10 })], ALL_BUILT));
    const amount = warn.columns['staging.orders.amount'];
    assert.deepEqual([amount.status, amount.breach], ['stale', 'warn_after']);
    assert.equal(amount.reason, 'staging.orders.amount shows shop.orders.total from load L1, which finished 7 h ago: longer than the warn_after of shop.orders (6h).');
    assert.equal(warn.summary.ok, true);
    const error = evaluate(facts([load('L1', 25, { orders: 10 })], ALL_BUILT));
    assert.deepEqual([error.columns['staging.orders.amount'].breach, error.sources['shop.orders'].breach], ['error_after', 'error_after']);
    assert.equal(error.sources['shop.orders'].reason, 'the last load, L1, succeeded 25 h ago with 10 rows, longer ago than its error_after of 24h.');
    assert.equal(error.summary.ok, false);
    // Without a freshness limit, age alone is no problem.
    const none = evaluate(facts([load('L1', 500, { orders: 10 })], ALL_BUILT), { sources: {} });
    assert.equal(none.columns['staging.orders.amount'].status, 'fresh');
    assert.equal(none.summary.ok, true);
  });

  it('follows a table model: it shows the load from before its build, and is stale by that load', () => {
    const report = evaluate(facts([load('L1', 30, { orders: 10 }), load('L2', 1, { orders: 11 })], [built('staging.orders', 40), built('marts.revenue', 29), built('marts.top', 0.5)]));
    // The view reads live: the newest load.
    assert.equal(report.columns['staging.orders.amount'].sources[0].fed_by?.load_id, 'L2');
    // marts.revenue was built 29 h ago, after L1 and before L2; marts.top reads it, so it shows L1 too.
    for (const key of ['marts.revenue.revenue', 'marts.top.revenue']) {
      const column = report.columns[key];
      assert.deepEqual([column.sources[0].fed_by?.load_id, column.sources[0].last_success?.load_id, column.status, column.breach], ['L1', 'L2', 'stale', 'error_after'], key);
    }
    assert.equal(
      report.columns['marts.top.revenue'].reason,
      'marts.top.revenue shows shop.orders.total as of load L1 from 30 h ago, longer than the error_after of shop.orders (24h): marts.revenue was last built 29 h ago, before load L2 of 1 h ago.',
    );
    // Within the limits, the reason still says which load the table shows.
    const fresh = evaluate(facts([load('L1', 3, { orders: 10 }), load('L2', 1, { orders: 11 })], [built('staging.orders', 40), built('marts.revenue', 2), built('marts.top', 0.5)]));
    assert.match(fresh.columns['marts.revenue.revenue'].reason, /whose load L1 \(a newer one, L2, is not built in yet\) succeeded 3 h ago with 10 rows/);
  });

  it('applies a model\'s own freshness to the oldest data its columns show', () => {
    const report = evaluate(facts([load('L1', 3, { orders: 10 })], ALL_BUILT));
    const top = report.columns['marts.top.revenue'];
    assert.deepEqual([top.status, top.breach], ['stale', 'warn_after']);
    assert.equal(report.columns['marts.revenue.revenue'].status, 'fresh', 'marts.revenue has no limit of its own and shop allows 6 h');
  });

  it('is failing when a load failed after the last success, and fresh again after the next success', () => {
    const failing = evaluate(facts([load('L1', 2, { orders: 10 }), load('F1', 1, {}, 'failed', 'API down.')], ALL_BUILT));
    const amount = failing.columns['staging.orders.amount'];
    assert.equal(amount.status, 'failing');
    assert.equal(amount.reason, 'staging.orders.amount depends on shop.orders.total, but the last load of shop, F1, failed 1 h ago: API down; shop.orders.total was last loaded 2 h ago.');
    assert.deepEqual(amount.sources[0].last_failure, { load_id: 'F1', at: new Date(at(1)).toISOString(), started_at: new Date(at(1) - 60_000).toISOString(), duration_ms: 60_000, error: 'API down.' });
    assert.equal(failing.sources['shop.customers'].status, 'failing', 'a failed load fails every resource of its source');
    assert.equal(failing.summary.ok, false);

    const recovered = evaluate(facts([load('F1', 2, {}, 'failed', 'API down'), load('L2', 1, { orders: 10 })], ALL_BUILT));
    assert.equal(recovered.columns['staging.orders.amount'].status, 'fresh');
    assert.equal(recovered.columns['staging.orders.amount'].sources[0].last_failure?.load_id, 'F1');
  });

  it('is failing when a source that only picks the rows failed, and names it so', () => {
    const contacts = { column: 'crm.contacts.id', source: 'crm', resource: 'contacts', resourceKey: 'crm.contacts', table: 'contacts', field: 'id', role: 'filter' as const };
    const joined: HealthModel = { ...MODELS[0], key: 'staging.joined', reads: ['shop.orders', 'crm.contacts'], columns: [{ name: 'amount', origins: [origin('orders', 'total'), contacts] }] };
    const crm = (id: string, hoursAgo: number, status: 'loaded' | 'failed') => ({ ...load(id, hoursAgo, status === 'loaded' ? { contacts: 4 } : {}, status, 'CRM offline'), source: 'crm' });
    const report = evaluate(facts([load('L1', 2, { orders: 10 }), crm('C1', 3, 'loaded'), crm('C2', 1, 'failed')], [...ALL_BUILT, built('staging.joined', 1)]), { models: [...MODELS, joined] });
    const column = report.columns['staging.joined.amount'];
    assert.equal(column.status, 'failing');
    assert.deepEqual(column.filters, [{ field: 'crm.contacts.id', resource: 'crm.contacts', path: 'id', status: 'failing' }]);
    assert.equal(column.sources[0].status, 'fresh');
    assert.match(column.reason, /^staging\.joined\.amount depends on crm\.contacts\.id \(which picks its rows\), but the last load of crm, C2, failed 1 h ago: CRM offline; crm\.contacts\.id was last loaded 3 h ago\.$/);
    assert.equal(report.sources['crm.contacts'].status, 'failing');
  });

  it('is unknown for a source never loaded or a model not built, and failing for a source whose only loads failed', () => {
    const never = evaluate(facts([], ALL_BUILT));
    assert.equal(never.columns['staging.orders.amount'].status, 'unknown');
    assert.equal(never.columns['staging.orders.amount'].reason, 'staging.orders.amount depends on shop.orders.total, but shop.orders has never been loaded: run sluice ingest shop.');
    assert.equal(never.sources['shop.orders'].reason, 'shop.orders has never been loaded: run sluice ingest shop.');

    const onlyFailed = facts([load('F1', 1, {}, 'failed', 'no token')], ALL_BUILT);
    onlyFailed.schemas = [];
    const failed = evaluate(onlyFailed, { models: [], sources: {} });
    assert.deepEqual(Object.keys(failed.sources), ['shop']);
    assert.equal(failed.sources.shop.status, 'failing');
    assert.equal(failed.sources.shop.reason, 'the last load of shop, F1, failed 1 h ago: no token; it has never loaded successfully.');

    const notBuilt = evaluate(facts([load('L1', 1, { orders: 1 })], [built('staging.orders', 1)]));
    assert.equal(notBuilt.columns['marts.revenue.revenue'].reason, 'marts.revenue is not built in environment prod: run sluice apply prod.');
    assert.equal(notBuilt.columns['marts.revenue.revenue'].model.audits, 'none');
    const noEnv = facts([load('L1', 1, { orders: 1 })]);
    noEnv.environment = { exists: false, models: new Map() };
    assert.equal(evaluate(noEnv, { environment: 'dev' }).columns['staging.orders.amount'].reason, 'environment dev does not exist: run sluice apply dev.');
    assert.equal(evaluate(noEnv).summary.ok, true, 'unknown is not a failure');
  });

  it('is failing when the latest audits of the model failed', () => {
    const audits = { state: 'failed' as const, ranMs: at(1), failed: [{ audit: 'not_null(columns := (revenue))', blocking: false, violations: 3, error: null }, { audit: 'broken', blocking: true, violations: 0, error: 'no column x' }] };
    const report = evaluate(facts([load('L1', 3, { orders: 10 })], [built('staging.orders', 1), built('marts.revenue', 1, audits), built('marts.top', 1)]));
    const revenue = report.columns['marts.revenue.revenue'];
    assert.equal(revenue.status, 'failing');
    assert.equal(revenue.reason, 'marts.revenue.revenue: the audits of marts.revenue failed in prod 1 h ago: not_null(columns := (revenue)) found 3 rows, broken could not run (no column x).');
    assert.deepEqual(revenue.model.failed_audits, audits.failed);
    assert.equal(report.columns['marts.top.revenue'].status, 'stale', 'downstream models keep their own status');
  });

  it('lets a resource\'s settings win over its source\'s', () => {
    const sources: HealthSources = { shop: { health: { freshness: { warnAfterMs: 6 * H }, owner: 'sales', tags: ['a'] }, resourceHealth: { orders: { freshness: { warnAfterMs: H }, tags: ['b'] } } } };
    const report = evaluate(facts([load('L1', 2, { orders: 1, customers: 1 })], ALL_BUILT), { sources });
    assert.deepEqual([report.sources['shop.orders'].status, report.sources['shop.orders'].owner, report.sources['shop.orders'].tags], ['stale', 'sales', ['b']]);
    assert.deepEqual([report.sources['shop.customers'].status, report.sources['shop.customers'].tags], ['fresh', ['a']]);
  });

  it('reports what a target names: a model, a column, a source, a resource', () => {
    const f = facts([load('L1', 2, { orders: 10, customers: 3 })], ALL_BUILT);
    const keys = (target: string) => {
      const r = evaluate(f, { target });
      return [Object.keys(r.columns), Object.keys(r.sources)];
    };
    assert.deepEqual(keys('marts.revenue'), [['marts.revenue.revenue'], ['shop.orders']]);
    assert.deepEqual(keys('MARTS.Top.revenue'), [['marts.top.revenue'], ['shop.orders']]);
    assert.deepEqual(keys('shop.customers'), [[], ['shop.customers']]);
    assert.deepEqual(keys('shop'), [['staging.orders.amount', 'marts.revenue.revenue', 'marts.top.revenue'], ['shop.customers', 'shop.orders']]);
    assert.throws(() => evaluate(f, { target: 'marts.revenue.nope' }), /marts\.revenue has no column nope; it has revenue/);
    assert.throws(() => evaluate(f, { target: 'nothing' }), /no model, model column, source or resource named nothing/);
  });

  it('flags a volume anomaly on the resource, from its own loads only', () => {
    const loads = [1000, 990, 1010, 1005, 995, 1002, 998].map((rows, i) => load(`L${i}`, 24 * (7 - i), { orders: rows, customers: 5 }));
    loads.push(load('L7', 1, { orders: 0, customers: 5 }));
    const report = evaluate(facts(loads, ALL_BUILT));
    assert.equal(report.sources['shop.orders'].anomaly, 'the last load brought 0 rows');
    assert.equal(report.sources['shop.customers'].anomaly, null);
    assert.equal(report.sources['shop.orders'].status, 'fresh', 'an anomaly is reported beside the status');
  });
});
