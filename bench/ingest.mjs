// `npm run bench:ingest`: Sluice's ingest path against DuckDB flattening the same records itself.
//
// Datasets (--dataset, comma-separated, default all):
//  - uniform: for each size N
//    1. runs the real CLI (`sluice ingest bench --json`) on a temporary project whose source generates N
//       GitHub-issue-like records of one shape (bench/issues.mjs), timing the whole process and measuring
//       its peak RSS and CPU time;
//    2. writes the same N records to NDJSON (not timed) and has DuckDB build the same root and child tables
//       from it with read_json in a separate process (bench/duckdb-flatten.mjs), timed and measured the same way;
//    3. checks that both sides produced the same tables, data columns and row counts, and prints the figures.
//  - github: the same comparison with realistic GitHub-shaped records (test/fixtures/realistic.mjs: optional
//    keys, nullable fields, integral and fractional numbers, often-empty lists), see bench/ingest-realistic.mjs;
//  - merge: those records appended, and merged on id, each into a fresh warehouse;
//  - stripe-wide: Stripe charges with sparse metadata of many distinct keys (Sluice only: time and peak RSS).
// Results also go to bench/.out/ingest.json. A benchmark prints; it does not judge.
//
// Options: --dataset uniform,github,merge,stripe-wide|all   (default all)
//          --sizes 1000000,5000000   record counts for uniform (default 1000000,5000000), github and merge (default 1000000)
//          --wide-rows 200000 --wide-keys 2000   charges and distinct metadata keys for stripe-wide
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDir, cli, count, fail, makeBenchProject, mb, measure, printTable, runSluice, secs, writeNdjson } from './ingest-common.mjs';
import { runRealistic } from './ingest-realistic.mjs';
import { issue } from './issues.mjs';

const duckdbSide = path.join(benchDir, 'duckdb-flatten.mjs');
const outFile = path.join(benchDir, '.out', 'ingest.json');
const DATASETS = ['uniform', 'github', 'merge', 'stripe-wide'];

function option(argv, name) {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

function parseCounts(text, flag) {
  const sizes = String(text ?? '').split(',').map((s) => Number(s.replaceAll('_', '').trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
    fail(`${flag} expects comma-separated positive whole numbers, got "${text}"`);
  }
  return sizes;
}

function parseOptions(argv) {
  const datasetText = option(argv, '--dataset') ?? 'all';
  const datasets = new Set(datasetText === 'all' ? DATASETS : datasetText.split(',').map((s) => s.trim()));
  for (const name of datasets) if (!DATASETS.includes(name)) fail(`--dataset expects all or some of ${DATASETS.join(', ')}, got "${name}"`);
  const sizesText = option(argv, '--sizes');
  return {
    datasets,
    uniformSizes: parseCounts(sizesText ?? '1000000,5000000', '--sizes'),
    realisticSizes: parseCounts(sizesText ?? '1000000', '--sizes'),
    wideRows: parseCounts(option(argv, '--wide-rows') ?? '200000', '--wide-rows')[0],
    wideKeys: parseCounts(option(argv, '--wide-keys') ?? '2000', '--wide-keys')[0],
  };
}

function makeUniformProject(n) {
  // The generator module is bundled into the source, so both sides draw from the same code.
  return makeBenchProject(
    `import { issue } from ${JSON.stringify(path.join(benchDir, 'issues.mjs'))};
export default {
  name: 'bench',
  resources: [{
    name: 'issues',
    *rows(ctx: { config: Record<string, unknown> }) {
      const records = Number(ctx.config.records);
      for (let i = 0; i < records; i++) yield issue(i);
    },
  }],
};
`,
    { records: n },
  );
}

function* uniformRecords(n) {
  for (let i = 0; i < n; i++) yield issue(i);
}

async function runDuckdb(dir, n) {
  const ndjson = path.join(dir, 'issues.ndjson');
  writeNdjson(ndjson, uniformRecords(n));
  globalThis.gc?.();
  const run = await measure([duckdbSide, ndjson, path.join(dir, 'duckdb.duckdb')], { cwd: dir });
  if (run.code !== 0) fail(`the DuckDB side failed (exit ${run.code}): ${run.stderr}`);
  const { tables } = JSON.parse(run.stdout);
  return { seconds: run.seconds, peakRssBytes: run.peakRssBytes, cpuSeconds: run.cpuSeconds, tables };
}

/** Columns that only link rows: Sluice's system columns, and the parent key and index DuckDB's side unnests with. */
const isLinkColumn = (name) => name.startsWith('_sluice_') || name === 'issue_id' || name === 'list_idx';

/**
 * Both sides must have built the same tables, with the same data columns and row counts, else the timing
 * compares different work.
 */
function checkSameTables(n, sluice, duckdb) {
  const names = [...new Set([...Object.keys(sluice.tables), ...Object.keys(duckdb.tables)])].sort();
  for (const name of names) {
    const [ours, theirs] = [sluice.tables[name], duckdb.tables[name]];
    if (ours?.rows !== theirs?.rows) {
      fail(`N=${n}: table ${name} has ${ours?.rows ?? 'no'} rows from Sluice but ${theirs?.rows ?? 'no'} from DuckDB`);
    }
    const [a, b] = [ours, theirs].map((t) => t.columns.filter((c) => !isLinkColumn(c)).sort().join(', '));
    if (a !== b) fail(`N=${n}: table ${name} has columns (${a}) from Sluice but (${b}) from DuckDB`);
  }
}

async function runUniform(sizes) {
  const results = [];
  for (const n of sizes) {
    const dir = makeUniformProject(n);
    try {
      process.stderr.write(`N=${n}: sluice ingest ...\n`);
      const sluice = await runSluice(dir);
      process.stderr.write(`N=${n}: ${sluice.seconds.toFixed(2)} s; DuckDB read_json ...\n`);
      const duckdb = await runDuckdb(dir, n);
      process.stderr.write(`N=${n}: ${duckdb.seconds.toFixed(2)} s\n`);
      checkSameTables(n, sluice, duckdb);
      const { tables, ...sluiceFigures } = sluice;
      const { tables: _, ...duckdbFigures } = duckdb;
      results.push({
        records: n,
        tables: Object.fromEntries(Object.entries(tables).map(([t, v]) => [t, v.rows])),
        sluice: { ...sluiceFigures, recordsPerSecond: n / sluice.seconds },
        duckdb: { ...duckdbFigures, recordsPerSecond: n / duckdb.seconds },
        ratio: sluice.seconds / duckdb.seconds,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  printTable(
    ['N', 'Sluice s', 'Sluice records/s', 'Sluice peak RSS MB', 'Sluice load s', 'Sluice CPU s', 'DuckDB s', 'DuckDB peak RSS MB', 'DuckDB CPU s', 'ratio'],
    results.map((r) => [
      count(r.records),
      secs(r.sluice.seconds),
      count(r.sluice.recordsPerSecond),
      mb(r.sluice.peakRssBytes),
      secs(r.sluice.loadSeconds),
      secs(r.sluice.cpuSeconds),
      secs(r.duckdb.seconds),
      mb(r.duckdb.peakRssBytes),
      secs(r.duckdb.cpuSeconds),
      r.ratio.toFixed(2),
    ]),
  );
  return results;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (!fs.existsSync(cli)) fail(`${path.relative(process.cwd(), cli)} is missing: run npm run build first`);
  // Other work on the machine slows both sides unevenly: the load average tells how far to trust the figures.
  const loadAtStart = Number(os.loadavg()[0].toFixed(2));
  process.stderr.write(`load average ${loadAtStart} on ${os.cpus().length} CPUs\n`);
  const results = options.datasets.has('uniform') ? await runUniform(options.uniformSizes) : [];
  const realistic = await runRealistic({
    datasets: options.datasets,
    sizes: options.realisticSizes,
    wideRows: options.wideRows,
    wideKeys: options.wideKeys,
  });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const report = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    loadAverageAtStart: loadAtStart,
    date: new Date().toISOString(),
    results,
    ...realistic,
  };
  fs.writeFileSync(outFile, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`\nwritten to ${path.relative(process.cwd(), outFile)}\n`);
}

await main();
