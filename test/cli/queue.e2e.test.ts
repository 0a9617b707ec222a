// Two `sluice ingest` processes at once: the second waits for the first (for the warehouse, or for the
// source) and then loads too; nothing is thrown away, nothing is loaded twice. Sources hold the first run
// open at a gate (a file the test creates) so that the overlap is certain, not a matter of timing.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cliPath, makeProject, query, runCli, type TempProject } from '../helpers/project';

/** Waits at the gate file named by `envName`, if that variable is set, after logging `message`. */
const gate = (envName: string, message: string) => `
  if (process.env.${envName}) {
    ctx.log.info(${JSON.stringify(message)});
    while (!fs.existsSync(process.env.${envName})) await new Promise((resolve) => setTimeout(resolve, 50));
  }`;

const BIG_ROWS = 3000;
// With SLUICE_PART_ROWS=1000 its first part goes into the warehouse early: it holds the file while it waits.
const bigSource = `
import fs from 'node:fs';
export default { name: 'big', resources: [{ name: 'rows', writeDisposition: 'append',
  async *rows(ctx) {
    for (let id = 1; id <= ${BIG_ROWS}; id++) yield { id };
    ${gate('BIG_GATE', 'big: at the gate')}
  },
}] };
`;
const smallSource = `
import fs from 'node:fs';
export default { name: 'small', resources: [{ name: 'rows', writeDisposition: 'append',
  async *rows(ctx) {
    for (let id = 1; id <= 10; id++) yield { id };
    ${gate('SMALL_GATE', 'small: extracted, at the gate')}
  },
}] };
`;
// Incremental on id, appended: a run that did not start from the last committed cursor would add every
// row again. It yields FEED_LAST rows; Sluice drops those before the cursor.
const feedSource = `
import fs from 'node:fs';
export default { name: 'feed', resources: [{ name: 'events', primaryKey: 'id', writeDisposition: 'append',
  incremental: { cursor: 'id', initialValue: 0 },
  async *rows(ctx) {
    ctx.log.info('feed starts at ' + ctx.incremental.start);
    for (let id = 1; id <= Number(process.env.FEED_LAST); id++) yield { id };
    ${gate('FEED_GATE', 'feed: at the gate')}
  },
}] };
`;

interface CliProcess {
  pid: number;
  stderr(): string;
  /** Resolves true once stderr shows text, false if the process exits first. */
  shows(text: string): Promise<boolean>;
  exited: Promise<number | null>;
}

function startIngest(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  return startCli(dir, ['ingest', ...args], env);
}

function startCli(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: dir,
    env: { ...process.env, SLUICE_DEBUG: '1', SLUICE_PART_ROWS: '1000', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stderr!.on('data', (d) => {
    stderr += String(d);
    for (const listener of listeners) listener();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    pid: child.pid!,
    stderr: () => stderr,
    exited,
    shows: (text) =>
      new Promise<boolean>((resolve) => {
        const check = () => stderr.includes(text) && resolve(true);
        listeners.add(check);
        check();
        void exited.then(() => resolve(stderr.includes(text)));
      }),
  };
}

async function loads(db: string): Promise<{ source: string; status: string }[]> {
  return query(db, 'SELECT "source", "status" FROM _sluice.loads ORDER BY "started_at"');
}

async function count(db: string, table: string): Promise<{ n: number; distinct: number }> {
  const [row] = await query<{ n: number; distinct: number }>(db, `SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS "distinct" FROM ${table}`);
  return row;
}

describe('concurrent sluice ingest runs queue on their locks (end to end)', function () {
  this.timeout(180_000);
  let project: TempProject;
  const gateFile = (name: string) => path.join(project.dir, `${name}.gate`);
  const open = (name: string) => fs.writeFileSync(gateFile(name), '');
  afterEach(() => project?.cleanup());

  it('a second source waits while the first loads into the warehouse, then both are loaded', async () => {
    project = makeProject({ 'sources/big.js': bigSource, 'sources/small.js': smallSource });
    const first = startIngest(project.dir, ['big'], { BIG_GATE: gateFile('big') });
    assert.ok(await first.shows('stage: early-load'), `the first run never loaded early:\n${first.stderr()}`);
    const second = startIngest(project.dir, ['small']);
    const waited = await second.shows('waiting for the warehouse: locked by process');
    assert.ok(waited, `the second run did not wait:\n${second.stderr()}`);
    assert.match(second.stderr(), new RegExp(`waiting for the warehouse: locked by process ${first.pid} \\(1(\\.\\d)? s of at most 10 min\\)`));
    open('big');
    assert.equal(await first.exited, 0, first.stderr());
    assert.equal(await second.exited, 0, second.stderr());
    assert.deepEqual(await loads(project.warehouse), [
      { source: 'big', status: 'loaded' },
      { source: 'small', status: 'loaded' },
    ]);
    assert.deepEqual(await count(project.warehouse, 'big.rows'), { n: BIG_ROWS, distinct: BIG_ROWS });
    assert.deepEqual(await count(project.warehouse, 'small.rows'), { n: 10, distinct: 10 });
  });

  it('a run that finished extracting while another holds the warehouse waits to load what it extracted', async () => {
    project = makeProject({ 'sources/big.js': bigSource, 'sources/small.js': smallSource });
    const small = startIngest(project.dir, ['small'], { SMALL_GATE: gateFile('small') });
    assert.ok(await small.shows('small: extracted, at the gate'), small.stderr());
    const big = startIngest(project.dir, ['big'], { BIG_GATE: gateFile('big') });
    assert.ok(await big.shows('stage: early-load'), big.stderr());
    open('small');
    assert.ok(await small.shows('waiting for the warehouse'), `the small run did not wait:\n${small.stderr()}`);
    // It waits with its package staged: the extraction is kept, not redone.
    const text = small.stderr();
    assert.ok(text.indexOf('stage: load ') >= 0 && text.indexOf('stage: load ') < text.indexOf('waiting for the warehouse'), text);
    open('big');
    assert.equal(await big.exited, 0, big.stderr());
    assert.equal(await small.exited, 0, small.stderr());
    assert.equal(small.stderr().match(/stage: extract /g)?.length, 1, 'extracted once');
    assert.deepEqual(
      (await loads(project.warehouse)).map((l) => l.status),
      ['loaded', 'loaded'],
    );
    assert.deepEqual(await count(project.warehouse, 'small.rows'), { n: 10, distinct: 10 });
    assert.deepEqual(await count(project.warehouse, 'big.rows'), { n: BIG_ROWS, distinct: BIG_ROWS });
  });

  it('a second run of the same incremental source waits for the first and starts from its cursor', async () => {
    project = makeProject({ 'sources/feed.js': feedSource });
    const first = startIngest(project.dir, ['feed'], { FEED_LAST: '100', FEED_GATE: gateFile('feed') });
    assert.ok(await first.shows('feed: at the gate'), first.stderr());
    const second = startIngest(project.dir, ['feed'], { FEED_LAST: '150' });
    const waited = await second.shows('waiting for source "feed"');
    assert.ok(waited, `the second run did not wait:\n${second.stderr()}`);
    assert.match(second.stderr(), new RegExp(`waiting for source "feed": locked by process ${first.pid} \\(`));
    open('feed');
    assert.equal(await first.exited, 0, first.stderr());
    assert.equal(await second.exited, 0, second.stderr());
    assert.match(first.stderr(), /feed starts at 0\n/);
    assert.match(second.stderr(), /feed starts at 100\n/);
    assert.deepEqual(await count(project.warehouse, 'feed.events'), { n: 150, distinct: 150 });
    assert.deepEqual(await loads(project.warehouse), [
      { source: 'feed', status: 'loaded' },
      { source: 'feed', status: 'loaded' },
    ]);
  });

  it('sluice janitor, a writer too, waits for an ingest that holds the warehouse', async () => {
    project = makeProject({ 'sources/big.js': bigSource });
    const ingest = startIngest(project.dir, ['big'], { BIG_GATE: gateFile('big') });
    assert.ok(await ingest.shows('stage: early-load'), ingest.stderr());
    const janitor = startCli(project.dir, ['janitor']);
    assert.ok(await janitor.shows(`waiting for the warehouse: locked by process ${ingest.pid}`), `janitor did not wait:\n${janitor.stderr()}`);
    open('big');
    assert.equal(await ingest.exited, 0, ingest.stderr());
    assert.equal(await janitor.exited, 0, janitor.stderr());
  });

  it('gives up after --lock-wait (or SLUICE_LOCK_WAIT_MS), naming the process it waited for and the wait', async () => {
    project = makeProject({ 'sources/big.js': bigSource, 'sources/small.js': smallSource, 'sources/feed.js': feedSource });
    const holder = startIngest(project.dir, ['big'], { BIG_GATE: gateFile('big') });
    assert.ok(await holder.shows('stage: early-load'), holder.stderr());
    const short = runCli(['ingest', 'small', '--lock-wait', '1'], project.dir);
    assert.equal(short.code, 1, short.stderr);
    assert.match(
      short.stderr,
      new RegExp(`warehouse .*warehouse\\.duckdb is locked by another process \\(pid ${holder.pid}\\); waited 1 s: wait for it to finish, then retry, or wait longer \\(--lock-wait SECONDS, lock_wait in sluice\\.yaml or SLUICE_LOCK_WAIT_MS\\)`),
    );
    const fromEnv = runCli(['ingest', 'small'], project.dir, { SLUICE_LOCK_WAIT_MS: '500' });
    assert.equal(fromEnv.code, 1, fromEnv.stderr);
    assert.match(fromEnv.stderr, new RegExp(`\\(pid ${holder.pid}\\); waited 0\\.5 s`));
    assert.equal(runCli(['ingest', 'small', '--lock-wait', 'soon'], project.dir).code, 2);
    open('big');
    assert.equal(await holder.exited, 0, holder.stderr());

    const feed = startIngest(project.dir, ['feed'], { FEED_LAST: '5', FEED_GATE: gateFile('feed') });
    assert.ok(await feed.shows('feed: at the gate'), feed.stderr());
    const again = runCli(['ingest', 'feed', '--lock-wait', '0.5'], project.dir, { FEED_LAST: '5' });
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, new RegExp(`source "feed" is already being ingested by process ${feed.pid}; waited 0\\.5 s: `));

    open('feed');
    assert.equal(await feed.exited, 0, feed.stderr());
  });
});
