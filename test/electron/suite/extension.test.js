// The extension in desktop VS Code, on a copy of examples/demo: activation, commands, running a source into
// the warehouse, and hover through VS Code's own provider API. Waits are on conditions, never fixed sleeps.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const workspace = process.env.SLUICE_TEST_WORKSPACE;
const EXTENSION_ID = 'sluice.sluice';

/** Polls `check` until it returns a truthy value, or fails after timeoutMs with the last error. */
async function until(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Sluice in desktop VS Code', function () {
  before(async () => {
    assert.ok(workspace && fs.existsSync(path.join(workspace, 'sluice.yaml')), 'the demo workspace is open');
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    await extension.activate();
  });

  it('activates in a workspace with sluice.yaml', () => {
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID).isActive, true);
  });

  it('registers its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['sluice.runSource', 'sluice.showLineage', 'sluice.showPlan', 'sluice.refreshModels', 'sluice.showOutput']) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
  });

  it('Run Source to DuckDB loads the shop source into the warehouse', async () => {
    const source = vscode.Uri.file(path.join(workspace, 'sources', 'shop.ts'));
    await vscode.commands.executeCommand('sluice.runSource', source);
    const warehouse = path.join(workspace, 'warehouse.duckdb');
    await until('the warehouse file appears', () => fs.existsSync(warehouse));
    const { DuckDBInstance } = require(path.join(__dirname, '..', '..', '..', 'node_modules', '@duckdb', 'node-api'));
    const rows = await until('shop.orders has rows', async () => {
      const instance = await DuckDBInstance.create(warehouse, { access_mode: 'READ_ONLY' });
      try {
        const connection = await instance.connect();
        const reader = await connection.runAndReadAll('SELECT count(*)::INTEGER AS n FROM shop.orders');
        connection.closeSync();
        const n = reader.getRowObjectsJson()[0].n;
        return n > 0 ? n : 0;
      } finally {
        instance.closeSync();
      }
    });
    assert.ok(rows > 0);
  });

  it('hover on a mart column shows its upstream columns down to the source field', async () => {
    const file = vscode.Uri.file(path.join(workspace, 'models', 'marts', 'daily_revenue.sql'));
    const document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document);
    const offset = document.getText().indexOf('revenue');
    assert.ok(offset >= 0, 'daily_revenue.sql mentions revenue');
    const position = document.positionAt(offset + 1);
    const text = await until('a hover with upstream columns', async () => {
      const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', file, position);
      const markdown = (hovers || []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /shop\.orders/.test(markdown) ? markdown : undefined;
    });
    assert.match(text, /total/);
  });
});
