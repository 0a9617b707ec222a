// The plan panel's page (see webviewPage for its Content Security Policy). It is drawn by media/plan.js
// from the messages it gets.

import { webviewPage } from '../webviewPage';

export function planHtml(options: { cspSource: string; scriptUri: string; nonce: string }): string {
  return webviewPage({ ...options, title: 'Sluice Plan', styles: STYLES, body: BODY });
}

const STYLES = `  header { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 12px; cursor: pointer; font-family: inherit; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
  button:disabled { opacity: 0.5; cursor: default; }
  #status { margin: 4px 0 8px; min-height: 1.2em; color: var(--vscode-descriptionForeground); }
  #status.error { color: var(--vscode-errorForeground); }
  #status.busy { font-style: italic; }
  .stale { opacity: 0.55; }
  #applied { border-left: 3px solid var(--vscode-testing-iconPassed, var(--vscode-charts-green)); padding: 4px 10px; margin: 8px 0; background: var(--vscode-textBlockQuote-background, transparent); }
  #applied.failed { border-left-color: var(--vscode-errorForeground); }
  #applied .applied-head { font-weight: 600; }
  #applied.failed .applied-head { color: var(--vscode-errorForeground); }
  #applied ul { margin: 4px 0 0; padding-left: 18px; }
  .change { border: 1px solid var(--vscode-panel-border, var(--vscode-editorWidget-border, #888)); border-radius: 4px; margin: 8px 0; padding: 6px 10px; }
  .change-head { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
  .model { font-family: var(--vscode-editor-font-family); font-weight: 600; }
  a.model { color: var(--vscode-textLink-foreground); cursor: pointer; text-decoration: none; }
  .category { border-radius: 3px; padding: 0 6px; font-size: 0.9em; }
  .category.breaking { background: var(--vscode-inputValidation-errorBackground, transparent); border: 1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); }
  .category.non_breaking { border: 1px solid var(--vscode-charts-green); }
  .category.metadata { border: 1px solid var(--vscode-charts-blue); }
  .detail { color: var(--vscode-descriptionForeground); margin: 2px 0; }
  pre.diff { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); background: var(--vscode-textCodeBlock-background); padding: 6px; overflow-x: auto; margin: 6px 0 0; }
  pre.diff span { display: block; white-space: pre; }
  .add { color: var(--vscode-gitDecoration-addedResourceForeground); background: var(--vscode-diffEditor-insertedLineBackground, transparent); }
  .del { color: var(--vscode-gitDecoration-deletedResourceForeground); background: var(--vscode-diffEditor-removedLineBackground, transparent); }
  .hunk { color: var(--vscode-descriptionForeground); }
  ul.errors { color: var(--vscode-errorForeground); }`;

const BODY = `<h1 id="title">Plan</h1>
<header>
  <button id="environment" class="secondary" title="Choose the environment">Environment</button>
  <button id="refresh" class="secondary">Refresh</button>
  <button id="apply" disabled>Apply</button>
</header>
<p id="status">Planning…</p>
<section id="applied" hidden></section>
<ul id="errors" class="errors"></ul>
<section id="changes"></section>
<section id="summary" class="detail"></section>`;
