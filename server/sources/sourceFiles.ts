// Source modules of a project as text: which file is which source, and where each resource is written.
// Read only, never compiled or run, so everything here works in an untrusted workspace.

import { promises as fs } from 'node:fs';
import { discoverSources, type DiscoveredSource } from '../../core/ingest/extract';
import type { FileLocation } from '../../core/protocol';
import { scanResources, type ScannedSource } from './resourceScan';

/** The source modules of a project; an unreadable sources/ folder counts as none. */
export async function sourceModules(projectDir: string): Promise<DiscoveredSource[]> {
  return discoverSources(projectDir).catch(() => []);
}

/** The module of a source (by the name its schema uses, which is the file stem). */
export async function sourceModule(projectDir: string, source: string): Promise<DiscoveredSource | undefined> {
  const wanted = source.toLowerCase();
  return (await sourceModules(projectDir)).find((s) => s.name.toLowerCase() === wanted);
}

export interface SourceText {
  file: string;
  text: string;
  scanned: ScannedSource;
}

/** Reads and scans a source module; undefined when the file cannot be read. */
export async function readSourceText(file: string, text?: string): Promise<SourceText | undefined> {
  const content = text ?? (await fs.readFile(file, 'utf8').catch(() => undefined));
  if (content === undefined) return undefined;
  return { file, text: content, scanned: scanResources(content) };
}

/** Where a resource's name is written, else the source's name, else the top of the file. */
export function resourceLocation(source: SourceText, resource: string | undefined): FileLocation {
  const found = resource === undefined ? undefined : source.scanned.resources.find((r) => r.name === resource);
  const at = found ?? source.scanned.source;
  return { file: source.file, ...lineAndCharacter(source.text, at?.start ?? 0) };
}

/** The text range of a resource's name, when it is found. */
export function resourceRange(source: SourceText, resource: string): { start: FileLocation; end: FileLocation } | undefined {
  const found = source.scanned.resources.find((r) => r.name === resource);
  if (!found) return undefined;
  return {
    start: { file: source.file, ...lineAndCharacter(source.text, found.start) },
    end: { file: source.file, ...lineAndCharacter(source.text, found.end) },
  };
}

/** 0-based line and character of an offset. */
export function lineAndCharacter(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: end - lineStart };
}
