// Compiles a source module and the local files it imports into one CommonJS script, in memory.
// npm packages stay external: they are required at run time from the source's own project.

import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { SluiceError } from '../../errors';
import { displayPath } from './origin';

export interface Bundle {
  code: string;
  /** The source map as JSON text; its relative paths start from mapDir. */
  map: string;
  mapDir: string;
}

/** Identifier the bundle reads import.meta.url from (esbuild leaves it empty in CommonJS). */
export const IMPORT_META_URL = '__sluice_import_meta_url';

export async function bundleSource(file: string): Promise<Bundle> {
  const dir = path.dirname(file);
  // Never written: write is false. It only names the outputs and anchors the map's relative paths.
  const outfile = path.join(dir, '.sluice-bundle.js');
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      entryPoints: [file],
      absWorkingDir: dir,
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      packages: 'external',
      write: false,
      sourcemap: 'external',
      sourcesContent: false,
      keepNames: true,
      logLevel: 'silent',
      define: { 'import.meta.url': IMPORT_META_URL },
    });
  } catch (err) {
    throw buildError(err, file, dir);
  }
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
  if (!js || !map) throw new SluiceError(`${displayPath(file, file)}: compiling produced no output`);
  return { code: js.text, map: map.text, mapDir: dir };
}

/** esbuild's failure as one line: "sources/x.ts:3:14: Expected ";" but found "y"". */
function buildError(err: unknown, file: string, dir: string): SluiceError {
  const failure = err as Partial<esbuild.BuildFailure>;
  const first = failure.errors?.[0];
  if (!first) return new SluiceError(`${displayPath(file, file)}: cannot compile: ${String((err as Error)?.message ?? err)}`);
  const loc = first.location;
  const where = loc
    ? `${displayPath(path.resolve(dir, loc.file), file)}:${loc.line}:${loc.column + 1}`
    : displayPath(file, file);
  const more = failure.errors!.length > 1 ? ` (and ${failure.errors!.length - 1} more errors)` : '';
  return new SluiceError(`${where}: ${first.text}${more}`);
}
