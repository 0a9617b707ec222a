// Writes tokens into lines. The layout asks for a line break before a token (breakLine); everything else
// is spacing (Spacer). Comments are written where they stood: one that followed code on its line stays at
// the end of that line, one on a line of its own gets a line of its own, and a line comment always ends
// its line. Keywords are written upper-case; every other token exactly as in the source.

import type { Comment, Token } from '../models/tokenizer';
import type { WordRole } from './keywords';
import { Spacer } from './spacing';

export interface EmitterInput {
  text: string;
  tokens: readonly Token[];
  roles: readonly WordRole[];
  /** The comments among the tokens being written, in source order. */
  comments: readonly Comment[];
  /** Token index range being written. */
  first: number;
  last: number;
}

/** Where a comment stood in the source, which is all the layout keeps of its surroundings. */
interface PlacedComment {
  comment: Comment;
  /** It started a line (only whitespace since the previous token or comment). */
  ownLine: boolean;
  /** A line break follows it (always for -- comments). */
  breakAfter: boolean;
  /** An empty line came before it. */
  blankBefore: boolean;
}

const NEWLINE = /\r\n|\r|\n/g;

function newlines(text: string): number {
  return text.match(NEWLINE)?.length ?? 0;
}

export class Emitter {
  private readonly lines: string[] = [];
  private line = '';
  private started = false;
  /** Indent of the current line. */
  lineIndent = 0;
  /** Indent of the last line the layout asked for; continuation lines go two deeper. */
  private structIndent = 0;
  private pendingBreak?: number;
  private forcedBreak = false;
  /** A comment on its own line is followed by the next token on the same line. */
  private glued = false;
  private readonly spacer: Spacer;
  /** Comments to write before each token. */
  private readonly before = new Map<number, PlacedComment[]>();
  /** Whether an empty line came right before each token. */
  private readonly blankBefore = new Set<number>();

  constructor(private readonly input: EmitterInput) {
    this.spacer = new Spacer(input.roles, input.tokens);
    this.placeComments();
  }

  private placeComments(): void {
    const { text, tokens, comments, first, last } = this.input;
    let c = 0;
    let previousEnd = tokens[first].end;
    for (let i = first + 1; i <= last; i++) {
      const placed: PlacedComment[] = [];
      while (c < comments.length && comments[c].start < tokens[i].start) {
        const comment = comments[c];
        const nextStart = c + 1 < comments.length && comments[c + 1].start < tokens[i].start ? comments[c + 1].start : tokens[i].start;
        const gap = text.slice(previousEnd, comment.start);
        placed.push({
          comment,
          ownLine: newlines(gap) > 0,
          blankBefore: newlines(gap) > 1,
          breakAfter: text.startsWith('--', comment.start) || newlines(text.slice(comment.end, nextStart)) > 0,
        });
        previousEnd = comment.end;
        c++;
      }
      if (newlines(text.slice(previousEnd, tokens[i].start)) > 1) this.blankBefore.add(i);
      previousEnd = tokens[i].end;
      if (placed.length === 0) continue;
      // Comments before a comma are written after it, so the comma stays with what it ends: "a, -- note".
      const target = isComma(tokens[i]) && i < last ? i + 1 : i;
      this.before.set(target, [...placed, ...(this.before.get(target) ?? [])]);
    }
  }

  /** The next token starts a line with this indent. */
  breakLine(indent: number): void {
    this.pendingBreak = indent;
  }

  token(i: number): void {
    for (const placed of this.before.get(i) ?? []) this.comment(placed);
    const { tokens, roles } = this.input;
    if (this.pendingBreak !== undefined || this.forcedBreak) {
      const indent = this.pendingBreak ?? this.structIndent + 2;
      if (this.pendingBreak !== undefined) this.structIndent = indent;
      this.newLine(indent, this.blankBefore.has(i));
    } else if (this.glued) this.line += ' ';
    else this.line += this.spacer.gap(i);
    const t = tokens[i];
    this.line += roles[i] ? t.text.toUpperCase() : t.text;
    this.spacer.wrote(i);
    this.started = true;
    this.pendingBreak = undefined;
    this.forcedBreak = false;
    this.glued = false;
  }

  private comment(placed: PlacedComment): void {
    const text = this.input.text.slice(placed.comment.start, placed.comment.end);
    // A block comment right before a token that starts a line goes to that line with it.
    const leadsNextLine = !placed.breakAfter && this.pendingBreak !== undefined;
    if (placed.ownLine || !this.started || leadsNextLine) {
      const indent = this.pendingBreak ?? this.structIndent + 2;
      this.newLine(indent, placed.ownLine && placed.blankBefore);
      this.line += text;
      this.forcedBreak = false;
      if (!placed.breakAfter) {
        if (this.pendingBreak !== undefined) this.structIndent = indent;
        this.pendingBreak = undefined;
        this.glued = true;
      }
    } else {
      this.line += (this.line.trim() === '' ? '' : ' ') + text;
    }
    this.started = true;
    if (placed.breakAfter) {
      this.forcedBreak = true;
      this.glued = false;
    }
  }

  private newLine(indent: number, blank: boolean): void {
    if (this.started) {
      this.lines.push(this.line.trimEnd());
      if (blank) this.lines.push('');
    }
    this.line = ' '.repeat(indent);
    this.lineIndent = indent;
    this.spacer.lineStart();
  }

  /** The text written, without a final newline. */
  finish(): string {
    return [...this.lines, this.line.trimEnd()].join('\n');
  }
}

function isComma(token: Token): boolean {
  return token.type === 'punct' && token.text === ',';
}
