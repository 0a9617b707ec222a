// The Sluice language server: one per workspace. Wires the LSP connection to the project index, the model
// checker, workspace trust and the ingest runner; each of those lives in its own module.

import * as path from 'node:path';
import { DidChangeConfigurationNotification, TextDocuments, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { closeSqlParser } from '../core/sql';
import {
  CancelIngest,
  DidChangeTrust,
  IngestProgress,
  ListSources,
  Projects,
  ProjectsChanged,
  RunSource,
  type InitializationOptions,
} from '../core/protocol';
import { serverCapabilities } from './capabilities';
import { configDiagnostics } from './diagnostics/configDiagnostics';
import { ModelValidator } from './diagnostics/validator';
import { listSources } from './ingest/listSources';
import { IngestRunner } from './ingest/runSource';
import { onNotification, onRequest, sendNotification } from './rpc';
import { normalizeSettings } from './settings';
import { WorkspaceTrust } from './trust';
import { ProjectIndex, type FolderRef } from './workspace/projects';
import { toFileUri, toFilePath } from './workspace/uri';

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const trust = new WorkspaceTrust();
  const index = new ProjectIndex();
  let canPullConfiguration = false;
  let canRegisterConfiguration = false;
  let canWatchFolders = false;

  const publish = (uri: string, diagnostics: Diagnostic[], version?: number) =>
    void connection.sendDiagnostics({ uri, diagnostics, version }).catch(() => undefined);
  const validator = new ModelValidator({
    index,
    document: (uri) => documents.get(uri),
    publish,
    log: (m) => connection.console.warn(m),
  });
  const runner = new IngestRunner({
    index,
    trust,
    progress: (params) => sendNotification(connection, IngestProgress.type, params),
    log: {
      info: (m) => connection.console.info(m),
      warn: (m) => connection.console.warn(m),
      debug: (m) => {
        if (process.env.SLUICE_DEBUG) connection.console.log(m);
      },
    },
  });

  trust.onChange((trusted) => connection.console.info(trusted ? 'workspace trusted: sources may run' : 'workspace not trusted'));

  /** sluice.yaml files currently showing an error. */
  let configsWithErrors = new Set<string>();

  async function loadSettings(): Promise<void> {
    if (!canPullConfiguration) return;
    const folders = index.getFolders();
    const values: unknown[] = await connection.workspace
      .getConfiguration(folders.map((f) => ({ scopeUri: toFileUri(f.path), section: 'sluice' })))
      .catch(() => folders.map(() => undefined));
    folders.forEach((f, i) => index.setSettings(f.path, normalizeSettings(values[i])));
  }

  async function refreshProjects(): Promise<void> {
    await index.refresh();
    const withErrors = new Set<string>();
    for (const entry of index.projects()) {
      const diagnostics = configDiagnostics(entry);
      const uri = toFileUri(entry.configFile);
      if (diagnostics.length > 0) withErrors.add(uri);
      if (diagnostics.length > 0 || configsWithErrors.has(uri)) publish(uri, diagnostics);
    }
    for (const uri of configsWithErrors) if (!withErrors.has(uri)) publish(uri, []);
    configsWithErrors = withErrors;
    // Always tell the client: a changed setting (environment, warehouse) changes what it shows.
    sendNotification(connection, ProjectsChanged.type, { projects: index.infos() });
    // Which files are models may have changed with the projects.
    for (const document of documents.all()) validator.schedule(document);
  }

  connection.onInitialize((params) => {
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    trust.set(options.trusted === true);
    const caps = params.capabilities.workspace;
    canPullConfiguration = caps?.configuration === true;
    canRegisterConfiguration = caps?.didChangeConfiguration?.dynamicRegistration === true;
    canWatchFolders = caps?.workspaceFolders === true;
    index.setFolders(workspaceFolders(params.workspaceFolders, params.rootUri));
    return { capabilities: serverCapabilities(), serverInfo: { name: 'sluice' } };
  });

  connection.onInitialized(async () => {
    if (canRegisterConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'sluice' }).catch(() => undefined);
    }
    if (canWatchFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(async (event) => {
        const removed = new Set(event.removed.map((f) => toFilePath(f.uri)));
        const kept = index.getFolders().filter((f) => !removed.has(f.path));
        index.setFolders([...kept, ...workspaceFolders(event.added, null)]);
        await loadSettings();
        await refreshProjects();
      });
    }
    await loadSettings();
    index.setConfigured();
    await refreshProjects();
  });

  connection.onDidChangeConfiguration(async () => {
    await loadSettings();
    await refreshProjects();
  });

  connection.onDidChangeWatchedFiles(async (event) => {
    if (event.changes.some((c) => c.uri.endsWith('/sluice.yaml'))) await refreshProjects();
  });

  documents.onDidChangeContent((change) => validator.schedule(change.document));
  documents.onDidClose((event) => validator.clear(event.document.uri));

  onNotification(connection, DidChangeTrust.type, (params) => trust.set(params.trusted === true));
  onRequest(connection, Projects.type, async () => {
    await index.ready();
    return { projects: index.infos() };
  });
  onRequest(connection, ListSources.type, (params) => listSources(index, trust.trusted, params));
  onRequest(connection, RunSource.type, (params, token) => runner.run(params, token));
  onNotification(connection, CancelIngest.type, (params) => {
    runner.cancel(String(params.runId));
  });

  connection.onShutdown(async () => {
    runner.cancelAll();
    validator.dispose();
    await closeSqlParser();
  });

  documents.listen(connection);
  connection.listen();
}

function workspaceFolders(folders: { uri: string; name: string }[] | null | undefined, rootUri: string | null): FolderRef[] {
  const list = folders ?? (rootUri ? [{ uri: rootUri, name: '' }] : []);
  const out: FolderRef[] = [];
  for (const folder of list) {
    const folderPath = toFilePath(folder.uri);
    if (folderPath) out.push({ path: folderPath, name: folder.name || path.basename(folderPath) });
  }
  return out;
}
