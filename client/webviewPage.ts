// The page every Sluice panel starts from: a strict Content Security Policy (our script by nonce, styles
// from the extension or by nonce, nothing from the network) and VS Code's theme colours through its CSS
// variables. Panels add their own styles and markup; no data is ever pasted into the HTML.

import { randomBytes } from 'node:crypto';

export function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export interface WebviewPage {
  title: string;
  cspSource: string;
  scriptUri: string;
  nonce: string;
  /** The panel's own CSS rules. */
  styles: string;
  /** The panel's markup inside <body>, before its script. */
  body: string;
}

export function webviewPage(page: WebviewPage): string {
  const n = page.nonce;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${n}'; style-src ${page.cspSource} 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${page.title}</title>
<style nonce="${n}">
  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 16px; }
  h1 { font-size: 1.3em; font-weight: 600; margin: 12px 0 4px; }
${page.styles}
</style>
</head>
<body>
${page.body}
<script nonce="${n}" src="${page.scriptUri}"></script>
</body>
</html>`;
}
