// Stages normalized rows as CSV part files in a load package directory. Rows are buffered per table and
// written out in parts, so memory is bounded by the part size, never by the size of the run.

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../../errors';
import type { TableSchema } from '../../schema/types';
import type { PackagePart, PackageTable, Row } from '../package';
import { encodeCell } from './csvEncode';

export { readManifest, writeManifest } from './manifest';

const DEFAULT_PART_ROWS = 100_000;
/** Also cut a part when this many cells are buffered, so that very wide tables stay bounded too. */
const MAX_BUFFERED_CELLS = 5_000_000;
/** Encoded text is handed to the file system in chunks of about this many characters. */
const WRITE_CHUNK_CHARS = 1 << 20;

interface TableBuffer {
  /** The latest schema seen for the table: it only ever gains columns during a run. */
  schema: TableSchema;
  rows: Row[];
  cells: number;
  /** Columns that hold a value (possibly null) in at least one buffered row. */
  present: Set<string>;
  parts: PackagePart[];
  rowCount: number;
}

export class PackageWriter {
  private readonly partRows: number;
  private readonly tables = new Map<string, TableBuffer>();
  private partSeq = 0;
  private finished = false;

  constructor(
    private readonly dir: string,
    options: { partRows?: number } = {},
  ) {
    this.partRows = Math.max(1, Math.floor(options.partRows ?? DEFAULT_PART_ROWS));
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Buffers rows for a table; writes a part file when the buffer reaches partRows. */
  write(table: TableSchema, rows: Row[]): void {
    if (this.finished) throw new Error('PackageWriter.write called after finish');
    let buffer = this.tables.get(table.name);
    if (!buffer) {
      buffer = { schema: table, rows: [], cells: 0, present: new Set(), parts: [], rowCount: 0 };
      this.tables.set(table.name, buffer);
    }
    buffer.schema = table;
    for (const row of rows) {
      let cells = 0;
      for (const key in row) {
        if (row[key] !== undefined) {
          buffer.present.add(key);
          cells++;
        }
      }
      buffer.rows.push(row);
      buffer.cells += cells;
      if (buffer.rows.length >= this.partRows || buffer.cells >= MAX_BUFFERED_CELLS) this.flush(buffer);
    }
  }

  /** Flushes everything and returns the tables section of the manifest. */
  finish(): Record<string, PackageTable> {
    if (!this.finished) {
      for (const buffer of this.tables.values()) this.flush(buffer);
      this.finished = true;
    }
    const result: Record<string, PackageTable> = {};
    for (const [name, buffer] of this.tables) {
      result[name] = { name, parts: buffer.parts, rows: buffer.rowCount };
    }
    return result;
  }

  private flush(buffer: TableBuffer): void {
    if (buffer.rows.length === 0) return;
    const columns = partColumns(buffer);
    const file = `${fileSafe(buffer.schema.name)}.${String(++this.partSeq).padStart(6, '0')}.csv`;
    writePartFile(path.join(this.dir, file), buffer.schema.name, columns, buffer.rows);
    buffer.parts.push({ file, columns, rows: buffer.rows.length });
    buffer.rowCount += buffer.rows.length;
    buffer.rows = [];
    buffer.cells = 0;
    buffer.present = new Set();
  }
}

/** The union of the columns present in the buffered rows, in schema order. */
function partColumns(buffer: TableBuffer): string[] {
  const { schema, present } = buffer;
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

function writePartFile(file: string, table: string, columns: string[], rows: Row[]): void {
  const fd = fs.openSync(file, 'wx');
  try {
    const chunk: string[] = [];
    let chunkChars = 0;
    const last = columns.length - 1;
    for (const row of rows) {
      let line = '';
      for (let i = 0; i <= last; i++) {
        let field: string;
        try {
          field = encodeCell(row[columns[i]]);
        } catch (err) {
          throw new SluiceError(`table "${table}", column "${columns[i]}": ${(err as Error).message}`);
        }
        line += i === last ? field + '\n' : field + ',';
      }
      chunk.push(line);
      chunkChars += line.length;
      if (chunkChars >= WRITE_CHUNK_CHARS) {
        writeAll(fd, chunk.join(''));
        chunk.length = 0;
        chunkChars = 0;
      }
    }
    if (chunk.length > 0) writeAll(fd, chunk.join(''));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** writeSync may write less than asked; loop until the whole chunk is on disk. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}

/** Table names may contain anything; file names keep only a readable, portable subset. */
function fileSafe(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
  return safe.length > 0 ? safe : 'table';
}
