// A copy of the demo project (examples/demo) for language-server tests, without anything a run left there
// (warehouse, load packages), plus helpers to find positions of text in its files.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './lspClient';

export interface DemoCopy {
  dir: string;
  warehouse: string;
  file(relative: string): string;
  text(relative: string): string;
  /** LSP position of `needle` in a file (the n-th occurrence, default first), moved `delta` characters in. */
  position(relative: string, needle: string, delta?: number, occurrence?: number): { line: number; character: number };
  cleanup(): void;
}

export function copyDemo(): DemoCopy {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-demo-'));
  fs.cpSync(path.join(repoRoot, 'examples', 'demo'), dir, {
    recursive: true,
    filter: (src) => !/[\\/]\.sluice$/.test(src) && !/\.duckdb(\.wal)?$/.test(src),
  });
  const file = (relative: string) => path.join(dir, relative);
  const text = (relative: string) => fs.readFileSync(file(relative), 'utf8');
  return {
    dir,
    warehouse: path.join(dir, 'warehouse.duckdb'),
    file,
    text,
    position(relative, needle, delta = 0, occurrence = 1) {
      return positionOf(text(relative), needle, delta, occurrence);
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Demo models as a person might write them, not in the formatter's layout (the demo itself is formatted). */
export const HANDWRITTEN_MODELS = ['models/intermediate/issue_events.sql', 'models/intermediate/orders_enriched.sql', 'models/marts/issue_activity.sql'];

/** Puts the hand-written versions of HANDWRITTEN_MODELS into a copy of the demo, for tests of formatting. */
export function writeHandwrittenModels(demo: DemoCopy): void {
  for (const relative of HANDWRITTEN_MODELS) fs.copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'handwritten-demo', relative), demo.file(relative));
}

export function positionOf(text: string, needle: string, delta = 0, occurrence = 1): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" occurs fewer than ${occurrence} times`);
  }
  const before = text.slice(0, at + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/** The 0-based line of the first line containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const line = text.split('\n').findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`no line contains "${needle}"`);
  return line;
}
