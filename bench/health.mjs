// `npm run bench:health`: how fast `sluice health` answers on a large project with a long load history.
//
//  1. Generates a project of 20 sources (5 resources each) and 1,000 models (100 staging views over the
//     resources, then layers of FULL and VIEW models reading one or two models above them, a fifth of them
//     audited), ingests every source once through the real ingest, and applies prod through the real apply.
//  2. Adds a load history to _sluice.loads in the shape the loader writes: 10,000 attempts over 60 days
//     (3 % failed, with an error), row counts per table including child tables, and a new schema version of
//     each source every 100 loads in _sluice.schemas.
//  3. Times, best and median of several runs, on an open read-only connection and a project already analysed
//     (as the editor holds them): the baseline (one `SELECT count(*) FROM _sluice.loads` round trip);
//     reading the facts health needs (readHealthFacts); the lineage of every column (healthModels, first
//     call and again); the evaluation; and one full health evaluation of everything (read + lineage +
//     evaluate; target <= 200 ms) and of one column. Then the same with opening and closing the warehouse,
//     against opening it for the count alone, and `node dist/cli.js health --json` end to end (everything,
//     and one column), where analysing the 1,000 models dominates.
// Results also go to bench/.out/health.json. A benchmark prints; it does not judge.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine, random } from './engine.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(benchDir, '..');
const outFile = path.join(benchDir, '.out', 'health.json');
const SOURCES = 20;
const RESOURCES = 5;
const MODELS = Number(process.env.HEALTH_MODELS ?? 1000);
const LOADS = Number(process.env.HEALTH_LOADS ?? 10_000);
const RUNS = 7;
const TARGET_MS = 200;

const ENGINE_EXPORTS = `
  export { loadProject } from './core/project/config';
  export { ingest } from './core/ingest/pipeline';
  export { loadModels, openWarehouse } from './core/plan/session';
  export { computePlan } from './core/plan/plan';
  export { applyPlan } from './core/plan/apply';
  export { readPlanState } from './core/plan/state';
  export { Warehouse } from './core/warehouse/connection';
  export { readHealthFacts } from './core/health/read';
  export { healthModels } from './core/health/project';
  export { targetModel } from './core/health/target';
  export { evaluateHealth } from './core/health/evaluate';
  export { ModelProject } from './core/dag/project';
  export { closeSqlParser } from './core/sql/duckdbParser';
`;

function write(dir, files) {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

/** Sources s0..s19 with resources r0..r4: items with an id, four values and a nested list (a child table). */
function sourceFiles() {
  const files = {};
  const yaml = ['name: health-bench', 'sources:'];
  for (let s = 0; s < SOURCES; s++) {
    const resources = Array.from({ length: RESOURCES }, (_, r) => `{ name: 'r${r}', primaryKey: 'id', writeDisposition: 'merge',
      *rows() { for (let id = 1; id <= 20; id++) yield { id, c0: id * ${r + 1}, c1: 'v' + id, c2: id % 7, c3: id / 2, tags: [{ tag: 't' + (id % 3) }] }; } }`);
    files[`sources/s${s}.js`] = `export default { name: 's${s}', resources: [\n  ${resources.join(',\n  ')},\n] };\n`;
    yaml.push(`  s${s}:`, `    owner: team-${s % 4}`, `    freshness: { warn_after: ${6 + (s % 3) * 6}h, error_after: 48h }`);
  }
  files['sluice.yaml'] = yaml.join('\n') + '\n';
  return files;
}

/** 100 staging views (one per resource), then FULL and VIEW models reading one or two models above them. */
function modelFiles() {
  const rand = random(11);
  const files = {};
  const names = [];
  const model = (name, kind, sql, audited) => {
    const audits = audited ? ',\n  audits (not_null(columns := (id)))' : '';
    files[`models/${name.replace('.', '/')}.sql`] = `MODEL (\n  name ${name},\n  kind ${kind}${audits}\n);\n\n${sql}\n`;
    names.push(name);
  };
  for (let i = 0; i < SOURCES * RESOURCES; i++) {
    const s = Math.floor(i / RESOURCES);
    const r = i % RESOURCES;
    model(`staging.s${s}_r${r}`, 'VIEW', `SELECT id, c0, c1 AS label, c2, c3 FROM s${s}.r${r}`);
  }
  for (let i = names.length; i < MODELS; i++) {
    const pick = () => names[Math.max(0, names.length - 1 - Math.floor(rand() * Math.min(150, names.length)))];
    const [a, b] = [pick(), pick()];
    const kind = i % 5 < 2 ? 'FULL' : 'VIEW';
    const sql = a === b || i % 3 === 0
      ? `SELECT id, c0 + 1 AS c0, label, c2 * 2 AS c2, c3\nFROM ${a}\nWHERE c2 IS NOT NULL`
      : `SELECT x.id, x.c0, y.label, x.c2 + y.c2 AS c2, coalesce(x.c3, y.c3) AS c3\nFROM ${a} AS x JOIN ${b} AS y ON y.id = x.id`;
    model(`layer${Math.floor(i / 100)}.m${i}`, kind, sql, i % 5 === 0);
  }
  return { files, names };
}

/** LOADS attempts over 60 days in the shape the loader records, and a schema version every 100 loads per source. */
async function addHistory(engine, warehouse) {
  const wh = await engine.Warehouse.open(warehouse);
  try {
    const now = Date.now();
    const spanMs = 60 * 86_400_000;
    await wh.run('BEGIN TRANSACTION');
    await wh.run(
      `INSERT INTO "_sluice"."loads" ("load_id", "source", "status", "started_at", "finished_at", "rows", "schema_version", "error")
       SELECT printf('%s-%06x', strftime(started, '%Y%m%dT%H%M%S') || 'Z', i) AS load_id,
              's' || (i % $1) AS source,
              CASE WHEN i % 33 = 0 THEN 'failed' ELSE 'loaded' END AS status,
              started, started + INTERVAL 40 SECOND + to_seconds(i % 50),
              CASE WHEN i % 33 = 0 THEN CAST('{}' AS JSON) ELSE CAST(json_object(
                'r0', 900 + (i * 7) % 200, 'r0__tags', 1800 + (i * 5) % 300,
                'r1', 400 + (i * 11) % 90, 'r1__tags', 800 + (i * 3) % 100,
                'r2', 1200 + (i * 13) % 400, 'r2__tags', 2400 + (i * 17) % 500,
                'r3', 50 + (i * 19) % 20, 'r3__tags', 100 + (i * 23) % 30,
                'r4', CASE WHEN i % 97 = 0 THEN 0 ELSE 3000 + (i * 29) % 900 END, 'r4__tags', 6000 + (i * 31) % 1000) AS JSON) END,
              1,
              CASE WHEN i % 33 = 0 THEN 'resource "r' || (i % 5) || '" failed after ' || (i % 400) || ' items: HTTP 503 from the API' END
       FROM (SELECT i, to_timestamp(($2 - $3 + i * ($3 / $4)) / 1000.0) AS started FROM range(0, $4) AS t(i))`,
      [SOURCES, now - 3_600_000, spanMs, LOADS],
    );
    // Schema versions: every 100th load of a source added a column to r0.
    const schemas = await wh.all(`SELECT "source", CAST("schema" AS VARCHAR) AS "schema" FROM "_sluice"."schemas"`);
    for (const { source, schema } of schemas) {
      const base = JSON.parse(schema);
      for (let v = 2; v <= LOADS / SOURCES / 100 + 1; v++) {
        base.version = v;
        base.tables[0].columns.push({ name: `extra_${v}`, dataType: 'text', nullable: true, path: [`extra${v}`] });
        await wh.run(
          `INSERT INTO "_sluice"."schemas" VALUES ($1, $2, CAST($3 AS JSON), $4, CAST($5 AS TIMESTAMPTZ))`,
          [source, v, JSON.stringify(base), `v${v}-${source}`, new Date(now - spanMs + v * 86_400_000 * 10).toISOString()],
        );
      }
    }
    await wh.run('COMMIT');
    const [{ n }] = await wh.all('SELECT count(*)::INTEGER AS n FROM "_sluice"."loads"');
    return n;
  } finally {
    wh.close();
  }
}

async function time(fn) {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

async function runs(fn, n = RUNS) {
  const times = [];
  let value;
  for (let i = 0; i < n; i++) {
    const t = await time(fn);
    times.push(t.ms);
    value = t.value;
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { best: sorted[0], median: sorted[sorted.length >> 1], value };
}

const fmt = (ms) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
const show = (label, r) => console.log(`  ${label.padEnd(58)} best ${fmt(r.best).padStart(9)}   median ${fmt(r.median).padStart(9)}`);

async function setUp(engine, dir) {
  write(dir, sourceFiles());
  const ingested = await time(async () => {
    const project = engine.loadProject(dir);
    for (let s = 0; s < SOURCES; s++) {
      const result = await engine.ingest({ project, source: `s${s}` });
      if (result.status !== 'loaded') throw new Error(`ingest of s${s} failed: ${result.error}`);
    }
  });
  console.log(`  setup: ${SOURCES} real ingests in ${fmt(ingested.ms)}`);
  const { files, names } = modelFiles();
  write(dir, files);
  const warehouse = path.join(dir, 'warehouse.duckdb');
  const applied = await time(async () => {
    const models = await engine.loadModels(dir);
    const errors = models.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`generated project has errors: ${errors[0].file}: ${errors[0].message}`);
    const wh = await engine.openWarehouse(warehouse);
    try {
      const plan = engine.computePlan(await engine.readPlanState(wh), models.project, 'prod', { drafts: models.drafts });
      return await engine.applyPlan(wh, plan);
    } finally {
      wh.close();
    }
  });
  console.log(`  setup: apply prod built ${applied.value.built.length} tables and views (${applied.value.audits.run} audits) in ${fmt(applied.ms)}`);
  const loads = await addHistory(engine, warehouse);
  console.log(`  setup: _sluice.loads holds ${loads.toLocaleString('en-US')} load attempts`);
  return { ingestMs: ingested.ms, applyMs: applied.ms, models: names.length, loads };
}

const engine = await loadEngine(ENGINE_EXPORTS);
// HEALTH_DIR reuses a project an earlier run kept (HEALTH_KEEP=1) instead of building one again.
const reuse = process.env.HEALTH_DIR;
const dir = reuse ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-health-bench-'));
const warehouse = path.join(dir, 'warehouse.duckdb');
try {
  console.log(`Health benchmark: ${SOURCES} sources × ${RESOURCES} resources, ${MODELS} models, ${LOADS} loads (${dir})`);
  const setup = reuse ? { reused: true } : await setUp(engine, dir);

  const loaded = await time(() => engine.ModelProject.load(dir));
  const project = loaded.value;
  console.log(`  analyse the project (ModelProject.load, not part of health): ${fmt(loaded.ms)}`);
  const config = engine.loadProject(dir);

  const evaluateAll = (conn, target) => async () => {
    const facts = await engine.readHealthFacts(conn, 'prod');
    const model = target === undefined ? undefined : engine.targetModel(target, (key) => project.model(key) !== undefined);
    const models = engine.healthModels(project, model === undefined ? undefined : new Set([model]));
    return engine.evaluateHealth({ environment: 'prod', nowMs: Date.now(), models, sources: config.sources, facts, target });
  };
  const column = `layer${Math.floor((MODELS - 1) / 100)}.m${MODELS - 1}.c0`;
  const wh = await engine.Warehouse.open(warehouse, { readOnly: true });
  let baseline, read, lineageFirst, lineageAgain, evaluate, warm, one;
  try {
    baseline = await runs(() => wh.all('SELECT count(*) AS n FROM "_sluice"."loads"'));
    read = await runs(() => engine.readHealthFacts(wh, 'prod'));
    lineageFirst = await time(() => engine.healthModels(project));
    lineageAgain = await runs(() => engine.healthModels(project));
    evaluate = await runs(() => engine.evaluateHealth({ environment: 'prod', nowMs: Date.now(), models: lineageAgain.value, sources: config.sources, facts: read.value }));
    warm = await runs(evaluateAll(wh));
    one = await runs(evaluateAll(wh, column));
  } finally {
    wh.close();
  }
  const withOpen = (fn) => async () => {
    const conn = await engine.Warehouse.open(warehouse, { readOnly: true });
    try {
      return await fn(conn)();
    } finally {
      conn.close();
    }
  };
  const openBaseline = await runs(withOpen((conn) => () => conn.all('SELECT count(*) AS n FROM "_sluice"."loads"')));
  const full = await runs(withOpen((conn) => evaluateAll(conn)));
  const report = full.value;
  const cli = await time(() => spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'health', '--json'], { cwd: dir, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 }));
  const cliReport = JSON.parse(cli.value.stdout);
  const cliOne = await time(() => spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'health', column, '--json'], { cwd: dir, encoding: 'utf8' }));

  const columns = Object.keys(report.columns).length;
  console.log(`  report: ${columns.toLocaleString('en-US')} columns ${JSON.stringify(report.summary.columns)}, ${Object.keys(report.sources).length} resources ${JSON.stringify(report.summary.sources)}`);
  console.log('Times (best and median of ' + RUNS + ' runs)');
  show('baseline: SELECT count(*) FROM _sluice.loads', baseline);
  show('read the _sluice facts (readHealthFacts)', read);
  console.log(`  ${'lineage of every column (healthModels), first call'.padEnd(58)} ${fmt(lineageFirst.ms).padStart(14)}`);
  show('lineage of every column, again', lineageAgain);
  show('evaluate', evaluate);
  show(`health of everything: read + lineage + evaluate (target ${TARGET_MS} ms)`, warm);
  show(`health of one column (${column})`, one);
  show('baseline: open the warehouse read-only + count + close', openBaseline);
  show('health of everything, opening and closing the warehouse', full);
  console.log(`  ${'sluice health --json (whole CLI process, analysis included)'.padEnd(58)} ${fmt(cli.ms).padStart(14)}   exit ${cli.value.status}, ${Object.keys(cliReport.columns).length} columns, ${(cli.value.stdout.length / 1e6).toFixed(1)} MB of JSON`);
  console.log(`  ${`sluice health ${column} --json (whole CLI process)`.padEnd(58)} ${fmt(cliOne.ms).padStart(14)}   exit ${cliOne.value.status}`);
  console.log(`  health of everything / open+count baseline: ${(full.median / openBaseline.median).toFixed(1)}× (medians)`);

  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify({
    targetMs: TARGET_MS, columns, resources: Object.keys(report.sources).length,
    setup: { ...setup, analyseMs: loaded.ms },
    baselineMs: baseline, readMs: read, lineageFirstMs: lineageFirst.ms, lineageMs: lineageAgain, evaluateMs: evaluate, healthMs: warm, oneColumnMs: one,
    openBaselineMs: openBaseline, healthWithOpenMs: full, cliMs: cli.ms, cliOneColumnMs: cliOne.ms, jsonBytes: cli.value.stdout.length,
  }, (k, v) => (k === 'value' ? undefined : v), 2) + '\n');
  console.log(`Results written to ${path.relative(root, outFile)}`);
} finally {
  await engine.closeSqlParser();
  if (!process.env.HEALTH_KEEP && !reuse) fs.rmSync(dir, { recursive: true, force: true });
}
