// textDocument/formatting for model files: the same layout as `sluice format`, sent as one edit that
// covers only the part that changed (so the cursor and folds outside it stay put).

import { TextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { formatModelText } from '../../core/format/modelFormat';

/** The edits that format a model document; none when it is formatted already or does not read. */
export function formatModelDocument(document: TextDocument, log: (message: string) => void): TextEdit[] {
  const text = document.getText();
  const result = formatModelText(text);
  if (!result.ok) {
    log(`not formatting ${document.uri}: line ${result.problem.line}, column ${result.problem.column}: ${result.problem.message}`);
    return [];
  }
  if (!result.changed) return [];
  const { start, oldEnd, newEnd } = changedSpan(text, result.text);
  return [TextEdit.replace({ start: document.positionAt(start), end: document.positionAt(oldEnd) }, result.text.slice(start, newEnd))];
}

/** The span where two texts differ, never splitting a \r\n or a surrogate pair. */
export function changedSpan(before: string, after: string): { start: number; oldEnd: number; newEnd: number } {
  let start = 0;
  const shortest = Math.min(before.length, after.length);
  while (start < shortest && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  while (start > 0 && splitsPair(before, start)) start--;
  let oldEnd = before.length;
  let newEnd = after.length;
  while (oldEnd > start && newEnd > start && before.charCodeAt(oldEnd - 1) === after.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  while (oldEnd < before.length && (splitsPair(before, oldEnd) || splitsPair(after, newEnd))) {
    oldEnd++;
    newEnd++;
  }
  return { start, oldEnd, newEnd };
}

function splitsPair(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length) return false;
  const before = text.charCodeAt(at - 1);
  const after = text.charCodeAt(at);
  return (before === 13 && after === 10) || (before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff);
}
