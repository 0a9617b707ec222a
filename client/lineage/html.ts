// The lineage panel's page (see webviewPage for its Content Security Policy): a toolbar (search, the
// row-filter switch), a legend, and two canvases the script draws the table and column graphs into. The
// page fills the panel without scrolling: the canvases share its height, and each graph is fitted into its
// canvas.

import { webviewPage } from '../webviewPage';

export function lineageHtml(options: { cspSource: string; scriptUri: string; nonce: string }): string {
  return webviewPage({ ...options, title: 'Sluice Lineage', styles: STYLES, body: BODY });
}

const STYLES = `  [hidden] { display: none !important; }
  html, body { height: 100%; margin: 0; }
  body { display: flex; flex-direction: column; box-sizing: border-box; padding: 0 16px 12px; overflow: auto; }
  header { flex: none; }
  h2 { font-size: 1.05em; font-weight: 600; margin: 0; color: var(--vscode-descriptionForeground); }
  #status { margin: 0; min-height: 1.2em; color: var(--vscode-descriptionForeground); }
  #status.error { color: var(--vscode-errorForeground); }
  .hint { color: var(--vscode-descriptionForeground); margin: 4px 0; }
  .toolbar, .legend { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 12px; margin: 6px 0; }
  .legend { font-size: 0.9em; color: var(--vscode-descriptionForeground); gap: 2px 12px; }
  .legend span { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; }
  #search { min-width: 12em; flex: 0 1 18em; padding: 3px 6px; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); border-radius: 2px; font: inherit; }
  #search:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
  #search-result { min-width: 5em; }
  label.toggle { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; }
  section.graph { display: flex; flex-direction: column; flex: 1 1 0; margin-top: 10px; }
  section.graph.empty { flex: none !important; }
  .section-head { display: flex; align-items: center; gap: 8px; margin-bottom: 4px; }
  .section-head h2 { flex: 1; min-width: 0; overflow-wrap: anywhere; }
  .zoom { display: flex; gap: 2px; }
  .zoom button { min-width: 26px; padding: 1px 6px; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; cursor: pointer; font: inherit; }
  .zoom button:hover { background: var(--vscode-button-secondaryHoverBackground); }
  .zoom button:disabled { opacity: 0.5; cursor: default; }
  .canvas { position: relative; flex: 1 1 auto; min-height: 80px; overflow: hidden; border: 1px solid var(--vscode-panel-border, transparent); border-radius: 4px; cursor: grab; touch-action: none; }
  .canvas.dragging { cursor: grabbing; }
  .canvas:focus { outline: none; }
  .canvas:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
  svg.graph { position: absolute; inset: 0; display: block; user-select: none; }
  svg text { fill: var(--vscode-foreground); font-family: var(--vscode-editor-font-family); font-size: 12px; }
  svg text.detail { fill: var(--vscode-descriptionForeground); font-size: 10.5px; }
  svg text.group-label { font-weight: 600; }
  .node rect { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, var(--vscode-contrastBorder, #888)); stroke-width: 1; }
  .node.kind-model rect, .group.kind-model rect { stroke: var(--vscode-charts-blue); }
  .node.kind-seed rect, .group.kind-seed rect { stroke: var(--vscode-charts-purple); }
  .node.kind-source rect, .group.kind-source rect { stroke: var(--vscode-charts-green); }
  .node.kind-external rect, .group.kind-external rect { stroke: var(--vscode-charts-orange); }
  .node.kind-unknown rect, .group.kind-unknown rect { stroke: var(--vscode-errorForeground); stroke-dasharray: 3 2; }
  .node.collapsed rect.inner { fill: none; }
  .node.focus rect { stroke: var(--vscode-focusBorder); stroke-width: 2.5; }
  .clickable { cursor: pointer; }
  .node.clickable:hover rect, .node.clickable:focus rect { fill: var(--vscode-list-hoverBackground); }
  .node.collapsed.clickable:hover rect.inner { fill: none; }
  .group.clickable:hover text, .group.clickable:focus text { text-decoration: underline; }
  .node:focus, .group:focus { outline: none; }
  .node.match rect { fill: var(--vscode-editor-findMatchHighlightBackground, rgba(234, 92, 0, 0.33)); }
  .node.current rect { stroke: var(--vscode-editor-findMatchBorder, var(--vscode-focusBorder)); stroke-width: 3; }
  .group.match > rect { stroke-width: 2.5; }
  .group.current > rect { stroke: var(--vscode-editor-findMatchBorder, var(--vscode-focusBorder)); stroke-width: 3; }
  .group rect { fill: var(--vscode-sideBar-background, var(--vscode-editor-background)); stroke: var(--vscode-editorWidget-border, #888); stroke-width: 1; }
  .edge { fill: none; stroke: var(--vscode-editorLineNumber-foreground, #888); stroke-width: 1.3; }
  .edge-filter { stroke-dasharray: 4 3; opacity: 0.7; }
  .arrow { fill: var(--vscode-editorLineNumber-foreground, #888); }
  svg.swatch { overflow: visible; }`;

/** A small picture for the legend: an edge or a node outline drawn with the graph's own classes. */
const edgeSwatch = (role: string) => `<svg class="swatch" width="26" height="10" aria-hidden="true"><line class="edge edge-${role}" x1="1" y1="5" x2="25" y2="5"/></svg>`;
const nodeSwatch = (classes: string) =>
  `<svg class="swatch" width="20" height="12" aria-hidden="true"><g class="${classes}"><rect x="1" y="1" width="18" height="10" rx="2"/>${classes.includes('collapsed') ? '<rect class="inner" x="3" y="3" width="14" height="6" rx="1"/>' : ''}</g></svg>`;

const BODY = `<header>
<h1 id="title">Lineage</h1>
<p id="status">Open a model file to see its lineage.</p>
<div class="toolbar">
  <input id="search" type="search" placeholder="Find a table or column" aria-label="Find a table or column (Enter: next match)" spellcheck="false" autocomplete="off">
  <span id="search-result" class="hint" aria-live="polite"></span>
  <label class="toggle" title="Dashed edges: columns that only decide which rows (WHERE, JOIN … ON, GROUP BY)"><input type="checkbox" id="row-filters"> Row filters <span id="row-filter-count"></span></label>
</div>
<div class="legend" aria-label="Legend">
  <span>${edgeSwatch('source')} value flows in</span>
  <span>${edgeSwatch('filter')} only decides which rows</span>
  <span>${nodeSwatch('node kind-model')} model</span>
  <span>${nodeSwatch('node kind-seed')} seed</span>
  <span>${nodeSwatch('node kind-source')} source table</span>
  <span>${nodeSwatch('node kind-external')} external</span>
  <span>${nodeSwatch('node kind-unknown')} not declared</span>
  <span>${nodeSwatch('node collapsed')} folded: click to show</span>
</div>
</header>
<section id="models-section" class="graph" hidden>
  <div class="section-head"><h2>Tables</h2>${zoomButtons('tables')}</div>
  <p id="models-hint" class="hint" hidden></p>
  <div id="models" class="canvas" tabindex="0" aria-label="Tables graph: drag or arrow keys to pan, wheel or + and − to zoom, 0 to fit"></div>
</section>
<section id="columns-section" class="graph" hidden>
  <div class="section-head"><h2 id="columns-title">Columns</h2>${zoomButtons('columns')}</div>
  <p id="columns-hint" class="hint" hidden></p>
  <div id="columns" class="canvas" tabindex="0" aria-label="Columns graph: drag or arrow keys to pan, wheel or + and − to zoom, 0 to fit"></div>
</section>`;

function zoomButtons(graph: string): string {
  return `<div class="zoom"><button type="button" data-zoom="in" title="Zoom in (+)" aria-label="Zoom the ${graph} in">+</button><button type="button" data-zoom="out" title="Zoom out (−)" aria-label="Zoom the ${graph} out">−</button><button type="button" data-zoom="fit" title="Fit to view (0)" aria-label="Fit the ${graph} to the view">Fit</button></div>`;
}
