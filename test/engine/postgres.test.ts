// Plans and applies run on a real PostgreSQL server (127.0.0.1:5432, trust auth) through the Postgres engine
// adapter: FULL, VIEW, INCREMENTAL_BY_TIME_RANGE and INCREMENTAL_BY_UNIQUE_KEY models, a dev environment,
// promotion to prod, a breaking change and its re-apply, each step checked in the server's own catalog
// (pg_views, information_schema) and rows. Sluice's state schema `_sluice` has a fixed name, so the test
// works in a database of its own, created for the run and dropped afterwards.

import { strict as assert } from 'node:assert';
import { Client } from 'pg';
import { PostgresAdapter } from '../../core/engine/postgres';
import { applyPlan, rollbackEnvironment } from '../../core/plan/apply';
import { invalidateEnvironment } from '../../core/plan/invalidate';
import { runJanitor } from '../../core/plan/janitor';
import { computePlan } from '../../core/plan/plan';
import { loadModels } from '../../core/plan/session';
import { readEnvironments, readPlanState } from '../../core/plan/state';
import type { Plan } from '../../core/plan/types';
import { makeProject, type TempProject } from '../helpers/project';
import { MODELS, scratchDatabase, SOURCE_SQL } from './pgHelpers';

const NOW = new Date('2024-01-10T00:00:00Z');

describe('engine: plan and apply on PostgreSQL', function () {
  this.timeout(120_000);
  let db: { url: string; drop: () => Promise<void> };
  let project: TempProject;
  let server: Client;
  let prodViews: Record<string, string>;

  before(async () => {
    db = await scratchDatabase('sluice_engine_test');
    server = new Client({ connectionString: db.url });
    await server.connect();
    await server.query(SOURCE_SQL);
    project = makeProject(MODELS);
  });
  after(async () => {
    await server?.end();
    await db?.drop();
    project?.cleanup();
  });

  const withEngine = async <T>(fn: (engine: PostgresAdapter) => Promise<T>): Promise<T> => {
    const engine = await PostgresAdapter.open(db.url);
    try {
      return await fn(engine);
    } finally {
      engine.close();
    }
  };
  const planOf = (env: string) =>
    withEngine(async (engine) => {
      const models = await loadModels(project.dir);
      const errors = models.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors.map((e) => e.message), []);
      return computePlan(await readPlanState(engine), models.project, env, { drafts: models.drafts, now: NOW });
    });
  const apply = (plan: Plan) => withEngine((engine) => applyPlan(engine, plan));

  /** `schema.view` → `schema.table` it reads, from pg_views, for the environment's schemas. */
  const views = async (env: string): Promise<Record<string, string>> => {
    const { rows } = await server.query<{ schemaname: string; viewname: string; definition: string }>(
      `SELECT schemaname, viewname, definition FROM pg_views WHERE schemaname = ANY($1) ORDER BY 1, 2`,
      [env === 'prod' ? ['staging', 'analytics'] : [`staging__${env}`, `analytics__${env}`]],
    );
    return Object.fromEntries(rows.map((r) => {
      const from = /FROM\s+([a-z_0-9]+)\.([a-z_0-9]+)/i.exec(r.definition);
      return [`${r.schemaname.replace(`__${env}`, '')}.${r.viewname}`, from ? `${from[1]}.${from[2]}` : r.definition];
    }));
  };
  const physical = async (): Promise<string[]> => {
    const { rows } = await server.query<{ name: string }>(
      `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema LIKE 'sluice\\_\\_%' ORDER BY 1`,
    );
    return rows.map((r) => r.name);
  };
  const revenue = async (schema: string) =>
    (await server.query<{ region: string; revenue: string }>(`SELECT region, revenue::text AS revenue FROM "${schema}".revenue ORDER BY region`)).rows;

  it('plans dev on an empty server: every model is added and built, incremental ones backfilled', async () => {
    const plan = await planOf('dev');
    // Planning only reads: nothing exists on the server yet.
    assert.deepEqual(await physical(), []);
    assert.equal((await server.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = '_sluice'`)).rows[0].n, 0);
    assert.deepEqual(plan.models.filter((m) => m.action === 'build').map((m) => m.record.name).sort(), ['analytics.daily', 'analytics.latest_order', 'analytics.revenue', 'staging.enriched', 'staging.orders']);
    assert.deepEqual(plan.backfill.map((b) => b.model).sort(), ['analytics.daily', 'analytics.latest_order']);
  });

  it('applies dev: physical tables in sluice__ schemas, dev views over them, state in _sluice', async () => {
    const result = await apply(await planOf('dev'));
    assert.deepEqual([...result.built].sort(), ['analytics.daily', 'analytics.latest_order', 'analytics.revenue', 'staging.enriched', 'staging.orders']);
    assert.equal(result.swapped, true);
    const dev = await views('dev');
    assert.deepEqual(Object.keys(dev), ['analytics.daily', 'analytics.latest_order', 'analytics.revenue', 'staging.enriched', 'staging.orders']);
    for (const [model, target] of Object.entries(dev)) assert.match(target, new RegExp(`^sluice__${model.replace('.', '\\.')}__[0-9a-f]{10}$`));
    // The VIEW model is a view in its physical schema; the others are tables.
    const tables = await physical();
    const enriched = (await server.query(`SELECT table_type FROM information_schema.tables WHERE table_schema || '.' || table_name = $1`, [dev['staging.enriched']])).rows[0];
    assert.equal(enriched.table_type, 'VIEW');
    assert.deepEqual(tables, Object.values(dev).sort());
    assert.deepEqual(await views('prod'), {});
    assert.deepEqual(await revenue('analytics__dev'), await expectedRevenue());
    // Incremental tables hold what their intervals produced.
    const daily = (await server.query(`SELECT count(*)::int AS days, sum(orders)::int AS orders FROM analytics__dev.daily`)).rows[0];
    assert.deepEqual(daily, { days: 5, orders: 20 });
    const latest = (await server.query(`SELECT customer_id, last_order_id FROM analytics__dev.latest_order ORDER BY 1`)).rows;
    const expected = (await server.query(
      `SELECT DISTINCT ON (customer_id) customer_id, id AS last_order_id FROM src.orders WHERE customer_id IS NOT NULL ORDER BY customer_id, ordered_at DESC`,
    )).rows;
    assert.equal(expected.length, 3);
    assert.deepEqual(latest, expected);
    const state = (await server.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = '_sluice' ORDER BY 1`)).rows.map((r) => r.table_name);
    for (const t of ['apply_lock', 'environments', 'intervals', 'plan_meta', 'snapshots']) assert.ok(state.includes(t), `_sluice.${t}`);
    assert.equal((await server.query(`SELECT count(*)::int AS n FROM _sluice.apply_lock`)).rows[0].n, 0);
  });

  it('promotes dev to prod: the same tables, only views are created', async () => {
    const before = await physical();
    const plan = await planOf('prod');
    const result = await apply(plan);
    assert.deepEqual(result.built, []);
    prodViews = await views('prod');
    assert.deepEqual(prodViews, await views('dev'));
    assert.deepEqual(await physical(), before);
    assert.deepEqual(await revenue('analytics'), await expectedRevenue());
    const envs = await withEngine((engine) => readEnvironments(engine));
    assert.deepEqual(envs.map((e) => e.name), ['dev', 'prod']);
  });

  it('a breaking change rebuilds the model and everything below it in dev; prod keeps its tables', async () => {
    project.write('models/orders.sql', MODELS['models/orders.sql'].replace('amount * 1 AS amount', 'amount * 2 AS amount'));
    const plan = await planOf('dev');
    const change = plan.changes.find((c) => c.model === 'staging.orders');
    assert.equal(change?.category, 'breaking');
    const result = await apply(plan);
    assert.deepEqual([...result.built].sort(), ['analytics.daily', 'analytics.latest_order', 'analytics.revenue', 'staging.enriched', 'staging.orders']);
    const dev = await views('dev');
    for (const model of Object.keys(prodViews)) assert.notEqual(dev[model], prodViews[model], model);
    const prodRevenue = await expectedRevenue();
    assert.deepEqual(await revenue('analytics'), prodRevenue);
    assert.deepEqual(await revenue('analytics__dev'), prodRevenue.map((r) => ({ region: r.region, revenue: (Number(r.revenue) * 2).toFixed(2) })));
    assert.deepEqual(await views('prod'), prodViews);
  });

  it('re-applies prod with the change: prod views swap to dev\'s tables in one transaction, nothing built', async () => {
    const result = await apply(await planOf('prod'));
    assert.deepEqual(result.built, []);
    assert.deepEqual(await views('prod'), await views('dev'));
    const daily = (await server.query(`SELECT sum(revenue)::text AS revenue FROM analytics.daily`)).rows[0];
    assert.equal(daily.revenue, '4200.00');
  });

  it('invalidating dev drops its views and schemas; rolling prod back points it at its first tables again', async () => {
    const removed = await withEngine((engine) => invalidateEnvironment(engine, 'dev'));
    assert.equal(removed.droppedViews.length, 5);
    assert.deepEqual(await views('dev'), {});
    const schemas = (await server.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE '%\\_\\_dev'`)).rows;
    assert.deepEqual(schemas, []);
    // prod's rollback target still holds the first tables: the janitor keeps every table.
    const janitor = await withEngine((engine) => runJanitor(engine));
    assert.deepEqual(janitor.dropped, []);
    const rolledBack = await withEngine((engine) => rollbackEnvironment(engine, 'prod'));
    assert.equal(rolledBack.restored, 5);
    assert.deepEqual(await views('prod'), prodViews);
    assert.deepEqual(await revenue('analytics'), await expectedRevenue());
  });

  it('audits run on the server: passing ones are recorded; a failing blocking audit stops the apply and leaves the environment as it was', async () => {
    const withAudits = (audits: string) => MODELS['models/orders.sql'].replace('kind FULL, grain id', `kind FULL, grain id, audits (${audits})`);
    // The last audit cannot run on the server (no such column): a non-blocking failure, and the build's transaction still commits.
    project.write('models/orders.sql', withAudits('not_null(columns := (id)), unique_values(columns := (id)), forall(criteria := (amount > 0)), forall(criteria := (no_such_column > 0), blocking := false)'));
    const ok = await apply(await planOf('qa'));
    assert.ok(ok.audits.run >= 4, JSON.stringify(ok.audits));
    assert.equal(ok.audits.failed, 1);
    assert.match(ok.failedAudits[0].error ?? '', /could not run: .*no_such_column/);
    const recorded = (await server.query(`SELECT "audit", passed FROM _sluice.audit_results WHERE model = 'staging.orders' ORDER BY 1`)).rows;
    assert.ok(recorded.filter((r) => r.passed === true).length >= 3, JSON.stringify(recorded));
    const before = await views('qa');
    project.write('models/orders.sql', withAudits('not_null(columns := (id, customer_id))').replace('amount * 1', 'amount * 5'));
    await assert.rejects(apply(await planOf('qa')), /blocking audit failed on staging\.orders: not_null.*1 row/);
    assert.deepEqual(await views('qa'), before);
    const failed = (await server.query(`SELECT violations::int AS v FROM _sluice.audit_results WHERE model = 'staging.orders' AND NOT passed AND error IS NULL`)).rows;
    assert.deepEqual(failed, [{ v: 1 }]);
    assert.equal((await server.query(`SELECT count(*)::int AS n FROM _sluice.apply_lock`)).rows[0].n, 0);
  });

  it('a SEED model is read from its CSV on this machine and loaded into the server, typed', async () => {
    project.write('models/orders.sql', MODELS['models/orders.sql']);
    project.write('seeds/regions.csv', 'region,manager,since,target\nnorth,Åsa "A" Berg,2023-05-01,1200.5\nsouth,,2024-01-15,800\n');
    project.write('models/regions.sql', "MODEL (name raw.regions, kind SEED (path '../seeds/regions.csv'));\n");
    project.write('models/targets.sql', 'MODEL (name analytics.targets, kind FULL);\n\nSELECT r.region, r.manager, r.since, rv.revenue >= r.target AS met\nFROM raw.regions AS r JOIN analytics.revenue AS rv ON rv.region = r.region\n');
    const result = await apply(await planOf('qa'));
    assert.ok(result.built.includes('raw.regions') && result.built.includes('analytics.targets'), JSON.stringify(result.built));
    const types = (await server.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'raw__qa' AND table_name = 'regions' ORDER BY ordinal_position`)).rows;
    assert.deepEqual(types.map((t) => `${t.column_name} ${t.data_type}`), ['region text', 'manager text', 'since date', 'target double precision']);
    const rows = (await server.query(`SELECT region, manager, since::text AS since, met FROM analytics__qa.targets ORDER BY region`)).rows;
    assert.deepEqual(rows, [
      { region: 'north', manager: 'Åsa "A" Berg', since: '2023-05-01', met: true },
      { region: 'south', manager: null, since: '2024-01-15', met: false },
    ]);
  });

  it('an EMBEDDED model is inlined into its readers, a materialized VIEW is a table', async () => {
    project.write('models/big.sql', 'MODEL (name staging.big_orders, kind EMBEDDED);\n\nSELECT id, amount FROM staging.orders WHERE amount >= 100\n');
    project.write('models/big_summary.sql', 'MODEL (name analytics.big_summary, kind VIEW (materialized true));\n\nSELECT count(*) AS orders, sum(amount) AS amount FROM staging.big_orders\n');
    const result = await apply(await planOf('qa'));
    assert.ok(result.built.includes('analytics.big_summary'));
    assert.ok(!(await physical()).some((t) => t.includes('big_orders')), 'no table for the EMBEDDED model');
    const kind = (await server.query(`SELECT table_type FROM information_schema.tables WHERE table_schema = 'sluice__analytics' AND table_name LIKE 'big_summary__%'`)).rows;
    assert.deepEqual(kind, [{ table_type: 'BASE TABLE' }]);
    const row = (await server.query(`SELECT orders::int AS orders, amount::text AS amount FROM analytics__qa.big_summary`)).rows[0];
    const expected = (await server.query(`SELECT count(*)::int AS orders, sum(amount)::text AS amount FROM src.orders WHERE amount >= 100`)).rows[0];
    assert.deepEqual(row, expected);
  });

  it('a second writer queues behind the one holding the state lock, for as long as it is told to wait', async () => {
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      const [{ pid }] = (await holder.query(`SELECT pg_backend_pid() AS pid, pg_advisory_lock(${0x511ce})`)).rows;
      const plan = await planOf('qa');
      const impatient = await PostgresAdapter.open(db.url, { lockWaitMs: 300 });
      try {
        await assert.rejects(applyPlan(impatient, plan), new RegExp(`another apply, run or janitor holds the Sluice state in postgres://postgres@127\\.0\\.0\\.1:5432/\\w+ \\(server process ${pid}\\); waited`));
      } finally {
        impatient.close();
      }
      const notes: string[] = [];
      const patient = await PostgresAdapter.open(db.url, { lockWaitMs: 20_000, onLockWait: (n) => notes.push(n) });
      try {
        setTimeout(() => void holder.query(`SELECT pg_advisory_unlock(${0x511ce})`), 1500);
        const result = await applyPlan(patient, plan);
        assert.equal(result.environment, 'qa');
        assert.ok(notes.length >= 1 && /waiting for the Sluice state/.test(notes[0]), JSON.stringify(notes));
      } finally {
        patient.close();
      }
    } finally {
      await holder.end();
    }
  });

  /** Revenue per region computed by the server straight from the source rows. */
  async function expectedRevenue(): Promise<{ region: string; revenue: string }[]> {
    const { rows } = await server.query<{ region: string; revenue: string }>(
      `SELECT coalesce(c.region, 'unknown') AS region, sum(o.amount)::numeric(12, 2)::text AS revenue
       FROM src.orders o LEFT JOIN src.customers c ON c.id = o.customer_id GROUP BY 1 ORDER BY 1`,
    );
    return rows;
  }
});
