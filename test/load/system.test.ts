import { strict as assert } from 'node:assert';
import {
  ensureSystemTables,
  listLoads,
  readNextRowId,
  readSchema,
  readState,
  recordFailedLoad,
} from '../../core/warehouse/system';
import { col, table, tableNames, Workspace } from './fixtures';

describe('system tables (_sluice)', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = new Workspace();
  });
  afterEach(() => ws.remove());

  it('read functions answer empty on a warehouse that has no _sluice schema, even read-only', async () => {
    const writable = await ws.warehouse();
    await writable.run('CREATE TABLE unrelated (x INTEGER)');
    writable.close();
    const wh = await ws.warehouse({ readOnly: true });
    assert.equal(await readSchema(wh, 'github'), undefined);
    assert.deepEqual(await readState(wh, 'github'), {});
    assert.deepEqual(await listLoads(wh), []);
    assert.deepEqual(await tableNames(wh, '_sluice'), []);
  });

  it('ensureSystemTables is idempotent', async () => {
    const wh = await ws.warehouse();
    await ensureSystemTables(wh);
    await ensureSystemTables(wh);
    assert.deepEqual(await tableNames(wh, '_sluice'), ['loads', 'row_ids', 'schemas', 'state']);
    assert.equal(await readSchema(wh, 'github'), undefined);
  });

  it('keeps each source\'s next free row id, committed with the load, and refuses a package whose ids were taken meanwhile', async () => {
    const wh = await ws.warehouse();
    const t = table('t', [col('_sluice_id', 'bigint'), col('x', 'bigint')]);
    assert.equal(await readNextRowId(wh, 's'), 1);
    await ws.load(wh, { source: 's', tables: [t], rows: { t: [{ _sluice_id: 1, x: 1 }, { _sluice_id: 2, x: 2 }] }, rowIds: { first: 1, next: 3 } });
    assert.equal(await readNextRowId(wh, 's'), 3);
    assert.equal(await readNextRowId(wh, 'other'), 1, 'counters are per source');
    // A second package extracted from the same starting point would repeat ids 1 and 2.
    await assert.rejects(
      ws.load(wh, { source: 's', tables: [t], rows: { t: [{ _sluice_id: 1, x: 9 }] }, rowIds: { first: 1, next: 2 } }),
      /another load of source "s" committed while this one ran/,
    );
    assert.equal(await readNextRowId(wh, 's'), 3);
    const [{ n }] = await wh.all<{ n: bigint }>('SELECT count(*) AS n FROM s.t');
    assert.equal(Number(n), 2, 'the refused load left no rows');
  });

  it('records failed loads and lists loads newest first, filtered by source and limited', async () => {
    const wh = await ws.warehouse();
    await recordFailedLoad(wh, { loadId: 'a', source: 's1', startedAt: new Date('2024-01-01T00:00:00Z'), error: "it's \"broken\"; DROP TABLE x" });
    await recordFailedLoad(wh, { loadId: 'b', source: 's2', startedAt: new Date('2024-01-03T00:00:00Z'), error: 'b failed' });
    await recordFailedLoad(wh, { loadId: 'c', source: 's1', startedAt: new Date('2024-01-02T00:00:00Z'), error: 'c failed' });
    // Recording the same failure again replaces the record instead of duplicating it.
    await recordFailedLoad(wh, { loadId: 'c', source: 's1', startedAt: new Date('2024-01-02T00:00:00Z'), error: 'c failed again' });

    const all = await listLoads(wh);
    assert.deepEqual(all.map((l) => l.loadId), ['b', 'c', 'a']);
    assert.equal(all[1].error, 'c failed again');
    const a = all[2];
    assert.equal(a.status, 'failed');
    assert.equal(a.source, 's1');
    assert.equal(a.startedAt, '2024-01-01T00:00:00.000Z');
    assert.ok(a.finishedAt && !Number.isNaN(Date.parse(a.finishedAt)));
    assert.equal(a.error, "it's \"broken\"; DROP TABLE x");
    assert.deepEqual(a.rows, {});
    assert.equal(a.schemaVersion, null);
    assert.deepEqual((await listLoads(wh, { source: 's1' })).map((l) => l.loadId), ['c', 'a']);
    assert.deepEqual((await listLoads(wh, { limit: 1 })).map((l) => l.loadId), ['b']);
  });

  it('readSchema returns the latest stored version and readState the committed state per resource', async () => {
    const wh = await ws.warehouse();
    const v1 = [table('users', [col('id', 'bigint')])];
    const v2 = [table('users', [col('id', 'bigint'), col('name')])];
    await ws.load(wh, { source: 'gh', tables: v1, rows: { users: [{ id: 1 }] }, version: 1, state: { users: { custom: { page: 1 } } } });
    await ws.load(wh, { source: 'gh', tables: v2, rows: { users: [{ id: 2, name: 'x' }] }, version: 2, state: { users: { custom: { page: 2 } } } });
    const schema = await readSchema(wh, 'gh');
    assert.equal(schema?.version, 2);
    assert.deepEqual(schema?.tables[0].columns.map((c) => c.name), ['id', 'name']);
    assert.deepEqual(await readState(wh, 'gh'), { users: { custom: { page: 2 } } });
    assert.equal(await readSchema(wh, 'other'), undefined);
  });
});
