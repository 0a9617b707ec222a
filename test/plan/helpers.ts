// Temporary model projects for the plan tests, applying plans in-process, and reading the DuckDB catalog
// back: which views each environment has, which physical table each one reads, which tables exist.

import { makeProject, query, type TempProject } from '../helpers/project';
import { applyPlan, type ApplyOptions, type ApplyResult } from '../../core/plan/apply';
import { ModelProject } from '../../core/dag/project';
import { tableId } from '../../core/plan/names';
import { computePlan, environmentEntries } from '../../core/plan/plan';
import { loadModels, openWarehouse, readStateOf } from '../../core/plan/session';
import { emptyState } from '../../core/plan/state';
import type { Plan, PlanOptions, PlanState } from '../../core/plan/types';

export { makeProject, query, type TempProject };

/** Plans an environment from the project's files and the warehouse's state (no DuckDB writes). */
export async function planFor(project: TempProject, env: string, options: PlanOptions = {}): Promise<Plan> {
  const models = await loadModels(project.dir);
  const errors = models.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`project has errors: ${errors.map((e) => e.message).join('; ')}`);
  const state = await readStateOf(project.warehouse);
  return computePlan(state, models.project, env, { ...options, drafts: models.drafts });
}

/** Plans and applies in this process; the warehouse is closed again afterwards. */
export async function applyEnv(project: TempProject, env: string, options: PlanOptions & ApplyOptions = {}): Promise<{ plan: Plan; result: ApplyResult }> {
  const plan = await planFor(project, env, options);
  const wh = await openWarehouse(project.warehouse);
  try {
    return { plan, result: await applyPlan(wh, plan, options) };
  } finally {
    wh.close();
  }
}

/** `schema.view` → `schema.table` it selects from, for every view of the warehouse outside _sluice. */
export async function viewTargets(db: string): Promise<Record<string, string>> {
  const rows = await query<{ schema_name: string; view_name: string; sql: string }>(
    db,
    "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal AND database_name = current_database() ORDER BY 1, 2",
  );
  const out: Record<string, string> = {};
  for (const r of rows) {
    const m = /FROM\s+"?([^"\s.]+)"?\."?([^"\s;]+)"?/i.exec(r.sql);
    out[`${r.schema_name}.${r.view_name}`] = m ? `${m[1]}.${m[2]}` : r.sql;
  }
  return out;
}

/** Environment views only (`schema.table` for prod, `schema__env.table` for others): physical views are left out. */
export async function environmentViews(db: string): Promise<Record<string, string>> {
  const all = await viewTargets(db);
  return Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith('sluice__')));
}

/** Every physical table and view, `sluice__schema.name`, sorted. */
export async function physicalObjects(db: string): Promise<string[]> {
  const rows = await query<{ name: string }>(
    db,
    `SELECT schema_name || '.' || table_name AS name FROM duckdb_tables() WHERE starts_with(schema_name, 'sluice__') AND database_name = current_database()
     UNION ALL SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE starts_with(schema_name, 'sluice__') AND database_name = current_database()
     ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

export async function rows<T = Record<string, unknown>>(db: string, sql: string): Promise<T[]> {
  return query<T>(db, sql);
}

/** A small project: a seed, a FULL staging model, a VIEW and a FULL mart reading it. */
export const baseModels: Record<string, string> = {
  'seeds/customers.csv': 'id,name,region\n1,Ann,north\n2,Bob,south\n3,Cid,north\n',
  'models/seed_customers.sql': `MODEL (name raw.customers, kind SEED (path '../seeds/customers.csv'));\n`,
  'models/orders.sql': `MODEL (name staging.orders, kind FULL, grain id);

SELECT i AS id, 1 + (i % 3) AS customer_id, i * 10.0 AS amount, DATE '2024-01-01' + (i % 5)::INT AS order_date
FROM range(1, 21) AS t(i)
`,
  'models/enriched.sql': `MODEL (name staging.enriched, kind VIEW);

SELECT o.id, o.amount, o.order_date, c.region
FROM staging.orders AS o JOIN raw.customers AS c ON c.id = o.customer_id
`,
  'models/revenue.sql': `MODEL (name analytics.revenue, kind FULL, grain region);

SELECT region, sum(amount) AS revenue, count(*) AS orders
FROM staging.enriched
GROUP BY region
`,
};

// ---- pure plans, no warehouse ----


/** A project from model texts held in memory (paths relative to a fake project directory). */
export function memoryProject(files: Record<string, string>): Promise<ModelProject> {
  return ModelProject.fromTexts('/virtual/project', Object.entries(files).map(([file, text]) => ({ file, text })));
}

/** The state after a plan was applied, as apply would leave it (intervals: everything missing processed). */
export function afterApply(state: PlanState, plan: Plan): PlanState {
  const next: PlanState = {
    snapshots: new Map(state.snapshots),
    stored: new Map(state.stored),
    environments: new Map(state.environments),
    intervals: new Map(state.intervals),
  };
  for (const m of plan.models) {
    next.snapshots.set(m.record.fingerprint, m.record);
    next.stored.set(m.record.fingerprint, { name: m.record.name, dataFingerprint: m.record.dataFingerprint, version: m.record.version });
    if (m.missing.length > 0) {
      const key = tableId(m.record.name, m.record.version);
      next.intervals.set(key, [...(next.intervals.get(key) ?? []), ...m.missing]);
    }
  }
  const previous = state.environments.get(plan.environment)?.snapshots ?? [];
  next.environments.set(plan.environment, { name: plan.environment, snapshots: environmentEntries(plan), previous, planId: 'test', updatedAt: '' });
  return next;
}

export { emptyState };
