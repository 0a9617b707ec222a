// --lock-wait, on the commands that write the warehouse (ingest, apply, run, janitor): they queue behind
// another process that holds it instead of failing, and say on stderr whom they are waiting for.

import { Option } from 'commander';
import { queueLockWait, QUEUE_LOCK_WAIT_MS, type LockWait } from '../lockWait';
import type { Project } from '../project/config';
import { CliFailure } from './output';

export interface LockWaitFlags {
  /** --lock-wait, in ms. */
  lockWait?: number;
}

export function lockWaitOption(): Option {
  return new Option(
    '--lock-wait <seconds>',
    `how long to wait while another process holds the warehouse (default ${QUEUE_LOCK_WAIT_MS / 1000}; 0 fails at once)`,
  ).argParser(parseLockWaitSeconds);
}

/** The wait of a command that writes the warehouse, with its notes going to note. */
export function writerLockWait(project: Project, flags: LockWaitFlags, note: (message: string) => void): LockWait {
  return { ...queueLockWait(flags.lockWait, project.lockWaitMs), onLockWait: note };
}

/** Seconds (fractions allowed) to ms. */
export function parseLockWaitSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new CliFailure(`--lock-wait expects a number of seconds (0 or more), got "${value}"`, 2);
  }
  return Math.round(seconds * 1000);
}
