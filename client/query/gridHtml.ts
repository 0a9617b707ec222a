// The result grid's page (see webviewPage for its Content Security Policy): a toolbar (what ran, the
// environment, Cancel or Run again, history, the filter, copy and export), a status line (rows, time,
// what sort and filter apply to), the error with its place in the model file, the grid and a pane for a
// nested value in full. Colours are VS Code's theme variables, so light, dark and high-contrast themes apply.

import { webviewPage } from '../webviewPage';

export function gridHtml(options: { cspSource: string; scriptUri: string; nonce: string }): string {
  return webviewPage({ ...options, title: 'Sluice Results', styles: STYLES, body: BODY });
}

const BODY = `<div id="grid-page">
<div id="toolbar" class="toolbar">
  <strong id="label">Query</strong>
  <label>Environment <select id="environment" title="Environment whose views the query reads"></select></label>
  <button id="cancel" hidden>Cancel</button>
  <button id="rerun" hidden>Run again</button>
  <button id="history" title="Queries run in this workspace">History…</button>
  <input id="filter" type="search" placeholder="Filter loaded rows" title="Shows the loaded rows with a cell holding this text (NULL holds none)">
  <button id="copy" title="Copy the selected rows or cell (Ctrl+C)">Copy</button>
  <span class="export">Export <button data-export="csv">CSV</button><button data-export="json">JSON</button><button data-export="parquet">Parquet</button></span>
</div>
<div id="status" class="status"><span id="row-count"></span> <span id="elapsed"></span> <span id="scope"></span> <span id="note"></span></div>
<div id="error" class="error" hidden><span id="error-message"></span> <a id="error-location" href="#"></a></div>
<div id="viewport" tabindex="0"><table id="grid"><colgroup id="cols"></colgroup><thead><tr id="header"></tr></thead><tbody id="body"></tbody></table></div>
<div id="detail" hidden><div class="detail-head"><span id="detail-title"></span> <button id="detail-close">Close</button></div><pre id="detail-text"></pre></div>
</div>`;

const STYLES = `  [hidden] { display: none !important; }
  html, body { height: 100%; margin: 0; }
  body { padding: 0 12px 8px; box-sizing: border-box; }
  #grid-page { display: flex; flex-direction: column; height: 100%; }
  .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; padding: 8px 0 4px; flex: none; }
  button { padding: 2px 8px; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; cursor: pointer; font: inherit; }
  button:hover { background: var(--vscode-button-secondaryHoverBackground); }
  button:focus-visible, select:focus-visible, input:focus-visible, #viewport:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
  #cancel { color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
  .export button { margin-left: 2px; }
  select, input { color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); border-radius: 2px; font: inherit; padding: 2px 4px; }
  select { color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border-color: var(--vscode-dropdown-border, transparent); }
  #filter { min-width: 10em; flex: 0 1 16em; }
  .status { color: var(--vscode-descriptionForeground); padding: 2px 0 6px; flex: none; min-height: 1.2em; }
  #row-count { color: var(--vscode-foreground); }
  .running #row-count::after { content: ' ⏳'; }
  .error { color: var(--vscode-errorForeground); padding: 4px 0 8px; white-space: pre-wrap; flex: none; }
  a { color: var(--vscode-textLink-foreground); }
  a:hover { color: var(--vscode-textLink-activeForeground); }
  #viewport { flex: 1 1 auto; overflow: auto; border: 1px solid var(--vscode-panel-border, var(--vscode-contrastBorder, transparent)); min-height: 60px; }
  table { border-collapse: separate; border-spacing: 0; table-layout: fixed; width: max-content; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  th, td { box-sizing: border-box; padding: 0 6px; border-right: 1px solid var(--vscode-panel-border, #8884); border-bottom: 1px solid var(--vscode-panel-border, #8884); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; text-align: left; }
  th { position: sticky; top: 0; z-index: 1; background: var(--vscode-editorWidget-background, var(--vscode-editor-background)); font-weight: 600; cursor: pointer; padding: 2px 6px; vertical-align: bottom; }
  th .type { font-weight: normal; font-size: 0.85em; color: var(--vscode-descriptionForeground); }
  tr.row { height: 22px; }
  tr.row td { height: 22px; line-height: 21px; }
  tr.spacer td, tr.spacer { border: none; padding: 0; }
  td.number { text-align: right; font-variant-numeric: tabular-nums; }
  td.rownum, th.rownum { color: var(--vscode-editorLineNumber-foreground, var(--vscode-descriptionForeground)); text-align: right; cursor: pointer; }
  td.null { color: var(--vscode-descriptionForeground); font-style: italic; }
  td.empty::after { content: "''"; color: var(--vscode-descriptionForeground); }
  td.nested { cursor: pointer; text-decoration: underline dotted; }
  td.loading { color: var(--vscode-descriptionForeground); }
  tr.row:hover td { background: var(--vscode-list-hoverBackground); }
  tr.row.selected td { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
  td.current { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
  #detail { flex: 0 0 auto; max-height: 40%; overflow: auto; border: 1px solid var(--vscode-panel-border, var(--vscode-contrastBorder, transparent)); border-top: none; padding: 4px 8px; }
  .detail-head { display: flex; justify-content: space-between; color: var(--vscode-descriptionForeground); }
  #detail-text { margin: 4px 0; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }`;
