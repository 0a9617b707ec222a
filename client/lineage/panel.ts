// The lineage panel: a webview beside the editor drawing the table graph and the column graph of the model
// (and column) under the cursor. It follows the active editor; clicking a node opens its file. The graphs
// come from the server (sluice/lineage); the drawing (ELK layout, SVG) happens in the webview.

import * as vscode from 'vscode';
import { Lineage } from '../../core/protocol';
import type { SluiceClient } from '../client';
import type { Output } from '../output';
import { openLocation } from '../views/open';
import type { FromWebview, ToWebview } from '../webview/messages';
import { nonce } from '../webviewPage';
import { lineageHtml } from './html';

export const SHOW_LINEAGE_COMMAND = 'sluice.showLineage';
const MODEL_FILE = /[\\/]models[\\/].+\.sql$/i;
const FOLLOW_DELAY_MS = 300;

export interface LineageTarget {
  file?: string;
  /** The project of `model` (needed when the workspace has several). */
  projectDir?: string;
  model?: string;
  column?: string;
  position?: { line: number; character: number };
}

export class LineagePanel implements vscode.Disposable {
  private static current: LineagePanel | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private last: ToWebview = { type: 'empty', message: 'Open a model file to see its lineage.' };
  private timer?: NodeJS.Timeout;
  private requestNumber = 0;
  private disposed = false;

  static show(context: vscode.ExtensionContext, client: SluiceClient, output: Output, target?: LineageTarget): void {
    if (!LineagePanel.current) LineagePanel.current = new LineagePanel(context, client, output);
    else LineagePanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
    const editor = vscode.window.activeTextEditor;
    const fromEditor = editor && MODEL_FILE.test(editor.document.uri.fsPath) ? { file: editor.document.uri.toString(), position: editor.selection.active } : undefined;
    void LineagePanel.current.update(target ?? fromEditor);
  }

  private readonly panel: vscode.WebviewPanel;

  private constructor(
    context: vscode.ExtensionContext,
    private readonly client: SluiceClient,
    private readonly output: Output,
  ) {
    const scripts = vscode.Uri.joinPath(context.extensionUri, 'media', 'dist');
    this.panel = vscode.window.createWebviewPanel('sluice.lineage', 'Sluice Lineage', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [scripts],
    });
    const webview = this.panel.webview;
    webview.html = lineageHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(scripts, 'lineage.js')).toString(),
      nonce: nonce(),
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((message: FromWebview) => this.received(message)),
      vscode.window.onDidChangeActiveTextEditor((editor) => this.follow(editor)),
      vscode.window.onDidChangeTextEditorSelection((event) => this.follow(event.textEditor)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  /** After the cursor settles in a model file, shows its lineage (other editors leave the panel as it is). */
  private follow(editor: vscode.TextEditor | undefined): void {
    if (!editor || editor.document.uri.scheme !== 'file' || !MODEL_FILE.test(editor.document.uri.fsPath)) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update({ file: editor.document.uri.toString(), position: editor.selection.active }), FOLLOW_DELAY_MS);
  }

  private async update(target: LineageTarget | undefined): Promise<void> {
    if (!target) {
      this.post(this.last);
      return;
    }
    const mine = ++this.requestNumber;
    const params: Lineage.Params = {};
    if (target.file) params.file = target.file;
    if (target.position) params.position = { line: target.position.line, character: target.position.character };
    if (target.model) params.model = target.model;
    if (target.projectDir) params.projectDir = target.projectDir;
    if (target.column) params.column = target.column;
    try {
      const result = await this.client.request(Lineage.type, params);
      if (mine !== this.requestNumber) return;
      this.post({ type: 'lineage', result });
    } catch (err) {
      if (mine !== this.requestNumber) return;
      const message = err instanceof Error ? err.message : String(err);
      this.output.error(`lineage: ${message}`);
      this.post({ type: 'error', message });
    }
  }

  private post(message: ToWebview): void {
    this.last = message;
    void this.panel.webview.postMessage(message);
  }

  private received(message: FromWebview): void {
    if (message.type === 'ready') this.post(this.last);
    else if (message.type === 'open') void openLocation(message.location, vscode.ViewColumn.One);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    LineagePanel.current = undefined;
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }
}
