// Stages normalized rows as CSV part files in a load package directory. Rows are encoded as soon as
// they arrive and the text goes to disk in chunks: the writer keeps no rows, so memory stays bounded by
// the chunk size per table however large the run is (and the rows are short-lived garbage, cheap to collect).

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../../errors';
import type { TableSchema } from '../../schema/types';
import type { PackagePart, PackageTable, Row } from '../package';
import { encodeCell } from './csvEncode';

export { readManifest, writeManifest } from './manifest';

const DEFAULT_PART_ROWS = 100_000;
/**
 * Encoded text of one part is handed to the file system in chunks of about this many characters. Small
 * chunks matter: pending text is a tree of young strings, and every minor GC copies whatever is pending.
 */
const WRITE_CHUNK_CHARS = 1 << 16;
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
  known: Set<string>;
  /** Per column: named like an Object.prototype member, so a row without its own value must not read the inherited one. */
  inherited: boolean[];
  anyInherited: boolean;
  rows: number;
  /** Encoded text not yet on disk. */
  chunk: string;
  /** Whether the file exists yet: it is created with the first chunk written. */
  created: boolean;
  /** Upper bound on the longest line's UTF-8 bytes. */
  longestLine: number;
}

interface TableParts {
  parts: PackagePart[];
  rowCount: number;
  open: OpenPart | undefined;
}

export class PackageWriter {
  private readonly partRows: number;
  private readonly tables = new Map<string, TableParts>();
  private partSeq = 0;
  private pendingChars = 0;
  private finished = false;

  constructor(
    private readonly dir: string,
    options: { partRows?: number } = {},
  ) {
    this.partRows = Math.max(1, Math.floor(options.partRows ?? DEFAULT_PART_ROWS));
    fs.mkdirSync(dir, { recursive: true });
  }

  /**
   * Encodes rows of a table into its current part. A part is cut when it reaches partRows, and when rows
   * bring a column it does not have (a new part then starts with the columns of the rows that follow).
   * `table` is read for its column order only; the caller may keep changing it (columns only get added).
   */
  write(table: TableSchema, rows: Row[]): void {
    if (this.finished) throw new Error('PackageWriter.write called after finish');
    let entry = this.tables.get(table.name);
    if (!entry) {
      entry = { parts: [], rowCount: 0, open: undefined };
      this.tables.set(table.name, entry);
    }
    let start = 0;
    while (start < rows.length) {
      let part = entry.open;
      if (part !== undefined && part.rows >= this.partRows) part = this.closePart(entry);
      const end = Math.min(rows.length, start + (part === undefined ? this.partRows : this.partRows - part.rows));
      const present = presentColumns(rows, start, end);
      if (part !== undefined && !containsAll(part.known, present)) {
        this.closePart(entry);
        continue;
      }
      part ??= this.openPart(entry, table, present);
      for (let i = start; i < end; i++) this.encodeRow(table.name, part, rows[i]);
      start = end;
    }
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

  private openPart(entry: TableParts, table: TableSchema, present: Set<string>): OpenPart {
    const columns = partColumns(table, present);
    const file = `${fileSafe(table.name)}.${String(++this.partSeq).padStart(6, '0')}.csv`;
    const inherited = columns.map((c) => c in Object.prototype);
    entry.open = {
      file,
      columns,
      known: new Set(columns),
      inherited,
      anyInherited: inherited.includes(true),
      rows: 0,
      chunk: '',
      created: false,
      longestLine: 0,
    };
    return entry.open;
  }

  /** Writes the part's remaining text and records it in the manifest; returns undefined (no part is open). */
  private closePart(entry: TableParts): undefined {
    const part = entry.open;
    if (part === undefined) return undefined;
    this.writeChunk(part);
    entry.open = undefined;
    if (part.rows === 0) return undefined;
    entry.parts.push({ file: part.file, columns: part.columns, rows: part.rows, maxLineBytes: part.longestLine });
    entry.rowCount += part.rows;
    return undefined;
  }

  private encodeRow(table: string, part: OpenPart, row: Row): void {
    const { columns } = part;
    const last = columns.length - 1;
    const before = part.chunk.length;
    let text = part.chunk;
    let i = 0;
    try {
      if (part.anyInherited) {
        for (; i <= last; i++) {
          const value = part.inherited[i] && !Object.hasOwn(row, columns[i]) ? null : row[columns[i]];
          text += i === last ? encodeCell(value) + '\n' : encodeCell(value) + ',';
        }
      } else {
        for (; i < last; i++) {
          text += encodeCell(row[columns[i]]);
          text += ',';
        }
        text += encodeCell(row[columns[last]]);
        text += '\n';
      }
    } catch (err) {
      throw new SluiceError(`table "${table}", column "${columns[i]}": ${(err as Error).message}`);
    }
    part.chunk = text;
    part.rows++;
    const length = text.length - before;
    let bytes = length * MAX_BYTES_PER_CHAR;
    if (bytes > MEASURE_LINES_ABOVE) bytes = Buffer.byteLength(text.slice(before));
    if (bytes > part.longestLine) part.longestLine = bytes;
    this.pendingChars += length;
    if (text.length >= WRITE_CHUNK_CHARS) this.writeChunk(part);
    else if (this.pendingChars >= MAX_PENDING_CHARS) this.writeAllChunks();
  }

  private writeChunk(part: OpenPart): void {
    if (part.chunk.length === 0) return;
    // Part files are not fsynced: a package is only ever loaded by the run that wrote it (the next run
    // deletes leftovers), so the page cache is all the durability it needs.
    // 'wx' on creation: a part file is never written over.
    writeText(path.join(this.dir, part.file), part.chunk, part.created ? 'a' : 'wx');
    part.created = true;
    this.pendingChars -= part.chunk.length;
    part.chunk = '';
  }

  private writeAllChunks(): void {
    for (const entry of this.tables.values()) if (entry.open) this.writeChunk(entry.open);
  }
}

/** Names of the fields that hold a value (possibly null) in rows[start, end). */
function presentColumns(rows: Row[], start: number, end: number): Set<string> {
  const present = new Set<string>();
  for (let i = start; i < end; i++) {
    const row = rows[i];
    for (const key in row) if (row[key] !== undefined) present.add(key);
  }
  return present;
}

function containsAll(known: Set<string>, names: Set<string>): boolean {
  for (const name of names) if (!known.has(name)) return false;
  return true;
}

/** The present columns in schema order; a column the schema does not define is an error. */
function partColumns(schema: TableSchema, present: Set<string>): string[] {
  const columns = schema.columns.filter((c) => present.has(c.name)).map((c) => c.name);
  if (columns.length < present.size) {
    const known = new Set(columns);
    const unknown = [...present].find((name) => !known.has(name));
    throw new SluiceError(`table "${schema.name}" has a row with column "${unknown}", which its schema does not define`);
  }
  if (columns.length === 0) {
    // Every row was empty: one all-null column still records how many rows there were.
    if (schema.columns.length === 0) throw new SluiceError(`table "${schema.name}" has rows but no columns`);
    return [schema.columns[0].name];
  }
  return columns;
}

/** Writes text to a file; writeSync may write less than asked, so it loops until all of it is there. */
function writeText(file: string, text: string, flags: 'a' | 'wx'): void {
  const bytes = Buffer.from(text, 'utf8');
  const fd = fs.openSync(file, flags);
  try {
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
  } finally {
    fs.closeSync(fd);
  }
}

/** Table names may contain anything; file names keep only a readable, portable subset. */
function fileSafe(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
  return safe.length > 0 ? safe : 'table';
}
