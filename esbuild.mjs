// Builds the bundles: the CLI, the public API for sources, the language server and the VS Code extension.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  // Native and runtime-loaded packages stay outside the bundle.
  external: ['@duckdb/node-api', '@duckdb/node-bindings', 'esbuild', 'vscode'],
  logLevel: 'warning',
};
const entries = [
  {
    entryPoints: ['core/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
  // What `require('sluice')` gives a project that installed Sluice (source modules get it without installing).
  { entryPoints: ['core/index.ts'], outfile: 'dist/index.js' },
  // The language server, started by the extension (node IPC) or by any LSP client with --stdio.
  { entryPoints: ['server/main.ts'], outfile: 'dist/server.js' },
  // The VS Code extension: it only talks to the server. Minified because its load time is activation time.
  { entryPoints: ['client/extension.ts'], outfile: 'dist/extension.js', minify: true },
  // The lineage layout (ELK), run by the extension in a worker thread while the panel's page loads. Not
  // minified: V8 needs about 150 ms more to load and first run ELK's minified form.
  { entryPoints: ['client/lineage/layoutWorker.ts'], outfile: 'dist/lineageLayout.js', sourcemap: false },
  // The webview scripts: the lineage panel's (it only draws, zooms and searches, so it is small and starts at
  // once; ELK is not in it), the result grid's and the table profile's. They run in a browser and are written
  // under media/ because the VSIX carries media/ as it is; media/.gitignore keeps the build output out of git.
  ...['lineage', 'grid', 'profile'].map((name) => ({
    entryPoints: [`client/webview/${name}.ts`],
    outfile: `media/dist/${name}.js`,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    external: [],
    minify: true,
    sourcemap: false,
  })),
];
for (const entry of entries) {
  const options = { ...common, ...entry };
  if (watch) await (await esbuild.context(options)).watch();
  else await esbuild.build(options);
}
