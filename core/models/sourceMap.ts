// Maps offsets in a rendered query back to the model file, so an error DuckDB reports in the rendered SQL
// can be shown at the right file:line:column.

import { LineMap } from './position';
import type { Position } from './types';

export interface SourceSegment {
  /** Range in the rendered SQL. */
  outStart: number;
  outEnd: number;
  /** Range in the model file (offsets). */
  fileStart: number;
  fileEnd: number;
  /** copy: text carried over unchanged (maps character by character); macro: an expansion of fileStart..fileEnd. */
  kind: 'copy' | 'macro';
}

export class SourceMap {
  private readonly renderedLines: LineMap;

  constructor(
    readonly segments: readonly SourceSegment[],
    rendered: string,
    private readonly filePosition: (fileOffset: number) => Position,
  ) {
    this.renderedLines = new LineMap(rendered);
  }

  /** File offset for an offset in the rendered SQL. Inside a macro expansion it is the macro's start. */
  toFileOffset(renderedOffset: number): number {
    const segs = this.segments;
    if (segs.length === 0) return this.filePosition(0).offset;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid].outStart <= renderedOffset) lo = mid;
      else hi = mid - 1;
    }
    const seg = segs[lo];
    if (renderedOffset >= seg.outEnd) return seg.fileEnd;
    if (renderedOffset < seg.outStart) return seg.fileStart;
    if (seg.kind === 'macro') return seg.fileStart;
    return seg.fileStart + (renderedOffset - seg.outStart);
  }

  toFilePosition(renderedOffset: number): Position {
    return this.filePosition(this.toFileOffset(renderedOffset));
  }

  /** For errors reported as 1-based line/column of the rendered SQL. */
  toFilePositionFromLineColumn(line: number, column: number): Position {
    return this.toFilePosition(this.renderedLines.offset(line, column));
  }
}
