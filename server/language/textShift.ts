// Between the text of a file as last analysed and the text in the editor now: one changed stretch in the
// middle, the same text before and after it. Offsets outside the stretch map both ways, so a request on an
// unchanged part of a file can be answered from the older analysis while the new one is still running; an
// offset in or touching the changed stretch has no counterpart, and the request must wait for the analysis.

export interface Span {
  start: number;
  end: number;
}

/** Characters that extend a name under the cursor: a word touching the change counts as changed. */
const NAME_CHAR = /[\p{L}\p{N}_$".]/u;

export class TextShift {
  /** Length of the common start of both texts. */
  private readonly head: number;
  /** Length of the common end of both texts (not overlapping head). */
  private readonly tail: number;

  constructor(
    readonly analysed: string,
    readonly current: string,
  ) {
    const shortest = Math.min(analysed.length, current.length);
    let head = 0;
    while (head < shortest && analysed.charCodeAt(head) === current.charCodeAt(head)) head++;
    let tail = 0;
    while (tail < shortest - head && analysed.charCodeAt(analysed.length - 1 - tail) === current.charCodeAt(current.length - 1 - tail)) tail++;
    this.head = head;
    this.tail = tail;
  }

  /** Whether both texts are the same. */
  get identical(): boolean {
    return this.analysed.length === this.current.length && this.head === this.analysed.length;
  }

  /**
   * The analysed-text offset of an offset in the current text, when the name around it lies wholly outside
   * the changed stretch; undefined otherwise.
   */
  toAnalysed(offset: number): number | undefined {
    if (this.identical) return offset;
    const name = nameAround(this.current, offset);
    const mapped = this.mapSpan(name, this.current.length, this.analysed.length);
    return mapped ? mapped.start + (offset - name.start) : undefined;
  }

  /** A span of the analysed text in the current text, or undefined when it overlaps the changed stretch. */
  toCurrent(span: Span): Span | undefined {
    if (this.identical) return span;
    return this.mapSpan(span, this.analysed.length, this.current.length);
  }

  private mapSpan(span: Span, fromLength: number, toLength: number): Span | undefined {
    const unchangedEnd = fromLength - this.tail;
    // A span touching the change on either side may have been extended by it ("amou" + "nt").
    if (span.end < this.head) return span;
    if (span.start > unchangedEnd) return { start: span.start + toLength - fromLength, end: span.end + toLength - fromLength };
    return undefined;
  }
}

/** The name (word, quoted name, dotted path) the offset is in or touches; an empty span between names. */
function nameAround(text: string, offset: number): Span {
  let start = Math.max(0, Math.min(offset, text.length));
  let end = start;
  while (start > 0 && NAME_CHAR.test(text[start - 1])) start--;
  while (end < text.length && NAME_CHAR.test(text[end])) end++;
  return { start, end };
}
