// File positions for offsets in a piece of text that starts somewhere inside a file (an inline audit in a
// model file, the raw text of the `audits` property), so problems are reported where they are written.

import { LineMap } from '../models/position';
import type { Position } from '../models/types';

/** offset in `text` → position in its file, given where `text` starts (default: the start of the file). */
export function positionsIn(text: string, base?: Position): (offset: number) => Position {
  const lines = new LineMap(text);
  return (offset) => {
    const p = lines.position(offset);
    if (!base) return p;
    return {
      offset: base.offset + p.offset,
      line: base.line + p.line - 1,
      column: p.line === 1 ? base.column + p.column - 1 : p.column,
    };
  };
}

export const FILE_START: Position = { offset: 0, line: 1, column: 1 };
