// Maps positions in the bundled source back to the user's files, so errors name the line they wrote.
// A small decoder for the "mappings" field of a version 3 source map; nothing else is needed.

import * as path from 'node:path';

export interface OriginalPosition {
  /** Absolute path of the original file. */
  file: string;
  /** 1-based line and column. */
  line: number;
  column: number;
}

/** One decoded segment: generated column, source index, original line, original column (all 0-based). */
type Segment = [number, number, number, number];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Map<string, number>([...BASE64].map((ch, i) => [ch, i]));

export class SourceMap {
  private readonly lines: Segment[][];
  private readonly sources: string[];

  /** mapJson: the map as esbuild wrote it; mapDir: the directory its relative source paths start from. */
  constructor(mapJson: string, mapDir: string) {
    const raw = JSON.parse(mapJson) as { sources: string[]; sourceRoot?: string; mappings: string };
    const root = raw.sourceRoot ? path.resolve(mapDir, raw.sourceRoot) : mapDir;
    this.sources = raw.sources.map((s) => path.resolve(root, s));
    this.lines = decodeMappings(raw.mappings);
  }

  /** Original position of a generated 1-based line and column, or undefined when nothing maps there. */
  lookup(line: number, column: number): OriginalPosition | undefined {
    const segments = this.lines[line - 1];
    if (!segments || segments.length === 0) return undefined;
    const col = column - 1;
    // Segments are sorted by generated column: take the last one starting at or before col.
    let lo = 0;
    let hi = segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segments[mid][0] <= col) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    const seg = segments[found === -1 ? 0 : found];
    const file = this.sources[seg[1]];
    if (file === undefined) return undefined;
    return { file, line: seg[2] + 1, column: seg[3] + 1 };
  }
}

function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let source = 0;
  let origLine = 0;
  let origCol = 0;
  for (const lineText of mappings.split(';')) {
    const segments: Segment[] = [];
    let genCol = 0;
    if (lineText) {
      for (const segText of lineText.split(',')) {
        if (!segText) continue;
        const fields = decodeVlq(segText);
        genCol += fields[0];
        // Segments with a single field map to nothing in the sources.
        if (fields.length < 4) continue;
        source += fields[1];
        origLine += fields[2];
        origCol += fields[3];
        segments.push([genCol, source, origLine, origCol]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of text) {
    const digit = BASE64_VALUE.get(ch);
    if (digit === undefined) throw new Error(`invalid source map character ${JSON.stringify(ch)}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}
