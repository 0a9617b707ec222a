// Where each character of a derived query text came from. A query that is run is often not the text the
// user wrote: a model is rendered, a CTE is cut out of it, model names are pointed at an environment's views.
// Each step records which pieces it copied and which it inserted, so an error position DuckDB reports in the
// final text can be followed back step by step to the model file.

interface Piece {
  outStart: number;
  outEnd: number;
  /** Offset in the source text of the piece's first character. */
  srcStart: number;
  /** Copied text maps character by character; inserted text maps to the place it stands for. */
  copied: boolean;
}

export class OffsetMap {
  constructor(
    readonly text: string,
    private readonly pieces: readonly Piece[],
  ) {}

  /** A text that is its own source. */
  static identity(text: string): OffsetMap {
    return new OffsetMap(text, [{ outStart: 0, outEnd: text.length, srcStart: 0, copied: true }]);
  }

  /** The source offset of an offset in this text. */
  toSource(offset: number): number {
    const pieces = this.pieces;
    if (pieces.length === 0) return 0;
    let lo = 0;
    let hi = pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pieces[mid].outStart <= offset) lo = mid;
      else hi = mid - 1;
    }
    const piece = pieces[lo];
    if (!piece.copied) return piece.srcStart;
    return piece.srcStart + Math.max(0, Math.min(offset, piece.outEnd) - piece.outStart);
  }
}

export class OffsetMapBuilder {
  private text = '';
  private readonly pieces: Piece[] = [];

  constructor(private readonly source: string) {}

  copy(start: number, end: number): this {
    if (end <= start) return this;
    this.pieces.push({ outStart: this.text.length, outEnd: this.text.length + (end - start), srcStart: start, copied: true });
    this.text += this.source.slice(start, end);
    return this;
  }

  insert(text: string, standsFor: number): this {
    if (text === '') return this;
    this.pieces.push({ outStart: this.text.length, outEnd: this.text.length + text.length, srcStart: standsFor, copied: false });
    this.text += text;
    return this;
  }

  build(): OffsetMap {
    return new OffsetMap(this.text, this.pieces);
  }
}
