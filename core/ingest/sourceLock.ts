// One ingest per source at a time. The lock is a file holding the owner's pid; a lock whose owner is
// gone (killed) is stale and taken over, so a kill never blocks the next run.

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../errors';
import { processAlive } from '../processAlive';

export interface SourceLock {
  release(): void;
}

export function acquireSourceLock(stateDir: string, source: string): SourceLock {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, `${encodeURIComponent(source)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return {
        release: () => {
          try {
            if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(file, 'utf8'));
      if (owner && owner !== process.pid && processAlive(owner)) {
        throw new SluiceError(`source "${source}" is already being ingested by process ${owner}`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new SluiceError(`cannot lock source "${source}" in ${stateDir}`);
}
