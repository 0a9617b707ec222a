// Entry point of the VS Code extension. Activation only wires things up; the server starts in the background
// so activation stays fast, and commands and views wait for it when they need it.

import { bundleLoadStarted } from './clock';
import * as vscode from 'vscode';
import { ProjectsChanged, type FileLocation } from '../core/protocol';
import { SluiceClient } from './client';
import { registerCommands } from './commands';
import { describeSettings, onDidChangeSettings, readSettings } from './config';
import { HealthStore } from './health/healthStore';
import { LineagePanel, prepareLineage, SHOW_LINEAGE_COMMAND, type LineageTarget } from './lineage/panel';
import { ModelLanguage } from './modelLanguage';
import { createOutput } from './output';
import { PlanPanel, SHOW_PLAN_COMMAND, type PlanTarget } from './plan/panel';
import { registerQueryCommands } from './query/commands';
import { registerScaffoldCommands } from './scaffoldCommands';
import { ProjectStatus } from './status';
import { SluiceTests } from './testing';
import { forwardTrustChanges } from './trust';
import { EnvironmentsView } from './views/environmentsView';
import { HealthView, SHOW_HEALTH_COMMAND } from './views/healthView';
import { ModelsView } from './views/modelsView';
import { OPEN_LOCATION_COMMAND, openLocation } from './views/open';
import { ReportDocuments } from './views/reportDocument';
import { SchemaView } from './views/schemaView';
import { SourcesView } from './views/sourcesView';
import { registerViewCommands } from './views/viewCommands';
import { WarehouseView } from './views/warehouseView';

let client: SluiceClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const entered = performance.now();
  const output = createOutput();
  client = new SluiceClient(context, output);
  const sluice = client;
  const status = new ProjectStatus(client);
  const sources = new SourcesView(client, output);
  const warehouse = new WarehouseView(client);
  const health = new HealthStore(client);
  const models = new ModelsView(client, health);
  const environments = new EnvironmentsView(client);
  const schemas = new SchemaView(client);
  const reports = new ReportDocuments();
  const healthView = new HealthView(client, health, reports);
  const tests = new SluiceTests(client, output);
  const modelLanguage = new ModelLanguage(client);
  const afterRun = () => {
    sources.refresh();
    warehouse.refresh();
    models.refresh();
    schemas.refresh();
    health.refresh();
  };
  // The client is stopped by deactivate(), which VS Code awaits; everything else goes with the subscriptions.
  context.subscriptions.push(
    output.channel,
    status,
    sources,
    warehouse,
    models,
    environments,
    schemas,
    health,
    healthView,
    reports,
    tests,
    modelLanguage,
    forwardTrustChanges(client),
    ...registerCommands(client, output, { afterRun }),
    ...registerScaffoldCommands(client),
    ...registerViewCommands({
      context,
      client,
      output,
      warehouse,
      reports,
      environmentsChanged: () => {
        environments.refresh();
        warehouse.refresh();
        health.refresh();
      },
    }),
    ...registerQueryCommands(context, client, output),
    prepareLineage(context, client),
    vscode.commands.registerCommand(SHOW_LINEAGE_COMMAND, (target?: LineageTarget | vscode.Uri) =>
      LineagePanel.show(context, sluice, output, target instanceof vscode.Uri ? { file: target.toString() } : target),
    ),
    vscode.commands.registerCommand(SHOW_PLAN_COMMAND, (target?: PlanTarget | vscode.Uri) =>
      PlanPanel.show(context, sluice, output, target).catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        output.error(`plan: ${message}`);
        void vscode.window.showErrorMessage(`Sluice: ${message}`);
      }),
    ),
    vscode.commands.registerCommand(OPEN_LOCATION_COMMAND, (location: FileLocation) => openLocation(location)),
    vscode.commands.registerCommand('sluice.refreshSources', () => sources.refresh()),
    vscode.commands.registerCommand('sluice.refreshWarehouse', () => warehouse.refresh()),
    vscode.commands.registerCommand('sluice.refreshModels', () => models.refresh()),
    vscode.commands.registerCommand('sluice.refreshEnvironments', () => environments.refresh()),
    vscode.commands.registerCommand('sluice.refreshSchemas', () => schemas.refresh()),
    vscode.commands.registerCommand('sluice.refreshHealth', () => health.refresh()),
    vscode.commands.registerCommand(SHOW_HEALTH_COMMAND, (target?: { projectDir?: string; model?: string }) => healthView.reveal(target)),
    client.onNotification(ProjectsChanged.type, () => {
      sources.refresh();
      models.refresh();
      environments.refresh();
      schemas.refresh();
      health.refresh();
      void tests.discover();
    }),
    // Saved models and sources change what the Models and Sources views show.
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (/[\\/]models[\\/].+\.sql$/i.test(document.uri.fsPath)) models.refresh();
      if (/[\\/]sources[\\/][^\\/]+\.(ts|js|mjs|cjs)$/i.test(document.uri.fsPath)) sources.refresh();
    }),
  );
  // The server re-reads settings itself; the status bar follows with its next notification.
  context.subscriptions.push(onDidChangeSettings(() => output.info(`settings changed: ${describeSettings(readSettings())}`)));

  const activated = performance.now();
  // From loading the bundle (including the editor's own work before it calls activate) to here.
  output.info(
    `Sluice activated in ${Math.round(activated - bundleLoadStarted)} ms (activate itself: ${Math.round(activated - entered)} ms)`,
  );
  client
    .start()
    .then(async () => {
      output.info(`language server ready in ${Math.round(performance.now() - activated)} ms`);
      await Promise.all([status.load(), modelLanguage.load()]);
    })
    .catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      output.error(`the language server did not start: ${message}`);
      void vscode.window.showErrorMessage(`Sluice: the language server did not start: ${message}`);
    });
}

export async function deactivate(): Promise<void> {
  await client?.dispose();
  client = undefined;
}
