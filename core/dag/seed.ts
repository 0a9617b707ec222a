// Columns of a SEED model: declared in the MODEL block, else the header line of its CSV file (as SQLMesh
// reads it). The path is relative to the model file, or to the project folder when it starts with $root.

import fs from 'node:fs';
import * as path from 'node:path';
import type { ModelDefinition } from '../models/types';

export interface SeedColumns {
  /** Absolute path of the CSV file. */
  file: string;
  /** Lower-case names in order, or undefined when they cannot be read. */
  columns?: string[];
  /** Why the header could not be read. */
  problem?: string;
}

/** Reads the first line of a file; a small read, so it is done synchronously. */
export type HeaderReader = (file: string) => string | undefined;

export const readFirstLine: HeaderReader = (file) => {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(64 * 1024);
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, read).toString('utf8').replace(/^\ufeff/, '');
    return text.split(/\r?\n/)[0];
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
};

export function seedColumns(modelFile: string, definition: ModelDefinition, readHeader: HeaderReader = readFirstLine, projectDir?: string): SeedColumns | undefined {
  if (definition.kind.name !== 'SEED') return undefined;
  const file = seedPath(modelFile, definition.kind.path, projectDir);
  if (definition.columns && Object.keys(definition.columns).length > 0) {
    return { file, columns: Object.keys(definition.columns).map((c) => c.toLowerCase()) };
  }
  const header = readHeader(file);
  if (header === undefined) return { file, problem: `cannot read seed file ${file}` };
  const delimiter = seedDelimiter(definition.kind.csvSettings);
  const columns = splitCsvLine(header, delimiter).map((c) => c.trim().toLowerCase());
  if (columns.length === 0 || columns.every((c) => c === '')) return { file, problem: `seed file ${file} has no header line` };
  return { file, columns };
}

/** Where a seed's CSV is: `$root/...` is under the project folder (SQLMesh's marker), anything else beside the model file. */
export function seedPath(modelFile: string, seed: string, projectDir: string | undefined): string {
  const [marker, ...rest] = seed.split('/');
  if (marker.toLowerCase() === '$root') return path.resolve(projectDir ?? path.dirname(modelFile), ...rest);
  return path.resolve(path.dirname(modelFile), seed);
}

function seedDelimiter(settings: Record<string, unknown> | undefined): string {
  const value = settings?.delimiter;
  return typeof value === 'string' && value.length > 0 ? value.replace(/^'(.*)'$/, '$1') : ',';
}

/** Splits one CSV line, honouring double quotes. */
export function splitCsvLine(line: string, delimiter = ','): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (line.startsWith(delimiter, i)) {
      out.push(field);
      field = '';
      i += delimiter.length - 1;
    } else field += ch;
  }
  out.push(field);
  return out;
}
