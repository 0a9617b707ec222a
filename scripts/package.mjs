#!/usr/bin/env node
// Builds a platform-specific VSIX of the Sluice extension.
//
//   npm run package [-- --target <vsce target>] [--out <file.vsix>] [--skip-build] [--list]
//
// The target defaults to linux-x64. The extension needs two native pieces at run time, DuckDB's binding and
// esbuild's binary (sources are compiled when they run), so each VSIX carries those of one platform. The
// script stages the bundles, the manifest and exactly the runtime packages in a temporary folder, lets vsce
// package that folder (filtered by .vscodeignore), then lists the VSIX and checks its contents.
// A platform package that is not installed here (e.g. darwin-arm64 on Linux) is fetched with `npm pack`.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** vsce target → the platform packages of DuckDB and esbuild that it needs. */
const PLATFORMS = {
  'linux-x64': ['linux-x64', 'linux-x64'],
  'linux-arm64': ['linux-arm64', 'linux-arm64'],
  'alpine-x64': ['linux-x64-musl', 'linux-x64'],
  'alpine-arm64': ['linux-arm64-musl', 'linux-arm64'],
  'darwin-x64': ['darwin-x64', 'darwin-x64'],
  'darwin-arm64': ['darwin-arm64', 'darwin-arm64'],
  'win32-x64': ['win32-x64', 'win32-x64'],
  'win32-arm64': ['win32-arm64', 'win32-arm64'],
};

/** A failure with a message for the user (thrown so the staging folder is still removed). */
class PackageError extends Error {}

let target;
let duckdbPlatform;
let esbuildPlatform;
let manifest;

try {
  main(parseArgs(process.argv.slice(2)));
} catch (err) {
  console.error(`package: ${err instanceof PackageError ? err.message : err instanceof Error ? err.stack : err}`);
  process.exitCode = 1;
}

function main(args) {
  target = args.target ?? 'linux-x64';
  if (!PLATFORMS[target]) fail(`no DuckDB binding for target "${target}"; choose one of ${Object.keys(PLATFORMS).join(', ')}`);
  [duckdbPlatform, esbuildPlatform] = PLATFORMS[target];
  manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const out = path.resolve(args.out ?? path.join(root, `${manifest.name}-${manifest.version}-${target}.vsix`));

  if (!args['skip-build']) run(process.execPath, [path.join(root, 'esbuild.mjs')], root, 'build');

  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-vsix-'));
  try {
    stageExtension(stage);
    if (hostTarget() === target) checkRuntime(stage);
    fs.rmSync(out, { force: true });
    run(
      process.execPath,
      [
        path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
        'package', '--target', target, '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links',
      ],
      stage,
      'vsce package',
    );
    const entries = listVsix(out);
    checkVsix(entries);
    if (args.list) for (const e of entries) console.log(`${String(e.size).padStart(10)}  ${e.name}`);
    const size = fs.statSync(out).size;
    console.log(`VSIX ${path.relative(process.cwd(), out) || out}: ${(size / 1024 / 1024).toFixed(1)} MB, ${entries.length} files, target ${target}`);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

function stageExtension(dir) {
  // The manifest as VS Code needs it: no scripts to run, only the dependencies that ship.
  const shipped = {
    ...manifest,
    dependencies: {
      '@duckdb/node-api': manifest.dependencies['@duckdb/node-api'],
      esbuild: manifest.dependencies.esbuild,
    },
  };
  for (const key of ['devDependencies', 'scripts', 'bin', 'types', 'exports']) delete shipped[key];
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(shipped, null, 2) + '\n');
  for (const file of ['README.md', 'LICENSE', '.vscodeignore', 'dist/extension.js', 'dist/server.js', 'dist/lineageLayout.js']) {
    const from = path.join(root, file);
    if (!fs.existsSync(from)) fail(`${file} is missing${file.startsWith('dist/') ? ' (the build did not produce it)' : ''}`);
    copy(from, path.join(dir, file));
  }
  copyTree(path.join(root, 'media'), path.join(dir, 'media'));
  copyTree(path.join(root, 'syntaxes'), path.join(dir, 'syntaxes'));

  const bindings = installed('@duckdb/node-bindings');
  const esbuildVersion = installed('esbuild').version;
  const packages = [
    ['@duckdb/node-api'],
    ['@duckdb/node-bindings'],
    ['detect-libc'],
    // Only the JavaScript API: it runs the binary of @esbuild/<platform>, never its own bin/.
    ['esbuild', (rel) => isRuntimeFile(rel) && (rel === 'package.json' || rel.startsWith('lib/') || /^LICENSE/i.test(rel))],
    [`@duckdb/node-bindings-${duckdbPlatform}`, undefined, bindings.version],
    [`@esbuild/${esbuildPlatform}`, undefined, esbuildVersion],
  ];
  for (const [name, keep, version] of packages) {
    const dest = path.join(dir, 'node_modules', ...name.split('/'));
    const local = packageDir(name);
    const localVersion = local && JSON.parse(fs.readFileSync(path.join(local, 'package.json'), 'utf8')).version;
    const from = local && (!version || localVersion === version) ? local : fetchPackage(name, version);
    copyTree(from, dest, (rel) => (keep ? keep(rel) : isRuntimeFile(rel)));
  }
}

/** Type declarations, source maps and docs are not needed to run; licences are kept. */
function isRuntimeFile(rel) {
  if (/(^|\/)LICEN[CS]E/i.test(rel)) return true;
  return !/\.(d\.ts|map|md|markdown)$/i.test(rel);
}

/** Loads DuckDB and compiles a line of TypeScript from the staged node_modules, as the server will. */
function checkRuntime(dir) {
  const probe = `
    const { DuckDBInstance } = require('@duckdb/node-api');
    const esbuild = require('esbuild');
    (async () => {
      const db = await DuckDBInstance.create(':memory:');
      const connection = await db.connect();
      const rows = (await connection.runAndReadAll('SELECT 40 + 2 AS n')).getRows();
      connection.closeSync(); db.closeSync();
      const js = esbuild.transformSync('const n: number = 1;', { loader: 'ts' }).code;
      if (rows[0][0] !== 42 || !js.includes('const n = 1')) throw new Error('unexpected result');
    })().catch((e) => { console.error(e.message); process.exit(1); });`;
  const result = spawnSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
  if (result.status !== 0) fail(`the staged runtime packages do not load: ${result.stderr || result.stdout}`);
}

function checkVsix(entries) {
  const names = new Set(entries.map((e) => e.name.toLowerCase()));
  const required = [
    'extension/package.json',
    'extension/readme.md',
    'extension/LICENSE.txt',
    'extension/dist/extension.js',
    'extension/dist/server.js',
    'extension/dist/lineageLayout.js',
    'extension/media/icon.png',
    'extension/node_modules/@duckdb/node-api/package.json',
    'extension/node_modules/@duckdb/node-bindings/duckdb.js',
    `extension/node_modules/@duckdb/node-bindings-${duckdbPlatform}/duckdb.node`,
    'extension/node_modules/detect-libc/package.json',
    'extension/node_modules/esbuild/lib/main.js',
    `extension/node_modules/@esbuild/${esbuildPlatform}/${target.startsWith('win32') ? 'esbuild.exe' : 'bin/esbuild'}`,
  ];
  const missing = required.filter((n) => !names.has(n.toLowerCase()));
  if (missing.length > 0) fail(`the VSIX lacks ${missing.join(', ')}`);
  const allowed = [
    /^extension\.vsixmanifest$/,
    /^\[Content_Types\]\.xml$/,
    /^extension\/(package\.json|readme\.md|LICENSE\.txt)$/i,
    /^extension\/dist\/(extension|server|lineageLayout)\.js$/,
    /^extension\/(media|syntaxes)\//,
    /^extension\/node_modules\/(@duckdb\/node-(api|bindings[^/]*)|detect-libc|esbuild|@esbuild\/[^/]+)\//,
  ];
  const extra = entries.map((e) => e.name).filter((n) => !allowed.some((re) => re.test(n)));
  if (extra.length > 0) fail(`the VSIX holds files it should not: ${extra.slice(0, 10).join(', ')}`);
}

/** The entries of a zip file, from `unzip -l` (Info-ZIP's listing). */
function listVsix(file) {
  const text = execFileSync('unzip', ['-l', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const entries = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(line);
    if (m && !m[2].endsWith('/') && m[2] !== 'Name') entries.push({ size: Number(m[1]), name: m[2].trim() });
  }
  return entries;
}

function fetchPackage(name, version) {
  const cache = path.join(process.env.SLUICE_PACKAGE_CACHE ?? path.join(os.homedir(), '.cache', 'sluice-package'), `${name.replace('/', '+')}@${version}`);
  if (!fs.existsSync(path.join(cache, 'package.json'))) {
    console.log(`fetching ${name}@${version} (not installed for this platform)`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-pack-'));
    try {
      run('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', tmp], tmp, `npm pack ${name}@${version}`);
      const tgz = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
      if (!tgz) fail(`npm pack ${name}@${version} produced no archive`);
      fs.mkdirSync(cache, { recursive: true });
      run('tar', ['xzf', path.join(tmp, tgz), '-C', cache, '--strip-components=1'], tmp, 'tar');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return cache;
}

function packageDir(name) {
  const dir = path.join(root, 'node_modules', ...name.split('/'));
  return fs.existsSync(path.join(dir, 'package.json')) ? dir : undefined;
}

function installed(name) {
  const dir = packageDir(name);
  if (!dir) fail(`${name} is not installed; run npm ci`);
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
}

function hostTarget() {
  const arch = process.arch === 'x64' ? 'x64' : process.arch === 'arm64' ? 'arm64' : process.arch;
  if (process.platform === 'linux') {
    const musl = fs.existsSync('/etc/alpine-release');
    return `${musl ? 'alpine' : 'linux'}-${arch}`;
  }
  return `${process.platform}-${arch}`;
}

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  fs.chmodSync(to, fs.statSync(from).mode & 0o777);
}

function copyTree(from, to, keep = () => true, rel = '') {
  for (const entry of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') copyTree(from, to, keep, child);
    } else if (keep(child)) {
      copy(path.join(from, child), path.join(to, child));
    }
  }
}

function run(command, argv, cwd, what) {
  const result = spawnSync(command, argv, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (result.status !== 0) fail(`${what} failed (exit ${result.status ?? result.signal})`);
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) fail(`unexpected argument "${argv[i]}"`);
    if (['skip-build', 'list'].includes(m[1])) out[m[1]] = true;
    else if (['target', 'out'].includes(m[1])) out[m[1]] = m[2] ?? argv[++i];
    else fail(`unknown option --${m[1]}`);
  }
  return out;
}

function fail(message) {
  throw new PackageError(message);
}
