// textDocument/documentSymbol for model files: the outline (MODEL properties, @DEF variables, CTEs and
// columns, the query's output columns) as a tree of DocumentSymbols.

import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { modelOutline, type OutlineKind, type OutlineSymbol } from '../../core/models/outline';

const KINDS: Record<OutlineKind, SymbolKind> = {
  model: SymbolKind.Module,
  property: SymbolKind.Property,
  variable: SymbolKind.Variable,
  cte: SymbolKind.Struct,
  query: SymbolKind.Function,
  column: SymbolKind.Field,
};

export function modelDocumentSymbols(document: TextDocument): DocumentSymbol[] {
  const convert = (symbol: OutlineSymbol): DocumentSymbol => {
    const out: DocumentSymbol = {
      name: symbol.name,
      kind: KINDS[symbol.kind],
      range: { start: document.positionAt(symbol.start), end: document.positionAt(symbol.end) },
      selectionRange: { start: document.positionAt(symbol.selectionStart), end: document.positionAt(symbol.selectionEnd) },
      children: symbol.children.map(convert),
    };
    if (symbol.detail) out.detail = symbol.detail;
    return out;
  };
  return modelOutline(document.getText()).map(convert);
}
