import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverModels, inferModelName, listModelFiles } from '../../core/models/discover';
import { parseModelFile } from '../../core/models/parse';
import { findDuplicateModels, modelKey } from '../../core/models/duplicates';
import { describeDiagnostics, parse } from './helpers';

describe('model discovery', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-models-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const write = async (relative: string, text: string): Promise<void> => {
    const file = path.join(dir, ...relative.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text, 'utf8');
  };

  it('finds models/**/*.sql sorted by path, skipping other files and hidden folders', async () => {
    await write('models/z.sql', 'MODEL (name s.z); SELECT 1');
    await write('models/a/b.sql', 'MODEL (name s.b); SELECT 1');
    await write('models/A.SQL', 'MODEL (name s.upper); SELECT 1');
    await write('models/a.sql', 'MODEL (name s.a); SELECT 1');
    await write('models/notes.md', '# not a model');
    await write('models/.ipynb_checkpoints/a.sql', 'MODEL (name s.hidden); SELECT 1');
    await write('other/c.sql', 'MODEL (name s.c); SELECT 1');
    const files = await listModelFiles(dir);
    assert.deepEqual(files.map((f) => path.relative(dir, f).split(path.sep).join('/')), ['models/A.SQL', 'models/a.sql', 'models/a/b.sql', 'models/z.sql']);
    const models = await discoverModels(dir);
    assert.deepEqual(models.map((m) => m.definition?.name), ['s.upper', 's.a', 's.b', 's.z']);
    assert.equal(models[1].file, path.join(dir, 'models', 'a.sql'));
  });

  it('returns nothing for a project without a models folder', async () => {
    assert.deepEqual(await discoverModels(dir), []);
  });

  it('ignores a byte order mark so positions match what editors show', async () => {
    await write('models/bom.sql', '\ufeffMODEL (\n  name s.bom,\n  owner\n);\nSELECT 1');
    const [model] = await discoverModels(dir);
    assert.deepEqual(describeDiagnostics(model.diagnostics), ["3:3 error property 'owner' has no value"]);
  });
});

describe('duplicate model names', () => {
  it('reports the name in every file that defines it, case-insensitively, pointing at the others', () => {
    const a = parse('MODEL (\n  name Sushi.Orders\n);\nSELECT 1', 'models/a.sql');
    const b = parse('MODEL (name sushi.orders); SELECT 2', 'models/b.sql');
    const c = parse('MODEL (name sushi.items); SELECT 3', 'models/c.sql');
    const diagnostics = findDuplicateModels([a, b, c]);
    assert.deepEqual(
      diagnostics.map((d) => `${d.file} ${d.start.line}:${d.start.column}-${d.end.line}:${d.end.column} ${d.message}`),
      [
        'models/a.sql 2:8-2:20 model Sushi.Orders is also defined in models/b.sql:1:13',
        'models/b.sql 1:13-1:25 model sushi.orders is also defined in models/a.sql:2:8',
      ],
    );
    assert.ok(diagnostics.every((d) => d.severity === 'error'));
  });

  it('lists every other file when a name is defined three times', () => {
    const models = ['x', 'y', 'z'].map((f) => parse('MODEL (name s.t); SELECT 1', `models/${f}.sql`));
    const diagnostics = findDuplicateModels(models);
    assert.equal(diagnostics.length, 3);
    assert.match(diagnostics[0].message, /models\/y\.sql:1:13, models\/z\.sql:1:13$/);
  });

  it('ignores files without a definition and unique names', () => {
    assert.deepEqual(findDuplicateModels([parse('SELECT 1'), parse('MODEL (name s.a); SELECT 1'), parse('MODEL (name s.b); SELECT 1')]), []);
  });

  it('keys names by lower-cased parts', () => {
    assert.equal(modelKey(['Sushi', 'Orders']), 'sushi.orders');
  });
});

describe('inferred model names (SQLMesh infer_names)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-infer-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('names a model after its folders and file, with or without a MODEL block', async () => {
    await fs.mkdir(path.join(dir, 'models', 'sales'), { recursive: true });
    await fs.writeFile(path.join(dir, 'models', 'sales', 'orders.sql'), 'MODEL (kind FULL);\nSELECT 1 AS id');
    await fs.writeFile(path.join(dir, 'models', 'sales', 'refunds.sql'), '-- just a query\nSELECT 2 AS id');
    await fs.writeFile(path.join(dir, 'models', 'sales', 'named.sql'), 'MODEL (name other.thing);\nSELECT 3 AS id');
    const models = await discoverModels(dir, { inferNames: true });
    assert.deepEqual(models.map((m) => [m.definition?.name, m.definition?.kind.name, m.query]), [
      ['other.thing', 'VIEW', 'SELECT 3 AS id'],
      ['sales.orders', 'FULL', 'SELECT 1 AS id'],
      ['sales.refunds', 'VIEW', 'SELECT 2 AS id'],
    ]);
    assert.deepEqual(models.flatMap((m) => m.diagnostics), []);
  });

  it('reports a file directly under models/ whose name cannot be inferred', () => {
    const model = parse('SELECT 1', 'models/orders.sql');
    assert.match(describeDiagnostics(model.diagnostics)[0], /must start with a MODEL/);
    const inferred = parseModelFile('SELECT 1', 'models/orders.sql', { inferredName: inferModelName('orders.sql') });
    assert.match(describeDiagnostics(inferred.diagnostics)[0], /^1:1 error no name is given and none can be inferred/);
  });

  it('keeps the last three parts of deep paths', () => {
    assert.deepEqual(inferModelName('a/b/c/d.sql'), ['b', 'c', 'd']);
    assert.deepEqual(inferModelName('a\\b.sql'), ['a', 'b']);
  });
});
