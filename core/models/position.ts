// Offsets ↔ line/column. Line breaks are \n, \r\n and a lone \r, as editors count them.

import type { Position } from './types';

export class LineMap {
  /** Offset where each line starts; lineStarts[0] is 0. */
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10 /* \n */) this.lineStarts.push(i + 1);
      else if (ch === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.lineStarts.push(i + 1);
      }
    }
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { offset: clamped, line: lo + 1, column: clamped - this.lineStarts[lo] + 1 };
  }

  /** The offset of a 1-based line/column; columns past the end of the line clamp to it. */
  offset(line: number, column: number): number {
    const index = Math.max(0, Math.min(line - 1, this.lineStarts.length - 1));
    const lineStart = this.lineStarts[index];
    const nextStart = index + 1 < this.lineStarts.length ? this.lineStarts[index + 1] : this.text.length;
    return Math.min(lineStart + Math.max(0, column - 1), nextStart);
  }
}

/**
 * Position of `relative` inside `text`, where `text` itself starts at `base` in some file. Lets a piece of a
 * file (the query, a @DEF value) be tokenized on its own and still report file positions.
 */
export class EmbeddedLineMap {
  private readonly local: LineMap;

  constructor(text: string, private readonly base: Position) {
    this.local = new LineMap(text);
  }

  position(relative: number): Position {
    const p = this.local.position(relative);
    return {
      offset: this.base.offset + p.offset,
      line: this.base.line + p.line - 1,
      column: p.line === 1 ? this.base.column + p.column - 1 : p.column,
    };
  }
}

export const START_OF_FILE: Position = { offset: 0, line: 1, column: 1 };
