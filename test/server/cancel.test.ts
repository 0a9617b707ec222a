import { strict as assert } from 'node:assert';
import { CancelIngest, IngestProgress, RunSource, SluiceErrorCodes } from '../../core/protocol';
import { makeProject, query, type TempProject } from '../helpers/project';
import { slowSource } from './fixtures';
import { CancellationTokenSource, LspTestClient } from './lspClient';

describe('language server: cancelling an ingest', function () {
  let project: TempProject;
  let client: LspTestClient;

  before(async () => {
    project = makeProject({ 'sources/slow.ts': slowSource });
    client = await LspTestClient.start({ folders: [project.dir], trusted: true });
  });

  after(async () => {
    await client?.stop();
    project?.cleanup();
  });

  /** Resolves once the slow source is inside its long wait. */
  const waiting = (since: number) => client.waitFor('window/logMessage', (p) => /waiting for the next tick/.test(p.message), since);

  it('sluice/cancelIngest stops the run, which answers "cancelled" and loads nothing', async () => {
    const mark = client.mark();
    const run = client.request(RunSource.type, { source: 'slow', runId: 'slow-1' });
    const log = await waiting(mark);
    assert.match(log.params.message, /^\[slow\] /);
    await client.notify(CancelIngest.type, { runId: 'slow-1' });
    const result = await run;
    assert.equal(result.status, 'cancelled');
    assert.equal(result.error, 'ingest cancelled');
    assert.ok(result.durationMs < 60_000);
    const tables = await query(project.warehouse, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'slow'");
    assert.deepEqual(tables, []);
    const last = client.all(IngestProgress.method).filter((p) => p.runId === 'slow-1').pop();
    assert.equal(last?.done, true);
  });

  it('refuses a second run of a source that is still running', async () => {
    const mark = client.mark();
    const first = client.request(RunSource.type, { source: 'slow', runId: 'slow-2' });
    await waiting(mark);
    await assert.rejects(client.request(RunSource.type, { source: 'slow' }), (err: { code: number; message: string }) => {
      assert.equal(err.code, SluiceErrorCodes.Busy);
      assert.equal(err.message, 'source "slow" of project test is already running');
      return true;
    });
    await client.notify(CancelIngest.type, { runId: 'slow-2' });
    assert.equal((await first).status, 'cancelled');
  });

  it('$/cancelRequest on the request stops the run and answers RequestCancelled', async () => {
    const mark = client.mark();
    const token = new CancellationTokenSource();
    const run = client.request(RunSource.type, { source: 'slow', runId: 'slow-3' }, token);
    await waiting(mark);
    token.cancel();
    await assert.rejects(run, (err: { code: number; message: string }) => {
      assert.equal(err.code, -32800);
      assert.equal(err.message, 'ingest of slow cancelled; nothing was loaded');
      return true;
    });
    // The source is free again: the cancelled run released it.
    const again = client.mark();
    const rerun = client.request(RunSource.type, { source: 'slow', runId: 'slow-4' });
    await waiting(again);
    await client.notify(CancelIngest.type, { runId: 'slow-4' });
    assert.equal((await rerun).status, 'cancelled');
  });
});
