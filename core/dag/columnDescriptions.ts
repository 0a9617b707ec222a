// A model's column_descriptions as written: each entry and where it is (for editor fixes that add or
// remove one), and the warning for an entry naming a column the model does not have (any longer).

import { EmbeddedLineMap } from '../models/position';
import { isPunct, tokenize, type Token } from '../models/tokenizer';
import type { ParsedModel, Position } from '../models/types';
import type { ColumnInfo, ProjectDiagnostic } from './types';

export interface DescriptionEntry {
  /** The column as written, quotes removed. */
  name: string;
  /** The whole entry (`name = 'text'`). */
  start: Position;
  end: Position;
  /** The column name in it. */
  nameStart: Position;
  nameEnd: Position;
}

export interface DescriptionList {
  entries: DescriptionEntry[];
  /** Just after the opening parenthesis. */
  open: Position;
  /** At the closing parenthesis. */
  close: Position;
}

export const STALE_DESCRIPTION = /^column_descriptions names "((?:[^"]|"")*)", but the model has no such column/;

/** The entries of the model's column_descriptions; undefined without one (or when it is not a list). */
export function columnDescriptionList(parsed: ParsedModel, fileText: string): DescriptionList | undefined {
  const property = parsed.definition?.properties.column_descriptions;
  if (!property) return undefined;
  const text = stripBom(fileText).slice(property.start.offset, property.end.offset);
  const lines = new EmbeddedLineMap(text, property.start);
  const { tokens } = tokenize(text);
  if (!isPunct(tokens[0], '(')) return undefined;
  const entries: DescriptionEntry[] = [];
  let item: Token[] = [];
  let depth = 0;
  for (const token of tokens) {
    if (isPunct(token, '(')) depth++;
    else if (isPunct(token, ')')) depth--;
    if (depth === 0) {
      const entry = entryOf(item, lines);
      if (entry) entries.push(entry);
      return { entries, open: lines.position(tokens[0].end), close: lines.position(token.start) };
    }
    if (depth === 1 && isPunct(token, ',')) {
      const entry = entryOf(item, lines);
      if (entry) entries.push(entry);
      item = [];
    } else if (token !== tokens[0]) item.push(token);
  }
  return undefined;
}

/** `name = value`, the name possibly quoted or dotted. */
function entryOf(item: Token[], lines: EmbeddedLineMap): DescriptionEntry | undefined {
  const parts: string[] = [];
  let i = 0;
  while (i < item.length && (item[i].type === 'ident' || item[i].type === 'qident')) {
    parts.push(item[i].value);
    if (!isPunct(item[i + 1], '.')) break;
    i += 2;
  }
  if (parts.length === 0 || !isPunct(item[i + 1], '=')) return undefined;
  return {
    name: parts.join('.'),
    start: lines.position(item[0].start),
    end: lines.position(item[item.length - 1].end),
    nameStart: lines.position(item[0].start),
    nameEnd: lines.position(item[i].end),
  };
}

/** A warning for each column_descriptions entry naming none of the model's columns. */
export function staleDescriptions(parsed: ParsedModel, fileText: string, columns: readonly ColumnInfo[], model: string): ProjectDiagnostic[] {
  const list = columnDescriptionList(parsed, fileText);
  if (!list) return [];
  const names = new Set(columns.map((c) => c.name));
  return list.entries
    .filter((e) => !names.has(e.name.toLowerCase()))
    .map((e) => ({
      file: parsed.file,
      message: `column_descriptions names "${e.name.replace(/"/g, '""')}", but the model has no such column`,
      start: e.nameStart,
      end: e.nameEnd,
      severity: 'warning' as const,
      model,
    }));
}

function stripBom(text: string): string {
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}
