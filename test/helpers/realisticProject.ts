// Projects whose source yields the seeded records of test/fixtures/realistic.mjs, loaded through the real
// ingest pipeline, plus the same records regenerated in the test to compare the warehouse with.
import fs from 'node:fs';
import path from 'node:path';
import { ingest, type IngestResult } from '../../core/ingest/pipeline';
import { loadProject } from '../../core/project/config';
import type { SourceSchema } from '../../core/schema/types';
import { GENERATORS, type GeneratorName, type Item } from '../fixtures/realistic.mjs';
import { readStoredSchema } from './oracle';
import { repoRoot, type TempProject } from './project';

export interface DatasetSpec {
  /** Resource name, also its (already normalized) table name. */
  resource: string;
  generator: GeneratorName;
  count: number;
  seed: number;
  options?: Record<string, unknown>;
}

const fixture = path.join(repoRoot, 'test', 'fixtures', 'realistic.mjs');

/** A source module `name` with one resource per dataset, each yielding its generator's items. */
export function realisticSource(name: string, datasets: DatasetSpec[]): string {
  return `import { GENERATORS } from ${JSON.stringify(fixture)};
const datasets = ${JSON.stringify(datasets)};
export default {
  name: ${JSON.stringify(name)},
  resources: datasets.map((d) => ({
    name: d.resource,
    *rows() { yield* GENERATORS[d.generator](d.count, d.seed, d.options); },
  })),
};
`;
}

/** The items each dataset's table must hold, regenerated from the same seeds. */
export function expectedItems(datasets: DatasetSpec[]): Record<string, Item[]> {
  const out: Record<string, Item[]> = {};
  for (const d of datasets) (out[d.resource] ??= []).push(...GENERATORS[d.generator](d.count, d.seed, d.options as never));
  return out;
}

export interface LoadRun {
  result: IngestResult;
  /** The stored schema before and after the load (before is undefined on a first load). */
  before: SourceSchema | undefined;
  after: SourceSchema;
}

/** Writes the source module and runs the real ingest pipeline in this process with small parts. */
export async function loadDatasets(project: TempProject, source: string, datasets: DatasetSpec[], partRows: number): Promise<LoadRun> {
  project.write(`sources/${source}.ts`, realisticSource(source, datasets));
  const before = fs.existsSync(project.warehouse) ? await readStoredSchema(project.warehouse, source) : undefined;
  const result = await ingest({ project: loadProject(project.dir), source, partRows });
  if (result.status !== 'loaded') throw new Error(`ingest of ${source} failed: ${result.error}`);
  const after = await readStoredSchema(project.warehouse, source);
  if (!after) throw new Error(`ingest of ${source} stored no schema`);
  return { result, before, after };
}
