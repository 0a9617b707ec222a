// Between the text of a file as last analysed and the text in the editor now. Offsets outside what the edits
// since touched map both ways, so a request on an unchanged part of a file can be answered from the older
// analysis while the new one is still running; an offset in or touching an edit has no counterpart, and the
// request must wait for the analysis. The edits come from the editor's changes (EditLog) when they are
// known; otherwise the texts are compared and everything between their common start and end counts as
// changed.

import type { TextEdit } from './editLog';

export interface Span {
  start: number;
  end: number;
}

/** Characters that extend a name under the cursor: a word touching the change counts as changed. */
const NAME_CHAR = /[\p{L}\p{N}_$".]/u;

export class TextShift {
  readonly identical: boolean;
  private readonly edits: readonly TextEdit[];

  /** With `edits` (those that turned `analysed` into `current`, in order) scattered edits are told apart. */
  constructor(
    readonly analysed: string,
    readonly current: string,
    edits?: readonly TextEdit[],
  ) {
    this.identical = analysed === current;
    this.edits = this.identical ? [] : (edits ?? [oneStretch(analysed, current)]);
  }

  /**
   * The analysed-text offset of an offset in the current text, when the name around it lies wholly outside
   * what was edited; undefined otherwise.
   */
  toAnalysed(offset: number): number | undefined {
    if (this.identical) return offset;
    let span: Span | undefined = nameAround(this.current, offset);
    const delta = offset - span.start;
    // Undo the edits, newest first: each left [start, start + length) where [start, end) was.
    for (let i = this.edits.length - 1; i >= 0 && span; i--) {
      const e = this.edits[i];
      span = moved(span, e.start, e.start + e.length, e.end - e.start - e.length);
    }
    return span ? span.start + delta : undefined;
  }

  /** A span of the analysed text in the current text, or undefined when an edit touched it. */
  toCurrent(span: Span): Span | undefined {
    if (this.identical) return span;
    let out: Span | undefined = span;
    for (let i = 0; i < this.edits.length && out; i++) {
      const e = this.edits[i];
      out = moved(out, e.start, e.end, e.length - (e.end - e.start));
    }
    return out;
  }
}

/** A span across an edit of [start, end): unchanged before it, shifted after it, lost when touching it. */
function moved(span: Span, start: number, end: number, shift: number): Span | undefined {
  // Touching counts: "amou" followed by an inserted "nt" is another name.
  if (span.end < start) return span;
  if (span.start > end) return { start: span.start + shift, end: span.end + shift };
  return undefined;
}

/** Everything between the common start and the common end of two texts, as one edit. */
function oneStretch(analysed: string, current: string): TextEdit {
  const shortest = Math.min(analysed.length, current.length);
  let head = 0;
  while (head < shortest && analysed.charCodeAt(head) === current.charCodeAt(head)) head++;
  let tail = 0;
  while (tail < shortest - head && analysed.charCodeAt(analysed.length - 1 - tail) === current.charCodeAt(current.length - 1 - tail)) tail++;
  return { version: 0, start: head, end: analysed.length - tail, length: current.length - tail - head };
}

/** The name (word, quoted name, dotted path) the offset is in or touches; an empty span between names. */
function nameAround(text: string, offset: number): Span {
  let start = Math.max(0, Math.min(offset, text.length));
  let end = start;
  while (start > 0 && NAME_CHAR.test(text[start - 1])) start--;
  while (end < text.length && NAME_CHAR.test(text[end])) end++;
  return { start, end };
}
