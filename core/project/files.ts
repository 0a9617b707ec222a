// Finding a project's files by name: a folder walked recursively, hidden entries skipped, a missing
// folder meaning "none", results sorted so every run sees the same order.

import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';

export async function findFiles(dir: string, accept: (fileName: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(current, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw err;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && accept(entry.name)) out.push(full);
    }
  };
  await walk(dir);
  return out.sort();
}
