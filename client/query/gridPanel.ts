// The result grid: one webview panel beside the editor showing the rows of the last query run (Preview of a
// model, a selection, a CTE, or a query from the history). The query runs in the language server, which
// reads a snapshot of the warehouse (docs/query.md); this side starts it, passes pages to the page as it
// scrolls, and does what needs the editor: Cancel, copy to the clipboard, export through a save dialog,
// the environment, the history, opening an error's place in the model file.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelQuery, CloseQuery, Environments, ExportQuery, FetchQueryPage, StartQuery } from '../../core/protocol';
import { projectContaining, workspaceProjects } from '../projects';
import type { ExportFormat } from '../../core/query/export';
import type { SluiceClient } from '../client';
import type { Output } from '../output';
import { openLocation } from '../views/open';
import type { FromGrid, GridQuery, ToGrid } from '../webview/gridMessages';
import { nonce } from '../webviewPage';
import { gridHtml } from './gridHtml';
import type { QueryHistory, QueryTarget } from './history';

/** Rows per page between the page and the server. */
const PAGE_SIZE = 200;
const DEFAULT_ROW_LIMIT = 500;

export function rowLimitSetting(): number {
  const value = vscode.workspace.getConfiguration('sluice').get<number>('preview.rowLimit', DEFAULT_ROW_LIMIT);
  return Number.isInteger(value) && value >= 0 ? value : DEFAULT_ROW_LIMIT;
}

interface Run {
  query: GridQuery;
  queryId: string;
  target: QueryTarget;
  projectDir?: string;
  state: 'running' | 'ok' | 'failed';
}

export class GridPanel implements vscode.Disposable {
  private static current: GridPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  private run?: Run;
  private runs = 0;
  /** Messages the page has not been able to take yet (it posts 'ready' once its script runs). */
  private pending: ToGrid[] = [];
  private ready = false;
  private disposed = false;

  /** Runs a query in the grid (opened beside the editor when it is not open). */
  static async show(context: vscode.ExtensionContext, client: SluiceClient, output: Output, history: QueryHistory, target: QueryTarget, environment?: string): Promise<void> {
    if (!GridPanel.current) GridPanel.current = new GridPanel(context, client, output, history);
    else GridPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
    await GridPanel.current.start(target, environment);
  }

  /** Exports the shown result (the command behind the Export buttons; `file` skips the save dialog). */
  static async export(format: ExportFormat, file?: string): Promise<void> {
    if (!GridPanel.current) throw new Error('there is no query result to export: run Preview first');
    await GridPanel.current.exportTo(format, file);
  }

  private constructor(
    context: vscode.ExtensionContext,
    private readonly client: SluiceClient,
    private readonly output: Output,
    private readonly history: QueryHistory,
  ) {
    const scripts = vscode.Uri.joinPath(context.extensionUri, 'media', 'dist');
    this.panel = vscode.window.createWebviewPanel('sluice.results', 'Sluice Results', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [scripts],
    });
    const webview = this.panel.webview;
    webview.html = gridHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(scripts, 'grid.js')).toString(),
      nonce: nonce(),
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((message: FromGrid) => this.received(message)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  private async start(target: QueryTarget, environment?: string): Promise<void> {
    await this.close();
    const runId = ++this.runs;
    const queryId = `grid-${process.pid}-${Date.now()}-${runId}`;
    const rowLimit = rowLimitSetting();
    const projectDir = target.projectDir ?? (await this.projectOf(target));
    // The environments (read from the warehouse) are asked for alongside the query, not before it.
    const environmentNames = projectDir ? this.environments(projectDir) : Promise.resolve([]);
    const params: StartQuery.Params = {
      queryId,
      projectDir,
      sql: target.sql,
      model: target.model,
      uri: target.uri,
      range: target.range,
      position: target.position,
      orModel: target.position ? true : undefined,
      // A preview of an incremental model shows all it would build, not only yesterday's rows.
      wholeRange: true,
      environment,
      pageSize: rowLimit > 0 ? Math.min(PAGE_SIZE, rowLimit + 1) : PAGE_SIZE,
    };
    const query: GridQuery = { runId, label: target.label, environment: environment ?? '', environments: [], rowLimit, pageSize: PAGE_SIZE };
    const run: Run = { query, queryId, target, projectDir, state: 'running' };
    this.run = run;
    const started = Date.now();
    const response = this.client.request(StartQuery.type, params);
    response.catch(() => undefined); // awaited below, where its failure is shown
    const environments = await environmentNames;
    query.environments = environments;
    if (this.run === run) this.post({ type: 'running', query });
    let result: StartQuery.Result;
    try {
      result = await response;
    } catch (err) {
      run.state = 'failed';
      this.post({ type: 'error', runId, message: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (this.run !== run) return;
    if (result.status === 'cancelled') {
      run.state = 'failed';
      this.post({ type: 'cancelled', runId });
      return;
    }
    if (result.status === 'error') {
      run.state = 'failed';
      this.output.error(`query ${target.label}: ${result.message}`);
      const location = result.location && { file: vscode.Uri.parse(result.location.uri).fsPath, line: result.location.line, character: result.location.character };
      this.post({ type: 'error', runId, message: result.message, location: location && { ...location, label: `${vscode.workspace.asRelativePath(location.file)}:${location.line + 1}:${location.character + 1}` } });
      return;
    }
    run.state = 'ok';
    query.environment = result.environment;
    query.label = result.label;
    if (!environments.includes(result.environment)) query.environments = [...environments, result.environment];
    this.post({ type: 'running', query });
    this.post({
      type: 'result',
      runId,
      columns: result.columns,
      rows: result.firstPage.rows,
      rowsRead: result.firstPage.rowsRead,
      done: result.firstPage.done,
      elapsedMs: result.elapsedMs,
      access: result.access,
    });
    this.output.info(`query ${result.label} (${result.environment}, ${result.access}): first rows in ${Date.now() - started} ms`);
    await this.history.add({ ...target, label: result.label }, result.environment);
  }

  private async received(message: FromGrid): Promise<void> {
    const run = this.run;
    try {
      switch (message.type) {
        case 'ready':
          this.ready = true;
          for (const m of this.pending.splice(0)) void this.panel.webview.postMessage(m);
          break;
        case 'fetch': {
          if (!run || message.runId !== run.query.runId || run.state !== 'ok') return;
          const page = await this.client.request(FetchQueryPage.type, { queryId: run.queryId, offset: message.offset, count: message.count });
          if (this.run === run) this.post({ type: 'rows', runId: run.query.runId, offset: page.offset, rows: page.rows, rowsRead: page.rowsRead, done: page.done });
          break;
        }
        case 'cancel':
          if (run && message.runId === run.query.runId) await this.client.request(CancelQuery.type, { queryId: run.queryId });
          break;
        case 'rerun':
          if (run) await this.start(run.target, message.environment ?? (run.query.environment || undefined));
          break;
        case 'history':
          await vscode.commands.executeCommand(QUERY_HISTORY_COMMAND);
          break;
        case 'copy':
          await vscode.env.clipboard.writeText(message.text);
          this.post({ type: 'note', message: `Copied ${message.what}.` });
          break;
        case 'export':
          await this.exportTo(message.format);
          break;
        case 'open':
          await openLocation(message.location, vscode.ViewColumn.One);
          break;
      }
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.output.error(`result grid (${message.type}): ${text}`);
      this.post({ type: 'note', message: text });
    }
  }

  private async exportTo(format: ExportFormat, file?: string): Promise<void> {
    const run = this.run;
    if (!run || run.state !== 'ok') throw new Error('the grid shows no result to export');
    let target = file;
    if (!target) {
      const base = run.projectDir ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      const name = `${run.query.label.replace(/[^\w.-]+/g, '_')}.${format}`;
      const chosen = await vscode.window.showSaveDialog({
        title: `Export the whole result as ${format.toUpperCase()}`,
        defaultUri: base ? vscode.Uri.file(path.join(base, name)) : undefined,
        filters: { [format.toUpperCase()]: [format] },
      });
      if (!chosen) return;
      target = chosen.fsPath;
    }
    this.post({ type: 'note', message: `Exporting to ${path.basename(target)}…` });
    const written = await this.client.request(ExportQuery.type, { queryId: run.queryId, format, path: target });
    const message = `Exported ${written.rows.toLocaleString('en-US')} row${written.rows === 1 ? '' : 's'} to ${vscode.workspace.asRelativePath(written.path)}.`;
    this.output.info(message);
    this.post({ type: 'note', message });
  }

  /** The project holding the target's file (the server finds it too; the grid needs it for the environments). */
  private async projectOf(target: QueryTarget): Promise<string | undefined> {
    const file = target.uri ? vscode.Uri.parse(target.uri).fsPath : undefined;
    const projects = await workspaceProjects(this.client);
    if (!file) return projects.length === 1 ? projects[0].dir : undefined;
    return projectContaining(projects, file)?.dir;
  }

  private async environments(projectDir: string): Promise<string[]> {
    const result = await this.client.request(Environments.type, { projectDir }).catch(() => undefined);
    return result?.environments.map((e) => e.name) ?? [];
  }

  private post(message: ToGrid): void {
    if (this.disposed) return;
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.pending.push(message);
  }

  /** Interrupts a running query and forgets the shown result in the server. */
  private async close(): Promise<void> {
    const run = this.run;
    this.run = undefined;
    if (!run) return;
    const params = { queryId: run.queryId };
    if (run.state === 'running') await this.client.request(CancelQuery.type, params).catch(() => undefined);
    else await this.client.request(CloseQuery.type, params).catch(() => undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    GridPanel.current = undefined;
    void this.close();
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }
}

export const QUERY_HISTORY_COMMAND = 'sluice.queryHistory';
