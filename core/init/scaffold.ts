// New files in an existing project, from small templates: a source module (sources/<name>.ts) and a model
// (models/<schema>/<table>.sql). What the editor's "New Source" and "New Model" commands write. Names are
// checked before anything is written, and an existing file is never overwritten.

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../errors';

export interface Scaffold {
  /** Relative to the project folder, with forward slashes. */
  file: string;
  text: string;
  /** Where the cursor goes in the new file (0-based line). */
  cursorLine: number;
}

const NAME = /^[a-z_][a-z0-9_]*$/;

/** Why a source name is not usable, or undefined when it is. */
export function sourceNameProblem(name: string): string | undefined {
  return NAME.test(name) ? undefined : 'a source name is lower-case letters, digits and underscores, starting with a letter or underscore';
}

/** Why a model name is not usable, or undefined when it is. */
export function modelNameProblem(name: string): string | undefined {
  const parts = name.split('.');
  return parts.length === 2 && parts.every((p) => NAME.test(p)) ? undefined : 'a model name is schema.table, each lower-case letters, digits and underscores';
}

export function newSource(name: string): Scaffold {
  const problem = sourceNameProblem(name);
  if (problem) throw new SluiceError(`${JSON.stringify(name)}: ${problem}`);
  const text = `// The ${name} source: each resource's rows() yields plain objects (or pages of them); Sluice flattens,
// types and loads them into the ${name} schema of the warehouse.
import { defineSource } from 'sluice';

export default defineSource({
  name: '${name}',
  resources: [
    {
      name: 'items',
      primaryKey: 'id',
      writeDisposition: 'merge',
      async *rows(ctx) {
        // Replace with calls to your API or files; ctx.config and ctx.secrets come from sluice.yaml.
        yield [
          { id: 1, name: 'first', tags: ['a'], updated_at: '2024-01-01T00:00:00Z' },
          { id: 2, name: 'second', details: { note: 'optional keys are fine' }, updated_at: '2024-01-02T00:00:00Z' },
        ];
      },
    },
  ],
});
`;
  return { file: `sources/${name}.ts`, text, cursorLine: text.split('\n').findIndex((l) => l.includes('async *rows')) + 1 };
}

export function newModel(name: string): Scaffold {
  const problem = modelNameProblem(name);
  if (problem) throw new SluiceError(`${JSON.stringify(name)}: ${problem}`);
  const [schema, table] = name.split('.');
  const text = `MODEL (
  name ${schema}.${table},
  kind VIEW
);

SELECT
  1 AS id
`;
  return { file: `models/${schema}/${table}.sql`, text, cursorLine: 5 };
}

/** Writes the file into the project; refuses when it exists. Returns its absolute path. */
export function writeScaffold(projectDir: string, scaffold: Scaffold): string {
  const full = path.join(projectDir, ...scaffold.file.split('/'));
  if (fs.existsSync(full)) throw new SluiceError(`${scaffold.file} exists already`);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, scaffold.text, { flag: 'wx' });
  return full;
}
