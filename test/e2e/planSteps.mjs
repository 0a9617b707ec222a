// The plan panel end to end: prod applied from the CLI, a non-breaking edit of a model saved in the editor,
// "Sluice: Show Plan" on dev showing the change with its category; then, without a click, the panel
// following an unsaved edit of the model (recomputing, then the new breaking change) and its undo (back to
// the saved change); Apply from the panel, the re-plan saying there is nothing left to do under a summary
// of what the apply did that stays, and the dev view in the warehouse catalog having the new column.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';

const run = promisify(execFile);
const MODEL = 'analytics.daily_revenue';
const MODEL_FILE = path.join('models', 'marts', 'daily_revenue.sql');
const EDITED_LINE = 'AS customer_count';
const ADDED = ', 1 AS one';
const ENVIRONMENT = 'dev';
const FILTER_LINE = "WHERE status IN ('placed', 'shipped')";
const FILTER_ADDED = ' AND amount > 0';

export async function planPanelSteps({ workbench, workspace, root, snap }) {
  // The models read every source of the demo, so all of them are loaded before prod is applied.
  const cli = path.join(root, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: build the project first`);
  for (const source of ['github', 'legacy_crm']) await sluice(cli, ['ingest', source, '--project', workspace]);
  await sluice(cli, ['apply', 'prod', '--project', workspace]);
  const warehouse = path.join(workspace, 'warehouse.duckdb');
  const prodColumns = await viewColumns(warehouse, 'analytics', 'daily_revenue');
  if (prodColumns.includes('one')) throw new Error(`prod already has column one: ${prodColumns.join(', ')}`);

  // A projection added at the end of the select list: a non-breaking change.
  await workbench.quickOpen(path.basename(MODEL_FILE));
  await workbench.typeAtLineEnd(EDITED_LINE, ADDED);
  await workbench.save();
  const file = path.join(workspace, MODEL_FILE);
  await until(() => fs.readFileSync(file, 'utf8').includes(`${EDITED_LINE}${ADDED}\n`), `${MODEL_FILE} to be saved with "${ADDED}"`);

  await workbench.runCommand('Sluice: Show Plan');
  const panel = await workbench.webviewWith('#apply');
  const title = panel.locator('#title', { hasText: /^Plan for / });
  await title.waitFor({ state: 'visible', timeout: 60_000 });
  // The panel starts on the default environment (dev in a fresh workspace); switching avoids prod's modal.
  if (!(await title.innerText()).startsWith(`Plan for ${ENVIRONMENT} `)) {
    await panel.locator('#environment').click();
    await workbench.pickQuickItem(ENVIRONMENT);
  }
  await panel.locator('#title', { hasText: `Plan for ${ENVIRONMENT} · demo` }).waitFor({ state: 'visible', timeout: 30_000 });
  const change = panel.locator(`.change[data-model="${MODEL}"]`);
  await change.locator('.category', { hasText: 'non-breaking' }).waitFor({ state: 'visible', timeout: 60_000 });
  if ((await change.getAttribute('data-category')) !== 'non_breaking') throw new Error(`${MODEL} is not non_breaking`);
  const changeText = await change.innerText();
  for (const expected of ['directly modified', 'columns: +one', `+  count(DISTINCT customer_id) AS customer_count${ADDED}`]) {
    if (!changeText.includes(expected)) throw new Error(`the plan's change of ${MODEL} lacks "${expected}":\n${changeText}`);
  }
  const models = await panel.locator('.change').evaluateAll((boxes) => boxes.map((b) => b.dataset.model));
  if (models.join() !== MODEL) throw new Error(`the plan lists changes of ${models.join(', ')}, expected only ${MODEL}`);
  const status = panel.locator('#status');
  await status.filter({ hasText: `1 change compared with prod.` }).waitFor({ state: 'visible', timeout: 10_000 });
  await snap('plan');

  // An unsaved edit in the editor: the panel says it is recomputing, then shows the new change by itself.
  await workbench.focusFirstEditorGroup();
  const recomputing = status.filter({ hasText: 'Recomputing…' }).waitFor({ state: 'visible', timeout: 30_000 });
  await workbench.typeAtLineEnd(FILTER_LINE, FILTER_ADDED);
  const typed = Date.now();
  await recomputing;
  await change.locator('.category', { hasText: /^breaking$/ }).waitFor({ state: 'visible', timeout: 30_000 });
  const followMs = Date.now() - typed;
  const edited = await change.innerText();
  for (const expected of ['the query changed outside its select list', `+${FILTER_LINE}${FILTER_ADDED}`]) {
    if (!edited.includes(expected)) throw new Error(`after the edit the plan's change of ${MODEL} lacks "${expected}":\n${edited}`);
  }
  if (fs.readFileSync(file, 'utf8').includes(FILTER_ADDED)) throw new Error('the edit was saved; the panel should have followed the unsaved text');
  await snap('plan-followed-edit');

  // Undo: back to the saved text, and the panel back to the saved change.
  await workbench.undoUntilSaved();
  await change.locator('.category', { hasText: 'non-breaking' }).waitFor({ state: 'visible', timeout: 30_000 });
  await status.filter({ hasText: `1 change compared with prod.` }).waitFor({ state: 'visible', timeout: 10_000 });
  const undone = await change.innerText();
  if (undone.includes(FILTER_ADDED)) throw new Error(`after the undo the plan still shows the edit:\n${undone}`);
  await snap('plan-followed-undo');

  const apply = panel.locator('#apply:not([disabled])', { hasText: `Apply to ${ENVIRONMENT}` });
  await apply.waitFor({ state: 'visible', timeout: 30_000 });
  await apply.click();
  // What the apply did stays above the plan that is read again afterwards.
  await status.filter({ hasText: `No changes: ${ENVIRONMENT} is up to date.` }).waitFor({ state: 'visible', timeout: 90_000 });
  const summary = panel.locator('#applied');
  const applied = await appliedSummary(summary);
  if ((await panel.locator('.change').count()) !== 0) throw new Error('the plan after the apply still lists changes');
  if (!(await panel.locator('#apply').isDisabled())) throw new Error('Apply is enabled on an empty plan');
  await snap('plan-applied');
  // It is still there once the apply's writes to the warehouse have settled (the panel follows the
  // warehouse too) and after a Refresh.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await panel.locator('#refresh').click();
  await status.filter({ hasText: `No changes: ${ENVIRONMENT} is up to date.` }).waitFor({ state: 'visible', timeout: 30_000 });
  const kept = await summary.innerText();
  if (kept !== applied.text) throw new Error(`the apply summary changed after a refresh:\n${applied.text}\n---\n${kept}`);

  // The rows the summary says the backfill wrote are the rows of the dev table.
  const devRows = await viewRowCount(warehouse, `analytics__${ENVIRONMENT}`, 'daily_revenue');
  if (devRows !== applied.rows) throw new Error(`the summary says ${applied.rows} rows were backfilled; analytics__${ENVIRONMENT}.daily_revenue has ${devRows}`);
  const devColumns = await viewColumns(warehouse, `analytics__${ENVIRONMENT}`, 'daily_revenue');
  if (!devColumns.includes('one')) throw new Error(`view analytics__${ENVIRONMENT}.daily_revenue has no column one: ${devColumns.join(', ')}`);
  const prodAfter = await viewColumns(warehouse, 'analytics', 'daily_revenue');
  if (prodAfter.includes('one')) throw new Error('applying dev changed prod\'s analytics.daily_revenue');
  return { planDevColumns: devColumns, planFollowMs: followMs, planApplied: applied.text.split('\n').join(' | ') };
}

/** The apply summary of the panel, checked line by line; returns its text. */
async function appliedSummary(summary) {
  await summary.locator('.applied-head', { hasText: `Applied to ${ENVIRONMENT} at ` }).waitFor({ state: 'visible', timeout: 10_000 });
  const text = (await summary.innerText()).trim();
  const expected = [
    new RegExp(`^Applied to ${ENVIRONMENT} at .+ in \\d+(\\.\\d)? m?s$`, 'm'),
    new RegExp(`^Built 1 model: ${MODEL.replace('.', '\\.')}\\.$`, 'm'),
    /^Reused 11 models as they were\.$/m,
    new RegExp(`^Backfilled ${MODEL.replace('.', '\\.')}: 2024-01-01 \\.\\. \\d{4}-\\d\\d-\\d\\d \\([\\d,]+ rows?\\)\\.$`, 'm'),
    /^Audits: (\d+) run, \1 passed, 0 failed\.$/m,
  ];
  for (const pattern of expected) if (!pattern.test(text)) throw new Error(`the apply summary lacks ${pattern}:\n${text}`);
  const rows = Number(/\(([\d,]+) rows?\)/.exec(text)[1].replace(/,/g, ''));
  return { text, rows };
}

async function sluice(cli, argv) {
  try {
    await run(process.execPath, [cli, ...argv], { timeout: 60_000 });
  } catch (err) {
    throw new Error(`sluice ${argv.join(' ')} failed: ${err.stderr || err.message}`);
  }
}

/**
 * The columns of a view in the warehouse, opened read-only. The language server may hold the file for a
 * moment (its background plans), so a lock error is retried until the file is free.
 */
async function viewColumns(file, schema, view) {
  const instance = await withLockRetry(() => DuckDBInstance.create(file, { access_mode: 'READ_ONLY' }));
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(
        'SELECT c.column_name AS name FROM information_schema.columns c JOIN duckdb_views() v ON v.schema_name = c.table_schema AND v.view_name = c.table_name WHERE c.table_schema = $1 AND c.table_name = $2 ORDER BY c.ordinal_position',
        [schema, view],
      );
      return reader.getRowObjectsJson().map((r) => String(r.name));
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** The number of rows a view shows, the warehouse opened read-only. */
async function viewRowCount(file, schema, view) {
  const instance = await withLockRetry(() => DuckDBInstance.create(file, { access_mode: 'READ_ONLY' }));
  try {
    const connection = await instance.connect();
    try {
      const quote = (name) => `"${name.replace(/"/g, '""')}"`;
      const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${quote(schema)}.${quote(view)}`);
      return reader.getRowObjectsJson()[0].n;
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

async function withLockRetry(open, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await open();
    } catch (err) {
      if (!/lock/i.test(String(err?.message ?? err)) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Waits until check() holds, looking again every 100 ms. */
async function until(check, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
