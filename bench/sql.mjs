// `npm run bench:sql`: the sqlDatabase source against the tools a data engineer would reach for by hand.
//
// 1. Creates a PostgreSQL table of N rows (default 1,000,000) and ten columns in a schema of its own (not timed).
// 2. Baseline: `psql -c "\copy (SELECT ...) TO 'table.csv' CSV HEADER"`, then DuckDB's read_csv of that file
//    into a table (bench/duckdb-read-csv.mjs, a child process); the two times add up.
// 3. Sluice: the real CLI (`sluice ingest bench --json`, a child process) on a temporary project whose
//    source is `sqlDatabase({ tables: [...] })`, timed as a whole with its peak RSS (DuckDB's memory included).
// 4. Both warehouses must hold N rows and the same columns. Prints both times, the ratio, the peak RSS,
//    and writes them to bench/.out/sql.json. A benchmark prints; it does not judge (targets: ratio <= 1.5,
//    peak RSS <= 500 MB).
//
// Options: --rows 1000000   --pg postgres://postgres@127.0.0.1:5432/test (or SLUICE_BENCH_PG_URL)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { benchDir, count, makeBenchProject, mb, measure, printTable, runSluice, secs } from './ingest-common.mjs';

/** Stops the benchmark; thrown, so that the table it made is dropped on the way out. */
class Stop extends Error {}
const fail = (message) => {
  throw new Stop(message);
};

function option(name) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const rows = Number(String(option('--rows') ?? '1000000').replaceAll('_', ''));
if (!Number.isInteger(rows) || rows <= 0) {
  process.stderr.write('bench:sql: --rows expects a positive whole number\n');
  process.exit(2);
}
const pgUrl = option('--pg') ?? process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `sluice_bench_${process.pid}`;
const table = 'orders';
const outFile = path.join(benchDir, '.out', 'sql.json');

// Ten columns of the kinds an orders table has: keys, text, exact money, counts, ratios, timestamps, flags.
const CREATE = `
CREATE SCHEMA ${schema};
CREATE TABLE ${schema}.${table} (
  id bigint PRIMARY KEY, customer_id integer NOT NULL, status text NOT NULL, amount numeric(12,2), quantity integer,
  discount double precision, created_at timestamptz NOT NULL, updated_at timestamptz, note text, active boolean
);
INSERT INTO ${schema}.${table}
SELECT g, (g::bigint * 7919) % 100000, (ARRAY['placed','paid','shipped','delivered','returned'])[1 + g % 5],
       round((g % 100000) / 7.0, 2), g % 20, CASE WHEN g % 3 = 0 THEN NULL ELSE (g % 1000) / 1000.0 END,
       timestamptz '2020-01-01 00:00:00+00' + g * interval '37 seconds',
       CASE WHEN g % 4 = 0 THEN NULL ELSE timestamptz '2021-01-01 00:00:00+00' + g * interval '41 seconds' END,
       CASE WHEN g % 10 = 0 THEN 'gift, "wrapped"' WHEN g % 10 = 1 THEN NULL ELSE 'note ' || g END,
       g % 2 = 0
FROM generate_series(1, ${rows}) g;
ANALYZE ${schema}.${table};`;

async function main() {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-sql-'));
  try {
    process.stderr.write(`creating ${count(rows)} rows in ${schema}.${table} ...\n`);
    await admin.query(CREATE);

    // Baseline: psql's \copy to CSV, then DuckDB's read_csv.
    const csv = path.join(work, `${table}.csv`);
    const started = performance.now();
    const copy = spawnSync('psql', [pgUrl, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (SELECT * FROM ${schema}.${table}) TO '${csv}' WITH (FORMAT csv, HEADER)`], { encoding: 'utf8' });
    const copySeconds = (performance.now() - started) / 1000;
    if (copy.status !== 0) fail(`psql \\copy failed: ${copy.stderr}`);
    const read = await measure([path.join(benchDir, 'duckdb-read-csv.mjs'), csv, path.join(work, 'baseline.duckdb'), table], { cwd: work });
    if (read.code !== 0) fail(`read_csv failed: ${read.stderr}`);
    const baseline = JSON.parse(read.stdout);
    const baselineSeconds = copySeconds + read.seconds;

    // Sluice: the sqlDatabase source through the CLI.
    const dir = makeBenchProject(
      `import { sqlDatabase } from 'sluice';
export default sqlDatabase({ name: 'bench', credentials: '\${secrets.BENCH_PG_URL}', schema: ${JSON.stringify(schema)}, tables: [${JSON.stringify(table)}] });
`,
      {},
    );
    fs.writeFileSync(path.join(dir, '.env'), `BENCH_PG_URL=${pgUrl}\n`);
    const sluice = await runSluice(dir, { tolerateFailure: true });
    fs.rmSync(dir, { recursive: true, force: true });
    if (sluice.error) fail(sluice.error);

    const ours = sluice.tables[table];
    if (ours?.rows !== rows || baseline.rows !== rows) fail(`row counts differ: Sluice ${ours?.rows}, baseline ${baseline.rows}, expected ${rows}`);
    const dataColumns = ours.columns.filter((c) => !c.startsWith('_sluice_')).sort().join(', ');
    if (dataColumns !== [...baseline.columns].sort().join(', ')) fail(`columns differ: Sluice (${dataColumns}), baseline (${baseline.columns.join(', ')})`);

    const ratio = sluice.seconds / baselineSeconds;
    printTable(
      ['side', 'rows', 's', 'rows/s', 'peak RSS MB'],
      [
        ['psql \\copy + DuckDB read_csv', count(rows), `${secs(baselineSeconds)} (${secs(copySeconds)} + ${secs(read.seconds)})`, count(rows / baselineSeconds), `${mb(read.peakRssBytes)} (DuckDB)`],
        ['Sluice sqlDatabase', count(rows), secs(sluice.seconds), count(rows / sluice.seconds), mb(sluice.peakRssBytes)],
      ],
      `PostgreSQL table of ${count(rows)} rows x 10 columns into DuckDB (load average ${os.loadavg()[0].toFixed(2)})`,
    );
    process.stdout.write(`\nratio Sluice / baseline: ${ratio.toFixed(2)} (target <= 1.5); Sluice peak RSS ${mb(sluice.peakRssBytes)} MB (target <= 500)\n`);
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, JSON.stringify({
      rows, loadAverage: os.loadavg()[0],
      baseline: { seconds: baselineSeconds, copySeconds, readCsvSeconds: read.seconds, readCsvCpuSeconds: read.cpuSeconds, readCsvPeakRssBytes: read.peakRssBytes },
      sluice: { seconds: sluice.seconds, peakRssBytes: sluice.peakRssBytes, cpuSeconds: sluice.cpuSeconds, loadSeconds: sluice.loadSeconds },
      ratio,
    }, null, 2));
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench:sql: ${err instanceof Stop ? err.message : err?.stack ?? err}\n`);
  process.exitCode = 1;
}
