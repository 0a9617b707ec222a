// manifest.json is the last file written into a load package: a package without it is incomplete.

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../../errors';
import type { PackageManifest } from '../package';

export const MANIFEST_FILE = 'manifest.json';

/** Writes manifest.json atomically and durably: temp file, fsync, rename, fsync of the directory. */
export function writeManifest(dir: string, manifest: PackageManifest): void {
  let text: string;
  try {
    text = JSON.stringify(manifest, null, 1);
  } catch (err) {
    throw new SluiceError(
      `cannot write the manifest of load ${manifest.loadId}: ${err instanceof Error ? err.message : String(err)} ` +
        '(resource state must be plain JSON values)',
    );
  }
  const target = path.join(dir, MANIFEST_FILE);
  const temp = `${target}.tmp`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, target);
  syncDirectory(dir);
}

export function readManifest(dir: string): PackageManifest {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SluiceError(`load package ${dir} has no ${MANIFEST_FILE}: it was never finished and cannot be loaded`);
    }
    throw new SluiceError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (err) {
    throw new SluiceError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const problem = manifestProblem(manifest);
  if (problem) throw new SluiceError(`${file} is not a load package manifest: ${problem}`);
  return manifest as PackageManifest;
}

function manifestProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const m = value as Record<string, unknown>;
  if (typeof m.loadId !== 'string') return 'loadId is missing';
  if (typeof m.source !== 'string') return 'source is missing';
  const schema = m.schema as Record<string, unknown> | undefined;
  if (typeof schema !== 'object' || schema === null || !Array.isArray(schema.tables)) return 'schema.tables is missing';
  if (typeof m.tables !== 'object' || m.tables === null) return 'tables is missing';
  if (!Array.isArray(m.resources)) return 'resources is missing';
  return undefined;
}

/** Makes the rename itself durable. Not every platform can open a directory for fsync; skip there. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
