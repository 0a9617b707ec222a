// SQLMesh Python macros (functions decorated with @macro in macros/**/*.py). Sluice cannot run them; it
// only learns their names, so a model calling one is told exactly that, at the call.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { findFiles } from '../project/files';
import { calleeName, readPythonModule } from '../python/literals';

/** Lower-cased macro name → file defining it (relative to the project, forward slashes). First definition wins. */
export async function findPythonMacros(projectDir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const files = await findFiles(path.join(projectDir, 'macros'), (name) => name.toLowerCase().endsWith('.py'));
  for (const file of files) {
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    const relative = path.relative(projectDir, file).split(path.sep).join('/');
    for (const decorator of readPythonModule(text).decorators) {
      if (calleeName(decorator.expr) !== 'macro' || !decorator.target) continue;
      const name = decorator.target.toLowerCase();
      if (!out.has(name)) out.set(name, relative);
    }
  }
  return out;
}
