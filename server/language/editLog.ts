// The edits made to each open document, in order, with the version each produced: what lets a request on
// the editor's newest text be answered from the analysis of an older version, even when several edits are
// scattered over the file (see TextShift). Recorded as the documents are updated; bounded per document.

import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { TextDocumentsConfiguration } from 'vscode-languageserver/node';

/** One replacement: [start, end) of the text before it became `length` characters; the text was then at `version`. */
export interface TextEdit {
  version: number;
  start: number;
  end: number;
  length: number;
}

/** Enough for minutes of typing between two analyses; older versions are answered without the log. */
const MAX_EDITS = 5000;

export class EditLog {
  private readonly edits = new Map<string, TextEdit[]>();

  /** A TextDocuments configuration that records every change before applying it. */
  documents(): TextDocumentsConfiguration<TextDocument> {
    return {
      create: (uri, languageId, version, content) => {
        this.edits.delete(uri);
        return TextDocument.create(uri, languageId, version, content);
      },
      update: (document, changes, version) => {
        // Each change's range refers to the text as the changes before it left it: apply them one by one.
        for (const change of changes) {
          this.record(document, change, version);
          TextDocument.update(document, [change], version);
        }
        return document;
      },
    };
  }

  /** The edits that turned version `from` of the document into its current text; undefined when not known. */
  since(uri: string, from: number): readonly TextEdit[] | undefined {
    const list = this.edits.get(uri) ?? [];
    const first = list.findIndex((e) => e.version > from);
    if (first === -1) return [];
    // The edits right after `from` may have been trimmed: then the log cannot say.
    if (first === 0 && list[0].version !== from + 1) return undefined;
    return list.slice(first);
  }

  forget(uri: string): void {
    this.edits.delete(uri);
  }

  private record(document: TextDocument, change: TextDocumentContentChangeEvent, version: number): void {
    let list = this.edits.get(document.uri);
    if (!list) this.edits.set(document.uri, (list = []));
    if ('range' in change) {
      const start = document.offsetAt(change.range.start);
      const end = document.offsetAt(change.range.end);
      list.push({ version, start, end, length: change.text.length });
    } else list.push({ version, start: 0, end: document.getText().length, length: change.text.length });
    if (list.length > MAX_EDITS) list.splice(0, list.length - MAX_EDITS);
  }
}
