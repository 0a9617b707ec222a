// `npm run bench:merge`: what a merge (delete-insert) load costs next to an append load of the same records.
//
// Two temporary projects ingest the same N GitHub-issue-shaped records (a root table of about thirty
// columns, `labels` and `assignees` child tables) through the real CLI, `node dist/cli.js ingest issues
// --project DIR --json`: one with writeDisposition append, one with merge on primary key `id`. Each
// project runs twice: into an empty warehouse, then into the warehouse holding the first run, so that the
// second merge matches every key it loads (the usual case for a merge). Unless --optional-keys is given,
// every item has the same keys, so the parts are full-sized and the figures show the cost of the load's
// SQL, not of part files.
// It prints seconds per run (whole process, and the load left once the source has finished) and the
// merge/append ratio of each pair. A benchmark prints; it does not judge.
//
// Options: --records 1000000   records per run (default 1,000,000)
//          --optional-keys     closed issues alone have `closed_at`: items then differ in their keys, as
//                              real API items do, which splits the package into many small parts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { measure } from './ingest-common.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(benchDir, '..', 'dist', 'cli.js');

/** The temporary project directories, removed however the benchmark ends. */
const projects = [];

function fail(message) {
  process.stderr.write(`bench:merge: ${message}\n`);
  removeProjects();
  process.exit(1);
}

function removeProjects() {
  for (const dir of projects.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

function parseRecords(argv) {
  const at = argv.indexOf('--records');
  const text = at >= 0 ? argv[at + 1] : '1000000';
  const n = Number(String(text ?? '').replaceAll('_', ''));
  if (!Number.isInteger(n) || n <= 0) fail(`--records expects a positive whole number, got "${text}"`);
  return n;
}

// The generator goes into the source file as text: the project is self-contained and every run of it
// yields the same records.
const SOURCE = `
const STATES = ['open', 'closed'];
const ASSOCIATIONS = ['OWNER', 'MEMBER', 'CONTRIBUTOR', 'NONE'];
const AREAS = ['parser', 'planner', 'storage', 'cli', 'docs', 'network', 'ui', 'build'];
const BASE_MS = Date.UTC(2023, 0, 1);
const OPTIONAL_KEYS = false;

function person(k: number) {
  return { login: 'user' + k, id: 100000 + k, node_id: 'MDQ6VXNlcj' + k, type: k % 50 === 0 ? 'Bot' : 'User', site_admin: k % 1000 === 0 };
}

// About thirty root columns once flattened, two or three labels and one or two assignees per record.
function issue(i: number) {
  const n = i + 1;
  const created = BASE_MS + n * 61000;
  const area = AREAS[n % AREAS.length];
  const url = 'https://api.github.com/repos/acme/widgets/issues/' + n;
  const labels = [
    { id: 1, name: 'bug', color: 'd73a4a', default: true },
    { id: 10 + (n % AREAS.length), name: 'area: ' + area, color: 'c5def5', default: false },
  ];
  if (n % 3 === 0) labels.push({ id: 100, name: 'needs triage', color: 'ededed', default: false });
  const assignees = [person(n % 9973)];
  if (n % 2 === 0) assignees.push(person((n * 7) % 9973));
  return {
    id: 2000000000 + n,
    node_id: 'I_kwDOA' + n.toString(36),
    number: n,
    title: 'Crash in ' + area + ' when input ' + n + ' is empty',
    state: STATES[n % 7 === 0 ? 1 : 0],
    state_reason: n % 7 === 0 ? 'completed' : 'reopened',
    locked: n % 13 === 0,
    comments: n % 31,
    score: (n % 1000) / 8,
    draft: n % 17 === 0,
    author_association: ASSOCIATIONS[n % ASSOCIATIONS.length],
    created_at: new Date(created).toISOString(),
    updated_at: new Date(created + (n % 5000) * 1000).toISOString(),
    ...(OPTIONAL_KEYS && n % 7 !== 0 ? {} : { closed_at: new Date(created + (n % 9000) * 1000).toISOString() }),
    url,
    html_url: 'https://github.com/acme/widgets/issues/' + n,
    repository_url: 'https://api.github.com/repos/acme/widgets',
    body: 'Steps: run "' + area + ' --check" on file_' + n + '.txt, then retry; expected exit 0, got ' + (n % 3) + '.',
    user: person(n % 9973),
    milestone: { id: 500 + (n % 12), number: 1 + (n % 12), title: 'v1.' + (n % 12), state: n % 12 < 9 ? 'closed' : 'open' },
    reactions: { total_count: n % 9, plus1: n % 5, minus1: n % 2, laugh: n % 3, heart: n % 4 },
    labels,
    assignees,
  };
}

export default {
  name: 'issues',
  resources: [{
    name: 'issues',
    primaryKey: 'id',
    *rows(ctx: { config: Record<string, unknown> }) {
      const records = Number(ctx.config.records);
      for (let i = 0; i < records; i++) yield issue(i);
    },
  }],
};
`;

function makeProject(n, disposition, optionalKeys) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sluice-bench-${disposition}-`));
  projects.push(dir);
  fs.writeFileSync(
    path.join(dir, 'sluice.yaml'),
    `name: bench\nwarehouse: warehouse.duckdb\nsources:\n  issues:\n    config:\n      records: ${n}\n`,
  );
  fs.mkdirSync(path.join(dir, 'sources'));
  const source = SOURCE.replace(`primaryKey: 'id',`, `primaryKey: 'id',\n    writeDisposition: '${disposition}',`).replace(
    'const OPTIONAL_KEYS = false;',
    `const OPTIONAL_KEYS = ${optionalKeys};`,
  );
  fs.writeFileSync(path.join(dir, 'sources', 'issues.ts'), source);
  return dir;
}

/** Runs one ingest; resolves with its wall-clock seconds, the load's share after extraction, and the CLI's JSON. */
async function ingest(dir) {
  const loadStart = 'stage: load ';
  const loadEnd = 'stage: loaded';
  const run = await measure([cli, 'ingest', 'issues', '--project', dir, '--json'], { cwd: dir, env: { SLUICE_DEBUG: '1' }, markers: [loadStart, loadEnd] });
  let result;
  try {
    result = JSON.parse(run.stdout);
  } catch {
    fail(`the CLI did not print one JSON object (exit ${run.code}):\n${run.stderr}`);
  }
  if (run.code !== 0 || result.status !== 'loaded') fail(`sluice ingest failed (exit ${run.code}): ${result.error ?? run.stderr}`);
  const seen = run.markers;
  const loadSeconds = seen[loadEnd] !== undefined && seen[loadStart] !== undefined ? seen[loadEnd] - seen[loadStart] : null;
  return { seconds: run.seconds, loadSeconds, tables: Object.fromEntries(Object.entries(result.tables).map(([t, v]) => [t, v.rows])) };
}

/** Rows per table in the project's warehouse, so that both projects are seen to hold what they should. */
async function tableCounts(dir) {
  const instance = await DuckDBInstance.create(path.join(dir, 'warehouse.duckdb'), { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    const names = (await connection.runAndReadAll(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'issues' ORDER BY 1`))
      .getRowObjects()
      .map((r) => r.table_name);
    const counts = {};
    for (const name of names) {
      const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM "issues"."${name.replaceAll('"', '""')}"`);
      counts[name] = Number(reader.getRowObjects()[0].n);
    }
    connection.closeSync();
    return counts;
  } finally {
    instance.closeSync();
  }
}

const secs = (s) => (s === null ? 'n/a' : s.toFixed(2));

async function main() {
  const argv = process.argv.slice(2);
  const n = parseRecords(argv);
  const optionalKeys = argv.includes('--optional-keys');
  if (!fs.existsSync(cli)) fail('dist/cli.js is missing: run npm run build first');
  process.stderr.write(`load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs\n`);
  const dirs = { append: makeProject(n, 'append', optionalKeys), merge: makeProject(n, 'merge', optionalKeys) };
  const runs = [];
  try {
    for (const warehouse of ['empty', 'same keys']) {
      const pair = { warehouse };
      // Append and merge run back to back, so that both see about the same load on a shared machine.
      for (const disposition of ['append', 'merge']) {
        process.stderr.write(`N=${n}: ${disposition} into ${warehouse === 'empty' ? 'an empty warehouse' : 'a warehouse holding the same keys'} ...\n`);
        pair[disposition] = await ingest(dirs[disposition]);
        process.stderr.write(`  ${secs(pair[disposition].seconds)} s (load after extraction ${secs(pair[disposition].loadSeconds)} s)\n`);
      }
      runs.push(pair);
    }
    const counts = { append: await tableCounts(dirs.append), merge: await tableCounts(dirs.merge) };
    for (const [table, rows] of Object.entries(counts.merge)) {
      if (counts.append[table] !== 2 * rows) fail(`table ${table}: merge holds ${rows} rows, append ${counts.append[table]} (expected twice as many)`);
    }
    process.stdout.write(`\nN=${n.toLocaleString('en-US')}; merge tables: ${JSON.stringify(counts.merge)}\n\n`);
    const header = ['warehouse', 'append s', 'merge s', 'ratio', 'append load s', 'merge load s'];
    const rows = runs.map((r) => [
      r.warehouse,
      secs(r.append.seconds),
      secs(r.merge.seconds),
      (r.merge.seconds / r.append.seconds).toFixed(2),
      secs(r.append.loadSeconds),
      secs(r.merge.loadSeconds),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
    process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`);
  } finally {
    removeProjects();
  }
}

await main();
