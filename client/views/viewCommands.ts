// The commands of the views' context menus: a warehouse table's preview, name, lineage and origin; an
// environment's plan, apply, diff against prod and removal; and revealing a run's tables. Each takes the
// tree node it was invoked on (from the palette there is none, and they are hidden there).

import * as vscode from 'vscode';
import { EnvironmentDiff, InvalidateEnvironment, SluiceErrorCodes } from '../../core/protocol';
import type { SluiceClient } from '../client';
import { SHOW_LINEAGE_COMMAND, type LineageTarget } from '../lineage/panel';
import type { Output } from '../output';
import { SHOW_PLAN_COMMAND, type PlanTarget } from '../plan/panel';
import { explainUntrusted } from '../trust';
import type { EnvironmentNode } from './environmentsView';
import { openLocation } from './open';
import { PreviewPanel } from './previewPanel';
import type { ReportDocuments } from './reportDocument';
import type { WarehouseView } from './warehouseView';
import { sqlName, type WarehouseNode } from './warehouseTree';

export const REVEAL_TABLES_COMMAND = 'sluice.revealTables';

export interface RevealTables {
  warehouse: string;
  /** The source: its schema holds the tables. */
  source: string;
  tables: string[];
}

export interface ViewCommandDeps {
  context: vscode.ExtensionContext;
  client: SluiceClient;
  output: Output;
  warehouse: WarehouseView;
  reports: ReportDocuments;
  /** After an environment was removed: the Environments and Warehouse views read again. */
  environmentsChanged(): void;
}

export function registerViewCommands(deps: ViewCommandDeps): vscode.Disposable[] {
  const { client, output } = deps;
  const failed = (what: string) => (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    output.error(`${what}: ${message}`);
    if ((err as { code?: unknown })?.code === SluiceErrorCodes.Untrusted) return explainUntrusted(message);
    void vscode.window.showErrorMessage(`Sluice: ${message}`);
  };
  return [
    vscode.commands.registerCommand('sluice.previewTable', (node?: WarehouseNode) => {
      if (node?.kind !== 'table') return;
      return PreviewPanel.show(deps.context, client, node.project, node.schema.name, node.table.name);
    }),
    vscode.commands.registerCommand('sluice.copyTableName', async (node?: WarehouseNode) => {
      if (node?.kind !== 'table') return;
      const name = sqlName(node.schema.name, node.table.name);
      await vscode.env.clipboard.writeText(name);
      vscode.window.setStatusBarMessage(`Copied ${name}`, 3000);
    }),
    vscode.commands.registerCommand('sluice.showTableLineage', (node?: WarehouseNode) => {
      if (node?.kind !== 'table' || !node.table.lineage) return;
      const target: LineageTarget = { model: node.table.lineage, projectDir: node.project.dir };
      return vscode.commands.executeCommand(SHOW_LINEAGE_COMMAND, target);
    }),
    vscode.commands.registerCommand('sluice.openTableOrigin', (node?: WarehouseNode) => {
      const origin = node?.kind === 'table' ? node.table.origin : undefined;
      if (!origin?.file) return;
      return openLocation((origin.kind === 'source' ? origin.location : undefined) ?? { file: origin.file, line: 0, character: 0 });
    }),
    vscode.commands.registerCommand(REVEAL_TABLES_COMMAND, (target?: RevealTables) => {
      if (!target) return;
      return deps.warehouse.revealTables(target.warehouse, target.source, target.tables).catch(failed('showing the tables'));
    }),
    vscode.commands.registerCommand('sluice.planEnvironment', (node?: EnvironmentNode) => {
      if (node?.kind !== 'environment') return;
      const target: PlanTarget = { projectDir: node.project.dir, environment: node.env.name };
      return vscode.commands.executeCommand(SHOW_PLAN_COMMAND, target);
    }),
    vscode.commands.registerCommand('sluice.applyEnvironment', (node?: EnvironmentNode) => {
      if (node?.kind !== 'environment') return;
      const target: PlanTarget = { projectDir: node.project.dir, environment: node.env.name, apply: true };
      return vscode.commands.executeCommand(SHOW_PLAN_COMMAND, target);
    }),
    vscode.commands.registerCommand('sluice.diffEnvironment', async (node?: EnvironmentNode) => {
      if (node?.kind !== 'environment' && node?.kind !== 'override') return;
      const environment = node.kind === 'environment' ? node.env.name : node.environment;
      const model = node.kind === 'override' ? node.override.model : undefined;
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Sluice: comparing ${model ?? environment} with prod…` },
          () => client.request(EnvironmentDiff.type, { projectDir: node.project.dir, environment, ...(model ? { model } : {}) }),
        );
        await deps.reports.show(`${model ? `${model} ` : ''}${environment} vs prod.txt`, result.text);
      } catch (err) {
        failed(`diff of ${environment}`)(err);
      }
    }),
    vscode.commands.registerCommand('sluice.invalidateEnvironment', async (node?: EnvironmentNode) => {
      if (node?.kind !== 'environment' || node.env.name === 'prod') return;
      const environment = node.env.name;
      const choice = await vscode.window.showWarningMessage(
        `Invalidate environment ${environment} of ${node.project.name}? Its views are dropped, and the tables no other environment uses are removed.`,
        { modal: true },
        'Invalidate',
      );
      if (choice !== 'Invalidate') return;
      try {
        const result = await client.request(InvalidateEnvironment.type, { projectDir: node.project.dir, environment });
        const message = `Sluice: invalidated ${environment}: dropped ${result.droppedViews.length} views and ${result.droppedTables.length} tables no environment needs`;
        output.info(message);
        void vscode.window.showInformationMessage(message);
      } catch (err) {
        failed(`invalidating ${environment}`)(err);
      } finally {
        deps.environmentsChanged();
      }
    }),
  ];
}
