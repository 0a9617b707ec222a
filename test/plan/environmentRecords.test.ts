// Environment records written before creators were recorded: read as they are (also read-only), and the
// next apply adds who applied it without claiming to know who created it.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireLock } from '../../core/plan/lock';
import { readEnvironments, writeEnvironment } from '../../core/plan/state';
import { Warehouse } from '../../core/warehouse/connection';

const ENTRY = { name: 's.a', fingerprint: 'f1', version: 'v1', kind: 'FULL' as const };

describe('environment records across versions', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-envrec-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads an older environments table (no creator columns) read-only, then records the applier on the next write', async () => {
    const file = path.join(dir, 'old.duckdb');
    const old = await Warehouse.open(file);
    await old.run('CREATE SCHEMA "_sluice"');
    await old.run(`CREATE TABLE "_sluice"."environments" ("name" VARCHAR NOT NULL, "snapshots" JSON NOT NULL, "previous" JSON NOT NULL, "plan_id" VARCHAR NOT NULL, "updated_at" TIMESTAMPTZ NOT NULL)`);
    await old.run(`INSERT INTO "_sluice"."environments" VALUES ('dev', $1, '[]', 'p1', TIMESTAMPTZ '2026-11-01 10:00:00+00')`, [JSON.stringify([ENTRY])]);
    old.close();

    const readOnly = await Warehouse.open(file, { readOnly: true });
    const [before] = await readEnvironments(readOnly);
    readOnly.close();
    assert.equal(before.name, 'dev');
    assert.equal(before.updatedAt, '2026-11-01T10:00:00.000Z');
    assert.equal(before.createdAt, undefined);
    assert.equal(before.createdBy, undefined);

    const wh = await Warehouse.open(file);
    try {
      const lock = await acquireLock(wh, 'apply', 'dev');
      await wh.transaction(() => writeEnvironment(wh, 'dev', [ENTRY], [ENTRY], 'p2', { user: 'ana', ci: 'github:ana-gh' }));
      await wh.transaction(() => writeEnvironment(wh, 'fresh', [ENTRY], [], 'p3', { user: 'bo' }));
      await wh.transaction(() => writeEnvironment(wh, 'fresh', [ENTRY], [ENTRY], 'p4', { user: 'cy' }));
      await lock.release();
      const [dev, fresh] = await readEnvironments(wh);
      assert.deepEqual(dev.appliedBy, { user: 'ana', ci: 'github:ana-gh' });
      assert.equal(dev.createdBy, undefined, 'who created an older environment stays unknown');
      assert.equal(dev.createdAt, undefined);
      assert.deepEqual(fresh.createdBy, { user: 'bo' });
      assert.deepEqual(fresh.appliedBy, { user: 'cy' });
      assert.ok(fresh.createdAt !== undefined && Date.parse(fresh.createdAt) <= Date.parse(fresh.updatedAt));
    } finally {
      wh.close();
    }
  });
});
