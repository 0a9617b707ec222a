// Loads a project's macros: the functions its macros/*.ts (.js, .mjs, .cjs) files export, compiled and run
// the way sources are (core/ingest/extract), and the names of its Python macros. Only files directly in
// macros/ are macro files; a subfolder can hold helpers they import. Loading runs project code, so whoever
// may not (an untrusted editor workspace) passes run: false and calls get that reason instead.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../errors';
import { isSourceFileName, loadModule } from '../ingest/extract/load';
import type { MacroDefinition, MacroFunction, ProjectMacros } from './macroApi';
import { findPythonMacros } from './pythonMacros';

export const MACROS_DIR = 'macros';

export interface LoadMacrosOptions {
  /** Whether the project's code may run. Default true; false leaves the functions unloaded, with why. */
  run?: boolean;
  /** Said when run is false: why the macro files were not run. */
  notRunReason?: string;
}

/** The project's macros/*.{ts,js,mjs,cjs} files (absolute paths, sorted), without running them. */
export async function listMacroFiles(projectDir: string): Promise<string[]> {
  const dir = path.join(path.resolve(projectDir), MACROS_DIR);
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && isSourceFileName(entry.name))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/**
 * Loads every macro file. Never throws: a file that fails to compile or throws while loading makes every
 * call of a name no other file exports say so (its first error, at file:line:col).
 */
export async function loadProjectMacros(projectDir: string, options: LoadMacrosOptions = {}): Promise<ProjectMacros> {
  const [python, files] = await Promise.all([findPythonMacros(projectDir), listMacroFiles(projectDir)]);
  const functions = new Map<string, MacroDefinition>();
  if (files.length === 0) return { functions, python };
  const shown = files.map((file) => relativeName(projectDir, file));
  if (options.run === false) {
    return { functions, python, unavailable: options.notRunReason ?? `the functions of ${shown.join(', ')} were not loaded` };
  }
  const problems: string[] = [];
  const ambiguous = new Set<string>();
  for (const [index, file] of files.entries()) {
    try {
      const loaded = await loadModule(file, 'macro file');
      for (const definition of exportedFunctions(loaded.exports, shown[index], (err) => loaded.origin.locate(err))) {
        const key = definition.name.toLowerCase();
        const other = functions.get(key);
        if (other) {
          // Names ignore case (@ADD_ONE calls add_one), so two of them would make a call's meaning a guess.
          const where = other.file === definition.file ? `${other.file} exports both ${other.name} and ${definition.name}` : `${other.file} and ${definition.file} both export ${key}`;
          problems.push(`${where}, and macro names ignore case; rename one`);
          ambiguous.add(key);
          continue;
        }
        functions.set(key, definition);
      }
    } catch (err) {
      problems.push(describeError(err));
    }
  }
  for (const key of ambiguous) functions.delete(key);
  return problems.length > 0 ? { functions, python, unavailable: problems.join('; ') } : { functions, python };
}

/** The module's exported functions (named exports; a CommonJS module's own function properties). */
function exportedFunctions(exported: unknown, file: string, locate: (err: unknown) => string | undefined): MacroDefinition[] {
  if ((typeof exported !== 'object' && typeof exported !== 'function') || exported === null) return [];
  const out: MacroDefinition[] = [];
  for (const [name, value] of Object.entries(exported)) {
    if (name === 'default' || typeof value !== 'function') continue;
    out.push({ name, file, fn: value as MacroFunction, locate });
  }
  return out;
}

function relativeName(projectDir: string, file: string): string {
  return path.relative(path.resolve(projectDir), file).split(path.sep).join('/');
}
