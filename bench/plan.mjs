// `npm run bench:plan`: how fast change management is on a large project.
//
//  1. Generates a 1,000-model project under the temp directory (20 FULL roots over range(), then layers of
//     FULL and VIEW models reading one or two models above them), applies it to prod once (setup, timed
//     but not a target), changes one model near the roots and times the plan of that change: cold (load and
//     fingerprint the project, read the state, compute) and warm (compute only, as the editor does with a
//     project it already holds). Target: plan <= 1 s.
//  2. Applies a new dev environment over the unchanged project: counts the tables it builds (target: 0).
//  3. Promotion at 10k and 10M rows: a model over N rows is changed and applied to dev (which builds it),
//     then dev is promoted to prod; the promotion is timed for both sizes. It is a view swap, so both times
//     should be about the same.
//  4. The same on PostgreSQL (PLAN_POSTGRES_URL, default the local server postgres://postgres@127.0.0.1:5432;
//     PLAN_POSTGRES=0 skips it): a scratch database per project, roots over a source table instead of
//     range() (which PostgreSQL has not), promotion at 10k and 1M rows; each figure with its ratio to
//     DuckDB's measured in the same run.
// Results also go to bench/.out/plan.json. A benchmark prints; it does not judge.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine, random } from './engine.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(benchDir, '..');
const outFile = path.join(benchDir, '.out', 'plan.json');
const MODELS = Number(process.env.PLAN_MODELS ?? 1000);
const ROOTS = 20;
const TARGETS = { planMs: 1000, devBuilds: 0 };

const ENGINE_EXPORTS = `
        export { loadModels, openWarehouse, readStateOf } from './core/plan/session';
        export { computePlan } from './core/plan/plan';
        export { applyPlan } from './core/plan/apply';
        export { describeModels } from './core/plan/fingerprint';
        export { readPlanState } from './core/plan/state';
        export { closeSqlParser } from './core/sql/duckdbParser';
        export { PostgresAdapter } from './core/engine/postgres';
      `;
const POSTGRES_SERVER = process.env.PLAN_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const ROOT_ROWS = 200;

function write(dir, files) {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

/** 1,000 models: every model outputs id, c0 .. c3 and reads one or two models defined before it. */
function generateProject(dir, postgres = false) {
  const rand = random(7);
  const files = { 'sluice.yaml': 'name: plan-bench\n' };
  // PostgreSQL has no range(): the roots read a table of numbers there (see onPostgres).
  const numbers = postgres ? 'bench_src.numbers AS t(i)' : `range(0, ${ROOT_ROWS}) AS t(i)`;
  if (postgres) files['external_models.yaml'] = '- name: bench_src.numbers\n  columns: { i: BIGINT }\n';
  const names = [];
  const model = (name, kind, sql) => {
    files[`models/${name.replace('.', '/')}.sql`] = `MODEL (name ${name}, kind ${kind});\n\n${sql}\n`;
    names.push(name);
  };
  for (let i = 0; i < ROOTS; i++) {
    model(`roots.r${i}`, 'FULL', `SELECT i AS id, i % ${i + 3} AS c0, i * ${i + 1} AS c1, i % 5 AS c2, ${i} AS c3\nFROM ${numbers}`);
  }
  for (let i = ROOTS; i < MODELS; i++) {
    // Mostly the last 100 models, so the graph has depth.
    const pick = () => names[Math.max(0, names.length - 1 - Math.floor(rand() * Math.min(100, names.length)))];
    const [a, b] = [pick(), pick()];
    const layer = `layer${Math.floor(i / 100)}`;
    const kind = i % 5 < 2 ? 'FULL' : 'VIEW';
    const sql = a === b || i % 3 === 0
      ? `SELECT id, c0 + 1 AS c0, c1, c2 * 2 AS c2, c3\nFROM ${a}\nWHERE c2 IS NOT NULL`
      : `SELECT x.id, x.c0, y.c1, x.c2 + y.c2 AS c2, coalesce(x.c3, y.c3) AS c3\nFROM ${a} AS x JOIN ${b} AS y ON y.id = x.id`;
    model(`${layer}.m${i}`, kind, sql);
  }
  write(dir, files);
  return names;
}

const ms = (n) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;

async function time(fn) {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

/** The warehouse file, or the PostgreSQL database a project of this run uses. */
const openTarget = (engine, dir, pg) => (pg ? engine.PostgresAdapter.open(pg.url) : engine.openWarehouse(path.join(dir, 'warehouse.duckdb')));

async function planAndApply(engine, dir, env, pg) {
  const models = await engine.loadModels(dir);
  const errors = models.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`generated project has errors: ${errors[0].message}`);
  const wh = await openTarget(engine, dir, pg);
  try {
    const plan = engine.computePlan(await engine.readPlanState(wh), models.project, env, { drafts: models.drafts });
    const applied = await time(() => engine.applyPlan(wh, plan));
    return { plan, result: applied.value, applyMs: applied.ms };
  } finally {
    wh.close();
  }
}

async function largeProject(engine, pg) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-plan-bench-'));
  try {
    const names = generateProject(dir, pg !== undefined);
    console.log(`Generated ${names.length} models in ${dir}`);
    const setup = await time(() => planAndApply(engine, dir, 'prod', pg));
    console.log(`  setup: apply prod built ${setup.value.result.built.length} tables/views in ${ms(setup.ms)}`);

    const changed = 'roots.r3';
    const file = path.join(dir, 'models/roots/r3.sql');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('AS c3', 'AS c3, i % 2 AS c4'));
    const warehouse = path.join(dir, 'warehouse.duckdb');
    const cold = await time(async () => {
      const load = await time(() => engine.loadModels(dir));
      const state = await time(async () => {
        if (!pg) return engine.readStateOf(warehouse);
        const wh = await openTarget(engine, dir, pg);
        try {
          return await engine.readPlanState(wh);
        } finally {
          wh.close();
        }
      });
      const compute = await time(() => engine.computePlan(state.value, load.value.project, 'dev', { drafts: load.value.drafts }));
      return { load, state, compute };
    });
    const { load, state, compute } = cold.value;
    const warm = [];
    for (let i = 0; i < 5; i++) {
      warm.push((await time(() => engine.computePlan(state.value, load.value.project, 'dev', { drafts: engine.describeModels(load.value.project).drafts }))).ms);
    }
    const plan = compute.value;
    const builds = plan.models.filter((m) => m.action === 'build').length;
    console.log(`  plan of one changed model (${changed}, non-breaking): ${plan.changes.length} changes, ${builds} to build`);
    console.log(`    cold: ${ms(cold.ms)} (load and analyse models ${ms(load.ms)}, read state ${ms(state.ms)}, compute ${ms(compute.ms)})`);
    console.log(`    warm (fingerprint + compute on a loaded project), best of 5: ${ms(Math.min(...warm))}`);
    console.log(`    target plan <= ${ms(TARGETS.planMs)}: state + compute ${ms(state.ms + compute.ms)}, warm ${ms(Math.min(...warm))}`);

    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(', i % 2 AS c4', ''));
    const dev = await planAndApply(engine, dir, 'dev', pg);
    console.log(`  new dev environment over unchanged models: built ${dev.result.built.length} tables (target ${TARGETS.devBuilds}), swapped ${dev.plan.models.length} views in ${ms(dev.applyMs)}`);
    return {
      models: names.length,
      setupApplyMs: setup.ms,
      plan: { coldMs: cold.ms, loadMs: load.ms, stateMs: state.ms, computeMs: compute.ms, warmMs: Math.min(...warm), changes: plan.changes.length, builds },
      newDevEnvironment: { built: dev.result.built.length, applyMs: dev.applyMs },
    };
  } finally {
    await engine.closeSqlParser();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function promotion(engine, rows, pg) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-promote-bench-'));
  try {
    const from = pg ? 'bench_src.numbers AS t(i)' : `range(0, ${rows}) AS t(i)`;
    const big = (factor) => `MODEL (name bench.big, kind FULL);\n\nSELECT i AS id, i * ${factor} AS amount, i % 97 AS bucket\nFROM ${from}\n`;
    const child = 'MODEL (name bench.summary, kind FULL);\n\nSELECT count(*) AS n, sum(amount) AS total FROM bench.big\n';
    write(dir, { 'sluice.yaml': 'name: promote-bench\n', 'models/big.sql': big(1), 'models/summary.sql': child });
    if (pg) write(dir, { 'external_models.yaml': '- name: bench_src.numbers\n  columns: { i: BIGINT }\n' });
    await planAndApply(engine, dir, 'prod', pg);
    write(dir, { 'models/big.sql': big(2) });
    const dev = await planAndApply(engine, dir, 'dev', pg);
    const promote = await planAndApply(engine, dir, 'prod', pg);
    console.log(`  ${rows.toLocaleString('en-US')} rows: dev build ${ms(dev.applyMs)} (built ${dev.result.built.length}); promotion to prod ${ms(promote.applyMs)} (built ${promote.result.built.length})`);
    return { rows, devApplyMs: dev.applyMs, promotionMs: promote.applyMs, promotionBuilt: promote.result.built.length };
  } finally {
    await engine.closeSqlParser();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A scratch database on the server with `bench_src.numbers` (0 .. rows-1), dropped after fn. */
async function onPostgres(engine, rows, fn) {
  const name = `sluice_plan_bench_${process.pid}_${rows}`;
  const admin = await engine.PostgresAdapter.open(`${POSTGRES_SERVER}/postgres`);
  try {
    await admin.run(`DROP DATABASE IF EXISTS "${name}"`);
    await admin.run(`CREATE DATABASE "${name}"`);
    const url = `${POSTGRES_SERVER}/${name}`;
    const db = await engine.PostgresAdapter.open(url);
    try {
      await db.run('CREATE SCHEMA bench_src');
      await db.run('CREATE TABLE bench_src.numbers AS SELECT i::bigint AS i FROM generate_series(0, $1::bigint - 1) AS t(i)', [rows]);
    } finally {
      db.close();
    }
    return await fn({ url });
  } finally {
    await admin.run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    admin.close();
  }
}

const ratio = (pg, duck) => `${(pg / duck).toFixed(1)}x DuckDB`;

const engine = await loadEngine(ENGINE_EXPORTS);
console.log('Plan benchmark');
const large = await largeProject(engine);
console.log('Promotion (a view swap; should not depend on the data size)');
const small = await promotion(engine, 10_000);
const huge = await promotion(engine, 10_000_000);
let postgres;
if (process.env.PLAN_POSTGRES !== '0') {
  console.log(`PostgreSQL (${POSTGRES_SERVER})`);
  const pgLarge = await onPostgres(engine, ROOT_ROWS, (pg) => largeProject(engine, pg));
  console.log(`  vs DuckDB: setup ${ratio(pgLarge.setupApplyMs, large.setupApplyMs)}, plan state + compute ${ratio(pgLarge.plan.stateMs + pgLarge.plan.computeMs, large.plan.stateMs + large.plan.computeMs)}, new dev environment ${ratio(pgLarge.newDevEnvironment.applyMs, large.newDevEnvironment.applyMs)}`);
  const pgSmall = await onPostgres(engine, 10_000, (pg) => promotion(engine, 10_000, pg));
  const pgMillion = await onPostgres(engine, 1_000_000, (pg) => promotion(engine, 1_000_000, pg));
  console.log(`  promotion vs DuckDB: 10k rows ${ratio(pgSmall.promotionMs, small.promotionMs)}; 1M rows ${ms(pgMillion.promotionMs)} (DuckDB 10M: ${ms(huge.promotionMs)})`);
  postgres = { large: pgLarge, promotion: [pgSmall, pgMillion] };
}
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify({ targets: TARGETS, large, promotion: [small, huge], ...(postgres ? { postgres } : {}) }, null, 2) + '\n');
console.log(`Results written to ${path.relative(root, outFile)}`);
