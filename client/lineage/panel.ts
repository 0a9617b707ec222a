// The lineage panel: a webview beside the editor drawing the table graph and the column graph of the model
// (and column) under the cursor. It follows the active editor; clicking a node opens its file. The graphs
// come from the server (sluice/lineage); this side picks what to show (row filters, folded boxes) and lays
// it out in a worker thread while the page loads, so the page only draws. Zoom, pan and search happen in
// the page. The worker is shared by the extension and started when a model file is first opened.

import * as vscode from 'vscode';
import { Lineage, type Graph } from '../../core/protocol';
import type { SluiceClient } from '../client';
import type { Output } from '../output';
import { openLocation } from '../views/open';
import type { FromWebview, LineageView, PaintTimings, ToWebview } from '../webview/messages';
import { nonce } from '../webviewPage';
import type { GraphName, ViewGraph } from './drawing';
import { DrawingCache, scriptIdentity } from './drawingCache';
import { graphView } from './graphView';
import { lineageHtml } from './html';
import { LayoutService } from './layoutService';

export const SHOW_LINEAGE_COMMAND = 'sluice.showLineage';
const MODEL_FILE = /[\\/]models[\\/].+\.sql$/i;
const FOLLOW_DELAY_MS = 300;
/** A model file already open at start-up warms the layout up once the editor has settled. */
const PREPARE_DELAY_MS = 2_000;
/** How long a model file must stay the active editor before its graphs are laid out ahead of the panel. */
const PREFETCH_DELAY_MS = 600;

let layouts: LayoutService | undefined;

/** The extension's one layout worker (started on first use, stopped when idle, closed on deactivation). */
function layoutService(context: vscode.ExtensionContext): LayoutService {
  if (!layouts) {
    const script = vscode.Uri.joinPath(context.extensionUri, 'dist', 'lineageLayout.js').fsPath;
    const cache = new DrawingCache(scriptIdentity(script), vscode.Uri.joinPath(context.globalStorageUri, 'lineage-drawings').fsPath);
    const service = new LayoutService(script, undefined, cache);
    context.subscriptions.push(service, { dispose: () => (layouts = undefined) });
    layouts = service;
  }
  return layouts;
}

/**
 * Gets the lineage panel ready for the model file that becomes the active editor: starts the layout worker
 * when it is not running (the first time, and again after it stopped for idleness), and shortly after lays
 * out that model's graphs as the panel would first show them, so that a panel opened on it draws them from
 * the cache at once instead of waiting for a layout.
 */
export function prepareLineage(context: vscode.ExtensionContext, client: SluiceClient): vscode.Disposable {
  let prefetchTimer: NodeJS.Timeout | undefined;
  const check = (editor: vscode.TextEditor | undefined) => {
    if (!editor || editor.document.uri.scheme !== 'file' || !MODEL_FILE.test(editor.document.uri.fsPath)) return;
    const service = layoutService(context);
    if (!service.running) service.warmUp();
    clearTimeout(prefetchTimer);
    prefetchTimer = setTimeout(() => void prefetch(service, client, editor), PREFETCH_DELAY_MS);
  };
  const subscription = vscode.window.onDidChangeActiveTextEditor(check);
  const timer = setTimeout(() => check(vscode.window.activeTextEditor), PREPARE_DELAY_MS);
  return { dispose: () => (clearTimeout(timer), clearTimeout(prefetchTimer), subscription.dispose()) };
}

async function prefetch(service: LayoutService, client: SluiceClient, editor: vscode.TextEditor): Promise<void> {
  // An open panel lays out what it shows itself; an editor no longer active is not worth it.
  if (LineagePanel.isOpen || vscode.window.activeTextEditor !== editor) return;
  try {
    const position = editor.selection.active;
    const result = await client.request(Lineage.type, { file: editor.document.uri.toString(), position: { line: position.line, character: position.character } });
    await Promise.all(firstGraphs(result).map((graph) => service.layout(graph)));
  } catch {
    // Only a head start: the panel asks again when it opens.
  }
}

/** The graphs of an answer as a new panel shows them: row filters hidden, no box unfolded. */
function firstGraphs(result: Lineage.Result): ViewGraph[] {
  const view = (graph: Graph, name: GraphName) => graphView(graph, name, { showRowFilters: false, expanded: new Set() }).graph;
  return result.columns ? [view(result.models, 'models'), view(result.columns, 'columns')] : [view(result.models, 'models')];
}

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

  static get isOpen(): boolean {
    return LineagePanel.current !== undefined;
  }
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly layouts: LayoutService;
  private last: ToWebview = { type: 'empty', message: 'Open a model file to see its lineage.' };
  private timer?: NodeJS.Timeout;
  private requestNumber = 0;
  private drawNumber = 0;
  private disposed = false;
  /** The graphs shown, as the server sent them (compared as JSON so that an unchanged answer changes nothing). */
  private result?: { value: Lineage.Result; json: string };
  private showRowFilters = false;
  private readonly expanded: Record<GraphName, Set<string>> = { models: new Set(), columns: new Set() };
  /** For the first-paint line in the output: when the panel opened, the server answered and the layout ended. */
  private readonly opened = Date.now();
  private answered?: number;
  private laidOut?: number;
  private paintLogged = false;

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
    this.layouts = layoutService(context);
    this.layouts.warmUp();
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
    let result: Lineage.Result;
    try {
      result = await this.client.request(Lineage.type, params);
    } catch (err) {
      if (mine === this.requestNumber) this.failed(err);
      return;
    }
    if (mine !== this.requestNumber || this.disposed) return;
    this.answered ??= Date.now();
    const json = JSON.stringify(result);
    // The same graphs (the cursor moved within a column, a save changed nothing): the page keeps its zoom.
    if (json === this.result?.json) return;
    if (result.model !== this.result?.value.model || result.column !== this.result?.value.column) {
      for (const ids of Object.values(this.expanded)) ids.clear();
    }
    this.result = { value: result, json };
    await this.draw();
  }

  /** Lays the current graphs out as the page asked to see them, and sends them. */
  private async draw(): Promise<void> {
    if (!this.result) return;
    const mine = ++this.drawNumber;
    const result = this.result.value;
    const view = (graph: Graph, name: GraphName) =>
      graphView(graph, name, { showRowFilters: this.showRowFilters, expanded: this.expanded[name] });
    try {
      const models = view(result.models, 'models');
      const columns = result.columns ? view(result.columns, 'columns') : undefined;
      const [modelsDrawing, columnsDrawing] = await Promise.all([this.layouts.layout(models.graph), columns && this.layouts.layout(columns.graph)]);
      if (mine !== this.drawNumber || this.disposed) return;
      this.laidOut ??= Date.now();
      const shown: LineageView = {
        title: result.model ? `Lineage of ${result.model}` : `Lineage of project ${result.project ?? ''}`,
        columnsTitle: result.column ? `Column ${result.column}` : result.model ? `Columns of ${result.model}` : 'Columns',
        truncated: result.truncated,
        models: { drawing: modelsDrawing, rowFilters: models.rowFilters },
        showRowFilters: this.showRowFilters,
      };
      if (columns && columnsDrawing) shown.columns = { drawing: columnsDrawing, rowFilters: columns.rowFilters };
      this.post({ type: 'lineage', view: shown });
    } catch (err) {
      if (mine === this.drawNumber) this.failed(err);
    }
  }

  private failed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.output.error(`lineage: ${message}`);
    this.result = undefined;
    this.post({ type: 'error', message });
  }

  private post(message: ToWebview): void {
    this.last = message;
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private received(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        this.post(this.last);
        break;
      case 'open':
        void openLocation(message.location, vscode.ViewColumn.One);
        break;
      case 'rowFilters':
        this.showRowFilters = message.show;
        void this.draw();
        break;
      case 'expand':
        this.expanded[message.graph].add(message.id);
        void this.draw();
        break;
      case 'fold':
        this.expanded[message.graph].delete(message.id);
        void this.draw();
        break;
      case 'drawn':
        this.logFirstPaint(message.timings);
        break;
    }
  }

  /** One line per panel: how long the first graphs took to appear, and where the time went. */
  private logFirstPaint(t: PaintTimings): void {
    if (this.paintLogged) return;
    this.paintLogged = true;
    const at = (time: number | undefined) => (time === undefined ? '?' : `${Math.round(time - this.opened)} ms`);
    this.output.info(
      `lineage panel: first graphs drawn ${at(t.drawn)} after opening (server answered at ${at(this.answered)}, laid out at ${at(this.laidOut)}; ` +
        `page loading at ${at(t.pageStart)}, its script at ${at(t.scriptStart)}, graphs received at ${at(t.received)})`,
    );
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
