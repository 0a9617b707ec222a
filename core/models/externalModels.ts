// external_models.yaml in SQLMesh's format: a list of { name, columns: {col: type}, description?, gateway? }.
//
// Sluice can write entries for tables it knows (e.g. what a source loaded). To tell those apart from entries
// a person wrote, each entry Sluice manages is preceded by the comment line `# sluice:managed ...`. A comment
// keeps the file loadable by SQLMesh, which rejects unknown keys. Entries without the marker are never
// changed; deleting the marker line hands an entry over to the user.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Document, isMap, isScalar, isSeq, parseDocument, YAMLSeq, type Node as YamlNode } from 'yaml';
import { SluiceError } from '../errors';
import { setOwn } from './objects';
import { LineMap } from './position';
import { SQLMESH_MODEL_PROPERTIES } from './properties';
import type { ModelDiagnostic, Position } from './types';

export const MANAGED_MARKER = 'sluice:managed';
const MANAGED_COMMENT = ` ${MANAGED_MARKER} (written by Sluice; delete this line to maintain the entry by hand)`;

export interface ExternalModelInput {
  /** Table name as SQL, e.g. raw.orders or "my db".orders. */
  name: string;
  /** Column name → type, in column order. */
  columns: Record<string, string>;
  description?: string;
  gateway?: string;
}

export interface ExternalModelEntry extends ExternalModelInput {
  /** True when the entry carries the sluice:managed marker. */
  managed: boolean;
  /** Other keys of the entry (audits, dialect, start, ...), as plain data. */
  extra: Record<string, unknown>;
  start: Position;
  end: Position;
}

export interface ExternalModelsFile {
  file: string;
  entries: ExternalModelEntry[];
  diagnostics: ModelDiagnostic[];
}

/** Reads an external models file; a missing file is an empty list. */
export async function readExternalModels(file: string): Promise<ExternalModelsFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, entries: [], diagnostics: [] };
    throw new SluiceError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseExternalModels(text, file);
}

/** Parses the text of an external models file; never throws. */
export function parseExternalModels(text: string, file: string): ExternalModelsFile {
  const lines = new LineMap(text);
  const diagnostics: ModelDiagnostic[] = [];
  const report = (message: string, range: readonly number[] | undefined, severity: 'error' | 'warning' = 'error'): void => {
    const start = range?.[0] ?? 0;
    const end = range?.[1] ?? start;
    diagnostics.push({ file, message, start: lines.position(start), end: lines.position(end), severity });
  };
  const doc = parseDocument(text, { prettyErrors: false });
  for (const e of doc.errors) report(e.message.split('\n')[0], e.pos);
  for (const w of doc.warnings) report(w.message.split('\n')[0], w.pos, 'warning');
  const entries: ExternalModelEntry[] = [];
  if (doc.errors.length > 0 || doc.contents === null) return { file, entries, diagnostics };
  if (!isSeq(doc.contents)) {
    report('external models must be a list of tables: - name: schema.table', (doc.contents as YamlNode).range ?? undefined);
    return { file, entries, diagnostics };
  }

  const seen = new Map<string, number>();
  doc.contents.items.forEach((item, index) => {
    const node = item as YamlNode;
    if (!isMap(node)) {
      report(`entry ${index + 1} must be a mapping with name and columns`, node?.range ?? undefined);
      return;
    }
    const entry = readEntry(node, index, report);
    if (!entry) return;
    const range = node.range ?? [0, 0, 0];
    const key = entryKey(entry);
    const previous = seen.get(key);
    if (previous !== undefined) {
      report(`external model ${entry.name}${entry.gateway ? ` (gateway ${entry.gateway})` : ''} is listed twice (first as entry ${previous + 1})`, range);
      return;
    }
    seen.set(key, index);
    entries.push({
      ...entry,
      managed: isManaged(node.commentBefore),
      start: lines.position(range[0]),
      end: lines.position(range[1]),
    });
  });
  return { file, entries, diagnostics };
}

type Reporter = (message: string, range: readonly number[] | undefined, severity?: 'error' | 'warning') => void;

function readEntry(
  node: import('yaml').YAMLMap,
  index: number,
  report: Reporter,
): Omit<ExternalModelEntry, 'managed' | 'start' | 'end'> | undefined {
  const label = `entry ${index + 1}`;
  let name: string | undefined;
  let columns: Record<string, string> | undefined;
  let description: string | undefined;
  let gateway: string | undefined;
  const extra: Record<string, unknown> = {};
  let ok = true;
  for (const pair of node.items) {
    const keyNode = pair.key as YamlNode | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
    const valueNode = pair.value as YamlNode | null;
    if (key === undefined) {
      report(`${label}: keys must be plain names`, keyNode?.range ?? node.range ?? undefined);
      ok = false;
      continue;
    }
    const where = valueNode?.range ?? keyNode?.range ?? undefined;
    const scalarString = (): string | undefined => {
      if (isScalar(valueNode) && (typeof valueNode.value === 'string' || typeof valueNode.value === 'number')) return String(valueNode.value);
      report(`${label}: ${key} must be a string`, where);
      ok = false;
      return undefined;
    };
    switch (key) {
      case 'name':
        name = scalarString();
        break;
      case 'description':
        description = scalarString();
        break;
      case 'gateway':
        gateway = scalarString();
        break;
      case 'columns': {
        if (!isMap(valueNode)) {
          report(`${label}: columns must be a mapping of column name to type`, where);
          ok = false;
          break;
        }
        columns = {};
        for (const col of valueNode.items) {
          const colKey = col.key as YamlNode | null;
          const colValue = col.value as YamlNode | null;
          const colName = isScalar(colKey) ? String(colKey.value) : undefined;
          if (colName === undefined || !isScalar(colValue) || colValue.value === null || typeof colValue.value === 'object') {
            report(`${label}: column ${colName ?? '?'} needs a type such as INT or TEXT`, colValue?.range ?? colKey?.range ?? where);
            ok = false;
            continue;
          }
          setOwn(columns, colName, String(colValue.value));
        }
        break;
      }
      default:
        if (!SQLMESH_MODEL_PROPERTIES.has(key)) report(`${label}: unknown key '${key}'`, keyNode?.range ?? undefined, 'warning');
        setOwn(extra, key, valueNode && 'toJSON' in valueNode ? (valueNode as { toJSON(): unknown }).toJSON() : null);
    }
  }
  if (name === undefined || name.trim() === '') {
    if (ok) report(`${label} has no name`, node.range ?? undefined);
    return undefined;
  }
  if (!ok) return undefined;
  if (!columns) {
    report(`external model ${name} has no columns`, node.range ?? undefined, 'warning');
    columns = {};
  }
  const entry: Omit<ExternalModelEntry, 'managed' | 'start' | 'end'> = { name, columns, extra };
  if (description !== undefined) entry.description = description;
  if (gateway !== undefined) entry.gateway = gateway;
  return entry;
}

function entryKey(entry: { name: string; gateway?: string }): string {
  return `${entry.name.toLowerCase()}\u0000${(entry.gateway ?? '').toLowerCase()}`;
}

function lastCommentLine(comment: string | null | undefined): string {
  const linesOfComment = (comment ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return linesOfComment[linesOfComment.length - 1] ?? '';
}

function isManaged(commentBefore: string | null | undefined): boolean {
  return lastCommentLine(commentBefore).startsWith(MANAGED_MARKER);
}

export interface MergeOptions {
  /** Drop managed entries that are not in `entries` (e.g. tables that no longer exist). Default false. */
  removeMissing?: boolean;
}

export interface MergeResult {
  text: string;
  /** Entries not written because a hand-written entry with the same name (and gateway) exists. */
  skipped: string[];
}

/**
 * Merges `entries` into the text of an external models file (undefined when there is none): managed entries
 * are replaced or added, hand-written ones are kept exactly, and the list comes out sorted by name, gateway.
 * Throws SluiceError when the existing file cannot be parsed, rather than overwrite it.
 */
export function mergeExternalModels(existing: string | undefined, entries: readonly ExternalModelInput[], file: string, options: MergeOptions = {}): MergeResult {
  const doc = existing === undefined ? new Document([]) : parseDocument(existing);
  if (doc.errors.length > 0) {
    const lines = new LineMap(existing ?? '');
    const e = doc.errors[0];
    const p = lines.position(e.pos[0]);
    throw new SluiceError(`${file}:${p.line}:${p.column}: ${e.message.split('\n')[0]}; fix it before Sluice updates the file`);
  }
  if (doc.contents === null || doc.contents === undefined) doc.contents = new YAMLSeq() as never;
  if (!isSeq(doc.contents)) throw new SluiceError(`${file} is not a list of external models; Sluice will not overwrite it`);

  const seq = doc.contents as YAMLSeq;
  seq.flow = false; // an empty file may have been written as [], entries go in block style
  moveFileHeaderToDocument(doc, seq);

  const incoming = new Map<string, ExternalModelInput>();
  for (const entry of entries) incoming.set(entryKey(entry), entry);

  const kept: Array<{ key: string; name: string; gateway: string; node: YamlNode }> = [];
  const handWritten = new Set<string>();
  const skipped: string[] = [];
  for (const item of seq.items) {
    const node = item as YamlNode;
    const json = isMap(node) ? (node.toJSON() as Record<string, unknown>) : undefined;
    const name = typeof json?.name === 'string' ? json.name : '';
    const gateway = typeof json?.gateway === 'string' ? json.gateway : '';
    const key = entryKey({ name, gateway });
    if (isManaged(node.commentBefore)) {
      if (incoming.has(key) || options.removeMissing) continue; // replaced below, or dropped
    } else {
      handWritten.add(key);
    }
    kept.push({ key, name, gateway, node });
  }
  for (const [key, entry] of incoming) {
    if (handWritten.has(key)) {
      skipped.push(entry.name);
      continue;
    }
    const plain: Record<string, unknown> = { name: entry.name };
    if (entry.description !== undefined) plain.description = entry.description;
    if (entry.gateway !== undefined) plain.gateway = entry.gateway;
    plain.columns = { ...entry.columns };
    const node = doc.createNode(plain) as YamlNode;
    node.commentBefore = MANAGED_COMMENT;
    kept.push({ key, name: entry.name, gateway: entry.gateway ?? '', node });
  }
  kept.sort((a, b) => compare(a.name.toLowerCase(), b.name.toLowerCase()) || compare(a.gateway.toLowerCase(), b.gateway.toLowerCase()));
  seq.items = kept.map((k) => k.node);
  return { text: doc.toString({ lineWidth: 0 }), skipped };
}

/** Writes the merged file; returns the names skipped because a hand-written entry already covers them. */
export async function writeExternalModels(file: string, entries: readonly ExternalModelInput[], options: MergeOptions = {}): Promise<MergeResult> {
  let existing: string | undefined;
  try {
    existing = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SluiceError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const result = mergeExternalModels(existing, entries, file, options);
  if (result.text !== existing) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write-then-rename so a crash never leaves a half-written file behind.
    const temp = `${file}.${process.pid}.tmp`;
    try {
      await fs.writeFile(temp, result.text, 'utf8');
      await fs.rename(temp, file);
    } catch (err) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw new SluiceError(`cannot write ${file}: ${(err as Error).message}`);
    }
  }
  return result;
}

/** The project's external model files in load order: external_models.yaml (or schema.yaml), then external_models/*.yaml. */
export async function listExternalModelFiles(projectDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of ['external_models.yaml', 'schema.yaml']) {
    const candidate = path.join(projectDir, name);
    if (await fs.stat(candidate).then((s) => s.isFile(), () => false)) {
      out.push(candidate);
      break;
    }
  }
  const dir = path.join(projectDir, 'external_models');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => /\.ya?ml$/i.test(n)).sort(compare)) out.push(path.join(dir, name));
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The yaml library attaches comments at the top of the file to the first entry. Split off everything up to
 * the last blank line as the document's own comment, so it stays at the top when entries are re-sorted.
 */
function moveFileHeaderToDocument(doc: Document, seq: YAMLSeq): void {
  const first = seq.items[0] as YamlNode | undefined;
  const comment = first?.commentBefore;
  if (!first || !comment) return;
  const split = comment.lastIndexOf('\n\n');
  if (split < 0) return;
  const header = comment.slice(0, split);
  first.commentBefore = comment.slice(split + 2) || undefined;
  doc.commentBefore = doc.commentBefore ? `${doc.commentBefore}\n${header}` : header;
}
