// One ingest per source: a second one waits for the lock's live owner, takes over a dead owner's lock at
// once, and gives a clear error when the wait runs out.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireSourceLock } from '../../core/ingest/sourceLock';

/** A process that lives until killed: a lock naming it has a live owner. */
function liveProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('source lock', function () {
  this.timeout(20_000);
  let dir: string;
  let owner: ChildProcess | undefined;
  const lockFile = () => path.join(dir, 'shop.lock');
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-srclock-'))));
  afterEach(() => {
    owner?.kill('SIGKILL');
    owner = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes this process\'s pid, releases the lock, and leaves no other file behind', async () => {
    const lock = await acquireSourceLock(dir, 'shop', { lockWaitMs: 0 });
    assert.equal(fs.readFileSync(lockFile(), 'utf8'), String(process.pid));
    lock.release();
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('waits while a live process holds the lock, with a note, and takes it once released', async () => {
    owner = liveProcess();
    fs.writeFileSync(lockFile(), String(owner.pid));
    setTimeout(() => fs.rmSync(lockFile()), 1500);
    const notes: string[] = [];
    const started = Date.now();
    const lock = await acquireSourceLock(dir, 'shop', { lockWaitMs: 60_000, onLockWait: (n) => notes.push(n) });
    assert.ok(Date.now() - started >= 1400);
    assert.equal(fs.readFileSync(lockFile(), 'utf8'), String(process.pid));
    assert.equal(notes.length, 1, notes.join('\n'));
    assert.match(notes[0], new RegExp(`^waiting for source "shop": locked by process ${owner.pid} \\(1(\\.\\d)? s of at most 1 min\\)$`));
    lock.release();
  });

  it('takes over a lock whose owner has died, at once', async () => {
    fs.writeFileSync(lockFile(), String(await deadPid()));
    const started = Date.now();
    const lock = await acquireSourceLock(dir, 'shop', { lockWaitMs: 60_000 });
    assert.ok(Date.now() - started < 500);
    assert.equal(fs.readFileSync(lockFile(), 'utf8'), String(process.pid));
    lock.release();
  });

  it('names the owner and the wait when the wait runs out', async () => {
    owner = liveProcess();
    fs.writeFileSync(lockFile(), String(owner.pid));
    await assert.rejects(
      acquireSourceLock(dir, 'shop', { lockWaitMs: 200, waitLonger: '--lock-wait SECONDS' }),
      (err: Error) => {
        assert.equal(err.message, `source "shop" is already being ingested by process ${owner!.pid}; waited 0.2 s: wait for it to finish, then retry, or wait longer (--lock-wait SECONDS)`);
        return true;
      },
    );
    assert.equal(fs.readFileSync(lockFile(), 'utf8'), String(owner.pid), 'the owner keeps its lock');
  });
});
