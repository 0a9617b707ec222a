// Another process holding the warehouse file: a short hold is waited out, a long one is a clear error.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Warehouse } from '../../core/warehouse/connection';

const repoRoot = path.resolve(__dirname, '..', '..');

/** A child process that opens the file, says "held", keeps it for holdMs, then closes it and exits. */
async function holdFile(file: string, holdMs: number): Promise<{ pid: number; exited: Promise<void> }> {
  const child = spawn(process.execPath, ['-e', `
    const { DuckDBInstance } = require('@duckdb/node-api');
    DuckDBInstance.create(${JSON.stringify(file)}).then(async (db) => {
      const c = await db.connect();
      console.log('held');
      setTimeout(() => { c.closeSync(); db.closeSync(); process.exit(0); }, ${holdMs});
    });
  `], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('held') && resolve());
    child.on('exit', () => reject(new Error('the holder exited before holding the file')));
  });
  return { pid: child.pid!, exited };
}

describe('warehouse held by another process', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-lock-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('waits out a short hold and then opens the file', async () => {
    const file = path.join(dir, 'w.duckdb');
    const holder = await holdFile(file, 300);
    const wh = await Warehouse.open(file, { lockWaitMs: 10_000 });
    try {
      await wh.run('CREATE TABLE t AS SELECT 1 AS x');
    } finally {
      wh.close();
    }
    await holder.exited;
  });

  it('gives a one-line "locked" error when the hold outlasts the wait', async () => {
    const file = path.join(dir, 'w.duckdb');
    const holder = await holdFile(file, 1200);
    await assert.rejects(Warehouse.open(file, { lockWaitMs: 100 }), (err: Error) => {
      assert.equal(
        err.message,
        `warehouse ${file} is locked by another process (pid ${holder.pid}); waited 0.1 s: wait for it to finish, then retry, or wait longer (SLUICE_LOCK_WAIT_MS)`,
      );
      return true;
    });
    await holder.exited;
  });

  it('notes every few seconds whom a long wait is for, not on every try', async () => {
    const file = path.join(dir, 'w.duckdb');
    const holder = await holdFile(file, 2500);
    const notes: string[] = [];
    const wh = await Warehouse.open(file, { lockWaitMs: 600_000, onLockWait: (note) => notes.push(note) });
    wh.close();
    assert.equal(notes.length, 1, notes.join('\n'));
    assert.match(notes[0], new RegExp(`^waiting for the warehouse: locked by process ${holder.pid} \\(1(\\.\\d)? s of at most 10 min\\)$`));
    await holder.exited;
  });
});
