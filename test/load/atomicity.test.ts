import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { loadPackage } from '../../core/ingest/load/loader';
import { SluiceError } from '../../core/errors';
import { listLoads, readSchema, readState, recordFailedLoad } from '../../core/warehouse/system';
import { col, columnNames, countOf, query, table, tableNames, Workspace } from './fixtures';

describe('load: schema evolution, atomicity, full refresh', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = new Workspace();
  });
  afterEach(() => ws.remove());

  const usersV1 = () => table('users', [col('id', 'bigint'), col('name')]);
  const usersV2 = () => table('users', [col('id', 'bigint'), col('name'), col('age', 'bigint'), col('raw', 'json')]);
  const repos = () => table('repos', [col('id', 'bigint'), col('stars', 'double')]);

  it('applies new tables and new columns in the load and stores the new schema version', async () => {
    const wh = await ws.warehouse();
    await ws.load(wh, { source: 'gh', tables: [usersV1()], rows: { users: [{ id: 1, name: 'a' }] }, version: 1 });
    await ws.load(wh, {
      source: 'gh',
      tables: [usersV2(), repos()],
      rows: { users: [{ id: 2, name: 'b', age: 30, raw: '{"k":1}' }], repos: [{ id: 7, stars: 1.5 }] },
      version: 2,
    });
    assert.deepEqual(await tableNames(wh, 'gh'), ['repos', 'users']);
    assert.deepEqual(await columnNames(wh, 'gh', 'users'), ['id', 'name', 'age', 'raw']);
    const [{ type }] = await query<{ type: string }>(
      wh,
      `SELECT data_type AS type FROM information_schema.columns WHERE table_schema = 'gh' AND table_name = 'users' AND column_name = 'raw'`,
    );
    assert.equal(type, 'JSON');
    assert.deepEqual(await query(wh, 'SELECT id, name, age FROM gh.users ORDER BY id'), [
      { id: 1, name: 'a', age: null },
      { id: 2, name: 'b', age: 30 },
    ]);
    const versions = await query(wh, `SELECT version FROM _sluice.schemas WHERE source = 'gh' ORDER BY version`);
    assert.deepEqual(versions, [{ version: 1 }, { version: 2 }]);
    // Same version again: no new schema row.
    await ws.load(wh, { source: 'gh', tables: [usersV2(), repos()], rows: { repos: [{ id: 8 }] }, version: 2 });
    assert.equal((await query(wh, `SELECT * FROM _sluice.schemas`)).length, 2);
  });

  it('converges with what the warehouse really has, not only with the stored schema', async () => {
    const wh = await ws.warehouse();
    // The warehouse already has the table, one of the new columns, and a column the schema does not know.
    await wh.run(`CREATE SCHEMA gh; CREATE TABLE gh.users (id BIGINT, AGE BIGINT, legacy VARCHAR); INSERT INTO gh.users VALUES (0, 99, 'old')`);
    await ws.load(wh, { source: 'gh', tables: [usersV2()], rows: { users: [{ id: 1, name: 'a', age: 5 }] }, version: 4 });
    assert.deepEqual(await columnNames(wh, 'gh', 'users'), ['id', 'AGE', 'legacy', 'name', 'raw']);
    assert.deepEqual(await query(wh, 'SELECT id, age, legacy, name FROM gh.users ORDER BY id'), [
      { id: 0, AGE: 99, legacy: 'old', name: null },
      { id: 1, AGE: 5, legacy: null, name: 'a' },
    ]);
  });

  it('a load that fails midway leaves no trace; the failure can then be recorded', async () => {
    const wh = await ws.warehouse();
    await ws.load(wh, { source: 'gh', tables: [usersV1()], rows: { users: [{ id: 1, name: 'a' }] }, version: 1, state: { users: { custom: { page: 1 } } } }, new Date('2024-04-01T00:00:00Z'));
    const before = {
      tables: await tableNames(wh, 'gh'),
      columns: await columnNames(wh, 'gh', 'users'),
      users: await query(wh, 'SELECT * FROM gh.users ORDER BY id'),
      schemas: await query(wh, 'SELECT CAST(schema AS VARCHAR) AS s, version FROM _sluice.schemas'),
      state: await readState(wh, 'gh'),
      loads: await listLoads(wh),
    };

    // New column, new table, new state — and a corrupt part file in the last table loaded.
    const { dir, manifest } = ws.makePackage({
      source: 'gh',
      tables: [usersV2(), repos()],
      rows: { users: [{ id: 2, name: 'b', age: 3 }], repos: [{ id: 1, stars: 2 }, { id: 2, stars: 3 }] },
      version: 2,
      state: { users: { custom: { page: 2 } }, repos: { custom: { page: 9 } } },
    });
    const repoPart = manifest.tables.repos.parts[0];
    fs.writeFileSync(path.join(dir, repoPart.file), '1,2\nnot-a-number,3\n');
    const startedAt = new Date('2024-05-01T10:00:00Z');
    let failure: unknown;
    await loadPackage(wh, dir, manifest, startedAt).catch((err) => (failure = err));
    assert.ok(failure instanceof SluiceError, 'a user-readable error');
    assert.match(failure.message, /"gh"\."repos".*line: 2.*column "id"/i);
    assert.doesNotMatch(failure.message, /\n/);

    assert.deepEqual(await tableNames(wh, 'gh'), before.tables);
    assert.deepEqual(await columnNames(wh, 'gh', 'users'), before.columns);
    assert.deepEqual(await query(wh, 'SELECT * FROM gh.users ORDER BY id'), before.users);
    assert.deepEqual(await query(wh, 'SELECT CAST(schema AS VARCHAR) AS s, version FROM _sluice.schemas'), before.schemas);
    assert.deepEqual(await readState(wh, 'gh'), before.state);
    assert.deepEqual(await listLoads(wh), before.loads);

    await recordFailedLoad(wh, { loadId: manifest.loadId, source: 'gh', startedAt, error: failure.message });
    const [latest] = await listLoads(wh, { limit: 1 });
    assert.equal(latest.loadId, manifest.loadId);
    assert.equal(latest.status, 'failed');
    assert.equal(latest.error, failure.message);
    assert.equal(latest.startedAt, '2024-05-01T10:00:00.000Z');
  });

  it('a missing part file fails the load before anything is committed', async () => {
    const wh = await ws.warehouse();
    const { dir, manifest } = ws.makePackage({ source: 'gh', tables: [usersV1()], rows: { users: [{ id: 1 }] } });
    fs.rmSync(path.join(dir, manifest.tables.users.parts[0].file));
    await assert.rejects(loadPackage(wh, dir, manifest, new Date()), (err: unknown) => err instanceof SluiceError && /missing/.test(err.message));
    assert.deepEqual(await tableNames(wh, 'gh'), []);
    assert.deepEqual(await listLoads(wh), []);
  });

  it('refuses to load the same package twice', async () => {
    const wh = await ws.warehouse();
    const { dir, manifest } = ws.makePackage({ source: 'gh', tables: [usersV1()], rows: { users: [{ id: 1 }] } });
    await loadPackage(wh, dir, manifest, new Date());
    await assert.rejects(loadPackage(wh, dir, manifest, new Date()), (err: unknown) => err instanceof SluiceError && /already loaded/.test(err.message));
    assert.equal(await countOf(wh, 'gh', 'users'), 1);
  });

  it('rejects a package with rows for a table its schema does not define', async () => {
    const wh = await ws.warehouse();
    const { dir, manifest } = ws.makePackage({ source: 'gh', tables: [usersV1(), repos()], rows: { users: [{ id: 1 }], repos: [{ id: 1 }] } });
    manifest.schema.tables = manifest.schema.tables.filter((t) => t.name !== 'repos');
    await assert.rejects(loadPackage(wh, dir, manifest, new Date()), (err: unknown) => err instanceof SluiceError && /"repos"/.test(err.message));
    assert.deepEqual(await tableNames(wh, 'gh'), []);
  });

  it('full refresh empties the extracted resources and drops their state; other resources are untouched', async () => {
    const wh = await ws.warehouse();
    await ws.load(wh, {
      source: 'gh',
      tables: [usersV1(), repos()],
      rows: { users: [{ id: 1 }, { id: 2 }], repos: [{ id: 1 }] },
      state: { users: { custom: { page: 5 } }, repos: { custom: { page: 6 } } },
    });
    // users is re-extracted from scratch and yields one row and no state of its own.
    await ws.load(wh, { source: 'gh', tables: [usersV1(), repos()], rows: { users: [{ id: 3 }] }, resources: ['users'], fullRefresh: true, state: {} });
    assert.deepEqual(await query(wh, 'SELECT id FROM gh.users'), [{ id: 3 }]);
    assert.equal(await countOf(wh, 'gh', 'repos'), 1);
    assert.deepEqual(await readState(wh, 'gh'), { repos: { custom: { page: 6 } } });
    assert.equal((await readSchema(wh, 'gh'))?.tables.length, 2);
  });
});
