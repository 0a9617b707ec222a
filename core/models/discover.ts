// Finding model files in a project: models/**/*.sql (and models/**/*.py, SQLMesh's Python models), in a
// stable order (by path, compared byte-wise).

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ModelDefaults } from './defaults';
import type { ProjectMacros } from './macroApi';
import { parseModelBlueprints } from './parse';
import type { ParsedModel } from './types';

/** Absolute paths of models/**\/*.sql under projectDir, sorted by their path relative to it. Hidden folders are skipped. */
export function listModelFiles(projectDir: string): Promise<string[]> {
  return listFiles(projectDir, '.sql');
}

/** Absolute paths of models/**\/*.py (Python models, read from their @model decorator), sorted like listModelFiles. */
export function listPythonModelFiles(projectDir: string): Promise<string[]> {
  return listFiles(projectDir, '.py');
}

async function listFiles(projectDir: string, extension: string): Promise<string[]> {
  const root = path.join(projectDir, 'models');
  const found: string[] = [];
  await walk(root, '', extension, found);
  found.sort(compareCodeUnits);
  return found.map((relative) => path.join(root, ...relative.split('/')));
}

async function walk(dir: string, relative: string, extension: string, out: string[]): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw err;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    // Symlinked folders are not followed, so a link cycle cannot hang discovery.
    if (entry.isDirectory()) await walk(full, rel, extension, out);
    else if ((entry.isFile() || entry.isSymbolicLink()) && entry.name.toLowerCase().endsWith(extension)) {
      if (entry.isSymbolicLink()) {
        const stat = await fs.stat(full).catch(() => undefined);
        if (!stat?.isFile()) continue;
      }
      out.push(rel);
    }
  }
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface DiscoverOptions {
  /** SQLMesh's infer_names: a model without a name is named after its folders and file (at most 3 parts). */
  inferNames?: boolean;
  /** The project's model_defaults. */
  defaults?: ModelDefaults;
  /** The project's macros, for blueprints a macro makes. */
  macros?: ProjectMacros;
}

/** Reads and parses every model file of the project, in listModelFiles order (a file with blueprints gives one model per blueprint). */
export async function discoverModels(projectDir: string, options: DiscoverOptions = {}): Promise<ParsedModel[]> {
  const root = path.join(projectDir, 'models');
  const files = await listModelFiles(projectDir);
  const parsed = await Promise.all(
    files.map(async (file) => {
      const text = await fs.readFile(file, 'utf8');
      const inferredName = options.inferNames ? inferModelName(path.relative(root, file)) : undefined;
      return parseModelBlueprints(text.startsWith('\ufeff') ? text.slice(1) : text, file, { inferredName, defaults: options.defaults, macros: options.macros });
    }),
  );
  return parsed.flat();
}

/** models/sales/orders.sql → ['sales', 'orders']: the folders under models/ and the file name, last three parts. */
export function inferModelName(relativeToModels: string): string[] {
  const parts = relativeToModels.split(/[\\/]/).filter((p) => p !== '');
  const file = parts.pop() ?? '';
  return [...parts, file.replace(/\.[^.]*$/, '')].slice(-3);
}
