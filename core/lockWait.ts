// Waiting for a lock another process holds: the warehouse file, or a source's ingest lock. Tries again with
// a growing pause until the wait runs out, and says every few seconds whom it waits for, so that a queued
// ingest or apply looks like what it is (waiting) and not like a hang.

import { setTimeout as sleep } from 'node:timers/promises';
import { SluiceError } from './errors';

export interface LockWait {
  /** How long to keep trying while another process holds the lock, in ms. */
  lockWaitMs: number;
  /** Told every few seconds (not on every try) while another process holds the lock. */
  onLockWait?: (note: string) => void;
  /** Stops the wait (a cancelled ingest). */
  signal?: AbortSignal;
  /** How to wait longer, named in the error when the wait runs out. */
  waitLonger?: string;
}

/** One try at a lock: taken (with what taking it gave), or held by another process (its pid, if known). */
export type LockAttempt<T> = { taken: T } | { holder: number | undefined };

export interface LockTarget<T> {
  /** Who is waited for, in the notes: "the warehouse", `source "shop"`. */
  name: string;
  tryTake(): Promise<LockAttempt<T>> | LockAttempt<T>;
  /** The start of the error when the wait runs out: what is held, and by whom. */
  heldBy(holder: number | undefined): string;
}

/** The wait ran out while another process still held the lock. */
export class LockTimeoutError extends SluiceError {
  constructor(
    readonly holder: number | undefined,
    heldBy: string,
    /** What follows heldBy in the message: how long it waited and what to do. */
    readonly outcome: string,
  ) {
    super(heldBy + outcome);
    this.name = 'LockTimeoutError';
  }
}

/**
 * An ingest or apply that a user starts while another one loads waits this long by default: long enough
 * for a normal load or build to finish.
 */
export const QUEUE_LOCK_WAIT_MS = 10 * 60_000;

const RETRY_FIRST_MS = 25;
const RETRY_MAX_MS = 250;
/** Holds of a moment (the editor's reads) get no note at all. */
const FIRST_NOTE_MS = 1000;
const NOTE_EVERY_MS = 5000;

export async function waitForLock<T>(lock: LockTarget<T>, wait: LockWait): Promise<T> {
  const started = Date.now();
  let nextNoteAt = started + FIRST_NOTE_MS;
  for (let pause = RETRY_FIRST_MS; ; pause = Math.min(pause * 2, RETRY_MAX_MS)) {
    if (wait.signal?.aborted) throw new SluiceError(`cancelled while waiting for ${lock.name}`);
    const attempt = await lock.tryTake();
    if ('taken' in attempt) return attempt.taken;
    const now = Date.now();
    const waited = now - started;
    const left = wait.lockWaitMs - waited;
    if (left <= 0) throw timedOut(lock, attempt.holder, wait);
    if (now >= nextNoteAt) {
      wait.onLockWait?.(`waiting for ${lock.name}: locked by ${describeHolder(attempt.holder)} (${formatWait(waited)} of at most ${formatWait(wait.lockWaitMs)})`);
      nextNoteAt = now + NOTE_EVERY_MS;
    }
    // An abort ends the pause early; the loop's first line then stops the wait.
    await sleep(Math.min(pause, left), undefined, { signal: wait.signal }).catch(() => undefined);
  }
}

/**
 * The wait of work a user expects to queue behind another process (an ingest, an apply): an explicit wait
 * (--lock-wait) wins, then SLUICE_LOCK_WAIT_MS, then the project's `lock_wait`, then ten minutes.
 */
export function queueLockWait(explicitMs: number | undefined, projectMs: number | undefined): LockWait {
  return {
    lockWaitMs: explicitMs ?? lockWaitFromEnv() ?? projectMs ?? QUEUE_LOCK_WAIT_MS,
    waitLonger: '--lock-wait SECONDS, lock_wait in sluice.yaml or SLUICE_LOCK_WAIT_MS',
  };
}

/** SLUICE_LOCK_WAIT_MS when it is a number of milliseconds. */
export function lockWaitFromEnv(): number | undefined {
  const text = process.env.SLUICE_LOCK_WAIT_MS;
  const ms = Number(text);
  return text !== undefined && text.trim() !== '' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** "0.3 s", "12 s", "10 min", "1 min 30 s". */
export function formatWait(ms: number): string {
  if (ms < 10_000) return `${Number((ms / 1000).toFixed(1))} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
}

/** The error names the wait that ran out (what was asked for, not the few ms more that trying took). */
function timedOut<T>(lock: LockTarget<T>, holder: number | undefined, wait: LockWait): LockTimeoutError {
  const longer = wait.waitLonger ? `, or wait longer (${wait.waitLonger})` : '';
  return new LockTimeoutError(holder, lock.heldBy(holder), `; waited ${formatWait(wait.lockWaitMs)}: wait for it to finish, then retry${longer}`);
}

function describeHolder(holder: number | undefined): string {
  return holder === undefined ? 'another process' : `process ${holder}`;
}
