// What the in-process benchmarks (bench:lineage, bench:plan) share: the engine bundled the way the CLI
// bundles it, and a seeded random generator so that every run builds the same generated project.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the modules `exportsSource` re-exports (paths from the repository root) in memory and loads them. */
export async function loadEngine(exportsSource) {
  const result = await esbuild.build({
    stdin: { contents: exportsSource, resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    external: ['@duckdb/node-api', '@duckdb/node-bindings', 'esbuild'],
    logLevel: 'warning',
  });
  const module = { exports: {} };
  const require = createRequire(path.join(root, 'package.json'));
  new Function('module', 'exports', 'require', result.outputFiles[0].text)(module, module.exports, require);
  return module.exports;
}

/** A small deterministic random generator. */
export function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
