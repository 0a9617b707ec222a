// `npm run bench:ingest`: Sluice's ingest path against DuckDB flattening the same records itself.
//
// For each size N it
//  1. runs the real CLI (`sluice ingest bench --json`) on a temporary project whose source generates N
//     GitHub-issue-like records (bench/issues.mjs), timing the whole process and measuring its peak RSS
//     and CPU time;
//  2. writes the same N records to NDJSON (not timed) and has DuckDB build the same root and child tables
//     from it with read_json in a separate process (bench/duckdb-flatten.mjs), timed and measured the same way;
//  3. checks that both sides produced the same tables, data columns and row counts, and prints the figures.
// Results also go to bench/.out/ingest.json. A benchmark prints; it does not judge.
//
// Options: --sizes 1000000,5000000   record counts to run (default 1000000,5000000)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { issue } from './issues.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(benchDir, '..');
const cli = path.join(root, 'dist', 'cli.js');
const usagePreload = path.join(benchDir, 'usage.cjs');
const duckdbSide = path.join(benchDir, 'duckdb-flatten.mjs');
const outFile = path.join(benchDir, '.out', 'ingest.json');

function parseSizes(argv) {
  const at = argv.indexOf('--sizes');
  const text = at >= 0 ? argv[at + 1] : '1000000,5000000';
  const sizes = String(text ?? '').split(',').map((s) => Number(s.replaceAll('_', '').trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
    fail(`--sizes expects comma-separated positive whole numbers, got "${text}"`);
  }
  return sizes;
}

function fail(message) {
  process.stderr.write(`bench:ingest: ${message}\n`);
  process.exit(1);
}

/**
 * Runs `node --require usage.cjs <args>` and resolves with its wall-clock seconds, peak RSS, CPU seconds,
 * output, and the moments (seconds after start) at which stderr first contained each of `markers`.
 */
function measure(args, { cwd, env = {}, markers = [] }) {
  const usageFile = path.join(os.tmpdir(), `sluice-bench-usage-${process.pid}-${Date.now()}`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--require', usagePreload, ...args], {
      cwd,
      env: { ...process.env, ...env, SLUICE_BENCH_USAGE_FILE: usageFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = [];
    let stderr = '';
    const seen = {};
    child.stdout.on('data', (d) => stdout.push(d));
    child.stderr.on('data', (d) => {
      const now = (performance.now() - started) / 1000;
      stderr += d;
      for (const marker of markers) if (seen[marker] === undefined && stderr.includes(marker)) seen[marker] = now;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      let usage = { peakRssBytes: null, cpuSeconds: null };
      try {
        usage = JSON.parse(fs.readFileSync(usageFile, 'utf8'));
        fs.rmSync(usageFile);
      } catch {
        // the child died before its exit hook ran; reported as unknown
      }
      resolve({ code, seconds, ...usage, stdout: Buffer.concat(stdout).toString('utf8'), stderr, markers: seen });
    });
  });
}

function makeProject(n) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
  fs.writeFileSync(
    path.join(dir, 'sluice.yaml'),
    `name: bench\nwarehouse: warehouse.duckdb\nsources:\n  bench:\n    config:\n      records: ${n}\n`,
  );
  fs.mkdirSync(path.join(dir, 'sources'));
  // The generator module is bundled into the source, so both sides draw from the same code.
  fs.writeFileSync(
    path.join(dir, 'sources', 'bench.ts'),
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
  );
  return dir;
}

async function runSluice(dir) {
  const loadStart = 'stage: load ';
  const loadEnd = 'stage: loaded';
  const run = await measure([cli, 'ingest', 'bench', '--json'], { cwd: dir, env: { SLUICE_DEBUG: '1' }, markers: [loadStart, loadEnd] });
  let result;
  try {
    result = JSON.parse(run.stdout);
  } catch {
    fail(`the CLI did not print one JSON object (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  if (run.code !== 0 || result.status !== 'loaded') fail(`sluice ingest failed (exit ${run.code}): ${result.error ?? run.stderr}`);
  const columns = await sluiceColumns(path.join(dir, 'warehouse.duckdb'));
  const tables = Object.fromEntries(Object.entries(result.tables).map(([t, v]) => [t, { rows: v.rows, columns: columns[t] ?? [] }]));
  const load = run.markers[loadStart] !== undefined && run.markers[loadEnd] !== undefined
    ? run.markers[loadEnd] - run.markers[loadStart]
    : null;
  return { seconds: run.seconds, peakRssBytes: run.peakRssBytes, cpuSeconds: run.cpuSeconds, tables, loadSeconds: load };
}

/** Column names per table of the "bench" schema in Sluice's warehouse (read after the measured run). */
async function sluiceColumns(warehouse) {
  const instance = await DuckDBInstance.create(warehouse, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'bench' ORDER BY table_name, ordinal_position`,
    );
    connection.closeSync();
    const columns = {};
    for (const { table_name: table, column_name: column } of reader.getRowObjects()) (columns[table] ??= []).push(column);
    return columns;
  } finally {
    instance.closeSync();
  }
}

/** The same records as NDJSON, written in large chunks. */
function writeNdjson(file, n) {
  const fd = fs.openSync(file, 'w');
  try {
    let chunk = '';
    for (let i = 0; i < n; i++) {
      chunk += JSON.stringify(issue(i)) + '\n';
      if (chunk.length >= 1 << 22) {
        fs.writeSync(fd, chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
}

async function runDuckdb(dir, n) {
  const ndjson = path.join(dir, 'issues.ndjson');
  writeNdjson(ndjson, n);
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

const mb = (bytes) => (bytes === null ? 'n/a' : (bytes / (1 << 20)).toFixed(0));
const secs = (s) => (s === null ? 'n/a' : s.toFixed(2));

function printTable(results) {
  const header = [
    'N', 'Sluice s', 'Sluice records/s', 'Sluice peak RSS MB', 'Sluice load s', 'Sluice CPU s',
    'DuckDB s', 'DuckDB peak RSS MB', 'DuckDB CPU s', 'ratio',
  ];
  const rows = results.map((r) => [
    r.records.toLocaleString('en-US'),
    secs(r.sluice.seconds),
    Math.round(r.sluice.recordsPerSecond).toLocaleString('en-US'),
    mb(r.sluice.peakRssBytes),
    secs(r.sluice.loadSeconds),
    secs(r.sluice.cpuSeconds),
    secs(r.duckdb.seconds),
    mb(r.duckdb.peakRssBytes),
    secs(r.duckdb.cpuSeconds),
    r.ratio.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  process.stdout.write(`\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`);
}

async function main() {
  const sizes = parseSizes(process.argv.slice(2));
  if (!fs.existsSync(cli)) fail(`${path.relative(process.cwd(), cli)} is missing: run npm run build first`);
  // Other work on the machine slows both sides unevenly: the load average tells how far to trust the figures.
  const loadAtStart = Number(os.loadavg()[0].toFixed(2));
  process.stderr.write(`load average ${loadAtStart} on ${os.cpus().length} CPUs\n`);
  const results = [];
  for (const n of sizes) {
    const dir = makeProject(n);
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
  printTable(results);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const report = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    loadAverageAtStart: loadAtStart,
    date: new Date().toISOString(),
    results,
  };
  fs.writeFileSync(outFile, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`\nwritten to ${path.relative(process.cwd(), outFile)}\n`);
}

await main();
