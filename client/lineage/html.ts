// The lineage panel's page (see webviewPage for its Content Security Policy): two canvases the script
// draws the table and column graphs into.

import { webviewPage } from '../webviewPage';

export function lineageHtml(options: { cspSource: string; scriptUri: string; nonce: string }): string {
  return webviewPage({ ...options, title: 'Sluice Lineage', styles: STYLES, body: BODY });
}

const STYLES = `  h2 { font-size: 1.05em; font-weight: 600; margin: 16px 0 6px; color: var(--vscode-descriptionForeground); }
  #status { margin: 0; min-height: 1.2em; color: var(--vscode-descriptionForeground); }
  #status.error { color: var(--vscode-errorForeground); }
  .hint { color: var(--vscode-descriptionForeground); }
  .canvas { overflow: auto; border: 1px solid var(--vscode-panel-border, transparent); border-radius: 4px; }
  svg.graph { display: block; }
  svg text { fill: var(--vscode-foreground); font-family: var(--vscode-editor-font-family); font-size: 12px; }
  svg text.detail { fill: var(--vscode-descriptionForeground); font-size: 10.5px; }
  svg text.group-label { font-weight: 600; }
  .node rect { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, var(--vscode-contrastBorder, #888)); stroke-width: 1; }
  .node.kind-model rect { stroke: var(--vscode-charts-blue); }
  .node.kind-seed rect { stroke: var(--vscode-charts-purple); }
  .node.kind-source rect { stroke: var(--vscode-charts-green); }
  .node.kind-external rect { stroke: var(--vscode-charts-orange); }
  .node.kind-unknown rect { stroke: var(--vscode-errorForeground); stroke-dasharray: 3 2; }
  .node.focus rect { stroke: var(--vscode-focusBorder); stroke-width: 2.5; }
  .node.clickable { cursor: pointer; }
  .node.clickable:hover rect, .node.clickable:focus rect { fill: var(--vscode-list-hoverBackground); }
  .node:focus { outline: none; }
  .group rect { fill: var(--vscode-sideBar-background, var(--vscode-editor-background)); stroke: var(--vscode-editorWidget-border, #888); stroke-width: 1; }
  .group.kind-source rect { stroke: var(--vscode-charts-green); }
  .group.kind-model rect { stroke: var(--vscode-charts-blue); }
  .edge { fill: none; stroke: var(--vscode-editorLineNumber-foreground, #888); stroke-width: 1.3; }
  .edge-filter { stroke-dasharray: 4 3; opacity: 0.7; }
  .arrow { fill: var(--vscode-editorLineNumber-foreground, #888); }
  .legend span { margin-right: 12px; }`;

const BODY = `<h1 id="title">Lineage</h1>
<p id="status">Open a model file to see its lineage.</p>
<section>
  <h2>Tables</h2>
  <div id="models" class="canvas"></div>
</section>
<section>
  <h2 id="columns-title">Columns</h2>
  <p class="hint legend"><span>→ the value flows in</span><span>⇢ dashed: only decides which rows</span></p>
  <div id="columns" class="canvas"></div>
</section>`;
