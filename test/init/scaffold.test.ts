// "New Source" and "New Model": the files they write into a real project work as they are — the source
// loads, the model is read and built — names are checked first, and nothing is overwritten.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import { modelNameProblem, newModel, newSource, sourceNameProblem, writeScaffold } from '../../core/init/scaffold';
import { makeProject, runCli, runCliJson, type TempProject } from '../helpers/project';

describe('new source and new model files', function () {
  this.timeout(120_000);
  let project: TempProject;
  beforeEach(() => (project = makeProject({})));
  afterEach(() => fs.rmSync(project.dir, { recursive: true, force: true }));

  it('writes a source that loads as it is, with its optional nested keys', () => {
    const file = writeScaffold(project.dir, newSource('crm'));
    assert.equal(file, `${project.dir}/sources/crm.ts`);
    const run = runCliJson(['ingest', 'crm'], project.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.tables.items.rows, 2);
    assert.equal(run.json.tables.items__tags.rows, 1);
  });

  it('writes a model that is read and built where its name says', () => {
    writeScaffold(project.dir, newModel('staging.first_model'));
    assert.ok(fs.existsSync(`${project.dir}/models/staging/first_model.sql`));
    const models = runCliJson(['models'], project.dir);
    assert.equal(models.code, 0, models.stderr);
    const apply = runCli(['apply', 'prod'], project.dir);
    assert.equal(apply.code, 0, apply.stderr);
    const query = runCliJson(['query', 'SELECT id FROM staging.first_model'], project.dir);
    assert.deepEqual(query.json.rows, [[1]]);
  });

  it('checks names before writing and never overwrites a file', () => {
    assert.match(sourceNameProblem('My Source')!, /lower-case letters/);
    assert.equal(sourceNameProblem('my_source'), undefined);
    assert.match(modelNameProblem('orders')!, /schema\.table/);
    assert.equal(modelNameProblem('staging.orders'), undefined);
    assert.throws(() => newModel('a.b.c'), /schema\.table/);
    writeScaffold(project.dir, newSource('crm'));
    fs.writeFileSync(`${project.dir}/sources/crm.ts`, '// mine\n');
    assert.throws(() => writeScaffold(project.dir, newSource('crm')), /sources\/crm\.ts exists already/);
    assert.equal(fs.readFileSync(`${project.dir}/sources/crm.ts`, 'utf8'), '// mine\n');
  });
});
