// The extension's commands. "Sluice: Run Source to DuckDB" asks the server to run a source, shows live rows
// and rows/s in a cancellable notification, and reports the rows loaded per table (or a readable error).

import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelIngest, IngestProgress, ListSources, RunSource, SluiceErrorCodes, TryEndpoint } from '../core/protocol';
import type { SluiceClient } from './client';
import { describeProgress, describeResult, formatCount } from './format';
import type { Output } from './output';
import { explainUntrusted } from './trust';
import { SourcesView } from './views/sourcesView';
import { REVEAL_TABLES_COMMAND, type RevealTables } from './views/viewCommands';

const SHOW_TABLES = 'Show Tables';

/** Items a sample run takes per resource ("Run first 100"). */
const SAMPLE_LIMIT = 100;

const SOURCE_FILE = /[\\/]sources[\\/][^\\/.][^\\/]*\.(ts|js|mjs|cjs)$/;

export interface CommandHooks {
  /** Called after every run that was started (loaded, failed or cancelled). */
  afterRun?(): void;
}

export function registerCommands(client: SluiceClient, output: Output, hooks: CommandHooks = {}): vscode.Disposable[] {
  return [
    // From the explorer or editor (a file URI), the Sources view (its item) or the palette (nothing).
    vscode.commands.registerCommand('sluice.runSource', async (arg?: unknown) => {
      await runSource(client, output, arg instanceof vscode.Uri ? arg : SourcesView.sourceUri(arg));
      hooks.afterRun?.();
    }),
    // From a resource's CodeLens (file URI, resource, item limit or null) or the Sources view (its item).
    vscode.commands.registerCommand('sluice.runResource', (file: unknown, resource: unknown, limit?: unknown) =>
      runResource(runResourceArguments(file, resource, limit)),
    ),
    vscode.commands.registerCommand('sluice.runResourceSample', (node: unknown) => {
      const args = runResourceArguments(node, undefined, undefined);
      return runResource(args && { ...args, limit: SAMPLE_LIMIT });
    }),
    vscode.commands.registerCommand('sluice.showOutput', () => output.channel.show(true)),
    // From a REST resource's "Try endpoint" CodeLens (file URI, resource).
    vscode.commands.registerCommand('sluice.tryEndpoint', (file: unknown, resource: unknown) =>
      typeof file === 'string' && typeof resource === 'string' ? tryEndpoint(client, output, file, resource) : undefined,
    ),
  ];

  async function runResource(args: { file: string; resource: string; limit?: number } | undefined): Promise<void> {
    if (!args) return;
    await runSource(client, output, vscode.Uri.parse(args.file), { resources: [args.resource], limit: args.limit });
    hooks.afterRun?.();
  }
}

/** The arguments of sluice.runResource, checked (they come from the server or a tree item). */
function runResourceArguments(file: unknown, resource: unknown, limit: unknown): { file: string; resource: string; limit?: number } | undefined {
  const fromTree = SourcesView.runArguments(file);
  if (fromTree) return { file: fromTree[0], resource: fromTree[1] };
  if (typeof file !== 'string' || typeof resource !== 'string') return undefined;
  return { file, resource, limit: typeof limit === 'number' && limit > 0 ? limit : undefined };
}

interface Target {
  /** What to send: a file, or a source name in a project; and which resources, how many items. */
  params: Pick<RunSource.Params, 'file' | 'source' | 'projectDir' | 'resources' | 'limit'>;
  label: string;
}

interface RunOptions {
  resources?: string[];
  limit?: number;
}

async function runSource(client: SluiceClient, output: Output, uri?: vscode.Uri, options: RunOptions = {}): Promise<void> {
  const found = uri instanceof vscode.Uri ? fileTarget(uri) : await activeOrPickedTarget(client, output);
  if (!found) return;
  const target = withOptions(found, options);
  const runId = randomUUID();
  output.info(`running ${target.label}`);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Sluice: running ${target.label}`, cancellable: true },
      async (progress, token) => {
        const listening = client.onNotification(IngestProgress.type, (p) => {
          if (p.runId === runId) progress.report({ message: describeProgress(p) });
        });
        // Cancel through the server so the run stops and still answers with its outcome.
        const cancelling = token.onCancellationRequested(() => {
          output.info(`cancelling ${target.label}`);
          void client.notify(CancelIngest.type, { runId });
        });
        try {
          return await client.request(RunSource.type, { ...target.params, runId });
        } finally {
          listening.dispose();
          cancelling.dispose();
        }
      },
    );
    report(result, output);
  } catch (err) {
    await reportError(err, target.label, output);
  }
}

/** Fetches an endpoint's first pages through the server and shows what came back in the output. */
async function tryEndpoint(client: SluiceClient, output: Output, file: string, resource: string): Promise<void> {
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Sluice: trying endpoint of ${resource}` },
      () => client.request(TryEndpoint.type, { file, resource }),
    );
    for (const line of result.text.split('\n')) output.info(line);
    output.channel.show(true);
    const items = result.pages.reduce((sum, p) => sum + p.items, 0);
    void vscode.window.showInformationMessage(`Sluice: ${resource}: ${result.pages.length} page(s), ${items} item(s), ${result.columns.length} columns (details in the output)`);
  } catch (err) {
    await reportError(err, `trying ${resource}`, output);
  }
}

function fileTarget(uri: vscode.Uri): Target {
  return { params: { file: uri.toString() }, label: path.basename(uri.fsPath) };
}

function withOptions(target: Target, options: RunOptions): Target {
  if (!options.resources && !options.limit) return target;
  const params = { ...target.params, ...(options.resources ? { resources: options.resources } : {}), ...(options.limit ? { limit: options.limit } : {}) };
  const what = options.resources ? ` resource ${options.resources.join(', ')}` : '';
  return { params, label: `${target.label}${what}${options.limit ? ` (first ${options.limit})` : ''}` };
}

/** The source in the active editor, else one picked from the workspace's sources. */
async function activeOrPickedTarget(client: SluiceClient, output: Output): Promise<Target | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && SOURCE_FILE.test(active.fsPath)) return fileTarget(active);
  let listing: ListSources.Result;
  try {
    listing = await client.request(ListSources.type, {});
  } catch (err) {
    await reportError(err, 'listing sources', output);
    return undefined;
  }
  const several = listing.projects.length > 1;
  const items = listing.projects.flatMap(({ project, sources }) =>
    sources.map((s) => ({
      label: s.name,
      description: several ? project.name : path.relative(project.dir, s.file),
      detail: s.error ?? s.resources?.map((r) => (r.enabled ? r.name : `(${r.name})`)).join(', '),
      file: s.file,
    })),
  );
  if (items.length === 0) {
    void vscode.window.showWarningMessage('Sluice: no sources found (source modules live in <project>/sources/)');
    return undefined;
  }
  const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { placeHolder: 'Source to run into DuckDB' });
  return picked ? fileTarget(vscode.Uri.file(picked.file)) : undefined;
}

function report(result: RunSource.Result, output: Output): void {
  const message = describeResult(result);
  if (result.status === 'loaded') {
    output.info(`${message}`);
    for (const t of result.tables) output.info(`  ${result.source}.${t.table}: ${formatCount(t.rows)} rows`);
    if (result.tables.length === 0) {
      void vscode.window.showInformationMessage(message);
      return;
    }
    // The toast names a few tables; the Warehouse view shows every one.
    void vscode.window.showInformationMessage(message, SHOW_TABLES).then((choice) => {
      if (choice !== SHOW_TABLES) return;
      const target: RevealTables = { warehouse: result.warehouse, source: result.source, tables: result.tables.map((t) => t.table) };
      void vscode.commands.executeCommand(REVEAL_TABLES_COMMAND, target);
    });
  } else if (result.status === 'cancelled') {
    output.info(message);
    void vscode.window.showWarningMessage(message);
  } else {
    output.error(message);
    void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => {
      if (choice) output.channel.show(true);
    });
  }
}

async function reportError(err: unknown, what: string, output: Output): Promise<void> {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  output.error(`${what}: ${message}`);
  if (code === SluiceErrorCodes.Untrusted) return explainUntrusted(message);
  void vscode.window.showErrorMessage(`Sluice: ${message}`);
}
