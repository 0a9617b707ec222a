// Stages normalized rows as CSV part files in a load package directory. Rows are encoded as soon as
// they arrive and the text goes to disk in chunks: the writer keeps no rows, so memory stays bounded by
// the chunk size per table however large the run is (and the rows are short-lived garbage, cheap to collect).

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../../errors';
import type { TableSchema } from '../../schema/types';
import { sameConstants, type LineLayout, type PackagePart, type PackageTable, type Row } from '../package';
import { NULL_MARKER, encodeCell, rowEncoder, sparseRowEncoder } from './csvEncode';

export { readManifest, writeManifest } from './manifest';

const DEFAULT_PART_ROWS = 100_000;
/**
 * Encoded text of one part is handed to the file system in chunks of about this many characters. Small
 * chunks matter: pending text is a tree of young strings, and every minor GC copies whatever is pending.
 */
const WRITE_CHUNK_CHARS = 1 << 14;
/** Layouts wider than this encode rows by their own keys: such tables are mostly sparse (see sparseRowEncoder). */
const SPARSE_ENCODING_ABOVE_COLUMNS = 64;
/** Part files kept open at once; more tables than this take turns. */
const MAX_OPEN_FILES = 64;
/** Text pending across all tables; past this every table's chunk is written, so many tables stay bounded too. */
const MAX_PENDING_CHARS = 4 << 20;
/** A UTF-16 code unit takes at most three bytes in UTF-8 (a surrogate pair, two units, takes four). */
const MAX_BYTES_PER_CHAR = 3;
/** Lines whose bound (3 bytes a character) is above this are measured exactly: the loader sizes buffers by it. */
const MEASURE_LINES_ABOVE = 1 << 20;

/** The part currently being written for a table. */
interface OpenPart {
  file: string;
  /** Columns of the file, in field order: exactly those that hold a value (possibly null) in its rows. */
  columns: string[];
  /** Columns of the rows left out of the file because their value is a known constant. */
  constants: Record<string, string> | undefined;
  known: Set<string>;
  /** Per column: named like an Object.prototype member, so a row without its own value must not read the inherited one. */
  inherited: boolean[];
  /** Encodes one row of this part as a CSV line. */
  encode: (row: Row) => string;
  rows: number;
  /** Encoded text not yet on disk. */
  chunk: string;
  /** Whether the file exists yet: it is created with the first chunk written. */
  created: boolean;
  /** Upper bound on the longest line's UTF-8 bytes. */
  longestLine: number;
}

interface TableParts {
  name: string;
  parts: PackagePart[];
  rowCount: number;
  open: OpenPart | undefined;
}

export class PackageWriter {
  private readonly partRows: number;
  private readonly tables = new Map<string, TableParts>();
  private partSeq = 0;
  private readonly files = new OpenFiles();
  private readonly encoders = new Map<string, (row: Row) => string>();
  private pendingChars = 0;
  private finished = false;

  private readonly onPartFinished: ((table: string, part: PackagePart) => void) | undefined;
  private readonly constants: Record<string, string>;

  constructor(
    private readonly dir: string,
    options: {
      partRows?: number;
      /** Told about each part once its file is complete, in order per table (for loading while extracting). */
      onPartFinished?: (table: string, part: PackagePart) => void;
      /**
       * Columns whose value the caller guarantees is this text in every row that has them (the load id):
       * they are recorded once per part instead of being encoded on every line.
       */
      constants?: Record<string, string>;
    } = {},
  ) {
    this.partRows = Math.max(1, Math.floor(options.partRows ?? DEFAULT_PART_ROWS));
    this.onPartFinished = options.onPartFinished;
    this.constants = options.constants ?? {};
    fs.mkdirSync(dir, { recursive: true });
  }

  /**
   * Encodes rows of a table into its current part. A part's fields are every column the table had when the
   * part was opened, and a row without a value in some of them writes NULL there: so rows whose keys come
   * and go share one part. A part is cut when it reaches partRows, and when rows hold a column the table
   * gained after the part was opened (the next part then has every column the table has now). So a table
   * gets at most one part per partRows rows plus one per time it grew, however its rows alternate.
   * `table` is read for its columns; the caller may keep changing it (columns only get added).
   * `present`, when the caller knows it, names the columns that hold a value in some of the rows (a few
   * more do no harm); otherwise every row's keys are read to find them, and only when the table has grown.
   */
  write(table: TableSchema, rows: Row[], present?: readonly string[]): void {
    const entry = this.entry(table, 'write');
    const columns = present ?? presentColumns(rows);
    let start = 0;
    while (start < rows.length) {
      let part = entry.open;
      if (part !== undefined && (part.rows >= this.partRows || !containsAll(part.known, columns))) part = this.closePart(entry);
      if (part === undefined) {
        part = this.openPart(entry, table);
        const unknown = columns.find((name) => !part!.known.has(name));
        if (unknown !== undefined) throw new SluiceError(`table "${table.name}" has a row with column "${unknown}", which its schema does not define`);
      }
      const end = Math.min(rows.length, start + this.partRows - part.rows);
      for (let i = start; i < end; i++) this.encodeRow(table.name, part, rows[i]);
      start = end;
    }
  }

  /**
   * Appends rows already encoded as CSV lines (with their newline) whose fields are `layout.columns`, in
   * order: columns of the table, in its column order, from its first column on. Parts are cut as for
   * write(). Lines of a layout the table has since outgrown go into the wider part, with NULL for the
   * columns they lack.
   */
  appendLines(table: TableSchema, layout: LineLayout, lines: readonly string[]): void {
    const entry = this.entry(table, 'appendLines');
    let part = entry.open;
    let padding = part === undefined ? undefined : paddingFor(part, layout);
    for (let i = 0; i < lines.length; i++) {
      if (part !== undefined && (padding === undefined || part.rows >= this.partRows)) part = this.closePart(entry);
      if (part === undefined) {
        part = this.openPart(entry, table);
        padding = paddingFor(part, layout);
        if (padding === undefined) {
          throw new Error(`table "${table.name}": encoded lines with fields ${layout.columns.join(', ')} do not fit its columns`);
        }
      }
      const line = lines[i];
      this.append(part, padding === '' ? line : line.slice(0, -1) + padding + '\n');
    }
  }

  private entry(table: TableSchema, caller: string): TableParts {
    if (this.finished) throw new Error(`PackageWriter.${caller} called after finish`);
    let entry = this.tables.get(table.name);
    if (!entry) {
      entry = { name: table.name, parts: [], rowCount: 0, open: undefined };
      this.tables.set(table.name, entry);
    }
    return entry;
  }

  /** Closes the open part files, for a run that stops without finishing; the package is then discarded. */
  abandon(): void {
    this.finished = true;
    this.files.releaseAll();
  }

  /** Writes what is pending and returns the tables section of the manifest. */
  finish(): Record<string, PackageTable> {
    if (!this.finished) {
      for (const entry of this.tables.values()) this.closePart(entry);
      this.finished = true;
    }
    const result: Record<string, PackageTable> = {};
    for (const [name, entry] of this.tables) {
      result[name] = { name, parts: entry.parts, rows: entry.rowCount };
    }
    return result;
  }

  /** Opens a part whose fields are every column the table has now (less the constant ones). */
  private openPart(entry: TableParts, table: TableSchema): OpenPart {
    if (table.columns.length === 0) throw new SluiceError(`table "${table.name}" has rows but no columns`);
    let constants: Record<string, string> | undefined;
    if (table.columns.length > 1) {
      for (const [name, value] of Object.entries(this.constants)) {
        if (table.columns.some((c) => c.name === name)) (constants ??= {})[name] = value;
      }
    }
    const columns = table.columns.map((c) => c.name).filter((name) => constants === undefined || !Object.hasOwn(constants, name));
    const file = `${fileSafe(table.name)}.${String(++this.partSeq).padStart(6, '0')}.csv`;
    const inherited = columns.map((c) => c in Object.prototype);
    entry.open = {
      file,
      columns,
      constants,
      // Constant columns count as known: rows that hold them need no new part.
      known: new Set([...columns, ...Object.keys(constants ?? {})]),
      inherited,
      encode: this.encoderFor(table, columns, inherited),
      rows: 0,
      chunk: '',
      created: false,
      longestLine: 0,
    };
    return entry.open;
  }

  /**
   * The row encoder for these columns; parts with the same columns share one, which V8 keeps optimized.
   * Wide layouts get one that walks each row's own keys instead (see sparseRowEncoder).
   */
  private encoderFor(table: TableSchema, columns: string[], inherited: boolean[]): (row: Row) => string {
    if (columns.length > SPARSE_ENCODING_ABOVE_COLUMNS) return sparseRowEncoder(columns);
    const typeOf = new Map(table.columns.map((c) => [c.name, c.dataType]));
    const types = columns.map((name) => typeOf.get(name) ?? 'text');
    const key = JSON.stringify([columns, types]);
    let encode = this.encoders.get(key);
    if (encode === undefined) {
      encode = rowEncoder(columns, types, inherited);
      this.encoders.set(key, encode);
    }
    return encode;
  }

  /** Writes the part's remaining text and records it in the manifest; returns undefined (no part is open). */
  private closePart(entry: TableParts): undefined {
    const part = entry.open;
    if (part === undefined) return undefined;
    this.writeChunk(part);
    this.files.release(part);
    entry.open = undefined;
    if (part.rows === 0) return undefined;
    const finished: PackagePart = { file: part.file, columns: part.columns, rows: part.rows, maxLineBytes: part.longestLine };
    if (part.constants) finished.constants = part.constants;
    entry.parts.push(finished);
    entry.rowCount += part.rows;
    this.onPartFinished?.(entry.name, finished);
    return undefined;
  }

  private encodeRow(table: string, part: OpenPart, row: Row): void {
    let line: string;
    try {
      line = part.encode(row);
    } catch {
      throw new SluiceError(`table "${table}", ${describeEncodingFailure(part, row)}`);
    }
    this.append(part, line);
  }

  private append(part: OpenPart, line: string): void {
    const text = part.chunk + line;
    part.chunk = text;
    part.rows++;
    const length = line.length;
    let bytes = length * MAX_BYTES_PER_CHAR;
    if (bytes > MEASURE_LINES_ABOVE) bytes = Buffer.byteLength(line);
    if (bytes > part.longestLine) part.longestLine = bytes;
    this.pendingChars += length;
    if (text.length >= WRITE_CHUNK_CHARS) this.writeChunk(part);
    else if (this.pendingChars >= MAX_PENDING_CHARS) this.writeAllChunks();
  }

  private writeChunk(part: OpenPart): void {
    if (part.chunk.length === 0) return;
    // Part files are not fsynced: a package is only ever loaded by the run that wrote it (the next run
    // deletes leftovers), so the page cache is all the durability it needs.
    writeAll(this.files.descriptor(part, path.join(this.dir, part.file)), part.chunk);
    this.pendingChars -= part.chunk.length;
    part.chunk = '';
  }

  private writeAllChunks(): void {
    for (const entry of this.tables.values()) if (entry.open) this.writeChunk(entry.open);
  }
}

/** Which column of a row that failed to encode is at fault, and why: found by encoding field by field. */
function describeEncodingFailure(part: OpenPart, row: Row): string {
  for (let i = 0; i < part.columns.length; i++) {
    const name = part.columns[i];
    try {
      encodeCell(part.inherited[i] && !Object.hasOwn(row, name) ? null : row[name]);
    } catch (err) {
      return `column "${name}": ${(err as Error).message}`;
    }
  }
  return 'a row could not be encoded';
}

/** Names of the fields that hold a value (possibly null) in some of the rows. */
function presentColumns(rows: readonly Row[]): string[] {
  const present = new Set<string>();
  for (const row of rows) {
    for (const key in row) if (row[key] !== undefined) present.add(key);
  }
  return [...present];
}

function containsAll(known: Set<string>, names: readonly string[]): boolean {
  for (const name of names) if (!known.has(name)) return false;
  return true;
}

/**
 * What lines of `layout` need added before their newline to fill a part's fields: '' when the part has
 * exactly the layout's fields, NULLs for the part's further columns when the layout's fields are the first
 * of the part's, undefined when the lines do not fit the part.
 */
function paddingFor(part: OpenPart, layout: LineLayout): string | undefined {
  const { columns } = layout;
  if (columns.length > part.columns.length || columns.some((name, i) => part.columns[i] !== name)) return undefined;
  if (!sameConstants(part.constants, layout.constants)) return undefined;
  return ','.concat(NULL_MARKER).repeat(part.columns.length - columns.length);
}

/**
 * Writes the text as UTF-8. Handing writeSync the string itself is faster than making a Buffer of it first;
 * writeSync may write less than asked, so a short write is finished from a Buffer of the text.
 */
function writeAll(fd: number, text: string): void {
  const written = fs.writeSync(fd, text, null, 'utf8');
  if (written === Buffer.byteLength(text, 'utf8')) return;
  const bytes = Buffer.from(text, 'utf8');
  let offset = written;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}

/**
 * The part files open for writing. Keeping them open lets the writer hand text over in small chunks (small
 * chunks keep the pending text young, which is what makes garbage collection cheap) without opening the
 * file for every chunk; a source with very many tables gets its least recently written files closed, and
 * they are opened again to append.
 */
class OpenFiles {
  private readonly open = new Map<OpenPart, number>();

  descriptor(part: OpenPart, file: string): number {
    const fd = this.open.get(part);
    if (fd !== undefined) {
      // Most recently used last.
      this.open.delete(part);
      this.open.set(part, fd);
      return fd;
    }
    if (this.open.size >= MAX_OPEN_FILES) this.release(this.open.keys().next().value as OpenPart);
    // 'wx' on creation: a part file is never written over.
    const opened = fs.openSync(file, part.created ? 'a' : 'wx');
    part.created = true;
    this.open.set(part, opened);
    return opened;
  }

  release(part: OpenPart): void {
    const fd = this.open.get(part);
    if (fd === undefined) return;
    this.open.delete(part);
    fs.closeSync(fd);
  }

  releaseAll(): void {
    for (const part of [...this.open.keys()]) this.release(part);
  }
}

/** Table names may contain anything; file names keep only a readable, portable subset. */
function fileSafe(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
  return safe.length > 0 ? safe : 'table';
}
