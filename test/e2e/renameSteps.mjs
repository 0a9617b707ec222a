// Rename end to end: F2 on a model's name in its MODEL block, a new name typed in VS Code's rename box, and
// the server's edit reaching every file that names the model — the models reading it and the unit test
// giving rows for it — once saved. Renamed back the same way, every file is as it was.

import fs from 'node:fs';
import path from 'node:path';

const FILE = path.join('models', 'intermediate', 'orders_enriched.sql');
const OLD = 'intermediate.orders_enriched';
const NEW = 'intermediate.enriched_orders';
/** Every file naming the model, and how often. */
const NAMING = {
  [FILE]: 1,
  [path.join('models', 'marts', 'customer_summary.sql')]: 1,
  [path.join('models', 'marts', 'daily_revenue.sql')]: 1,
  [path.join('tests', 'test_daily_revenue.yaml')]: 1,
};

export async function renameSteps({ workbench, workspace, snap }) {
  const before = Object.fromEntries(Object.keys(NAMING).map((f) => [f, fs.readFileSync(path.join(workspace, f), 'utf8')]));
  for (const [file, count] of Object.entries(NAMING)) {
    if (occurrences(before[file], OLD) !== count) throw new Error(`${file} should name ${OLD} ${count} time(s) before the rename`);
  }

  await renameAt(workbench, workspace, `name ${OLD}`, 'orders_enriched', NEW);
  await snap('renamed');
  await until(workspace, (texts) => Object.entries(NAMING).every(([f, n]) => occurrences(texts[f], NEW) === n && !texts[f].includes(OLD)), `every file to name ${NEW} instead of ${OLD}`);
  const changed = Object.keys(NAMING).length;

  await renameAt(workbench, workspace, `name ${NEW}`, 'enriched_orders', OLD);
  await until(workspace, (texts) => Object.keys(NAMING).every((f) => texts[f] === before[f]), 'every file to be as it was after renaming back');
  return { renamedFiles: changed };
}

/**
 * F2 with the cursor on `word` of the line showing lineText in the model file (put there with Go to Line, which
 * CodeLens appearing above the line cannot move), the new name typed, every change saved.
 */
async function renameAt(workbench, workspace, lineText, word, newName) {
  const lines = fs.readFileSync(path.join(workspace, FILE), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(lineText));
  if (line < 0) throw new Error(`${FILE} has no line with ${lineText}`);
  const column = lines[line].indexOf(word) + 2;
  await workbench.quickOpen(path.basename(FILE));
  await workbench.runCommand('Go to Line/Column');
  await workbench.page.keyboard.type(`${line + 1}:${column}`);
  await workbench.page.keyboard.press('Enter');
  await workbench.page.locator('[id="status.editor.selection"]', { hasText: `Ln ${line + 1}, Col ${column}` }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await workbench.page.keyboard.press('F2');
  const input = workbench.page.locator('.rename-box input, .rename-box textarea').first();
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(newName);
  await workbench.page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 30_000 });
  await workbench.runCommand('File: Save All');
}

async function until(workspace, test, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let texts;
  while (Date.now() < deadline) {
    texts = Object.fromEntries(Object.keys(NAMING).map((f) => [f, fs.readFileSync(path.join(workspace, f), 'utf8')]));
    if (test(texts)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}; files now:\n${Object.entries(texts).map(([f, t]) => `--- ${f}\n${t}`).join('\n')}`);
}

function occurrences(text, needle) {
  return text.split(needle).length - 1;
}
