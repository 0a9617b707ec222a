// The demo: runs the example project's sources into a fresh DuckDB warehouse with the built CLI,
// then shows what landed. Run with `npm run demo`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const project = path.join(root, 'examples', 'demo');
const cli = path.join(root, 'dist', 'cli.js');

for (const f of ['warehouse.duckdb', 'warehouse.duckdb.wal']) fs.rmSync(path.join(project, f), { force: true });
fs.rmSync(path.join(project, '.sluice'), { recursive: true, force: true });

/** Starts scripts/demoApi.mjs in a child process (sluice runs synchronously here) and points the helpdesk source at it. */
async function startHelpdeskApi() {
  process.env.HELPDESK_TOKEN ??= 'demo-helpdesk-token';
  const api = spawn(process.execPath, [path.join(root, 'scripts', 'demoApi.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  process.env.HELPDESK_API_URL = await new Promise((resolve, reject) => {
    api.stdout.once('data', (line) => resolve(String(line).replace(/^listening /, '').trim()));
    api.once('exit', (code) => reject(new Error(`demo: the helpdesk API exited with ${code}`)));
  });
  return api;
}

function sluice(...args) {
  process.stdout.write(`\n$ sluice ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: project, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`demo: \`sluice ${args.join(' ')}\` exited with ${result.status}\n`);
    process.exit(result.status ?? 1);
  }
}

sluice('sources');
sluice('ingest', 'github');
sluice('ingest', 'shop');
sluice('ingest', 'legacy_crm');
// helpdesk is a declarative REST source (restApiSource) reading a local API started for the demo.
const helpdeskApi = await startHelpdeskApi();
sluice('ingest', 'helpdesk');
helpdeskApi.kill();
// The shop API has moved on a day: the second run merges updated orders and appends new ones.
sluice('ingest', 'shop');
sluice('schema', 'legacy_crm');
sluice('loads');
process.stdout.write(`\nWarehouse: ${path.relative(process.cwd(), path.join(project, 'warehouse.duckdb'))}\n`);

// Each ingest refreshed external_models.yaml, so the SQL models in models/ can read what was loaded.
sluice('models');
sluice('test');
// Builds every model into prod (audits included) and points prod's views at the new tables.
sluice('apply');
sluice('lineage', 'analytics.daily_revenue.revenue', '--deep');
sluice('lineage', 'github.issues.user__login', '--downstream');
// The stakeholder's question: is this number fresh, which loads fed it, was the model rebuilt, did its audits pass?
sluice('health', 'analytics.daily_revenue.revenue');
// A built table, read through the same CLI (read-only, or from a copy while something else writes).
sluice('query', 'SELECT order_date, revenue, order_count FROM analytics.daily_revenue ORDER BY order_date LIMIT 5');
