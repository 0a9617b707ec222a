#!/usr/bin/env node
// End-to-end test of the Sluice extension in a real VS Code (code-server) driven through Chromium.
//
//   npm run test:e2e [-- --runs N] [--keep] [--vsix file.vsix]
//
// Installs code-server and Chromium if needed (scripts/e2e/setup.sh, cached outside the repository), packages
// the VSIX, then for each run: a fresh code-server with the VSIX installed opens a temporary copy of
// examples/demo, waits for the extension to activate, runs "Run Source to DuckDB" on sources/shop.ts from the
// explorer's context menu, waits for the result notification and checks the warehouse file has the rows;
// then hovers a model column and reads its upstream columns, opens the lineage panel beside the editor in a
// 1280 px window (every node in view, time to first paint, search, zoom) and clicks a node, and
// switches a resource off and on in the Sources view; finally applies prod from the CLI, adds a column to a
// model in the editor, sees the plan panel follow an unsaved edit and its undo, and applies the panel's
// non-breaking change to dev, whose summary stays (test/e2e/planSteps.mjs); checks the Warehouse view (user
// schemas first, an "internal" group collapsed), the Schemas view (a source's tables), the Environments view,
// a run result's Show Tables and a table preview (test/e2e/viewSteps.mjs); runs Preview on a model and
// exports its rows as CSV (test/e2e/previewSteps.mjs); and renames a model with F2,
// which must change every file naming it, then back (test/e2e/renameSteps.mjs).
// Screenshots of every step go to test/e2e/artifacts/run-N/. Exit code 0 only if every run passed.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { CodeServer } from './codeServer.mjs';
import { lineagePanelSteps } from './lineageSteps.mjs';
import { planPanelSteps } from './planSteps.mjs';
import { previewSteps } from './previewSteps.mjs';
import { renameSteps } from './renameSteps.mjs';
import { viewSteps } from './viewSteps.mjs';
import { openBrowser, Workbench } from './workbench.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const args = parseArgs(process.argv.slice(2));
const runs = Number(args.runs ?? 1);
const cacheDir = process.env.SLUICE_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'sluice-e2e');
const artifacts = path.join(here, 'artifacts');
const RUN_TIMEOUT_MS = 240_000;
const ACTIVATION_TARGET_MS = 300;
const LINEAGE_FIRST_PAINT_TARGET_MS = 1000;
const SLOW_SOURCE = 'e2e_slow';

const started = Date.now();
const log = (message) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}`);

step('setup', () => sh('bash', [path.join(root, 'scripts', 'e2e', 'setup.sh'), cacheDir]));
const codeServerBin = path.join(cacheDir, 'node_modules', '.bin', 'code-server');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-e2e-'));
const vsix = args.vsix ? path.resolve(args.vsix) : path.join(tmp, 'sluice-e2e.vsix');
if (!args.vsix) step('package', () => sh(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--out', vsix]));

fs.rmSync(artifacts, { recursive: true, force: true });
const results = [];
for (let n = 1; n <= runs; n++) {
  const t0 = Date.now();
  try {
    const outcome = await withTimeout(runOnce(n), RUN_TIMEOUT_MS, `run ${n}`);
    results.push({ n, ok: true, ms: Date.now() - t0, ...outcome });
    log(`run ${n} passed in ${((Date.now() - t0) / 1000).toFixed(1)} s; activation ${outcome.activationMs} ms (activate() ${outcome.activateCallMs} ms), server ready ${outcome.serverReadyMs} ms`);
    log(`run ${n}: Preview of daily_revenue showed ${outcome.gridRows} rows (${outcome.gridEnvironment}; ${outcome.gridTypes}), first ${outcome.gridFirstRow}; its CSV export matched; scrolled a 10M-row result to row ${outcome.gridScrolledTo} with ${outcome.gridRowsBuilt} rows in the page; Cancel stopped a query in ${outcome.gridCancelMs} ms`);
    log(`run ${n}: rename of a model changed ${outcome.renamedFiles} files, and renaming it back restored them`);
    log(`run ${n}: the plan panel showed an unsaved edit ${outcome.planFollowMs} ms after it was typed; apply summary: ${outcome.planApplied}`);
    log(`run ${n} lineage panel (${outcome.lineagePanelWidth} px wide, ${outcome.lineageNodes.count} boxes all in view): ${outcome.lineageFirstPaint}; nodes seen ${outcome.lineageSeenMs} ms after the command was chosen`);
  } catch (err) {
    results.push({ n, ok: false, ms: Date.now() - t0, error: err instanceof Error ? err.message : String(err) });
    log(`run ${n} FAILED: ${err instanceof Error ? err.stack : err}`);
  }
}
if (!args.keep) fs.rmSync(tmp, { recursive: true, force: true });

const passed = results.filter((r) => r.ok);
for (const r of passed) {
  if (r.activationMs > ACTIVATION_TARGET_MS) log(`warning: run ${r.n} activation took ${r.activationMs} ms (target ${ACTIVATION_TARGET_MS} ms)`);
  if (r.lineageFirstPaintMs > LINEAGE_FIRST_PAINT_TARGET_MS) log(`warning: run ${r.n} lineage first paint took ${r.lineageFirstPaintMs} ms (target ${LINEAGE_FIRST_PAINT_TARGET_MS} ms)`);
}
console.log(`${passed.length} of ${results.length} runs passed; screenshots in ${path.relative(process.cwd(), artifacts)}`);
if (passed.length > 0) {
  const activation = passed.map((r) => r.activationMs);
  console.log(`activation: ${activation.join(', ')} ms (max ${Math.max(...activation)} ms, target ${ACTIVATION_TARGET_MS} ms)`);
  const paint = passed.map((r) => r.lineageFirstPaintMs);
  console.log(`lineage first paint: ${paint.join(', ')} ms after the panel opened (max ${Math.max(...paint)} ms, target ${LINEAGE_FIRST_PAINT_TARGET_MS} ms)`);
}
process.exit(passed.length === results.length && results.length > 0 ? 0 : 1);

async function runOnce(n) {
  const runDir = fs.mkdtempSync(path.join(tmp, `run-${n}-`));
  const shots = path.join(artifacts, `run-${n}`);
  fs.mkdirSync(shots, { recursive: true });
  const workspace = path.join(runDir, 'demo');
  copyDemo(path.join(root, 'examples', 'demo'), workspace);
  // No preview row limit, for the long result of the preview steps. Written before the editor starts: a
  // settings file written while it runs reaches the extension only once the editor's file watcher sees it.
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'sluice.preview.rowLimit': 0 }, null, 2));

  const server = new CodeServer(codeServerBin, runDir);
  let browser;
  let workbench;
  let shot = 0;
  const snap = async (name) => workbench.screenshot(path.join(shots, `${String(++shot).padStart(2, '0')}-${name}.png`));
  try {
    server.installExtension(vsix);
    const url = await server.start(workspace);
    browser = await openBrowser(path.join(runDir, 'chromium-profile'));
    workbench = new Workbench(browser.page);

    await workbench.open(url, workspace);
    await workbench.explorerRow('sluice.yaml').waitFor({ state: 'visible', timeout: 60_000 });
    await snap('workbench');

    // Activated, server up and the project read: the status bar shows project, environment and warehouse.
    await workbench.statusItem('demo · dev · warehouse.duckdb').waitFor({ state: 'visible', timeout: 60_000 });
    await snap('activated');

    // The entry is offered on source modules only.
    if (await workbench.explorerContextOffers('sluice.yaml', 'Run Source to DuckDB')) {
      throw new Error('the context menu of sluice.yaml offers "Run Source to DuckDB"');
    }
    await workbench.expandFolder('sources', 'shop.ts');
    await workbench.explorerContextCommand('shop.ts', 'Run Source to DuckDB', { beforeClick: () => snap('context-menu') });

    const message = await workbench.notification('Sluice: loaded shop');
    await snap('loaded');
    if (!/rows per table: customers 25, orders 40, orders__items \d+/.test(message)) {
      throw new Error(`unexpected result message: ${message}`);
    }

    // A source that never ends: the progress notification shows rows and rows/s, and its Cancel button stops it.
    await workbench.explorerContextCommand(`${SLOW_SOURCE}.ts`, 'Run Source to DuckDB');
    const progress = await workbench.notification(/ticks [\d,]+ rows \([\d,]+ rows\/s\)/);
    await snap('progress');
    await workbench.clickNotificationButton(`Sluice: running ${SLOW_SOURCE}.ts`, 'Cancel');
    const cancelled = await workbench.notification(`ingest of ${SLOW_SOURCE} cancelled`);
    await snap('cancelled');
    if (!/nothing was loaded/.test(cancelled)) throw new Error(`unexpected cancel message: ${cancelled}`);

    const counts = await warehouseCounts(path.join(workspace, 'warehouse.duckdb'), 'shop');
    if (counts.customers !== 25 || counts.orders !== 40 || !(counts.orders__items > 0)) {
      throw new Error(`unexpected warehouse contents: ${JSON.stringify(counts)}`);
    }
    const slowTables = await warehouseCounts(path.join(workspace, 'warehouse.duckdb'), SLOW_SOURCE);
    if (Object.keys(slowTables).length > 0) throw new Error(`the cancelled run loaded ${JSON.stringify(slowTables)}`);

    const editor = await editorFeatures(workbench, server, workspace, snap);
    const plan = await planPanelSteps({ workbench, workspace, root, snap });
    const views = await viewSteps({ workbench, snap });
    const preview = await previewSteps({ workbench, workspace, snap });
    const rename = await renameSteps({ workbench, workspace, snap });
    const timings = await activationTimings(server);
    return { message, progress, counts, ...editor, ...plan, ...views, ...preview, ...rename, ...timings };
  } catch (err) {
    if (workbench) await snap('failure').catch(() => undefined);
    if (browser) fs.writeFileSync(path.join(shots, 'browser-console.log'), browser.console.join('\n'));
    if (fs.existsSync(server.logFile)) fs.copyFileSync(server.logFile, path.join(shots, 'code-server.log'));
    for (const file of server.findOutputLog('Sluice')) fs.copyFileSync(file, path.join(shots, 'sluice-output.log'));
    throw err;
  } finally {
    await browser?.context.close().catch(() => undefined);
    await server.stop();
  }
}

/**
 * The editor features on the demo's models and sources: a column's upstream chain in its hover, the lineage
 * panel (test/e2e/lineageSteps.mjs; a webview: its nodes are two iframes deep), and the Sources
 * view with a checkbox per resource that switches it in sluice.yaml.
 */
async function editorFeatures(workbench, server, workspace, snap) {
  await workbench.openFromExplorer('models', 'marts', 'daily_revenue.sql');
  // The CodeLens with the inferred schema means the server has analysed the project; the type of the
  // computed revenue comes from DuckDB's binder a moment later, and the editor is told to refresh the lens.
  await workbench.codeLens('4 columns: order_date date, revenue decimal(38,2), order_count bigint').waitFor({ state: 'visible', timeout: 60_000 });
  const hover = await workbench.hoverWord('AS revenue', 'revenue', 'shop.orders.total');
  await snap('hover');
  for (const expected of ['intermediate.orders_enriched.amount', 'staging.orders.amount', 'shop.orders.total', 'resource orders', 'field total']) {
    if (!hover.includes(expected)) throw new Error(`the hover over revenue does not show ${expected}:\n${hover}`);
  }
  if (!(hover.indexOf('intermediate.orders_enriched.amount') < hover.indexOf('staging.orders.amount') && hover.indexOf('staging.orders.amount') < hover.indexOf('shop.orders.total'))) {
    throw new Error(`the hover does not list the upstream columns in order:\n${hover}`);
  }
  await workbench.page.keyboard.press('Escape');
  // Model files get Sluice's own language mode, whatever SQL support the editor has.
  await workbench.languageMode('Sluice SQL').waitFor({ state: 'visible', timeout: 30_000 });

  const lineage = await lineagePanelSteps({ workbench, server, snap });

  await workbench.openViewContainer('Sluice');
  const orders = workbench.treeRow('Sources', 'orders');
  await orders.waitFor({ state: 'visible', timeout: 60_000 });
  for (const resource of ['issues', 'comments', 'contacts', 'customers', 'orders']) {
    const checked = await workbench.treeRow('Sources', resource).locator('.custom-view-tree-node-item-checkbox').getAttribute('aria-checked');
    if (checked !== 'true') throw new Error(`resource ${resource} is not shown as enabled (checkbox ${checked})`);
  }
  await snap('sources');
  await formatDocumentStep(workbench, workspace, snap);
  const config = path.join(workspace, 'sluice.yaml');
  await setCheckbox(orders, false, () => /\n {6}orders: false\n/.test(fs.readFileSync(config, 'utf8')), 'sluice.yaml to say orders: false');
  await snap('sources-toggled');
  await setCheckbox(orders, true, () => /\n {6}orders: true\n/.test(fs.readFileSync(config, 'utf8')), 'sluice.yaml to say orders: true again');
  return { hoverLines: hover.split('\n').length, ...lineage };
}

/**
 * Format Document on a demo model whose first SELECT lists its columns on one line: the server's formatting
 * puts them one per line. The edit is undone, so later steps see the model as it was.
 */
async function formatDocumentStep(workbench, workspace, snap) {
  const original = "SELECT issue_number, 'opened' AS event_type";
  const file = path.join(workspace, 'models', 'intermediate', 'issue_events.sql');
  await workbench.quickOpen('issue_events.sql');
  await workbench.languageMode('Sluice SQL').waitFor({ state: 'visible', timeout: 30_000 });
  await workbench.editorLine(original).waitFor({ state: 'visible', timeout: 10_000 });
  await workbench.runCommand('Format Document');
  await workbench.editorLine("'opened' AS event_type,").waitFor({ state: 'visible', timeout: 30_000 });
  await workbench.editorLine('author_login AS actor_login,').waitFor({ state: 'visible', timeout: 10_000 });
  await snap('formatted');
  await workbench.editorLine('author_login AS actor_login,').click();
  await workbench.page.keyboard.press('Control+Z');
  await workbench.editorLine(original).waitFor({ state: 'visible', timeout: 10_000 });
  await until(() => fs.readFileSync(file, 'utf8').includes(original), `${file} to hold its original query`);
}

/**
 * Clicks a tree row's checkbox until `done` holds (the extension wrote the change). A click that lands while
 * the tree refreshes (it does when sluice.yaml changes) is dropped by the workbench without a trace and the
 * box flips back when the refresh ends, so the box is clicked again whenever it does not show the wanted
 * state; the change sent is a state, not a toggle, so a repeated one is harmless.
 */
async function setCheckbox(row, checked, done, what, timeoutMs = 20_000) {
  const box = row.locator('.custom-view-tree-node-item-checkbox');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await box.getAttribute('aria-checked')) !== String(checked)) await box.click();
    try {
      await until(done, what, 3_000);
      await row.locator(`.custom-view-tree-node-item-checkbox[aria-checked="${checked}"]`).waitFor({ state: 'visible', timeout: 10_000 });
      return;
    } catch {
      // Not written yet: look at the box again.
    }
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until check() holds, looking again every 100 ms, for at most timeoutMs. */
async function until(check, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads the extension's own timing lines from its output channel's log file. */
async function activationTimings(server) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    for (const file of server.findOutputLog('Sluice')) {
      const text = fs.readFileSync(file, 'utf8');
      const activated = /Sluice activated in (\d+) ms \(activate itself: (\d+) ms\)/.exec(text);
      const ready = /language server ready in (\d+) ms/.exec(text);
      if (activated && ready) {
        return { activationMs: Number(activated[1]), activateCallMs: Number(activated[2]), serverReadyMs: Number(ready[1]) };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the Sluice output log has no activation time');
}

/** Rows per table of one schema (a source) in the warehouse, opened read-only. */
async function warehouseCounts(file, schema) {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(
        'SELECT table_name AS t FROM duckdb_tables() WHERE schema_name = $1 ORDER BY 1',
        [schema],
      );
      const counts = {};
      for (const row of reader.getRowObjectsJson()) {
        const exact = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${quote(schema)}.${quote(String(row.t))}`);
        counts[row.t] = exact.getRowObjectsJson()[0].n;
      }
      return counts;
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

function quote(identifier) {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** The demo project without anything a previous run left (warehouse, load packages), plus a source that never ends. */
function copyDemo(from, to) {
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => {
      const name = path.basename(src);
      return name !== '.sluice' && !/\.duckdb(\.wal)?$/.test(name);
    },
  });
  fs.writeFileSync(
    path.join(to, 'sources', `${SLOW_SOURCE}.ts`),
    `// Yields one batch, then waits until it is cancelled.
export default {
  name: '${SLOW_SOURCE}',
  resources: [
    {
      name: 'ticks',
      async *rows() {
        for (let n = 0; n < 6000; n++) yield { n };
        await new Promise((resolve) => setTimeout(resolve, 600_000));
      },
    },
  ],
};
`,
  );
  // The Format Document step needs a model written by hand (the demo's own models are formatted).
  const handwritten = 'models/intermediate/issue_events.sql';
  fs.copyFileSync(path.join(here, '..', 'fixtures', 'handwritten-demo', handwritten), path.join(to, handwritten));
}

function step(name, fn) {
  log(`${name}…`);
  fn();
}

function sh(command, argv) {
  const result = spawnSync(command, argv, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${path.basename(command)} ${argv.map((a) => path.basename(a)).join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms))),
  ]);
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    out[m[1]] = m[1] === 'keep' ? true : (m[2] ?? argv[++i]);
  }
  return out;
}
