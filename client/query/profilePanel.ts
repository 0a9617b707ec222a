// A warehouse table's profile in a webview: per column the share of NULLs, distinct values, min and max, the
// most frequent values and a histogram as sparkline bars. The figures come from the server
// (sluice/profileTable, the same as `sluice profile --json`); media/dist/profile.js draws them.

import * as vscode from 'vscode';
import { ProfileTableRequest } from '../../core/protocol';
import type { TableProfile } from '../../core/query/profile';
import type { SluiceClient } from '../client';
import { nonce, webviewPage } from '../webviewPage';

type ToProfile = { type: 'profile'; profile: TableProfile } | { type: 'error'; message: string };

export class ProfilePanel {
  private static readonly open = new Map<string, ProfilePanel>();
  private last: ToProfile | undefined;
  private readonly panel: vscode.WebviewPanel;

  static async show(context: vscode.ExtensionContext, client: SluiceClient, projectDir: string, table: string): Promise<void> {
    const key = `${projectDir}::${table}`;
    const panel = ProfilePanel.open.get(key) ?? new ProfilePanel(context, key, table);
    ProfilePanel.open.set(key, panel);
    panel.panel.reveal(vscode.ViewColumn.Active);
    try {
      panel.post({ type: 'profile', profile: await client.request(ProfileTableRequest.type, { projectDir, table }) });
    } catch (err) {
      panel.post({ type: 'error', message: `Could not profile ${table}: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  private constructor(context: vscode.ExtensionContext, key: string, table: string) {
    const scripts = vscode.Uri.joinPath(context.extensionUri, 'media', 'dist');
    this.panel = vscode.window.createWebviewPanel('sluice.profile', `Profile: ${table}`, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [scripts] });
    const webview = this.panel.webview;
    webview.html = webviewPage({
      title: 'Sluice Profile',
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(scripts, 'profile.js')).toString(),
      nonce: nonce(),
      styles: STYLES,
      body: '<h1 id="title">Profile</h1>\n<p id="status">Profiling…</p>\n<table id="profile" hidden><thead><tr><th>column</th><th>type</th><th>NULL</th><th>distinct</th><th>min</th><th>max</th><th>most frequent</th><th>histogram</th></tr></thead><tbody id="columns"></tbody></table>',
    });
    webview.onDidReceiveMessage((message: { type?: string }) => {
      if (message?.type === 'ready' && this.last) void webview.postMessage(this.last);
    });
    this.panel.onDidDispose(() => ProfilePanel.open.delete(key));
  }

  private post(message: ToProfile): void {
    this.last = message;
    void this.panel.webview.postMessage(message);
  }
}

const STYLES = `  [hidden] { display: none !important; }
  #status { color: var(--vscode-descriptionForeground); }
  #status.error { color: var(--vscode-errorForeground); }
  table { border-collapse: collapse; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  th, td { border-bottom: 1px solid var(--vscode-panel-border, #8884); padding: 2px 8px; text-align: left; vertical-align: middle; white-space: nowrap; max-width: 24em; overflow: hidden; text-overflow: ellipsis; }
  th { font-weight: 600; color: var(--vscode-descriptionForeground); }
  td.type { color: var(--vscode-descriptionForeground); }
  td.number { text-align: right; font-variant-numeric: tabular-nums; }
  td.has-nulls { color: var(--vscode-editorWarning-foreground, var(--vscode-foreground)); }
  td.null { color: var(--vscode-descriptionForeground); font-style: italic; }
  svg.spark rect { fill: var(--vscode-charts-blue, var(--vscode-foreground)); }`;
