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

  /** The same file, other rendered text. */
  withSegments(segments: readonly SourceSegment[], rendered: string): SourceMap {
    return new SourceMap(segments, rendered, this.filePosition);
  }

  toFilePosition(renderedOffset: number): Position {
    return this.filePosition(this.toFileOffset(renderedOffset));
  }

  /** For errors reported as 1-based line/column of the rendered SQL. */
  toFilePositionFromLineColumn(line: number, column: number): Position {
    return this.toFilePosition(this.renderedLines.offset(line, column));
  }
}

/**
 * The map of a text made from the rendered SQL (a translation to DuckDB SQL): `segments` say where each
 * part of `text` comes from in the rendered SQL, and the result maps `text` straight to the model file.
 */
export function composeSourceMap(rendered: SourceMap, segments: readonly SourceSegment[], text: string): SourceMap {
  const out: SourceSegment[] = [];
  const inner = rendered.segments;
  for (const seg of segments) {
    if (seg.kind === 'macro' || seg.fileEnd <= seg.fileStart) {
      const fileStart = rendered.toFileOffset(seg.fileStart);
      const fileEnd = Math.max(fileStart, seg.fileEnd > seg.fileStart ? rendered.toFileOffset(seg.fileEnd - 1) + 1 : fileStart);
      out.push({ outStart: seg.outStart, outEnd: seg.outEnd, fileStart, fileEnd, kind: 'macro' });
      continue;
    }
    // A copied piece: split it where the rendered SQL's own pieces begin and end.
    let at = seg.fileStart;
    for (const r of inner) {
      if (r.outEnd <= at || r.outStart >= seg.fileEnd) continue;
      const from = Math.max(at, r.outStart);
      const to = Math.min(seg.fileEnd, r.outEnd);
      if (from > at) out.push(gap(seg, at, from, rendered));
      const outStart = seg.outStart + (from - seg.fileStart);
      const outEnd = seg.outStart + (to - seg.fileStart);
      out.push(
        r.kind === 'copy'
          ? { outStart, outEnd, fileStart: r.fileStart + (from - r.outStart), fileEnd: r.fileStart + (to - r.outStart), kind: 'copy' }
          : { outStart, outEnd, fileStart: r.fileStart, fileEnd: r.fileEnd, kind: 'macro' },
      );
      at = to;
    }
    if (at < seg.fileEnd) out.push(gap(seg, at, seg.fileEnd, rendered));
  }
  return rendered.withSegments(out, text);
}

/** Rendered text no piece of the render covers: it stands for where it is. */
function gap(seg: SourceSegment, from: number, to: number, rendered: SourceMap): SourceSegment {
  const fileStart = rendered.toFileOffset(from);
  return { outStart: seg.outStart + (from - seg.fileStart), outEnd: seg.outStart + (to - seg.fileStart), fileStart, fileEnd: fileStart, kind: 'macro' };
}
