// One ingest per source at a time. The lock is a file holding the owner's pid; a second ingest waits for
// it (see lockWait.ts), and a lock whose owner is gone (killed) is stale and taken over at once, so a kill
// never blocks the next run.

import fs from 'node:fs';
import path from 'node:path';
import { waitForLock, type LockAttempt, type LockWait } from '../lockWait';
import { processAlive } from '../processAlive';

export interface SourceLock {
  release(): void;
}

export function acquireSourceLock(stateDir: string, source: string, wait: LockWait): Promise<SourceLock> {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, `${encodeURIComponent(source)}.lock`);
  return waitForLock(
    {
      name: `source "${source}"`,
      tryTake: () => tryLock(file),
      heldBy: (holder) => `source "${source}" is already being ingested by ${holder === undefined ? 'another process' : `process ${holder}`}`,
    },
    wait,
  );
}

function tryLock(file: string): LockAttempt<SourceLock> {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (createWithPid(file)) return { taken: { release: () => releaseLock(file) } };
    const owner = ownerOf(file);
    if (owner === undefined) continue; // released in the meantime: try again now
    if (owner !== process.pid && processAlive(owner)) return { holder: owner };
    fs.rmSync(file, { force: true });
  }
  // Others took and dropped it in between: the next try decides.
  return { holder: undefined };
}

/**
 * Creates the lock file with this process's pid in it, or returns false when it exists. The pid is written
 * to a file of its own first and then linked into place, so another process never reads an empty lock
 * (and takes it for a stale one).
 */
function createWithPid(file: string): boolean {
  const draft = `${file}.${process.pid}`;
  fs.writeFileSync(draft, String(process.pid));
  try {
    fs.linkSync(draft, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

/** The pid in the lock file; undefined when the file is gone, 0 when it holds no pid. */
function ownerOf(file: string): number | undefined {
  try {
    return Number(fs.readFileSync(file, 'utf8')) || 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function releaseLock(file: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
  } catch {
    // Already gone: nothing to release.
  }
}
