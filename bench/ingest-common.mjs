// What the ingest benchmark's datasets share: measuring a child process (wall clock, peak RSS, CPU),
// running the real CLI on a project, reading back column names, writing NDJSON, printing tables.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

export const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const root = path.join(benchDir, '..');
export const cli = path.join(root, 'dist', 'cli.js');
const usagePreload = path.join(benchDir, 'usage.cjs');

export function fail(message) {
  process.stderr.write(`bench:ingest: ${message}\n`);
  process.exit(1);
}

/**
 * Runs `node --require usage.cjs <args>` and resolves with its wall-clock seconds, peak RSS, CPU seconds,
 * output, and the moments (seconds after start) at which stderr first contained each of `markers`.
 */
export function measure(args, { cwd, env = {}, markers = [] }) {
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

/** A temporary project with source `bench` (sources/bench.ts holding `source`) and the given config. */
export function makeBenchProject(source, config) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
  fs.writeFileSync(
    path.join(dir, 'sluice.yaml'),
    `name: bench\nwarehouse: warehouse.duckdb\nsources:\n  bench:\n    config: ${JSON.stringify(config)}\n`,
  );
  fs.mkdirSync(path.join(dir, 'sources'));
  fs.writeFileSync(path.join(dir, 'sources', 'bench.ts'), source);
  return dir;
}

/**
 * Runs `sluice ingest bench --json` in the project. Resolves with the figures, the tables (rows, columns)
 * and, when the load failed and `tolerateFailure` is set, its error instead of exiting.
 */
export async function runSluice(dir, { tolerateFailure = false } = {}) {
  const loadStart = 'stage: load ';
  const loadEnd = 'stage: loaded';
  const run = await measure([cli, 'ingest', 'bench', '--json'], { cwd: dir, env: { SLUICE_DEBUG: '1' }, markers: [loadStart, loadEnd] });
  let result;
  try {
    result = JSON.parse(run.stdout);
  } catch {
    const error = `the CLI did not print one JSON object (exit ${run.code}): ${run.stderr.trim().split('\n').at(-1)}`;
    if (tolerateFailure) return { seconds: run.seconds, peakRssBytes: run.peakRssBytes, cpuSeconds: run.cpuSeconds, error };
    fail(`${error}\n${run.stdout}\n${run.stderr}`);
  }
  if (run.code !== 0 || result.status !== 'loaded') {
    const error = `sluice ingest failed (exit ${run.code}): ${result.error ?? run.stderr}`;
    if (tolerateFailure) return { seconds: run.seconds, peakRssBytes: run.peakRssBytes, cpuSeconds: run.cpuSeconds, error };
    fail(error);
  }
  const columns = await sluiceColumns(path.join(dir, 'warehouse.duckdb'));
  const tables = Object.fromEntries(
    Object.entries(result.tables).map(([t, v]) => [t, { rows: v.rows, parts: v.parts ?? null, columns: columns[t] ?? [] }]),
  );
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

/** Records as NDJSON, written in large chunks. */
export function writeNdjson(file, records) {
  const fd = fs.openSync(file, 'w');
  try {
    let chunk = '';
    for (const record of records) {
      chunk += JSON.stringify(record) + '\n';
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

export const mb = (bytes) => (bytes === null || bytes === undefined ? 'n/a' : (bytes / (1 << 20)).toFixed(0));
export const secs = (s) => (s === null || s === undefined ? 'n/a' : s.toFixed(2));
export const count = (n) => Math.round(n).toLocaleString('en-US');

/** Prints a right-aligned table, preceded by a title line when given. */
export function printTable(header, rows, title) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  const heading = title ? `\n${title}` : '';
  process.stdout.write(`${heading}\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`);
}
