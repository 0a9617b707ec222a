// The ingest benchmark's realistic datasets (records from test/fixtures/realistic.mjs):
//  - github: GitHub-shaped issues (optional keys, nullable fields, integral and fractional scores, lists that
//    are often empty) through the real CLI, against DuckDB's read_json building the same tables from the
//    same records as NDJSON (duckdb-flatten-json.mjs), in the same run;
//  - merge: the same records loaded once with writeDisposition append and once merged on `id`;
//  - stripe-wide: Stripe charges whose metadata brings a new key every 100 charges (2,000 keys over 200,000).
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadEngine } from './engine.mjs';
import { benchDir, count, fail, makeBenchProject, mb, measure, printTable, root, runSluice, secs, writeNdjson } from './ingest-common.mjs';
import { GENERATORS } from '../test/fixtures/realistic.mjs';

const fixture = path.join(root, 'test', 'fixtures', 'realistic.mjs');
const duckdbSide = path.join(benchDir, 'duckdb-flatten-json.mjs');
const GITHUB = { generator: 'githubIssues', seed: 42, options: {} };

/** A source whose one resource `table` yields the configured generator's records. */
function realisticSource(table, { merge = false } = {}) {
  const disposition = merge ? `writeDisposition: 'merge', primaryKey: 'id',` : `writeDisposition: 'append',`;
  return `import { GENERATORS } from ${JSON.stringify(fixture)};
export default {
  name: 'bench',
  resources: [{
    name: ${JSON.stringify(table)},
    ${disposition}
    *rows(ctx: { config: Record<string, any> }) {
      const { generator, records, seed, options } = ctx.config;
      yield* (GENERATORS as any)[generator](Number(records), Number(seed), options ?? {});
    },
  }],
};
`;
}

const records = (spec, n) => GENERATORS[spec.generator](n, spec.seed, spec.options);

/** GitHub-shaped records: Sluice, then DuckDB read_json on the same records, and the check that both built the same tables. */
async function githubAgainstReadJson(n, naming) {
  const dir = makeBenchProject(realisticSource('issues'), { ...GITHUB, records: n });
  try {
    process.stderr.write(`github N=${n}: sluice ingest ...\n`);
    const sluice = await runSluice(dir, { tolerateFailure: true });
    if (sluice.error) return { records: n, sluice, error: sluice.error };
    process.stderr.write(`github N=${n}: ${sluice.seconds.toFixed(2)} s; NDJSON ...\n`);
    const ndjson = path.join(dir, 'issues.ndjson');
    writeNdjson(ndjson, records(GITHUB, n));
    globalThis.gc?.();
    process.stderr.write(`github N=${n}: DuckDB read_json ...\n`);
    const database = path.join(dir, 'duckdb.duckdb');
    const run = await measure([duckdbSide, ndjson, database, 'issues', 'id'], { cwd: dir });
    if (run.code !== 0) fail(`the DuckDB side failed (exit ${run.code}): ${run.stderr}`);
    process.stderr.write(`github N=${n}: ${run.seconds.toFixed(2)} s\n`);
    const duckdb = { seconds: run.seconds, peakRssBytes: run.peakRssBytes, cpuSeconds: run.cpuSeconds, tables: await withoutNullColumns(database, JSON.parse(run.stdout).tables) };
    checkSameTables(`github N=${n}`, sluice.tables, duckdb.tables, naming);
    return { records: n, sluice: figures(sluice, n), duckdb: figures(duckdb, n), ratio: sluice.seconds / duckdb.seconds, tables: rowsOf(sluice.tables) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The same records appended, then merged on id into a fresh warehouse. */
async function mergeAgainstAppend(n) {
  const out = { records: n };
  for (const mode of ['append', 'merge']) {
    const dir = makeBenchProject(realisticSource('issues', { merge: mode === 'merge' }), { ...GITHUB, records: n });
    try {
      process.stderr.write(`merge N=${n}: sluice ingest (${mode}) ...\n`);
      const run = await runSluice(dir, { tolerateFailure: true });
      out[mode] = run.error ? { ...run } : figures(run, n);
      process.stderr.write(`merge N=${n}: ${mode} ${run.error ? 'failed' : run.seconds.toFixed(2) + ' s'}\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!out.append.error && !out.merge.error) out.ratio = out.merge.seconds / out.append.seconds;
  return out;
}

/** Stripe charges with sparse metadata: `keys` distinct keys over `n` charges. */
async function stripeWide(n, keys) {
  const spec = { generator: 'stripeCharges', seed: 7, options: { metadataKeys: keys, newKeyEvery: Math.max(1, Math.floor(n / keys)) } };
  const dir = makeBenchProject(realisticSource('charges'), { ...spec, records: n });
  try {
    process.stderr.write(`stripe-wide N=${n}, ${keys} keys: sluice ingest ...\n`);
    const run = await runSluice(dir, { tolerateFailure: true });
    process.stderr.write(`stripe-wide: ${run.error ? 'failed' : run.seconds.toFixed(2) + ' s'}\n`);
    if (run.error) return { records: n, keys, ...run };
    return { records: n, keys, ...figures(run, n), columns: run.tables.charges?.columns.length ?? 0, tables: rowsOf(run.tables) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Failed runs under their table, one line each, cut to a readable length. */
function printErrors(entries) {
  for (const [n, error] of entries) {
    if (error) process.stdout.write(`  N=${count(n)} failed: ${error.replace(/\s+/g, ' ').slice(0, 300)}\n`);
  }
}

const figures = ({ seconds, peakRssBytes, cpuSeconds, loadSeconds }, n) => ({ seconds, recordsPerSecond: n / seconds, peakRssBytes, cpuSeconds, ...(loadSeconds !== undefined ? { loadSeconds } : {}) });
const rowsOf = (tables) => Object.fromEntries(Object.entries(tables).map(([t, v]) => [t, v.parts === null ? { rows: v.rows } : { rows: v.rows, parts: v.parts }]));

/**
 * Drops the DuckDB side's columns that are NULL in every row: a field that is only ever null makes no
 * column in Sluice, but read_json still types it (as VARCHAR). Read after the measured run.
 */
async function withoutNullColumns(database, tables) {
  const instance = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    for (const [name, table] of Object.entries(tables)) {
      if (table.columns.length === 0) continue;
      const counts = table.columns.map((_, i) => `count("c${i}")::BIGINT`).join(', ');
      const [row] = (await connection.runAndReadAll(`SELECT ${counts} FROM "${name.replaceAll('"', '""')}"`)).getRows();
      table.columns = table.columns.filter((_, i) => Number(row[i]) > 0);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return tables;
}

/**
 * Both sides must have built the same tables with the same data columns and row counts, or the timing
 * compares different work. DuckDB's raw key paths are named as Sluice names them; Sluice's variant
 * columns (`__v_<type>`, values of another type than their column's) have no counterpart and are left out.
 */
function checkSameTables(label, sluiceTables, duckdbTables, { normalizeFieldPath }) {
  const theirs = Object.fromEntries(
    Object.values(duckdbTables).map((t) => [
      normalizeFieldPath(['issues', ...t.path]),
      { rows: t.rows, columns: t.columns.map((p) => normalizeFieldPath(p)) },
    ]),
  );
  const ours = Object.fromEntries(
    Object.entries(sluiceTables).map(([name, t]) => [name, { rows: t.rows, columns: t.columns.filter((c) => !c.startsWith('_sluice_') && !/__v_[a-z]+$/.test(c)) }]),
  );
  for (const name of [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].sort()) {
    if (ours[name]?.rows !== theirs[name]?.rows) {
      fail(`${label}: table ${name} has ${ours[name]?.rows ?? 'no'} rows from Sluice but ${theirs[name]?.rows ?? 'no'} from DuckDB`);
    }
    const [a, b] = [ours[name], theirs[name]].map((t) => [...t.columns].sort().join(', '));
    if (a !== b) fail(`${label}: table ${name} has columns (${a}) from Sluice but (${b}) from DuckDB`);
  }
}

/** Runs the realistic datasets asked for and prints their tables; returns the figures for the report. */
export async function runRealistic({ datasets, sizes, wideRows, wideKeys }) {
  const report = {};
  if (datasets.has('github')) {
    const naming = await loadEngine(`export { normalizeFieldPath } from './core/ingest/normalize/naming';`);
    report.github = [];
    for (const n of sizes) report.github.push(await githubAgainstReadJson(n, naming));
    printTable(
      ['N', 'Sluice s', 'records/s', 'peak RSS MB', 'CPU s', 'DuckDB s', 'DuckDB RSS MB', 'DuckDB CPU s', 'ratio'],
      report.github.map((r) => r.error
        ? [count(r.records), secs(r.sluice.seconds), 'failed', mb(r.sluice.peakRssBytes), secs(r.sluice.cpuSeconds), '', '', '', '']
        : [count(r.records), secs(r.sluice.seconds), count(r.sluice.recordsPerSecond), mb(r.sluice.peakRssBytes), secs(r.sluice.cpuSeconds),
          secs(r.duckdb.seconds), mb(r.duckdb.peakRssBytes), secs(r.duckdb.cpuSeconds), r.ratio.toFixed(2)]),
      'github: GitHub-shaped issues (optional keys, nullable fields, mixed integral/fractional numbers) against DuckDB read_json',
    );
    printErrors(report.github.map((r) => [r.records, r.error]));
  }
  if (datasets.has('merge')) {
    report.merge = [];
    for (const n of sizes) report.merge.push(await mergeAgainstAppend(n));
    const cell = (r) => (r.error ? ['failed', mb(r.peakRssBytes)] : [secs(r.seconds), mb(r.peakRssBytes)]);
    printTable(
      ['N', 'append s', 'append RSS MB', 'merge s', 'merge RSS MB', 'merge/append'],
      report.merge.map((r) => [count(r.records), ...cell(r.append), ...cell(r.merge), r.ratio === undefined ? 'n/a' : r.ratio.toFixed(2)]),
      'merge: the GitHub-shaped records appended, and merged on id (fresh warehouse each)',
    );
    printErrors(report.merge.flatMap((r) => [[r.records, r.append.error && `append: ${r.append.error}`], [r.records, r.merge.error && `merge: ${r.merge.error}`]]));
  }
  if (datasets.has('stripe-wide')) {
    const r = await stripeWide(wideRows, wideKeys);
    report.stripeWide = r;
    printTable(
      ['N', 'metadata keys', 'Sluice s', 'records/s', 'peak RSS MB', 'CPU s', 'columns'],
      [r.error
        ? [count(r.records), count(r.keys), secs(r.seconds), 'failed', mb(r.peakRssBytes), secs(r.cpuSeconds), '']
        : [count(r.records), count(r.keys), secs(r.seconds), count(r.recordsPerSecond), mb(r.peakRssBytes), secs(r.cpuSeconds), String(r.columns)]],
      'stripe-wide: Stripe charges whose sparse metadata gains a key every few charges',
    );
    printErrors([[r.records, r.error]]);
  }
  return report;
}
