// What renames are made of: text edits per model file (file offsets of the text as analysed), the refusal
// a rename gives when it cannot be done safely, and the places in a MODEL block that name a column of the
// model (grain, time_column, unique_key, audits, column_descriptions, columns, partitioned_by, clustered_by).

import type { PreparedModel } from '../../core/dag/prepare';
import { columnDescriptionList } from '../../core/dag/columnDescriptions';
import { isPunct, tokenize, type Token } from '../../core/models/tokenizer';
import { sqlName } from './sqlNames';

/** A rename that cannot be done safely; the message says why (and is shown to the user). */
export class RenameRefused extends Error {}

export interface FileEdit {
  start: number;
  end: number;
  newText: string;
}

/** Edits by model file; the same edit twice counts once, overlapping different edits are refused. */
export class FileEdits {
  readonly byFile = new Map<string, FileEdit[]>();
  /** Texts of edited files that are not model files (unit tests), as read when the edits were made. */
  readonly otherTexts = new Map<string, string>();

  add(file: string, start: number, end: number, newText: string): void {
    let list = this.byFile.get(file);
    if (!list) this.byFile.set(file, (list = []));
    if (list.some((e) => e.start === start && e.end === end && e.newText === newText)) return;
    if (list.some((e) => e.start < end && start < e.end)) throw new RenameRefused('two edits of the rename overlap; the names involved are written in a way Sluice cannot rename safely');
    list.push({ start, end, newText });
  }

  /** The text with this file's edits made. */
  apply(file: string, text: string): string {
    const edits = [...(this.byFile.get(file) ?? [])].sort((a, b) => b.start - a.start);
    let out = text;
    for (const e of edits) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    return out;
  }
}

/** A model file's text the way its positions count it (without a byte order mark). */
export function fileText(model: PreparedModel): string {
  return model.text.startsWith('\ufeff') ? model.text.slice(1) : model.text;
}

/** MODEL properties whose names (outside strings and calls) are columns of the model. */
const COLUMN_PROPERTIES = ['grain', 'grains', 'kind.time_column', 'kind.unique_key', 'audits', 'partitioned_by', 'clustered_by'];

/** Renames a column of the model wherever its MODEL block names it. */
export function renameInModelBlock(model: PreparedModel, column: string, newName: string, edits: FileEdits): void {
  const definition = model.parsed.definition;
  if (!definition) return;
  const text = fileText(model);
  const replaceToken = (start: number, end: number) => edits.add(model.file, start, end, sqlName(newName));
  const named = (t: Token | undefined) => t !== undefined && (t.type === 'ident' || t.type === 'qident') && t.value.toLowerCase() === column;

  for (const key of COLUMN_PROPERTIES) {
    const property = definition.properties[key];
    if (!property) continue;
    const base = property.start.offset;
    const { tokens } = tokenize(text.slice(base, property.end.offset));
    tokens.forEach((t, i) => {
      // Not a call (not_null(...)), an argument name (columns := ...), or a part after a dot.
      if (!named(t) || isPunct(tokens[i + 1], '(') || isPunct(tokens[i + 1], ':=') || isPunct(tokens[i - 1], '.')) return;
      replaceToken(base + t.start, base + t.end);
    });
  }
  for (const entry of columnDescriptionList(model.parsed, text)?.entries ?? []) {
    if (entry.name.toLowerCase() === column) replaceToken(entry.nameStart.offset, entry.nameEnd.offset);
  }
  // columns (name TYPE, ...): the first name of each item.
  const declared = definition.properties.columns;
  if (declared) {
    const base = declared.start.offset;
    const { tokens } = tokenize(text.slice(base, declared.end.offset));
    let depth = 0;
    tokens.forEach((t, i) => {
      if (isPunct(t, '(')) depth++;
      else if (isPunct(t, ')')) depth--;
      else if (depth === 1 && named(t) && (isPunct(tokens[i - 1], '(') || isPunct(tokens[i - 1], ','))) replaceToken(base + t.start, base + t.end);
    });
  }
}
