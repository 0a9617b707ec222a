// Kill -9 at random moments during merge loads: the warehouse must always hold exactly one complete
// version of the data (never a mix, never a partial load), and a rerun must converge.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { cliPath, makeProject, query, runCli, type TempProject } from '../helpers/project';

const ORDERS = 6000;
const source = `
const version = Number(process.env.DATA_VERSION);
export default { name: 'kills', resources: [{
  name: 'orders', primaryKey: 'id', writeDisposition: 'merge',
  *rows() {
    for (let id = 1; id <= ${ORDERS}; id++) {
      yield { id, version, amount: id * version, note: 'v' + version + ';"quoted"',
              items: Array.from({ length: (id % 3) + 1 }, (_, i) => ({ sku: 's' + i, version })) };
    }
  },
}] };
`;
const itemsPerVersion = Array.from({ length: ORDERS }, (_, i) => ((i + 1) % 3) + 1).reduce((a, b) => a + b, 0);

/** Seeded so that a failure can be replayed. */
function prng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/**
 * Starts an ingest and kills it afterMs after `stage` is reached ('start' = process start; 'load' = the
 * package is staged and the load transaction is about to begin).
 */
async function killDuringIngest(dir: string, version: number, stage: 'start' | 'load', afterMs: number): Promise<'killed' | 'finished'> {
  const child = spawn(process.execPath, [cliPath, 'ingest', 'kills'], {
    cwd: dir,
    env: { ...process.env, DATA_VERSION: String(version), SLUICE_DEBUG: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let timer: NodeJS.Timeout | undefined;
  const arm = () => (timer = setTimeout(() => child.kill('SIGKILL'), afterMs));
  if (stage === 'start') arm();
  else child.stderr!.on('data', (d) => { if (!timer && String(d).includes('stage: load')) arm(); });
  child.stderr!.resume();
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  clearTimeout(timer);
  return signal === 'SIGKILL' ? 'killed' : 'finished';
}

async function versionsPresent(db: string): Promise<{ root: number[]; items: number[]; orders: number; items_n: number }> {
  const root = await query<{ version: number }>(db, 'SELECT DISTINCT version FROM kills.orders ORDER BY 1');
  const items = await query<{ version: number }>(db, 'SELECT DISTINCT version FROM kills.orders__items ORDER BY 1');
  const [n] = await query<{ orders: number; items_n: number }>(
    db,
    'SELECT (SELECT count(*) FROM kills.orders)::INT AS orders, (SELECT count(*) FROM kills.orders__items)::INT AS items_n',
  );
  return { root: root.map((r) => Number(r.version)), items: items.map((r) => Number(r.version)), ...n };
}

/** Milliseconds between the 'stage: load' and 'stage: loaded' markers of an uninterrupted run. */
async function measureLoadStage(dir: string, version: number): Promise<number> {
  const child = spawn(process.execPath, [cliPath, 'ingest', 'kills'], {
    cwd: dir,
    env: { ...process.env, DATA_VERSION: String(version), SLUICE_DEBUG: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let loadStarted = 0;
  let loadEnded = 0;
  child.stderr!.on('data', (d) => {
    const text = String(d);
    if (text.includes('stage: load ')) loadStarted = Date.now();
    if (text.includes('stage: loaded')) loadEnded = Date.now();
  });
  await new Promise((resolve) => child.on('exit', resolve));
  assert.ok(loadStarted && loadEnded, 'stage markers missing from SLUICE_DEBUG output');
  return loadEnded - loadStarted;
}

// A replace resource, or one merged on its id, in small parts: its groups go into the warehouse while the
// source still runs. Every run brings every id again, so either way one complete version must be there.
const SNAPSHOT_ROWS = 20_000;
const snapshotSource = (disposition: 'replace' | 'merge') => `
const version = Number(process.env.DATA_VERSION);
export default { name: 'snap', resources: [{
  name: 'rows', writeDisposition: '${disposition}', primaryKey: ${disposition === 'merge' ? "'id'" : 'undefined'},
  *rows() {
    for (let id = 1; id <= ${SNAPSHOT_ROWS}; id++) yield { id, version, tags: ['a' + version, 'b'] };
  },
}] };
`;

/**
 * Runs `sluice ingest snap` with small parts. With afterMs, kills it that long after the early load began;
 * without, lets it finish. Returns how it ended and how long it ran after the early load began.
 */
async function runSnapshot(dir: string, version: number, afterMs?: number): Promise<{ outcome: 'killed' | 'finished'; earlyMs: number }> {
  const child = spawn(process.execPath, [cliPath, 'ingest', 'snap'], {
    cwd: dir,
    env: { ...process.env, DATA_VERSION: String(version), SLUICE_DEBUG: '1', SLUICE_PART_ROWS: '1000' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let timer: NodeJS.Timeout | undefined;
  let earlyAt = 0;
  child.stderr!.on('data', (d) => {
    if (earlyAt || !String(d).includes('stage: early-load')) return;
    earlyAt = Date.now();
    if (afterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  clearTimeout(timer);
  return { outcome: signal === 'SIGKILL' ? 'killed' : 'finished', earlyMs: earlyAt ? Date.now() - earlyAt : 0 };
}

async function snapshotVersions(db: string): Promise<{ versions: number[]; rows: number; tags: number }> {
  const versions = await query<{ version: number }>(db, 'SELECT DISTINCT version FROM snap.rows ORDER BY 1');
  const [n] = await query<{ rows: number; tags: number }>(
    db,
    'SELECT (SELECT count(*) FROM snap.rows)::INT AS rows, (SELECT count(*) FROM snap.rows__tags)::INT AS tags',
  );
  return { versions: versions.map((r) => Number(r.version)), ...n };
}

for (const disposition of ['replace', 'merge'] as const) describe(`kill -9 while parts load during extraction (${disposition})`, function () {
  this.timeout(600_000);
  let project: TempProject;
  after(() => project?.cleanup());

  it('leaves one complete snapshot after each of 12 kills, and a rerun converges', async () => {
    project = makeProject({ 'sources/snap.js': snapshotSource(disposition) });
    // An uninterrupted run: how long a run goes on after its early load began is the window kills aim at.
    const first = await runSnapshot(project.dir, 1);
    assert.equal(first.outcome, 'finished');
    assert.ok(first.earlyMs > 0, 'the run never started loading early');
    assert.deepEqual(await snapshotVersions(project.warehouse), { versions: [1], rows: SNAPSHOT_ROWS, tags: 2 * SNAPSHOT_ROWS });
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 100000);
    const random = prng(seed);
    let killed = 0;
    for (let round = 2; killed < 12 && round < 40; round++) {
      const { outcome } = await runSnapshot(project.dir, round, Math.floor(random() * first.earlyMs * 0.9));
      if (outcome === 'killed') killed++;
      const context = `seed ${seed}, round ${round}, ${outcome}`;
      const seen = await snapshotVersions(project.warehouse);
      assert.equal(seen.versions.length, 1, `${context}: versions ${seen.versions}`);
      assert.deepEqual({ rows: seen.rows, tags: seen.tags }, { rows: SNAPSHOT_ROWS, tags: 2 * SNAPSHOT_ROWS }, context);
      const rerun = runCli(['ingest', 'snap'], project.dir, { DATA_VERSION: String(round), SLUICE_PART_ROWS: '1000' });
      assert.equal(rerun.code, 0, `${context}: rerun failed: ${rerun.stderr}`);
      assert.deepEqual(await snapshotVersions(project.warehouse), { versions: [round], rows: SNAPSHOT_ROWS, tags: 2 * SNAPSHOT_ROWS }, context);
    }
    assert.ok(killed >= 12, `only ${killed} runs were killed before finishing (seed ${seed})`);
  });
});

describe('kill -9 during merge loads', function () {
  this.timeout(600_000);
  let project: TempProject;
  after(() => project?.cleanup());

  it('leaves one complete version after each of 20 kills, and a rerun converges', async () => {
    project = makeProject({ 'sources/kills.js': source });
    const started = Date.now();
    assert.equal(runCli(['ingest', 'kills'], project.dir, { DATA_VERSION: '1' }).code, 0);
    const fullRunMs = Date.now() - started;
    const loadMs = await measureLoadStage(project.dir, 1);
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 100000);
    const random = prng(seed);
    let killed = 0;
    let killedAnywhere = 0;
    let killedInLoad = 0;
    let committedVersion = 1;
    for (let round = 2; killed < 20 && round < 80; round++) {
      // Alternate: kills anywhere in the run, and kills aimed inside the load transaction.
      const outcome =
        round % 2 === 0
          ? await killDuringIngest(project.dir, round, 'start', Math.floor(random() * fullRunMs * 1.1))
          : await killDuringIngest(project.dir, round, 'load', Math.floor(random() * loadMs));
      if (outcome === 'killed') (round % 2 === 0 ? killedAnywhere++ : killedInLoad++);
      killed = killedAnywhere + killedInLoad;
      const seen = await versionsPresent(project.warehouse);
      const context = `seed ${seed}, round ${round}, ${outcome}`;
      // Wholly the old version or wholly the new one: never a mix, never a partial load.
      assert.equal(seen.root.length, 1, `${context}: orders hold versions ${seen.root}`);
      assert.deepEqual(seen.items, seen.root, `${context}: items hold versions ${seen.items}, orders ${seen.root}`);
      assert.ok(seen.root[0] === committedVersion || seen.root[0] === round, `${context}: unexpected version ${seen.root[0]}`);
      assert.equal(seen.orders, ORDERS, context);
      assert.equal(seen.items_n, itemsPerVersion, context);
      committedVersion = seen.root[0];
      // The rerun converges to this round's version.
      const rerun = runCli(['ingest', 'kills'], project.dir, { DATA_VERSION: String(round) });
      assert.equal(rerun.code, 0, `${context}: rerun failed: ${rerun.stderr}`);
      const converged = await versionsPresent(project.warehouse);
      assert.deepEqual(converged, { root: [round], items: [round], orders: ORDERS, items_n: itemsPerVersion }, context);
      committedVersion = round;
    }
    assert.ok(killed >= 20, `only ${killed} runs were killed before finishing (seed ${seed})`);
    assert.ok(killedInLoad >= 5, `only ${killedInLoad} kills landed inside the load (seed ${seed})`);
    const [sum] = await query<{ s: number }>(project.warehouse, 'SELECT sum(amount)::BIGINT AS s FROM kills.orders');
    assert.equal(Number(sum.s), (ORDERS * (ORDERS + 1) / 2) * committedVersion);
  });
});
