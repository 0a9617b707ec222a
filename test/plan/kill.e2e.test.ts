// kill -9 at random moments during `sluice apply dev`: after every kill the environment shows one complete
// set of versions (never a mix of old and new), every view reads a table that exists, no snapshot is
// recorded without its table; a rerun converges (and takes over the lock the killed apply left).
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { DuckDBInstance } from '@duckdb/node-api';
import { cliPath, makeProject, runCliJson, type TempProject } from '../helpers/project';

/** Each version's tag changes every model (a breaking change at the root), so every apply builds them all. */
function files(version: number): Record<string, string> {
  const tag = `v${version}`;
  return {
    'models/a.sql': `MODEL (name kill.a, kind FULL);\nSELECT '${tag}' AS tag, i AS id, hash(i) AS h FROM range(0, 400000) AS t(i)\n`,
    'models/b.sql': `MODEL (name kill.b, kind FULL);\nSELECT tag, id % 1000 AS k, sum(h) AS h FROM kill.a GROUP BY ALL\n`,
    'models/c.sql': `MODEL (name kill.c, kind FULL);\nSELECT a.tag, a.id, a.h + coalesce(b.h, 0) AS h FROM kill.a AS a LEFT JOIN kill.b AS b ON b.k = a.id\n`,
    'models/d.sql': `MODEL (name kill.d, kind VIEW);\nSELECT tag, count(*) AS n FROM kill.c GROUP BY tag\n`,
  };
}

function prng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

async function inspect(db: string) {
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  const all = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, any>[];
  try {
    const envRows = await all("SELECT CAST(snapshots AS VARCHAR) AS s FROM _sluice.environments WHERE name = 'dev'");
    const entries = envRows.length > 0 ? (JSON.parse(envRows[0].s) as { name: string; version: string }[]) : [];
    const views = await all("SELECT schema_name || '.' || view_name AS name, sql FROM duckdb_views() WHERE schema_name = 'kill__dev'");
    const objects = new Set((await all(
      "SELECT schema_name || '.' || table_name AS n FROM duckdb_tables() WHERE starts_with(schema_name, 'sluice__') UNION ALL SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE starts_with(schema_name, 'sluice__')",
    )).map((r) => r.n));
    const stored = (await all('SELECT name, version FROM _sluice.snapshots').catch(() => [])) as { name: string; version: string }[];
    const tags = views.length > 0 ? await all(`SELECT DISTINCT tag FROM (${views.map((v) => `SELECT tag FROM ${v.name}`).join(' UNION ALL ')})`) : [];
    return { entries, views, objects, stored, tags: tags.map((t) => t.tag) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function checkConsistent(state: Awaited<ReturnType<typeof inspect>>, when: string): void {
  const physical = (e: { name: string; version: string }) => `sluice__kill.${e.name.split('.')[1]}__${e.version.slice(0, 10)}`;
  assert.equal(state.views.length, state.entries.length, `${when}: one dev view per environment entry`);
  for (const e of state.entries) {
    const view = state.views.find((v) => v.name === `kill__dev.${e.name.split('.')[1]}`);
    assert.ok(view, `${when}: view of ${e.name}`);
    assert.ok(view.sql.includes(physical(e)), `${when}: ${view.name} reads ${physical(e)}`);
    assert.ok(state.objects.has(physical(e)), `${when}: ${physical(e)} exists`);
  }
  for (const s of state.stored) assert.ok(state.objects.has(physical(s)), `${when}: stored snapshot ${s.name} has its table`);
  assert.ok(state.tags.length <= 1, `${when}: dev shows one version, not a mix: ${state.tags.join(', ')}`);
}

/**
 * Runs `sluice apply dev` and kills it `ms` after it starts, or (fromBuild) `ms` after its first
 * "build" progress line. Also reports how long the build phase lasted when it was not killed.
 */
function applyKilledAfter(dir: string, ms: number, fromBuild: boolean): Promise<{ outcome: 'killed' | 'finished'; buildMs: number }> {
  const child = spawn(process.execPath, [cliPath, 'apply', 'dev'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let timer: NodeJS.Timeout | undefined;
  let buildStarted = 0;
  const arm = () => (timer = setTimeout(() => child.kill('SIGKILL'), ms));
  if (!fromBuild) arm();
  child.stderr!.on('data', (d) => {
    if (buildStarted === 0 && String(d).includes('build ')) {
      buildStarted = Date.now();
      if (fromBuild) arm();
    }
  });
  return new Promise((resolve) => child.on('exit', (_code, signal) => {
    clearTimeout(timer);
    resolve({ outcome: signal === 'SIGKILL' ? 'killed' : 'finished', buildMs: buildStarted ? Date.now() - buildStarted : 0 });
  }));
}

describe('kill -9 during apply', function () {
  this.timeout(300_000);
  let project: TempProject;
  after(() => project?.cleanup());

  it('leaves dev consistent after every kill and converges on rerun', async () => {
    project = makeProject(files(0));
    const started = Date.now();
    const first = await applyKilledAfter(project.dir, 600_000, false);
    assert.equal(first.outcome, 'finished');
    const total = Date.now() - started;
    const buildMs = Math.max(first.buildMs, 50);
    checkConsistent(await inspect(project.warehouse), 'after the first apply');

    const random = prng(20240611);
    let kills = 0;
    let version = 0;
    for (let attempt = 0; kills < 10 && attempt < 30; attempt++) {
      version++;
      for (const [file, text] of Object.entries(files(version))) project.write(file, text);
      // Every other kill lands somewhere in the build phase, the others anywhere in the run.
      const fromBuild = attempt % 2 === 1;
      const delay = Math.floor(random() * (fromBuild ? buildMs : total));
      const { outcome } = await applyKilledAfter(project.dir, delay, fromBuild);
      if (outcome === 'killed') kills++;
      const state = await inspect(project.warehouse);
      checkConsistent(state, `attempt ${attempt} (${outcome} after ${delay} ms${fromBuild ? ' of building' : ''})`);
      if (outcome === 'finished') assert.deepEqual(state.tags, [`v${version}`]);
    }
    assert.equal(kills, 10);
    const tag = `v${version}`;

    const rerun = runCliJson(['apply', 'dev'], project.dir);
    assert.equal(rerun.code, 0, rerun.stderr);
    const final = await inspect(project.warehouse);
    checkConsistent(final, 'after the rerun');
    assert.deepEqual(final.tags, [tag]);
    const plan = runCliJson(['plan', 'dev'], project.dir);
    assert.deepEqual([plan.json.changes, plan.json.build, plan.json.empty], [[], [], true]);
    const janitor = runCliJson(['janitor'], project.dir);
    assert.equal(janitor.code, 0, janitor.stderr);
    checkConsistent(await inspect(project.warehouse), 'after the janitor');
  });
});
