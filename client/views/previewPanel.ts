// A read-only preview of a warehouse table: its first rows in a webview beside the editor. The rows come
// from the server (sluice/previewTable, read-only); media/preview.js draws them as text.

import * as vscode from 'vscode';
import { PreviewTable, type ProjectInfo } from '../../core/protocol';
import type { SluiceClient } from '../client';
import { formatCount } from '../format';
import { nonce, webviewPage } from '../webviewPage';
import { sqlName } from './warehouseTree';

type ToPreviewPage = { type: 'preview'; title: string; status: string; result: PreviewTable.Result } | { type: 'error'; message: string };

export class PreviewPanel {
  private static readonly open = new Map<string, PreviewPanel>();
  private last: ToPreviewPage | undefined;

  static async show(context: vscode.ExtensionContext, client: SluiceClient, project: ProjectInfo, schema: string, table: string): Promise<void> {
    const key = `${project.dir}::${schema}.${table}`;
    const panel = PreviewPanel.open.get(key) ?? new PreviewPanel(context, key, sqlName(schema, table));
    PreviewPanel.open.set(key, panel);
    panel.panel.reveal(vscode.ViewColumn.Active);
    try {
      const result = await client.request(PreviewTable.type, { projectDir: project.dir, schema, table });
      const shown = `${formatCount(result.rows.length)} row${result.rows.length === 1 ? '' : 's'}`;
      const status = result.truncated ? `The first ${shown}; the table has more. Read-only.` : `All ${shown}. Read-only.`;
      panel.post({ type: 'preview', title: sqlName(schema, table), status, result });
    } catch (err) {
      panel.post({ type: 'error', message: `Could not read ${sqlName(schema, table)}: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  private readonly panel: vscode.WebviewPanel;

  private constructor(context: vscode.ExtensionContext, key: string, title: string) {
    const media = vscode.Uri.joinPath(context.extensionUri, 'media');
    this.panel = vscode.window.createWebviewPanel('sluice.preview', `Preview: ${title}`, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [media] });
    const webview = this.panel.webview;
    webview.html = webviewPage({
      title: 'Sluice Preview',
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'preview.js')).toString(),
      nonce: nonce(),
      styles: STYLES,
      body: '<h1 id="title">Preview</h1>\n<p id="status">Reading…</p>\n<table id="rows"></table>',
    });
    webview.onDidReceiveMessage((message: { type?: string }) => {
      if (message?.type === 'ready' && this.last) void webview.postMessage(this.last);
    });
    this.panel.onDidDispose(() => PreviewPanel.open.delete(key));
  }

  private post(message: ToPreviewPage): void {
    this.last = message;
    void this.panel.webview.postMessage(message);
  }
}

const STYLES = `  #status { color: var(--vscode-descriptionForeground); }
  #status.error { color: var(--vscode-errorForeground); }
  table { border-collapse: collapse; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  th, td { border: 1px solid var(--vscode-panel-border, #8884); padding: 2px 6px; text-align: left; vertical-align: top; white-space: pre; max-width: 40em; overflow: hidden; text-overflow: ellipsis; }
  th { position: sticky; top: 0; background: var(--vscode-editor-background); }
  .type { font-weight: normal; color: var(--vscode-descriptionForeground); font-size: 0.85em; }
  td.null { color: var(--vscode-descriptionForeground); font-style: italic; }`;
