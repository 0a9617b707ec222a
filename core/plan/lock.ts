// One apply (or run, or janitor) at a time per warehouse. Another process cannot even open the DuckDB file
// while an apply holds it; this lock row covers what the file lock cannot: a second apply in the same
// process, and an apply that was killed (its row names a process that no longer exists, so it is taken over).

import crypto from 'node:crypto';
import { SluiceError } from '../errors';
import { engineOf, type EngineConnection } from '../engine';
import { ensurePlanTables, LOCK_TABLE } from './state';
import { processAlive } from '../processAlive';

const active = new Set<string>();

export interface ApplyLock {
  token: string;
  /** Set when a lock left by a killed process was taken over. */
  recoveredFrom?: { pid: number; command: string; startedAt: string };
  release(): Promise<void>;
}

export async function acquireLock(wh: EngineConnection, command: string, environment?: string): Promise<ApplyLock> {
  const engine = engineOf(wh);
  const key = wh.path === ':memory:' ? `memory:${crypto.randomUUID()}` : engine.stateKey;
  if (active.has(key)) throw new SluiceError(`another apply is already running on ${wh.path} in this process; wait for it to finish`);
  active.add(key);
  const token = crypto.randomUUID();
  let recoveredFrom: ApplyLock['recoveredFrom'];
  let held: Awaited<ReturnType<typeof engine.lockState>> | undefined;
  try {
    held = await engine.lockState();
    const exclusive = held.exclusive;
    await wh.transaction(async () => {
      await ensurePlanTables(wh);
      const rows = await wh.json<{ pid: number; command: string; environment: string | null; started: string }>(
        `SELECT "pid", "command", "environment", CAST("started_at" AS VARCHAR) AS "started" FROM ${LOCK_TABLE}`,
      );
      for (const row of rows) {
        const pid = Number(row.pid);
        // With an engine lock held, a row left behind is a dead writer's whatever its pid says (another machine's).
        if (!exclusive && pid !== process.pid && processAlive(pid)) {
          throw new SluiceError(`another ${row.command}${row.environment ? ` of ${row.environment}` : ''} (pid ${pid}, started ${row.started}) holds the warehouse; wait for it to finish, then retry`);
        }
        recoveredFrom = { pid, command: row.command, startedAt: row.started };
      }
      await wh.run(`DELETE FROM ${LOCK_TABLE}`);
      await wh.run(`INSERT INTO ${LOCK_TABLE} VALUES ($1, $2, $3, $4, now())`, [token, process.pid, command, environment ?? null]);
    });
  } catch (err) {
    active.delete(key);
    await held?.release().catch(() => undefined);
    throw err;
  }
  let released = false;
  return {
    token,
    recoveredFrom,
    release: async () => {
      if (released) return;
      released = true;
      active.delete(key);
      await wh.run(`DELETE FROM ${LOCK_TABLE} WHERE "token" = $1`, [token]).catch(() => undefined);
      await held?.release().catch(() => undefined);
    },
  };
}

/** Runs fn holding the lock. */
export async function withLock<T>(wh: EngineConnection, command: string, environment: string | undefined, fn: (lock: ApplyLock) => Promise<T>): Promise<T> {
  const lock = await acquireLock(wh, command, environment);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
