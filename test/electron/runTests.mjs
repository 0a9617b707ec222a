// Runs the desktop VS Code suite (test/electron/suite) with @vscode/test-electron: downloads VS Code (cached
// in .vscode-test/), starts it with the built extension and a temporary copy of examples/demo as the
// workspace, and runs the Mocha tests inside the extension host. Needs network access for the first
// download; without it this stops with one clear line instead of a stack trace.
//
//   npm run test:electron            (builds first)
//   SLUICE_VSCODE_VERSION=1.91.1 npm run test:electron

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const version = process.env.SLUICE_VSCODE_VERSION || 'stable';

function copyDemo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-electron-'));
  fs.cpSync(path.join(root, 'examples', 'demo'), path.join(dir, 'demo'), {
    recursive: true,
    // A fresh project: no warehouse or load packages left by earlier runs.
    filter: (src) => !/[\\/]\.sluice$/.test(src) && !/\.duckdb(\.wal)?$/.test(src),
  });
  return dir;
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) {
    console.error('dist/extension.js is missing: run npm run build first (npm run test:electron does)');
    process.exit(1);
  }
  let executable;
  try {
    executable = await downloadAndUnzipVSCode(version);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    console.error(`could not download VS Code ${version} (${reason}); the desktop suite needs network access the first time, or a cached copy in .vscode-test/`);
    process.exit(2);
  }
  const temp = copyDemo();
  const workspace = path.join(temp, 'demo');
  try {
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'test', 'electron', 'suite', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(temp, 'user-data')],
      extensionTestsEnv: { SLUICE_TEST_WORKSPACE: workspace },
    });
  } catch (err) {
    console.error(`the desktop suite failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

await main();
