// Temporary Sluice projects for end-to-end tests, and a way to run the built CLI on them.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const cliPath = path.join(repoRoot, 'dist', 'cli.js');

export interface TempProject {
  dir: string;
  warehouse: string;
  write(file: string, content: string): void;
  cleanup(): void;
}

/** A project directory with the given files (paths relative to it). sluice.yaml defaults to a minimal one. */
export function makeProject(files: Record<string, string>): TempProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-test-'));
  const write = (file: string, content: string) => {
    const full = path.join(dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  };
  write('sluice.yaml', 'name: test\n');
  for (const [file, content] of Object.entries(files)) write(file, content);
  return {
    dir,
    warehouse: path.join(dir, 'warehouse.duckdb'),
    write,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliRun {
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build first`);
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI with --json and parses stdout, which must be exactly one JSON object. */
export function runCliJson(args: string[], cwd: string, env?: NodeJS.ProcessEnv): CliRun & { json: any } {
  const run = runCli([...args, '--json'], cwd, env);
  let json: unknown;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    throw new Error(`stdout is not one JSON object (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
  return { ...run, json };
}

/** Reads rows from a DuckDB file, opened read-only and closed again. Values as JSON-friendly objects. */
export async function query<T = Record<string, unknown>>(dbFile: string, sql: string, params?: (string | number)[]): Promise<T[]> {
  const instance = await DuckDBInstance.create(dbFile, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(sql, params);
      return reader.getRowObjectsJson() as T[];
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Writes to a DuckDB file as another system would (the one feeding a project's source tables), then closes it. */
export async function writeDb(dbFile: string, sql: string, params?: (string | number)[]): Promise<void> {
  const instance = await DuckDBInstance.create(dbFile);
  try {
    const connection = await instance.connect();
    try {
      await connection.run(sql, params);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

export async function tableNames(dbFile: string, schema: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    dbFile,
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  );
  return rows.map((r) => r.table_name);
}

export { spawn };

/** A loaded table's columns and their DuckDB types, Sluice's own _sluice* columns left out. */
export async function columnTypes(dbFile: string, schema: string, table: string): Promise<Record<string, string>> {
  const rows = await query<{ column_name: string; data_type: string }>(
    dbFile,
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name NOT LIKE '\\_sluice%' ESCAPE '\\'`,
    [schema, table],
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
}
