// Shared helpers for the extract tests: temporary projects, a recording logger, collecting batches.

import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExtractBatch, ExtractOptions } from '../../core/ingest/extract';
import { Extraction } from '../../core/ingest/extract';
import type { Item, Logger, SourceDef } from '../../core/ingest/types';

export interface TempProject {
  dir: string;
  /** Writes a file relative to the project and returns its absolute path. */
  write(rel: string, text: string): Promise<string>;
  remove(): Promise<void>;
}

export async function tempProject(): Promise<TempProject> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sluice-extract-'));
  return {
    dir,
    async write(rel, text) {
      const file = path.join(dir, rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
      return file;
    },
    remove: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

export interface RecordingLogger extends Logger {
  lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
  };
}

export function options(overrides: Partial<ExtractOptions> & { resources: string[] }): ExtractOptions {
  return { state: {}, config: {}, secrets: {}, log: recordingLogger(), ...overrides };
}

/** Runs an extraction to the end and returns its batches. */
export async function collect(extraction: Extraction): Promise<ExtractBatch[]> {
  const out: ExtractBatch[] = [];
  for await (const batch of extraction.batches()) out.push(batch);
  return out;
}

/** All items per resource, in order. */
export function itemsByResource(batches: ExtractBatch[]): Record<string, Item[]> {
  const out: Record<string, Item[]> = {};
  for (const b of batches) (out[b.resource] ??= []).push(...b.items);
  return out;
}

/** Runs the named resources of a source and returns the items per resource plus the extraction. */
export async function run(source: SourceDef, overrides: Partial<ExtractOptions> & { resources: string[] }) {
  const extraction = new Extraction(source, options(overrides));
  const batches = await collect(extraction);
  return { extraction, batches, items: itemsByResource(batches) };
}

/** Expects the promise to reject with a message matching the pattern; returns the error. */
export async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof Error)) throw new Error(`expected an Error, got ${String(err)}`);
    if (!pattern.test(err.message)) throw new Error(`message ${JSON.stringify(err.message)} does not match ${pattern}`);
    return err;
  }
  throw new Error(`expected a rejection matching ${pattern}`);
}
