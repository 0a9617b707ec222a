import { strict as assert } from 'node:assert';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { IngestProgress, ListSources, RunSource, SluiceErrorCodes } from '../../core/protocol';
import { makeProject, query, type TempProject } from '../helpers/project';
import { brokenSource, numbersSource } from './fixtures';
import { fileUri, LspTestClient } from './lspClient';

describe('language server: sluice/runSource', function () {
  let project: TempProject;
  let client: LspTestClient;

  before(async () => {
    project = makeProject({
      'sluice.yaml': 'name: numbers_demo\nsources:\n  numbers:\n    resources:\n      evens: true\n      odds: true\n',
      'sources/numbers.ts': numbersSource,
      'sources/broken.ts': brokenSource,
    });
    client = await LspTestClient.start({ folders: [project.dir], trusted: true });
  });

  after(async () => {
    await client?.stop();
    project?.cleanup();
  });

  it('loads a source given by file URI and reports rows per table', async () => {
    const result = await client.request(RunSource.type, { file: fileUri(path.join(project.dir, 'sources', 'numbers.ts')), runId: 'run-1' });
    assert.equal(result.status, 'loaded', result.error);
    assert.equal(result.runId, 'run-1');
    assert.equal(result.source, 'numbers');
    assert.equal(result.project, 'numbers_demo');
    assert.equal(result.warehouse, project.warehouse);
    assert.deepEqual(result.tables, [
      { table: 'evens', rows: 12000 },
      { table: 'odds', rows: 300 },
      { table: 'odds__tags', rows: 600 },
    ]);
    assert.match(String(result.loadId), /^\d{8}T\d+Z?-[0-9a-f]{6}$/);
  });

  it('leaves the rows in the DuckDB file and does not keep the file open', async () => {
    const [row] = await query<{ n: number; max: number }>(project.warehouse, 'SELECT count(*)::INTEGER AS n, max(n)::INTEGER AS max FROM numbers.evens');
    assert.deepEqual(row, { n: 12000, max: 23998 });
    // A writer from another process only gets the file if the server let go of it.
    const instance = await DuckDBInstance.create(project.warehouse);
    instance.closeSync();
  });

  it('sends progress with rows and rows/s per resource, ending with a final notification', async () => {
    const mark = client.mark();
    await client.request(RunSource.type, { source: 'numbers', runId: 'run-2' });
    const progress: IngestProgress.Params[] = client.all(IngestProgress.method).filter((p) => p.runId === 'run-2');
    assert.ok(client.mark() > mark);
    const during = progress.filter((p) => !p.done);
    assert.ok(during.length >= 1, 'at least one progress notification while running');
    // Sent while the run was under way: part of the first resource, with a rate.
    const first = during[0].resources.find((r) => r.name === 'evens');
    assert.ok(first && first.rows > 0 && first.rows < 12000 && first.rowsPerSecond > 0, JSON.stringify(during[0]));
    const last = progress[progress.length - 1];
    assert.equal(last.done, true);
    assert.equal(progress.filter((p) => p.done).length, 1);
    assert.deepEqual(last.resources.map((r) => [r.name, r.rows]), [['evens', 12000], ['odds', 300]]);
    assert.equal(last.totalRows, 12300);
    assert.ok(last.resources.every((r) => r.rowsPerSecond > 0));
  });

  it('reports a failing resource as a failed run with the resource named', async () => {
    const result = await client.request(RunSource.type, { source: 'broken' });
    assert.equal(result.status, 'failed');
    assert.match(String(result.error), /resource "items" failed after 2 items: upstream answered 503/);
    assert.deepEqual(result.tables, []);
  });

  it('refuses a file that is not a source module, naming it', async () => {
    const file = path.join(project.dir, 'sluice.yaml');
    await assert.rejects(client.request(RunSource.type, { file }), (err: { code: number; message: string }) => {
      assert.equal(err.code, SluiceErrorCodes.UserError);
      assert.match(err.message, /^sluice\.yaml is not a source module of project numbers_demo/);
      return true;
    });
  });

  it('answers an unknown source name with a failed run listing the known ones', async () => {
    const result = await client.request(RunSource.type, { source: 'nope' });
    assert.equal(result.status, 'failed');
    assert.match(String(result.error), /no source "nope" in sources\/ \(found: broken, numbers\)/);
  });

  it('rejects a bad limit before running anything', async () => {
    await assert.rejects(client.request(RunSource.type, { source: 'numbers', limit: -3 }), /limit must be a whole number > 0, got -3/);
  });

  it('runs only the requested resources, up to the limit', async () => {
    const result = await client.request(RunSource.type, { source: 'numbers', resources: ['odds'], limit: 10, fullRefresh: true });
    assert.equal(result.status, 'loaded', result.error);
    assert.deepEqual(result.tables, [
      { table: 'odds', rows: 10 },
      { table: 'odds__tags', rows: 20 },
    ]);
  });

  it('lists sources with their resources and enabled flags in a trusted workspace', async () => {
    const listing = await client.request(ListSources.type, {});
    assert.equal(listing.trusted, true);
    assert.equal(listing.projects.length, 1);
    const [numbers] = listing.projects[0].sources.filter((s) => s.name === 'numbers');
    assert.deepEqual(numbers.resources, [
      { name: 'evens', enabled: true },
      { name: 'odds', enabled: true },
    ]);
    assert.equal(numbers.file, path.join(project.dir, 'sources', 'numbers.ts'));
  });
});
