// The Sluice language server: one per workspace. Wires the LSP connection to the project index, the analysed
// models, the checkers, the language features, workspace trust and the ingest runner; each of those lives in
// its own module.

import * as path from 'node:path';
import { DidChangeConfigurationNotification, FileChangeType, TextDocuments, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { closeSqlParser } from '../core/sql';
import {
  CancelIngest,
  DidChangeTrust,
  IngestProgress,
  Lineage,
  ListModels,
  ListSources,
  ListTests,
  Projects,
  ProjectsChanged,
  RunSource,
  TryEndpoint,
  RunTests,
  SetResourceEnabled,
  SourceOutline,
  PlanRequest,
  ApplyRequest,
  ProjectHealth,
  WarehouseStatus,
  type InitializationOptions,
} from '../core/protocol';
import { SluiceError } from '../core/errors';
import { modelSummaries } from '../core/health/modelSummary';
import { PROD } from '../core/plan/names';
import { serverCapabilities } from './capabilities';
import { configDiagnostics } from './diagnostics/configDiagnostics';
import { ModelValidator } from './diagnostics/validator';
import { writeResourceToggle } from './config/resourceToggle';
import { listSources } from './ingest/listSources';
import { IngestRunner } from './ingest/runSource';
import { codeActionRequest } from './language/codeActions';
import { ColumnTypes } from './language/columnTypes';
import { completionsAt } from './language/completion';
import { contextAt, currentContext, latestContext, toCurrentLocations, toCurrentRange } from './language/context';
import { modelDocumentSymbols } from './language/documentSymbols';
import { EditLog } from './language/editLog';
import { formatModelDocument } from './language/formatting';
import { hoverAt } from './language/hover';
import { definitionAt, referencesAt } from './language/navigation';
import { prepareRename, rename, type RenameDeps } from './language/rename';
import { workspaceSymbols } from './language/workspaceSymbols';
import { lineageRequest } from './lineage/lineageRequest';
import { listModels } from './models/listModels';
import { registerQueryRequests } from './query/queryRequests';
import { ModelIndex } from './models/modelIndex';
import { listProjectTests, runProjectTests } from './quality/testing';
import { EditorPlans } from './plan/editorPlans';
import { modelFileLenses, type HealthLensInput } from './plan/fileLenses';
import { ProjectHealthReports } from './health/projectHealth';
import { applyRequest, planRequest, type PlanRequestDeps } from './plan/planRequests';
import { onNotification, onRequest, sendNotification } from './rpc';
import { normalizeSettings } from './settings';
import { LoadHistory } from './sources/loadHistory';
import { sourceOutline } from './sources/outline';
import { readSourceText, sourceModules } from './sources/sourceFiles';
import { isSourceFile, sourceCodeLenses, sourceDiagnostics } from './sources/sourceLenses';
import { tryEndpointRequest } from './sources/tryEndpoint';
import { WorkspaceTrust } from './trust';
import { WarehouseGate } from './warehouse/gate';
import { registerViewRequests } from './warehouse/viewRequests';
import { WarehouseWatch } from './warehouse/warehouseWatch';
import { ProjectIndex, type FolderRef, type ProjectEntry } from './workspace/projects';
import { isInside, toFileUri, toFilePath } from './workspace/uri';
import { isProjectConfigFile } from './workspace/scan';

export function startServer(connection: Connection): void {
  const edits = new EditLog();
  const documents = new TextDocuments(edits.documents());
  const trust = new WorkspaceTrust();
  const index = new ProjectIndex();
  const gate = new WarehouseGate();
  const warehouseWatch = new WarehouseWatch({
    gate,
    projects: () => index.infos(),
    send: (projects) => sendNotification(connection, WarehouseStatus.type, { projects }),
  });
  gate.onRunsChanged = () => void warehouseWatch.check();
  let canPullConfiguration = false;
  let canRegisterConfiguration = false;
  let canWatchFolders = false;
  let canRefreshCodeLens = false;
  const log = (m: string) => connection.console.warn(m);

  const publish = (uri: string, diagnostics: Diagnostic[], version?: number) =>
    void connection.sendDiagnostics({ uri, diagnostics, version }).catch(() => undefined);
  const models = new ModelIndex({ index, edits, log: (m) => connection.console.info(m), trusted: () => trust.trusted });
  const validator = new ModelValidator({
    index,
    models,
    document: (uri) => documents.get(uri),
    publish,
    log,
  });
  const refreshCodeLenses = () => {
    if (canRefreshCodeLens) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  };
  const columnTypes = new ColumnTypes({ models, changed: () => refreshCodeLenses(), log });
  const plans = new EditorPlans({
    models,
    gate,
    changed: () => refreshCodeLenses(),
    log: (m) => connection.console.info(m),
  });
  const health = new ProjectHealthReports({ models, gate, changed: () => refreshCodeLenses() });
  /** Source files showing a failed load, per project. */
  const sourceProblems = new Map<string, Set<string>>();
  const history = new LoadHistory({
    gate,
    changed: (dir) => {
      void publishSourceDiagnostics(dir);
      refreshCodeLenses();
    },
    log: (m) => connection.console.info(m),
  });
  const runner = new IngestRunner({
    index,
    trust,
    gate,
    progress: (params) => sendNotification(connection, IngestProgress.type, params),
    finished: (project, result) => {
      health.warehouseWritten(project.warehouse);
      // A load rewrites schemas/ and external_models.yaml: the models see the new tables and columns.
      if (result.status === 'loaded') void models.reloadInputs(project.dir).catch((err) => log(`re-reading ${project.dir}: ${String(err)}`));
      if (result.status !== 'cancelled' && result.loadId) {
        const now = new Date().toISOString();
        void history.record(project.dir, project.warehouse, {
          loadId: result.loadId,
          source: result.source,
          status: result.status,
          startedAt: new Date(Date.now() - result.durationMs).toISOString(),
          finishedAt: now,
          rows: Object.fromEntries(result.tables.map((t) => [t.table, t.rows])),
          error: result.error ?? null,
          schemaVersion: null,
        });
      }
    },
    log: {
      info: (m) => connection.console.info(m),
      warn: (m) => connection.console.warn(m),
      debug: (m) => {
        if (process.env.SLUICE_DEBUG) connection.console.log(m);
      },
    },
  });

  trust.onChange((trusted) => {
    connection.console.info(trusted ? 'workspace trusted: sources and macros may run' : 'workspace not trusted');
    // Macro calls were rendered with (or without) the project's macros/*.ts: render them again.
    for (const dir of models.loadedDirs()) void reloadMacros(dir);
  });

  /** Loads a project's macros again; open model files are checked again, since their own checks render too. */
  async function reloadMacros(dir: string): Promise<void> {
    try {
      await models.reloadMacros(dir);
      for (const document of documents.all()) {
        const file = toFilePath(document.uri);
        if (file && isInside(file, dir)) validator.schedule(document);
      }
    } catch (err) {
      log(`reloading the macros of ${dir}: ${String(err)}`);
    }
  }

  async function publishSourceDiagnostics(dir: string): Promise<void> {
    const entry = index.projectAt(dir);
    if (!entry) return;
    const loads = history.get(entry.info.dir, entry.info.warehouse);
    const before = sourceProblems.get(entry.info.dir) ?? new Set<string>();
    const now = new Set<string>();
    for (const module of await sourceModules(entry.info.dir)) {
      const uri = toFileUri(module.file);
      const text = await readSourceText(module.file, documents.get(uri)?.getText());
      const diagnostics = text ? sourceDiagnostics(text, loads.get(module.name)) : [];
      if (diagnostics.length > 0) {
        now.add(uri);
        publish(uri, diagnostics);
      } else if (before.has(uri)) publish(uri, []);
    }
    sourceProblems.set(entry.info.dir, now);
  }

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
    void warehouseWatch.check();
    models.retain(index.projects().map((p) => p.info.dir));
    // Which files are models may have changed with the projects.
    for (const document of documents.all()) validator.schedule(document);
    // Analyse every project in the background (problems in files not open show up), and read its loads.
    for (const entry of index.projects()) {
      void models.project(entry.info.dir).catch(() => undefined);
      history.get(entry.info.dir, entry.info.warehouse);
    }
  }

  connection.onInitialize((params) => {
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    trust.set(options.trusted === true);
    const caps = params.capabilities.workspace;
    canPullConfiguration = caps?.configuration === true;
    canRegisterConfiguration = caps?.didChangeConfiguration?.dynamicRegistration === true;
    canWatchFolders = caps?.workspaceFolders === true;
    canRefreshCodeLens = caps?.codeLens?.refreshSupport === true;
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
    const configFiles = event.changes.map((c) => toFilePath(c.uri)).filter((file): file is string => !!file && isProjectConfigFile(file));
    if (configFiles.length > 0) {
      // Forgotten first, so the refresh analyses the models and open editors again with the new settings.
      for (const file of configFiles) models.forget(path.dirname(file));
      await refreshProjects();
    }
    const inputsChanged = new Set<string>();
    const macrosChanged = new Set<string>();
    for (const change of event.changes) {
      const file = toFilePath(change.uri);
      if (!file) continue;
      const entry = index.projectForFile(file);
      if (!entry) continue;
      if (isInside(file, path.join(entry.info.dir, 'models')) && file.toLowerCase().endsWith('.sql')) {
        await models.diskChanged(file);
      } else if (isInputFile(entry.info.dir, file)) inputsChanged.add(entry.info.dir);
      else if (isInside(file, path.join(entry.info.dir, 'macros'))) macrosChanged.add(entry.info.dir);
      else if (change.type !== FileChangeType.Deleted && isSourceFile(entry.info.dir, file)) void publishSourceDiagnostics(entry.info.dir);
    }
    for (const dir of inputsChanged) await models.reloadInputs(dir);
    for (const dir of macrosChanged) await reloadMacros(dir);
  });

  documents.onDidChangeContent((change) => validator.schedule(change.document));
  documents.onDidClose((event) => {
    validator.clear(event.document.uri);
    edits.forget(event.document.uri);
  });

  // ---- language features in model files ----

  // Each answers for the text the request was made on, from the newest analysis that matches it there.
  const documentOf = (params: { textDocument: { uri: string } }) => documents.get(params.textDocument.uri);
  connection.onHover(async (params, token) => {
    const at = await contextAt(models, documentOf(params), params.position);
    const hover = at && !token.isCancellationRequested ? await hoverAt(at.ctx, at.position) : null;
    if (!at || !hover?.range) return hover;
    const range = toCurrentRange(at.ctx, hover.range);
    return range ? { ...hover, range } : { contents: hover.contents };
  });
  connection.onDefinition(async (params, token) => {
    const at = await contextAt(models, documentOf(params), params.position);
    const location = at && !token.isCancellationRequested ? await definitionAt(at.ctx, at.position) : null;
    return at && location ? (toCurrentLocations(at.ctx, [location], (uri) => documents.get(uri))[0] ?? null) : null;
  });
  connection.onReferences(async (params, token) => {
    const at = await contextAt(models, documentOf(params), params.position);
    if (!at || token.isCancellationRequested) return [];
    const found = await referencesAt(at.ctx, at.position, params.context?.includeDeclaration === true);
    return toCurrentLocations(at.ctx, found, (uri) => documents.get(uri));
  });
  connection.onCompletion(async (params, token) => {
    // Completion reads the editor's own text around the cursor; the analysis only lends it columns and tables.
    const document = documentOf(params);
    const ctx = await latestContext(models, document);
    if (!ctx || !document || token.isCancellationRequested) return [];
    const inputs = await models.projectInputs(ctx.entry.info.dir);
    return completionsAt({ ...ctx, document }, params.position, inputs);
  });
  connection.onCodeLens(async (params) => {
    const file = toFilePath(params.textDocument.uri);
    if (!file) return [];
    await index.ready();
    const entry = index.projectForFile(file);
    if (entry && isSourceFile(entry.info.dir, file)) {
      const text = await readSourceText(file, documents.get(params.textDocument.uri)?.getText());
      if (!text) return [];
      const stem = path.basename(file).replace(/\.[^.]+$/, '');
      const inputs = await models.projectInputs(entry.info.dir).catch(() => undefined);
      const tables = inputs?.sources.filter((t) => t.source === stem.toLowerCase()) ?? [];
      const loads = history.get(entry.info.dir, entry.info.warehouse).get(stem);
      return sourceCodeLenses(text, params.textDocument.uri, tables, loads);
    }
    // Lenses sit on the MODEL block, which an edit anywhere may move: they wait for their own file's analysis
    // (never another's), and only when a newer edit made that moot come from the previous one, mapped.
    const document = documents.get(params.textDocument.uri);
    const ctx = (await currentContext(models, document)) ?? (await latestContext(models, document));
    if (!ctx) return [];
    return modelFileLenses(ctx, plans.get(ctx.entry.info), healthLensInput(ctx.entry)).flatMap((lens) => {
      const range = toCurrentRange(ctx, lens.range);
      return range ? [{ ...lens, range }] : [];
    });
  });

  // Formatting and the outline read the text alone: no analysis needed.
  const modelDocument = async (uri: string) => {
    await index.ready();
    const file = toFilePath(uri);
    return file && models.isModelFile(file) ? documents.get(uri) : undefined;
  };
  connection.onDocumentFormatting(async (params) => {
    const document = await modelDocument(params.textDocument.uri);
    return document ? formatModelDocument(document, (m) => connection.console.info(m)) : [];
  });
  connection.onDocumentSymbol(async (params) => {
    const document = await modelDocument(params.textDocument.uri);
    return document ? modelDocumentSymbols(document) : [];
  });
  connection.onWorkspaceSymbol((params) =>
    workspaceSymbols({ index, models, openText: (file) => documents.get(toFileUri(file))?.getText() }, params.query),
  );

  connection.onCodeAction((params, token) => codeActionRequest(models, documentOf(params), params, token));

  const renameDeps: RenameDeps = { models, document: (uri) => documents.get(uri), syncOpenDocuments: (dir) => planDeps.syncOpenDocuments(dir) };
  connection.onPrepareRename((params) => prepareRename(renameDeps, params));
  connection.onRenameRequest((params) => rename(renameDeps, params));

  // ---- custom requests ----

  onNotification(connection, DidChangeTrust.type, (params) => trust.set(params.trusted === true));
  onRequest(connection, Projects.type, async () => {
    await index.ready();
    return { projects: index.infos() };
  });
  onRequest(connection, ListSources.type, (params) => listSources(index, trust.trusted, params));
  onRequest(connection, RunSource.type, (params, token) => runner.run(params, token));
  onRequest(connection, TryEndpoint.type, (params) => tryEndpointRequest({ index, trust }, params));
  onNotification(connection, CancelIngest.type, (params) => {
    runner.cancel(String(params.runId));
  });
  onRequest(connection, ListModels.type, (params) => listModels(index, models, params));
  onRequest(connection, Lineage.type, (params) => lineageRequest({ index, models, document: (uri) => documents.get(uri) }, params));
  onRequest(connection, SourceOutline.type, (params) => sourceOutline({ index, models, history, trusted: () => trust.trusted }, params));
  onRequest(connection, SetResourceEnabled.type, async (params) => {
    const entry = await projectOf(params.projectDir);
    const changed = await writeResourceToggle(entry.info.dir, String(params.source), String(params.resource), params.enabled === true);
    if (changed) await refreshProjects();
    return { changed };
  });
  registerViewRequests(connection, { index, models, gate, projectOf, written: (warehouse) => warehouseWritten(warehouse) });
  onRequest(connection, ProjectHealth.type, async (params) => health.report(await projectOf(params.projectDir), params.environment));
  const queries = registerQueryRequests(connection, { models, gate, projectOf, document: (uri) => documents.get(uri) });
  onRequest(connection, ListTests.type, async (params) => {
    await index.ready();
    const entries = params.projectDir ? [await projectOf(params.projectDir)] : index.projects();
    const projects: ListTests.Result['projects'] = [];
    for (const entry of entries) {
      const project = await models.project(entry.info.dir);
      projects.push({ project: entry.info, ...(await listProjectTests(entry.info.dir, project)) });
    }
    return { projects };
  });
  onRequest(connection, RunTests.type, async (params) => {
    trust.require('Running tests');
    const entry = await projectOf(params.projectDir);
    const project = await models.project(entry.info.dir);
    const ids = Array.isArray(params.ids) ? params.ids.map(String) : undefined;
    return runProjectTests(entry.info.dir, project, ids, { gate, warehouse: entry.info.warehouse });
  });

  const planDeps: PlanRequestDeps = {
    models,
    gate,
    trust,
    syncOpenDocuments: async (dir) => {
      for (const document of documents.all()) {
        const file = toFilePath(document.uri);
        if (file && models.isModelFile(file) && index.projectForFile(file)?.info.dir === dir) await models.setText(file, document.getText());
      }
      // A plan reads every model: none may lag behind an edit.
      await (await models.project(dir)).settled();
    },
    written: (warehouse) => warehouseWritten(warehouse),
    log: (m) => connection.console.info(m),
  };

  function warehouseWritten(warehouse: string): void {
    plans.warehouseWritten(warehouse);
    health.warehouseWritten(warehouse);
  }

  /** The lens shows prod's health: whether the data behind the model is fresh. */
  function healthLensInput(entry: ProjectEntry): HealthLensInput | undefined {
    const report = health.cached(entry, PROD);
    return report ? { environment: report.environment, models: modelSummaries(report) } : undefined;
  }
  onRequest(connection, PlanRequest.type, async (params) => planRequest(planDeps, await projectOf(params.projectDir), params));
  onRequest(connection, ApplyRequest.type, async (params) => applyRequest(planDeps, await projectOf(params.projectDir), params));

  async function projectOf(dir: unknown): Promise<ProjectEntry> {
    await index.ready();
    if (typeof dir !== 'string') throw new SluiceError(`no Sluice project at ${String(dir)}`);
    return index.requireProjectAt(dir);
  }

  connection.onShutdown(async () => {
    runner.cancelAll();
    validator.dispose();
    columnTypes.dispose();
    history.dispose();
    plans.dispose();
    await queries.dispose();
    await closeSqlParser();
  });

  documents.listen(connection);
  connection.listen();
}

/** External model files and source schemas: what models read besides each other. */
function isInputFile(projectDir: string, file: string): boolean {
  const relative = path.relative(projectDir, file).split(path.sep).join('/');
  return /^(external_models\.yaml|schema\.yaml|external_models\/[^/]+\.ya?ml|schemas\/[^/]+\.schema\.yaml)$/i.test(relative);
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
