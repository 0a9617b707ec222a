// Finds the Sluice projects (folders holding sluice.yaml, or SQLMesh's config beside a models/ folder) under a
// workspace folder without reading them.

import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_FILE } from '../../core/project/config';
import { SQLMESH_CONFIG_FILES } from '../../core/project/sqlmesh';

/** Folders never searched: dependencies, build output, and hidden folders (.git, .sluice, ...). */
const SKIPPED = new Set(['node_modules', 'dist', 'out', 'build', 'target']);

/**
 * Project folders at most maxDepth levels below root (root itself is depth 0), sorted. A project's own
 * subfolders are not searched: nested projects are not supported.
 */
export async function findProjectDirs(root: string, maxDepth = 3): Promise<string[]> {
  const found: string[] = [];
  let level = [path.resolve(root)];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    await Promise.all(
      level.map(async (dir) => {
        const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
        const file = (name: string) => entries.some((e) => e.name === name && (e.isFile() || e.isSymbolicLink()));
        const sqlmesh = entries.some((e) => e.name === 'models' && e.isDirectory()) && SQLMESH_CONFIG_FILES.some(file);
        if (file(PROJECT_FILE) || sqlmesh) {
          found.push(dir);
          return;
        }
        for (const e of entries) {
          if (e.isDirectory() && !e.name.startsWith('.') && !SKIPPED.has(e.name)) next.push(path.join(dir, e.name));
        }
      }),
    );
    level = next;
  }
  return found.sort();
}

/** Whether file is a project's settings: a sluice.yaml, or SQLMesh's config beside a models/ folder. */
export function isProjectConfigFile(file: string): boolean {
  const name = path.basename(file);
  if (name === PROJECT_FILE) return true;
  return SQLMESH_CONFIG_FILES.includes(name) && existsSync(path.join(path.dirname(file), 'models'));
}
