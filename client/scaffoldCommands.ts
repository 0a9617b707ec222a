// Getting started: "New Project" (sluice init in a folder), "New Source" and "New Model" (a file from a small
// template in the project), the commands the Getting Started walkthrough's buttons run.

import * as vscode from 'vscode';
import { createProject } from '../core/init/create';
import { modelNameProblem, newModel, newSource, sourceNameProblem, writeScaffold, type Scaffold } from '../core/init/scaffold';
import { TEMPLATES, type TemplateName } from '../core/init/templates';
import type { ProjectInfo } from '../core/protocol';
import type { SluiceClient } from './client';
import { onlyOrPickedProject, workspaceProjects } from './projects';

const TEMPLATE_DESCRIPTIONS: Record<TemplateName, string> = {
  demo: 'a shop source with generated orders, a staging model, a mart, an audit and a unit test (works offline)',
  rest: 'a source reading a JSON API whose URL is in sluice.yaml',
  empty: 'sluice.yaml and empty folders',
};

export function registerScaffoldCommands(client: SluiceClient): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('sluice.initProject', () => guarded(initProject)),
    vscode.commands.registerCommand('sluice.newSource', () =>
      guarded(() => addFile(client, { prompt: 'Name of the new source (its schema in the warehouse)', placeHolder: 'crm', problem: sourceNameProblem, make: newSource })),
    ),
    vscode.commands.registerCommand('sluice.newModel', () =>
      guarded(() => addFile(client, { prompt: 'Name of the new model', placeHolder: 'staging.customers', problem: modelNameProblem, make: newModel })),
    ),
  ];
}

async function guarded(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    void vscode.window.showErrorMessage(`Sluice: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function initProject(): Promise<void> {
  const folders = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Create Sluice Project Here' });
  const folder = folders?.[0];
  if (!folder) return;
  const picked = await vscode.window.showQuickPick(
    TEMPLATES.map((name) => ({ label: name, detail: TEMPLATE_DESCRIPTIONS[name] })),
    { placeHolder: 'What the new project starts with' },
  );
  if (!picked) return;
  const created = createProject(folder.fsPath, picked.label as TemplateName);
  const open = 'Open Folder';
  const inWorkspace = vscode.workspace.getWorkspaceFolder(folder) !== undefined;
  const choice = await vscode.window.showInformationMessage(
    `Sluice: created ${created.files.length} files in ${created.dir}. Next: ${created.next.join(', then ')}.`,
    ...(inWorkspace ? [] : [open]),
  );
  if (choice === open) await vscode.commands.executeCommand('vscode.openFolder', folder);
}

interface FileKind {
  prompt: string;
  placeHolder: string;
  problem(name: string): string | undefined;
  make(name: string): Scaffold;
}

async function addFile(client: SluiceClient, kind: FileKind): Promise<void> {
  const project = await chooseProject(client);
  if (!project) return;
  const name = await vscode.window.showInputBox({ prompt: kind.prompt, placeHolder: kind.placeHolder, validateInput: (value) => kind.problem(value.trim()) });
  if (name === undefined) return;
  const scaffold = kind.make(name.trim());
  const file = writeScaffold(project.dir, scaffold);
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
  const at = new vscode.Position(scaffold.cursorLine, 0);
  editor.selection = new vscode.Selection(at, at);
  editor.revealRange(new vscode.Range(at, at));
}

async function chooseProject(client: SluiceClient): Promise<ProjectInfo | undefined> {
  const projects = await workspaceProjects(client);
  if (projects.length === 0) {
    void vscode.window.showWarningMessage('Sluice: no project in this workspace. Create one with "Sluice: New Project".');
    return undefined;
  }
  return onlyOrPickedProject(projects, 'Project');
}
