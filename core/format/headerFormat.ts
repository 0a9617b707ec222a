// Lays out the MODEL (...) block: one property per line, two spaces in, `key value,` with the key in lower
// case and the kind's name in upper case, properties in their order. Kind options always get a line each;
// lists of entries (columns, audits, column_descriptions, ...) too, other lists only when they do not fit
// on the line. Comments stay with the property they were written next to. A value that spans several
// lines of its own (a multi-line call or raw SQL) or holds comments is kept as written.

import type { HeaderProperty, HeaderValue } from '../models/headerParser';
import type { Comment, Token } from '../models/tokenizer';
import type { WordRole } from './keywords';
import { inlineText } from './spacing';

export interface HeaderInput {
  text: string;
  tokens: readonly Token[];
  roles: readonly WordRole[];
  /** Every comment of the file. */
  comments: readonly Comment[];
  properties: HeaderProperty[];
  /** Token indexes of MODEL, its "(" and its ")". */
  model: number;
  open: number;
  close: number;
}

const INDENT = 2;
const WIDTH = 100;
/** Properties whose items are entries, one per line however short. */
const ENTRY_LISTS = new Set([
  'columns', 'column_descriptions', 'audits', 'physical_properties', 'table_properties', 'virtual_properties',
  'session_properties', 'signals', 'grants', 'csv_settings', 'materialization_properties',
]);

interface Entry {
  /** Token range of the entry, and its comma if one follows. */
  first: number;
  last: number;
  comma?: number;
  render(indent: number): string;
}

/** The MODEL block, from MODEL to its ")" (the ";" is the caller's). */
export function formatHeader(input: HeaderInput): string {
  const layout = new HeaderLayout(input);
  const entries = input.properties.map((p) => layout.propertyEntry(p));
  return `${input.tokens[input.model].text.toUpperCase()} ${layout.list(entries, input.model, input.close, 0)}`;
}

class HeaderLayout {
  constructor(private readonly input: HeaderInput) {}

  propertyEntry(prop: HeaderProperty): Entry {
    const { tokens } = this.input;
    const keyIndex = tokens.findIndex((t) => t.start === prop.keyStart);
    const value = prop.value;
    const last = value ? value.last : keyIndex;
    return {
      first: keyIndex,
      last,
      comma: this.commaAfter(last),
      render: (indent) => {
        const key = prop.key;
        if (!value) return key;
        // A comment between the key and its value: keep the whole property as written.
        if (this.commentsIn(prop.keyEnd, value.start)) return this.verbatim(prop.keyStart, value.end);
        return `${key} ${this.value(value, indent, key)}`;
      },
    };
  }

  private value(value: HeaderValue, indent: number, key: string): string {
    const { tokens } = this.input;
    if (value.type === 'kind') {
      const name = value.name.toUpperCase();
      if (!value.options) return name;
      const entries = value.options.map((p) => this.propertyEntry(p));
      return `${name} ${this.list(entries, value.first, value.last, indent)}`;
    }
    if (value.type === 'tuple' || value.type === 'array') {
      const hasComments = this.commentsIn(value.start, value.end);
      if (!hasComments) {
        const inline = this.inline(value.first, value.last);
        const fits = indent + key.length + 1 + inline.length <= WIDTH;
        if (value.items.length === 0 || (fits && !ENTRY_LISTS.has(key))) return inline;
      }
      const entries = value.items.map((item) => this.itemEntry(item));
      return this.list(entries, value.first, value.last, indent);
    }
    if (value.type === 'assign') {
      if (this.commentsIn(value.start, value.end)) return this.verbatim(value.start, value.end);
      const name = this.inline(value.key.first, value.key.last);
      return `${name} ${value.op} ${this.value(value.value, indent, name.toLowerCase())}`;
    }
    if (this.commentsIn(value.start, value.end) || this.spansLines(value)) return this.verbatim(value.start, value.end);
    return this.inline(value.first, value.last);
  }

  private itemEntry(item: HeaderValue): Entry {
    return { first: item.first, last: item.last, comma: this.commaAfter(item.last), render: (indent) => this.value(item, indent, '') };
  }

  /**
   * "(" entries ")" with an entry per line at indent + 2, the closer at indent. The entries' region runs from
   * the token `opener` (MODEL, the kind's name, or the bracket itself) to the token `closer`.
   */
  list(entries: Entry[], opener: number, closer: number, indent: number): string {
    const { tokens, text } = this.input;
    const inner = ' '.repeat(indent + INDENT);
    const regionStart = tokens[opener].end;
    const regionEnd = tokens[closer].start;
    const comments = this.input.comments.filter((c) => c.start >= regionStart && c.end <= regionEnd && !entries.some((e) => c.start >= tokens[e.first].start && c.end <= tokens[e.last].end));
    let head = tokens[closer].text === ']' ? '[' : '(';
    const lines: string[] = [];
    let c = 0;
    let previousEnd = tokens[opener].end;
    // Comments right after the "(" on its line.
    while (c < comments.length && !hasNewline(text.slice(previousEnd, comments[c].start)) && (entries.length === 0 || comments[c].start < tokens[entries[0].first].start)) {
      head += ` ${this.commentText(comments[c])}`;
      previousEnd = comments[c].end;
      c++;
    }
    entries.forEach((entry, k) => {
      const start = tokens[entry.first].start;
      let first = true;
      const blankBefore = (at: number) => {
        if (first && lines.length > 0 && countNewlines(text.slice(previousEnd, at)) > 1) lines.push('');
        first = false;
      };
      while (c < comments.length && comments[c].start < start) {
        blankBefore(comments[c].start);
        lines.push(inner + this.commentText(comments[c]));
        previousEnd = comments[c].end;
        c++;
      }
      blankBefore(start);
      let line = inner + entry.render(indent + INDENT);
      const isLast = k === entries.length - 1;
      // The comma after the last entry is kept when it was written (SQLMesh allows it).
      if (!isLast || entry.comma !== undefined) line += ',';
      previousEnd = tokens[entry.comma ?? entry.last].end;
      const nextStart = isLast ? regionEnd : tokens[entries[k + 1].first].start;
      while (c < comments.length && comments[c].start < nextStart && !hasNewline(text.slice(previousEnd, comments[c].start))) {
        line += ` ${this.commentText(comments[c])}`;
        previousEnd = comments[c].end;
        c++;
      }
      lines.push(line);
    });
    let firstClosing = true;
    while (c < comments.length) {
      if (firstClosing && lines.length > 0 && countNewlines(text.slice(previousEnd, comments[c].start)) > 1) lines.push('');
      firstClosing = false;
      lines.push(inner + this.commentText(comments[c]));
      previousEnd = comments[c].end;
      c++;
    }
    if (lines.length === 0) return `${head}${tokens[closer].text}`;
    return `${head}\n${lines.join('\n')}\n${' '.repeat(indent)}${tokens[closer].text}`;
  }

  private commaAfter(last: number): number | undefined {
    const next = this.input.tokens[last + 1];
    return next && next.type === 'punct' && next.text === ',' && last + 1 < this.input.close ? last + 1 : undefined;
  }

  /** Tokens [first, last] on one line, spaced as in queries. */
  private inline(first: number, last: number): string {
    return inlineText(this.input.tokens, this.input.roles, first, last);
  }

  private commentsIn(start: number, end: number): boolean {
    return this.input.comments.some((c) => c.start >= start && c.start < end);
  }

  private spansLines(value: HeaderValue): boolean {
    return (value.type === 'raw' || value.type === 'call') && hasNewline(this.input.text.slice(value.start, value.end));
  }

  private verbatim(start: number, end: number): string {
    return this.input.text.slice(start, end);
  }

  private commentText(comment: Comment): string {
    return this.input.text.slice(comment.start, comment.end);
  }
}

function hasNewline(text: string): boolean {
  return /[\r\n]/.test(text);
}

function countNewlines(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}
