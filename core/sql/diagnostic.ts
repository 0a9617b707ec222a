// Problems found in SQL text, with positions an editor can show. DuckDB reports syntax-tree locations
// as UTF-8 byte offsets and parser-error positions in Unicode code points; editors (and JavaScript
// strings) count UTF-16 code units, so SourceText converts both.

export type SqlSeverity = 'error' | 'warning' | 'info';

export interface SqlDiagnostic {
  message: string;
  /** UTF-16 index into the SQL text (what String.prototype.slice uses). */
  offset: number;
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units like LSP positions. */
  column: number;
  severity: SqlSeverity;
}

export interface TextPosition {
  offset: number;
  line: number;
  column: number;
}

// DuckDB writes "no location" as the largest unsigned 64-bit integer, which JSON.parse rounds.
const MAX_REAL_LOCATION = 2 ** 40;

/** The SQL a syntax tree came from; turns DuckDB byte offsets into text positions. */
export class SourceText {
  private readonly ascii: boolean;
  private lineStarts?: number[];
  private byteStarts?: Uint32Array;
  readonly byteLength: number;

  constructor(readonly text: string) {
    // eslint-disable-next-line no-control-regex
    this.ascii = /^[\x00-\x7f]*$/.test(text);
    this.byteLength = this.ascii ? text.length : Buffer.byteLength(text, 'utf8');
  }

  /** UTF-16 index for a DuckDB byte offset, or undefined when DuckDB gave no usable location. */
  indexOfByte(byteOffset: unknown): number | undefined {
    const n = typeof byteOffset === 'string' ? Number(byteOffset) : byteOffset;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n >= MAX_REAL_LOCATION) return undefined;
    if (n > this.byteLength) return undefined;
    if (this.ascii) return n;
    const starts = this.byteStartsTable();
    // Last index whose byte start is <= n.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= n) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** UTF-16 index for an offset counted in Unicode code points (DuckDB's parser error positions). */
  indexOfCodePoint(codePoints: unknown): number | undefined {
    const n = typeof codePoints === 'string' ? Number(codePoints) : codePoints;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return undefined;
    if (this.ascii) return n <= this.text.length ? n : undefined;
    let index = 0;
    for (let seen = 0; seen < n; seen++) {
      if (index >= this.text.length) return undefined;
      const c = this.text.charCodeAt(index);
      index += c >= 0xd800 && c <= 0xdbff && index + 1 < this.text.length ? 2 : 1;
    }
    return index;
  }

  /** Line and column (both 1-based) of a UTF-16 index. */
  positionAt(index: number): TextPosition {
    const offset = Math.max(0, Math.min(index, this.text.length));
    const starts = this.lineStartsTable();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - starts[lo] + 1 };
  }

  /** A diagnostic at a DuckDB byte offset (node query_location); the start of the text when there is none. */
  diagnosticAtByte(byteOffset: unknown, message: string, severity: SqlSeverity): SqlDiagnostic {
    return this.diagnosticAt(this.indexOfByte(byteOffset), message, severity);
  }

  diagnosticAt(index: number | undefined, message: string, severity: SqlSeverity): SqlDiagnostic {
    return { message, severity, ...this.positionAt(index ?? 0) };
  }

  private lineStartsTable(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      const text = this.text;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
      }
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  /** byteStarts[i] = UTF-8 byte offset where UTF-16 unit i begins; one extra entry for the end. */
  private byteStartsTable(): Uint32Array {
    if (!this.byteStarts) {
      const text = this.text;
      const starts = new Uint32Array(text.length + 1);
      let bytes = 0;
      for (let i = 0; i < text.length; i++) {
        starts[i] = bytes;
        const c = text.charCodeAt(i);
        if (c < 0x80) bytes += 1;
        else if (c < 0x800) bytes += 2;
        else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
          // A surrogate pair is one 4-byte code point; its low half is given the following byte so that
          // the search lands on the high half.
          bytes += 4;
          starts[i + 1] = bytes;
          i++;
        } else bytes += 3;
      }
      starts[text.length] = bytes;
      this.byteStarts = starts;
    }
    return this.byteStarts;
  }
}
