// Finds source modules in a project and loads them: compile, evaluate, validate. Macro files load the same way.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SluiceError, describeError } from '../../errors';
import type { SourceDef } from '../types';
import { bundleSource } from './bundle';
import { describeThrown, describeType, isPlainObject } from './describe';
import { evaluateBundle } from './evaluate';
import { SourceOrigin, displayPath, setOrigin } from './origin';
import { SourceConsole, setSourceConsole } from './sourceConsole';
import { SourceMap } from './sourcemap';
import { validateSource } from './validate';

const SOURCE_EXTENSIONS = ['.ts', '.js', '.mjs', '.cjs'];
export const SOURCES_DIR = 'sources';

export interface DiscoveredSource {
  /** The file stem: sources/github.ts is "github". */
  name: string;
  /** Absolute path. */
  file: string;
}

/** Lists <project>/sources/*.{ts,js,mjs,cjs} without running them, sorted by name. */
export async function discoverSources(projectDir: string): Promise<DiscoveredSource[]> {
  const dir = path.resolve(projectDir, SOURCES_DIR);
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SluiceError(`cannot list ${SOURCES_DIR}/: ${describeError(err)}`);
  }
  const found = new Map<string, DiscoveredSource>();
  for (const entry of entries) {
    if (!entry.isFile() || !isSourceFileName(entry.name)) continue;
    const name = entry.name.slice(0, entry.name.length - path.extname(entry.name).length);
    const file = path.join(dir, entry.name);
    const other = found.get(name);
    if (other) {
      throw new SluiceError(
        `two files define source "${name}": ${SOURCES_DIR}/${path.basename(other.file)} and ${SOURCES_DIR}/${entry.name}; keep one`,
      );
    }
    found.set(name, { name, file });
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Project modules (sources, macro files) only: not type declarations, tests or hidden files. */
export function isSourceFileName(fileName: string): boolean {
  if (fileName.startsWith('.') || fileName.endsWith('.d.ts')) return false;
  if (!SOURCE_EXTENSIONS.includes(path.extname(fileName))) return false;
  return !/\.(test|spec)\.[^.]+$/.test(fileName);
}

/** Loads sources/<name>.* of a project. */
export async function loadSourceByName(projectDir: string, name: string): Promise<SourceDef> {
  const sources = await discoverSources(projectDir);
  const match = sources.find((s) => s.name === name);
  if (!match) {
    const known = sources.length ? `found: ${sources.map((s) => s.name).join(', ')}` : `${SOURCES_DIR}/ has no source files`;
    throw new SluiceError(`no source "${name}" in ${SOURCES_DIR}/ (${known})`);
  }
  return loadSource(match.file);
}

/**
 * Compiles and runs a source module and returns its validated default export.
 * Local imports are bundled; npm packages resolve from the module's own directory; 'sluice' is Sluice.
 */
export async function loadSource(file: string): Promise<SourceDef> {
  const { exports: exported, origin, sourceConsole, where } = await loadModule(file, 'source');
  const source = validateSource(defaultExport(exported, where), where);
  setOrigin(source, origin);
  setSourceConsole(source, sourceConsole);
  return source;
}

export interface LoadedModule {
  exports: unknown;
  /** Maps the module's stack frames back to its files: "macros/utils.ts:12:5". */
  origin: SourceOrigin;
  /** The `console` the module was given. */
  sourceConsole: SourceConsole;
  /** The file as the user knows it, e.g. "sources/github.ts". */
  where: string;
}

/**
 * Compiles and runs a project module (a source, a macro file) with the local files it imports and returns
 * its exports. `what` names the module in errors: "error while loading the source: ...".
 */
export async function loadModule(file: string, what: string): Promise<LoadedModule> {
  const abs = path.resolve(file);
  const where = displayPath(abs, abs);
  try {
    const stat = await fs.stat(abs);
    if (!stat.isFile()) throw new SluiceError(`${where}: not a file`);
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    throw new SluiceError(`${where}: cannot read the file (${describeError(err)})`);
  }
  const bundle = await bundleSource(abs);
  const bundleName = `${abs}.bundle.js`;
  const origin = new SourceOrigin(abs, bundleName, new SourceMap(bundle.map, bundle.mapDir));

  const sourceConsole = new SourceConsole();
  try {
    const { exports } = evaluateBundle(bundle.code, abs, bundleName, sourceConsole.console);
    return { exports, origin, sourceConsole, where };
  } catch (err) {
    throw moduleLoadError(err, origin, where, what);
  }
}

/** The module's default export: ESM `export default`, or CommonJS `module.exports`. */
function defaultExport(exported: unknown, where: string): unknown {
  if (isPlainObject(exported) || typeof exported === 'function') {
    const mod = exported as Record<string, unknown>;
    if ('default' in mod) return mod.default;
    if (mod.__esModule) {
      throw new SluiceError(`${where}: no default export; write \`export default defineSource({ name, resources: [...] })\``);
    }
    if (isPlainObject(mod) && Object.keys(mod).length === 0) {
      throw new SluiceError(`${where}: exports nothing; write \`export default defineSource({ name, resources: [...] })\``);
    }
    return mod;
  }
  throw new SluiceError(`${where}: the module must export a source object { name, resources }, got ${describeType(exported)}`);
}

/** A throw while evaluating the module's top level, with the user's file and line where known. */
function moduleLoadError(err: unknown, origin: SourceOrigin, where: string, what: string): SluiceError {
  if (err instanceof SluiceError && !origin.locate(err)) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'MODULE_NOT_FOUND') {
    const missing = /Cannot find module '([^']+)'/.exec(describeError(err))?.[1];
    if (missing) {
      const error = new SluiceError(
        `${where}: cannot find package "${missing}"; install it in the project (npm install ${missing})`,
      );
      error.cause = err;
      return error;
    }
  }
  const at = origin.locate(err);
  origin.rewriteStack(err);
  const error = new SluiceError(`${at ?? where}: error while loading the ${what}: ${describeThrown(err)}`);
  error.cause = err;
  return error;
}
