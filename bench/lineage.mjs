// `npm run bench:lineage`: how fast the model layer analyses a large project and answers lineage questions.
//
//  1. Generates a 1,000-model project under the temp directory (staging models over 20 source tables, chains
//     of `SELECT * REPLACE` and CTE links, fan-in joins, star joins with EXCLUDE, aggregate marts with window
//     functions) and times: a cold load with deep lineage of every column; one column's deep lineage after
//     load (p50/p95/max); re-analysis after editing one model (p50/p95/max, and the model with the most
//     downstream models).
//  2. Times parsing plus the lineage of every output column for the TPC-H 22 and the TPC-DS queries in
//     test/fixtures, plus the demo project's dozen models, against sqlglot's published figure of about 1.3 s
//     for that work (sqlglot is Python and cannot be installed here, so that baseline is not measured).
// Results also go to bench/.out/lineage.json. A benchmark prints; it does not judge.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine, random } from './engine.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(benchDir, '..');
const outFile = path.join(benchDir, '.out', 'lineage.json');
const SQLGLOT_REFERENCE_MS = 1300;
const TARGETS = { coldLoadMs: 3000, columnP95Ms: 5, editMs: 50 };

const ENGINE_EXPORTS = `
        export { ModelProject } from './core/dag/project';
        export { parseMany, closeSqlParser } from './core/sql/duckdbParser';
        export { analyzeQuery } from './core/lineage/analyze';
        export { catalogFromTables } from './core/lineage/catalog';
      `;

// ---- a generated 1,000-model project ----

const RAW_TABLES = 20;
const WIDTH = 10; // every generated model outputs id, c0 .. c9 (marts excepted)
const cols = (prefix) => Array.from({ length: WIDTH }, (_, i) => `${prefix}${i}`);

function sourceSchemaYaml() {
  const lines = ['name: raw', 'version: 1', 'tables:'];
  for (let t = 0; t < RAW_TABLES; t++) {
    lines.push(`  t${t}:`, `    resource: t${t}`, '    write_disposition: append', '    columns:');
    lines.push('      id:', '        data_type: bigint', '        nullable: false', '        field: id');
    for (const c of cols('a')) lines.push(`      ${c}:`, '        data_type: bigint', '        nullable: true', `        field: payload.${c}`);
  }
  return lines.join('\n') + '\n';
}

function generateProject(dir) {
  const rand = random(42);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const files = {};
  const wide = []; // models with the id, c0..c9 shape, usable as inputs
  const add = (name, kind, sql, reusable = true) => {
    files[`models/${name.replace('.', '/')}.sql`] = `MODEL (name ${name}, kind ${kind});\n\n${sql}\n`;
    if (reusable) wide.push(name);
  };

  for (let i = 0; i < 100; i++) {
    const select = cols('a').map((a, k) => (k % 3 === 0 ? `CAST(${a} AS BIGINT) AS c${k}` : `${a} AS c${k}`)).join(', ');
    add(`staging.s${i}`, 'VIEW', `SELECT id, ${select}\nFROM raw.t${i % RAW_TABLES}\nWHERE id IS NOT NULL`);
  }
  for (let chain = 0; chain < 40; chain++) {
    let previous = `staging.s${chain}`;
    for (let link = 0; link < 10; link++) {
      const name = `chains.c${chain}_${link}`;
      const sql = link % 2 === 0
        ? `SELECT * REPLACE (c0 + ${link} AS c0) FROM ${previous}`
        : `WITH kept AS (SELECT * FROM ${previous} WHERE c1 > ${link})\nSELECT id, ${cols('c').join(', ')} FROM kept`;
      add(name, 'VIEW', sql);
      previous = name;
    }
  }
  for (let i = 0; i < 200; i++) {
    const [a, b, c] = [pick(wide), pick(wide), pick(wide)];
    const outputs = cols('c').map((col, k) => (k === 0 ? 'x.c0 + y.c2 AS c0' : k < 5 ? `x.${col}` : `coalesce(z.${col}, y.${col}) AS ${col}`));
    add(`joins.f${i}`, 'FULL', `WITH x AS (SELECT id, ${cols('c').slice(0, 5).join(', ')} FROM ${a}),\ny AS (SELECT * FROM ${b} WHERE c3 > 0)\nSELECT x.id, ${outputs.join(', ')}\nFROM x JOIN y USING (id)\nLEFT JOIN ${c} AS z ON z.id = x.id`);
  }
  for (let i = 0; i < 150; i++) {
    const [a, b] = [pick(wide), pick(wide)];
    add(`stars.s${i}`, 'VIEW', `SELECT l.* EXCLUDE (c9), r.c9\nFROM ${a} AS l JOIN ${b} AS r ON r.id = l.id`);
  }
  for (let i = 0; i < 150; i++) {
    const a = pick(wide);
    add(`marts.m${i}`, 'FULL', `WITH base AS (SELECT c0, c1, c2, c4 FROM ${a} WHERE c5 IS NOT NULL)\nSELECT c0 AS bucket, count(*) AS n, sum(c1) AS total, max(c2) AS top,\n  rank() OVER (ORDER BY sum(c1) DESC) AS total_rank\nFROM base\nGROUP BY c0\nHAVING count(*) > 1`, false);
  }
  fs.writeFileSync(path.join(dir, 'sluice.yaml'), 'name: lineage-bench\n');
  fs.mkdirSync(path.join(dir, 'schemas'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'schemas', 'raw.schema.yaml'), sourceSchemaYaml());
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return files;
}

// ---- measuring ----

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (n) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const ratio = (value, target) => `${(value / target).toFixed(2)}× the target of ${ms(target)}`;

function deepLineageOfEverything(project) {
  let columns = 0;
  for (const model of project.models()) {
    for (const column of model.columns) {
      project.columnLineage(model.key, column.name, { deep: true });
      columns++;
    }
  }
  return columns;
}

async function benchLargeProject(engine, dir) {
  const files = generateProject(dir);
  const started = performance.now();
  const project = await engine.ModelProject.load(dir);
  const loaded = performance.now();
  const columns = deepLineageOfEverything(project);
  const finished = performance.now();
  const errors = project.diagnostics().filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`the generated project has errors, e.g. ${errors[0].message}`);

  // One column's deep lineage on a freshly loaded project, columns taken in random order.
  const fresh = await engine.ModelProject.load(dir);
  const rand = random(7);
  const allColumns = fresh.models().flatMap((m) => m.columns.map((c) => [m.key, c.name]));
  const sample = Array.from({ length: 500 }, () => allColumns[Math.floor(rand() * allColumns.length)]);
  const columnTimes = sample.map(([model, column]) => {
    const t = performance.now();
    fresh.columnLineage(model, column, { deep: true });
    return performance.now() - t;
  });

  // Editing one model: a new alias in its select list, as typing would produce.
  const names = Object.keys(files);
  const editTimes = [];
  const reanalysed = [];
  for (let i = 0; i < 30; i++) {
    const file = names[Math.floor(rand() * names.length)];
    const text = files[file].replace(/\n\n/, `\n\n-- edit ${i}\n`);
    const t = performance.now();
    const result = await fresh.update(path.join(dir, file), text);
    editTimes.push(performance.now() - t);
    reanalysed.push(result.analysed.length);
  }
  // The model with the most models downstream of it, directly or not: the worst edit there is.
  const all = new Map(fresh.models().map((m) => [m.key, m]));
  const reach = (key) => {
    const seen = new Set();
    const stack = [key];
    while (stack.length > 0) for (const d of all.get(stack.pop()).downstream) if (!seen.has(d)) stack.push(d), seen.add(d);
    return seen.size;
  };
  const mostRead = [...all.values()].map((m) => ({ m, n: reach(m.key) })).reduce((best, x) => (x.n > best.n ? x : best)).m;
  const rootFile = path.relative(dir, mostRead.file);
  const rootStart = performance.now();
  const rootResult = await fresh.update(mostRead.file, files[rootFile].replace(/\n\n/, '\n\n-- edit root\n'));
  const rootMs = performance.now() - rootStart;

  return {
    models: project.models().length,
    columns,
    coldLoadMs: loaded - started,
    fullLineageMs: finished - loaded,
    coldTotalMs: finished - started,
    column: { p50: percentile(columnTimes, 50), p95: percentile(columnTimes, 95), max: Math.max(...columnTimes) },
    edit: {
      p50: percentile(editTimes, 50),
      p95: percentile(editTimes, 95),
      max: Math.max(...editTimes),
      meanReanalysed: reanalysed.reduce((a, b) => a + b, 0) / reanalysed.length,
    },
    rootEdit: { model: mostRead.key, reanalysed: rootResult.analysed.length, ms: rootMs },
  };
}

async function benchmarkCatalog(schemaSql) {
  const { DuckDBInstance } = createRequire(path.join(root, 'package.json'))('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(schemaSql);
    const reader = await connection.runAndReadAll(
      'SELECT table_schema, table_name, column_name FROM information_schema.columns ORDER BY table_schema, table_name, ordinal_position',
    );
    const tables = new Map();
    for (const [schema, table, column] of reader.getRows()) {
      const key = `${schema}.${table}`;
      if (!tables.has(key)) tables.set(key, []);
      tables.get(key).push(column);
    }
    return tables;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function benchStandardQueries(engine) {
  const suites = [];
  for (const name of ['tpch', 'tpcds']) {
    const dir = path.join(root, 'test', 'fixtures', name);
    const queries = fs.readdirSync(path.join(dir, 'queries')).filter((f) => f.endsWith('.sql')).sort()
      .map((f) => fs.readFileSync(path.join(dir, 'queries', f), 'utf8'));
    const catalog = engine.catalogFromTables(await benchmarkCatalog(fs.readFileSync(path.join(dir, 'schema.sql'), 'utf8')));
    suites.push({ name, queries, catalog });
  }
  // The demo project's models, over the demo's source schemas: a dozen small models.
  const demo = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-lineage-demo-'));
  try {
    for (const part of ['sluice.yaml', 'schemas', 'models']) fs.cpSync(path.join(root, 'examples', 'demo', part), path.join(demo, part), { recursive: true });
    await engine.parseMany(['SELECT 1']); // the parser instance exists already; keep that out of the timing

    const started = performance.now();
    let columns = 0;
    const perSuite = {};
    for (const suite of suites) {
      const t = performance.now();
      const parsed = await engine.parseMany(suite.queries);
      for (const p of parsed) columns += engine.analyzeQuery(p, suite.catalog).columns.length;
      perSuite[suite.name] = { queries: suite.queries.length, ms: performance.now() - t };
    }
    const t = performance.now();
    const project = await engine.ModelProject.load(demo);
    columns += deepLineageOfEverything(project);
    perSuite.demo = { queries: project.models().length, ms: performance.now() - t };
    return { totalMs: performance.now() - started, columns, perSuite };
  } finally {
    fs.rmSync(demo, { recursive: true, force: true });
  }
}

const engine = await loadEngine(ENGINE_EXPORTS);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-lineage-bench-'));
try {
  const large = await benchLargeProject(engine, dir);
  const standard = await benchStandardQueries(engine);
  const out = process.stdout;
  out.write(`\nLineage benchmark (Node ${process.version}, ${os.cpus().length} CPUs)\n\n`);
  out.write(`Generated project: ${large.models} models, ${large.columns} model columns\n`);
  out.write(`  cold load (parse + analyse every model):   ${ms(large.coldLoadMs)}\n`);
  out.write(`  deep lineage of every column:              ${ms(large.fullLineageMs)}\n`);
  out.write(`  cold load + full lineage:                  ${ms(large.coldTotalMs)}  (${ratio(large.coldTotalMs, TARGETS.coldLoadMs)})\n`);
  out.write(`  one column's deep lineage after load:      p50 ${ms(large.column.p50)}, p95 ${ms(large.column.p95)}, max ${ms(large.column.max)}  (p95 is ${ratio(large.column.p95, TARGETS.columnP95Ms)})\n`);
  out.write(`  re-analysis after editing one model:       p50 ${ms(large.edit.p50)}, p95 ${ms(large.edit.p95)}, max ${ms(large.edit.max)}  (p95 is ${ratio(large.edit.p95, TARGETS.editMs)}; ${large.edit.meanReanalysed.toFixed(1)} models re-analysed on average)\n`);
  out.write(`  editing the most-read model (${large.rootEdit.model}): ${ms(large.rootEdit.ms)}, ${large.rootEdit.reanalysed} models re-analysed\n\n`);
  out.write(`TPC-H ${standard.perSuite.tpch.queries} + TPC-DS ${standard.perSuite.tpcds.queries} queries + ${standard.perSuite.demo.queries} demo models, lineage of all ${standard.columns} output columns:\n`);
  out.write(`  TPC-H ${ms(standard.perSuite.tpch.ms)}, TPC-DS ${ms(standard.perSuite.tpcds.ms)}, demo project (load + deep lineage) ${ms(standard.perSuite.demo.ms)}\n`);
  out.write(`  total ${ms(standard.totalMs)} against sqlglot's ~${ms(SQLGLOT_REFERENCE_MS)}: ${(SQLGLOT_REFERENCE_MS / standard.totalMs).toFixed(1)}× faster\n`);
  out.write('  (the sqlglot figure is the published reference, not measured in this run: sqlglot cannot be installed here)\n');
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify({ large, standard, targets: TARGETS, sqlglotReferenceMs: SQLGLOT_REFERENCE_MS }, null, 2) + '\n');
  out.write(`\nResults written to ${path.relative(process.cwd(), outFile)}\n`);
} finally {
  await engine.closeSqlParser();
  fs.rmSync(dir, { recursive: true, force: true });
}
