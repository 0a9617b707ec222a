// Where a loaded source came from: its file, its bundle and the map between them.
// Extraction asks it to turn a user's thrown error into "sources/x.ts:12:5".

import * as path from 'node:path';
import type { SourceDef } from '../types';
import type { SourceMap } from './sourcemap';

export class SourceOrigin {
  constructor(
    /** Absolute path of the source module. */
    readonly file: string,
    /** The name the bundled code runs under; stack frames carry it. */
    readonly bundleName: string,
    private readonly map: SourceMap | undefined,
  ) {}

  /** The file as the user knows it: relative to the project (the folder holding sources/). */
  get displayName(): string {
    return displayPath(this.file, this.file);
  }

  /** "sources/x.ts:12:5" for the first stack frame inside the source's own code, if any. */
  locate(err: unknown): string | undefined {
    const stack = stackOf(err);
    if (!stack) return undefined;
    for (const match of stack.matchAll(this.framePattern())) {
      const pos = this.map?.lookup(Number(match[1]), Number(match[2]));
      if (pos && !pos.file.split(path.sep).includes('node_modules')) {
        return `${displayPath(pos.file, this.file)}:${pos.line}:${pos.column}`;
      }
    }
    return undefined;
  }

  /** The stack with frames of the bundle rewritten to the original files and lines. */
  mapStack(stack: string): string {
    return stack.replace(this.framePattern(), (whole, line: string, column: string) => {
      const pos = this.map?.lookup(Number(line), Number(column));
      return pos ? `${pos.file}:${pos.line}:${pos.column}` : whole;
    });
  }

  /** Rewrites err.stack in place so that a printed cause points at the user's code. */
  rewriteStack(err: unknown): void {
    if (!(err instanceof Error) || typeof err.stack !== 'string') return;
    try {
      err.stack = this.mapStack(err.stack);
    } catch {
      // A frozen or exotic error keeps its stack as it is.
    }
  }

  private framePattern(): RegExp {
    return new RegExp(`${escapeRegExp(this.bundleName)}:(\\d+):(\\d+)`, 'g');
  }
}

const origins = new WeakMap<object, SourceOrigin>();

export function setOrigin(source: SourceDef, origin: SourceOrigin): void {
  origins.set(source, origin);
}

/** The origin of a source loaded from a file; undefined for sources built in code. */
export function originOf(source: SourceDef): SourceOrigin | undefined {
  return origins.get(source);
}

/**
 * A path relative to the project: the parent of the folder holding the source file
 * (so <project>/sources/x.ts shows as sources/x.ts). Paths outside it stay absolute.
 */
export function displayPath(file: string, sourceFile: string): string {
  const root = path.dirname(path.dirname(sourceFile));
  const rel = path.relative(root, file);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return file;
  return rel.split(path.sep).join('/');
}

function stackOf(err: unknown): string | undefined {
  if (err instanceof Error && typeof err.stack === 'string') return err.stack;
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
