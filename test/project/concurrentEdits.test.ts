// Edits that arrive while earlier ones are still being analysed: the newest change takes over the models
// left to analyse, superseded texts are skipped, and once everything has settled the project is exactly
// what a fresh load of the final texts gives. Random sequences of edits across a chain of models, many
// seeds, compared with that fresh load.

import { strict as assert } from 'node:assert';
import { ModelProject } from '../../core/dag/project';
import { makeProject, type TempProject } from '../helpers/project';
import { describe as describeDiagnostics, modelProject, shopSchema } from './helpers';

/** A chain base → mid_0 … mid_n → top, each mid adding a column over `*` of the one before. */
function chain(length: number): Record<string, string> {
  const files: Record<string, string> = {
    'models/staging/base.sql': 'MODEL (name staging.base);\nSELECT id, status, amount FROM shop.orders\n',
  };
  let previous = 'staging.base';
  for (let i = 0; i < length; i++) {
    files[`models/mid/m${i}.sql`] = `MODEL (name mid.m${i});\nSELECT *, amount * ${i} AS x${i} FROM ${previous}\n`;
    previous = `mid.m${i}`;
  }
  files['models/marts/top.sql'] = `MODEL (name marts.top);\nSELECT status, sum(amount) AS total FROM ${previous} GROUP BY status\n`;
  return files;
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0), s / 2 ** 32);
}

/** Columns and diagnostics of every model: what two projects must agree on. */
function snapshot(project: ModelProject, dir: string): unknown {
  return {
    models: project.models().map((m) => ({ key: m.key, columns: m.columns.map((c) => `${c.name}:${c.type ?? '?'}`), upstream: m.upstream })),
    diagnostics: describeDiagnostics(project.diagnostics(), dir),
  };
}

describe('edits arriving during analysis', function () {
  this.timeout(120_000);
  let temp: TempProject;
  afterEach(() => temp?.cleanup());

  it('settles to what a fresh load of the final texts gives, for random overlapping edits', async () => {
    const files = chain(30);
    const paths = Object.keys(files);
    for (let seed = 1; seed <= 12; seed++) {
      temp = modelProject(files);
      const project = await ModelProject.load(temp.dir);
      const rand = random(seed);
      const texts = { ...files };
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < 25; i++) {
        const file = paths[Math.floor(rand() * paths.length)];
        const roll = rand();
        // Rename a column, break the query, restore it, or drop a column the chain reads.
        texts[file] =
          roll < 0.3
            ? files[file].replace(' AS ', ` AS renamed_${i}_`)
            : roll < 0.5
              ? files[file].replace('SELECT', 'SELECT (')
              : roll < 0.7
                ? files[file].replace('amount', 'status')
                : files[file];
        // Not awaited: the next edit arrives while this one is parsed or its downstream analysed.
        pending.push(project.update(`${temp.dir}/${file}`, texts[file]));
        if (rand() < 0.3) await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(pending);
      assert.ok(project.isSettled(), `seed ${seed}: models left unanalysed`);

      const fresh = makeProject(texts);
      try {
        const { exportSchemaYaml } = await import('../../core/schema/export');
        exportSchemaYaml(fresh.dir, shopSchema);
        const expected = await ModelProject.load(fresh.dir);
        const norm = (v: unknown, dir: string) => JSON.parse(JSON.stringify(v).split(dir).join('<dir>'));
        assert.deepEqual(norm(snapshot(project, temp.dir), temp.dir), norm(snapshot(expected, fresh.dir), fresh.dir), `seed ${seed}`);
      } finally {
        fresh.cleanup();
        temp.cleanup();
      }
    }
  });

  it('skips a text that a newer one replaced before it was parsed', async () => {
    temp = modelProject(chain(3));
    const project = await ModelProject.load(temp.dir);
    const before = project.analysisCount;
    let latest = 'first';
    const file = `${temp.dir}/models/mid/m1.sql`;
    const first = project.update(file, chain(3)['models/mid/m1.sql'].replace('AS x1', 'AS first'), { superseded: () => latest !== 'first' });
    latest = 'second';
    const second = project.update(file, chain(3)['models/mid/m1.sql'].replace('AS x1', 'AS second'), { superseded: () => latest !== 'second' });
    assert.deepEqual((await first).analysed, []);
    assert.deepEqual((await second).analysed, ['mid.m1', 'mid.m2', 'marts.top']);
    assert.equal(project.analysisCount, before + 3);
    assert.ok(project.model('mid.m2')!.columns.some((c) => c.name === 'second'));
  });
});
