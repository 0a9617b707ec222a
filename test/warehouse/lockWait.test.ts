// Waiting for a lock another process holds: notes every few seconds (not on every try), a clear error when
// the wait runs out, a cancel that stops it, and which setting decides how long a queued writer waits.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatWait, LockTimeoutError, queueLockWait, QUEUE_LOCK_WAIT_MS, waitForLock, type LockAttempt } from '../../core/lockWait';
import { loadProject } from '../../core/project/config';

/** A lock held by process 4242 until releaseAt, counting the tries. */
function heldUntil(releaseAt: number) {
  const lock = {
    tries: 0,
    name: 'the thing',
    tryTake: (): LockAttempt<string> => {
      lock.tries++;
      return Date.now() >= releaseAt ? { taken: 'mine' } : { holder: 4242 };
    },
    heldBy: (holder: number | undefined) => `the thing is held by process ${holder}`,
  };
  return lock;
}

describe('waiting for a lock', function () {
  this.timeout(20_000);

  it('takes a free lock at once, without a note', async () => {
    const notes: string[] = [];
    assert.equal(await waitForLock(heldUntil(0), { lockWaitMs: 0, onLockWait: (n) => notes.push(n) }), 'mine');
    assert.deepEqual(notes, []);
  });

  it('waits for the holder, with a note after a second and not on every try', async () => {
    const lock = heldUntil(Date.now() + 2500);
    const notes: string[] = [];
    const started = Date.now();
    assert.equal(await waitForLock(lock, { lockWaitMs: 60_000, onLockWait: (n) => notes.push(n) }), 'mine');
    assert.ok(Date.now() - started >= 2400);
    assert.ok(lock.tries > 5, `${lock.tries} tries`);
    assert.equal(notes.length, 1, notes.join('\n'));
    assert.match(notes[0], /^waiting for the thing: locked by process 4242 \(1(\.\d)? s of at most 1 min\)$/);
  });

  it('gives up when the wait runs out, naming the holder, the wait and how to wait longer', async () => {
    const lock = heldUntil(Number.POSITIVE_INFINITY);
    const started = Date.now();
    await assert.rejects(waitForLock(lock, { lockWaitMs: 300, waitLonger: 'SOME_SETTING' }), (err: Error) => {
      assert.ok(err instanceof LockTimeoutError);
      assert.equal(err.holder, 4242);
      assert.equal(err.message, 'the thing is held by process 4242; waited 0.3 s: wait for it to finish, then retry, or wait longer (SOME_SETTING)');
      return true;
    });
    const took = Date.now() - started;
    assert.ok(took >= 290 && took < 1500, `gave up after ${took} ms`);
  });

  it('stops waiting when cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await assert.rejects(waitForLock(heldUntil(Number.POSITIVE_INFINITY), { lockWaitMs: 60_000, signal: controller.signal }), /cancelled while waiting for the thing/);
    assert.ok(Date.now() - started < 1500);
  });

  it('writes waits as people read them', () => {
    assert.deepEqual([0, 300, 1000, 12_400, 59_700, 60_000, 90_000, 600_000].map(formatWait), ['0 s', '0.3 s', '1 s', '12 s', '1 min', '1 min', '1 min 30 s', '10 min']);
  });
});

describe('how long a queued ingest or apply waits', () => {
  const saved = process.env.SLUICE_LOCK_WAIT_MS;
  afterEach(() => {
    if (saved === undefined) delete process.env.SLUICE_LOCK_WAIT_MS;
    else process.env.SLUICE_LOCK_WAIT_MS = saved;
  });

  it('takes --lock-wait, then SLUICE_LOCK_WAIT_MS, then lock_wait in sluice.yaml, then ten minutes', () => {
    delete process.env.SLUICE_LOCK_WAIT_MS;
    assert.equal(queueLockWait(undefined, undefined).lockWaitMs, QUEUE_LOCK_WAIT_MS);
    assert.equal(QUEUE_LOCK_WAIT_MS, 600_000);
    assert.equal(queueLockWait(undefined, 30_000).lockWaitMs, 30_000);
    process.env.SLUICE_LOCK_WAIT_MS = '500';
    assert.equal(queueLockWait(undefined, 30_000).lockWaitMs, 500);
    assert.equal(queueLockWait(0, 30_000).lockWaitMs, 0);
    process.env.SLUICE_LOCK_WAIT_MS = '';
    assert.equal(queueLockWait(undefined, undefined).lockWaitMs, QUEUE_LOCK_WAIT_MS);
  });

  it('reads lock_wait (seconds) from sluice.yaml and refuses a value that is not a number of seconds', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-lockwait-'));
    try {
      fs.writeFileSync(path.join(dir, 'sluice.yaml'), 'name: x\nlock_wait: 90\n');
      assert.equal(loadProject(dir).lockWaitMs, 90_000);
      fs.writeFileSync(path.join(dir, 'sluice.yaml'), 'name: x\n');
      assert.equal(loadProject(dir).lockWaitMs, undefined);
      fs.writeFileSync(path.join(dir, 'sluice.yaml'), 'name: x\nlock_wait: 10m\n');
      assert.throws(() => loadProject(dir), /'lock_wait' must be a number of seconds/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
