// Who holds a warehouse, read from the system's lock table: a DuckDB writer in another process is found by
// its pid, and nobody once it has gone; the status bar hears the same from the language server.

import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lockHolder, writerOf } from '../../core/warehouse/lockHolder';
import { WarehouseStatus, type WarehouseState } from '../../core/protocol';
import { LspTestClient, repoRoot } from '../server/lspClient';

/** A process holding `file` open for writing with DuckDB, resolved once it holds it. */
async function holdWarehouse(file: string): Promise<ChildProcess> {
  const holder = spawn(process.execPath, ['-e', `
    const { DuckDBInstance } = require('@duckdb/node-api');
    DuckDBInstance.create(${JSON.stringify(file)}).then(async (i) => { await i.connect(); console.log('held'); setInterval(() => {}, 1000); });
  `], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.on('data', (d) => String(d).includes('held') && resolve());
    holder.on('exit', () => reject(new Error('lock holder exited')));
  });
  return holder;
}

async function stop(holder: ChildProcess): Promise<void> {
  const gone = new Promise((resolve) => holder.once('exit', resolve));
  holder.kill('SIGKILL');
  await gone;
}

describe('warehouse lock holder', function () {
  this.timeout(60_000);
  const onLinux = process.platform === 'linux';
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-lock-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the write lock of a device and inode from /proc/locks lines', () => {
    const locks = '1: POSIX  ADVISORY  WRITE 20163 fe:00:2146473 0 EOF\n2: POSIX  ADVISORY  READ 777 fe:00:99 0 EOF\n3: FLOCK  ADVISORY  WRITE 5 08:01:2146473 0 EOF\n';
    assert.equal(writerOf(locks, 0xfe00, 2146473), 20163);
    assert.equal(writerOf(locks, 0xfe00, 99), undefined, 'a read lock is not a writer');
    assert.equal(writerOf(locks, 0x0801, 2146473), undefined, 'another device');
  });

  it('finds the process holding a warehouse for writing, and nobody once it has gone', async function () {
    if (!onLinux) this.skip();
    const file = path.join(dir, 'warehouse.duckdb');
    assert.equal(await lockHolder(file), 'none', 'no file');
    const holder = await holdWarehouse(file);
    try {
      const held = await lockHolder(file);
      assert.ok(typeof held === 'object', JSON.stringify(held));
      assert.equal(held.pid, holder.pid);
      assert.equal(held.command, 'node');
    } finally {
      await stop(holder);
    }
    assert.equal(await lockHolder(file), 'none');
  });

  it('is told to the editor by the language server, as locked then idle', async function () {
    if (!onLinux) this.skip();
    fs.writeFileSync(path.join(dir, 'sluice.yaml'), 'name: locks\n');
    const client = await LspTestClient.start({ folders: [dir] });
    try {
      const stateIs = (state: WarehouseState['state'], pid?: number) => (params: WarehouseStatus.Params) =>
        params.projects.some((p) => p.projectDir === dir && p.state === state && (pid === undefined || p.pid === pid));
      const start = client.mark();
      const holder = await holdWarehouse(path.join(dir, 'warehouse.duckdb'));
      let released: number;
      try {
        await client.waitFor(WarehouseStatus.method, stateIs('locked', holder.pid), start, 15_000);
      } finally {
        released = client.mark();
        await stop(holder);
      }
      await client.waitFor(WarehouseStatus.method, stateIs('idle'), released, 15_000);
    } finally {
      await client.stop();
    }
  });
});
