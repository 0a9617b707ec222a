// The plan panel: the plan of a project's models against an environment as a readable diff with categories
// and impacts, and an Apply button. Applying prod asks for a modal confirmation first; open model editors
// are saved before applying, so what is applied is what the files say. After an apply the plan is asked
// for again (and then says there is nothing to do), and what the apply did stays in view. The panel
// follows the project: an edit in a model editor, a file changing on disk or the warehouse changing makes
// it plan again by itself (see follow.ts for when).

import * as path from 'node:path';
import * as vscode from 'vscode';
import { ApplyRequest, Environments, PlanRequest, SluiceErrorCodes, type ProjectInfo } from '../../core/protocol';
import { onlyOrPickedProject, projectContaining, workspaceProjects } from '../projects';
import type { SluiceClient } from '../client';
import { nonce } from '../webviewPage';
import type { Output } from '../output';
import { explainUntrusted, isTrusted } from '../trust';
import { planInputOf, PlanFollower, type ChangeKind } from './follow';
import { planHtml } from './html';
import type { FromPlanPage, ToPlanPage } from './messages';

export const SHOW_PLAN_COMMAND = 'sluice.showPlan';
const PROD = 'prod';
/** Pause after the last edit before planning again. */
const FOLLOW_DEBOUNCE_MS = 400;
/** How long the warehouse must be left alone before the panel reads it (a writer most likely holds it). */
const WAREHOUSE_QUIET_MS = 1500;

export interface PlanTarget {
  projectDir?: string;
  environment?: string;
  /** Apply the plan once it is shown (as the panel's Apply button does, prod's confirmation included). */
  apply?: boolean;
}

export class PlanPanel implements vscode.Disposable {
  private static current: PlanPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  private last: ToPlanPage = { type: 'busy', message: 'Planning…' };
  private lastApplied: ToPlanPage = { type: 'applied', result: null };
  private project?: ProjectInfo;
  private environment = PROD;
  private requestNumber = 0;
  private applying = false;
  private disposed = false;
  private readonly follower: PlanFollower;
  /** Watchers of the shown project's files and of its warehouse. */
  private watchers: vscode.Disposable[] = [];
  private watchedDir?: string;
  /** Modification time of the warehouse when the shown plan was asked for (-1: no file). */
  private planWarehouseMtime = -1;

  static async show(context: vscode.ExtensionContext, client: SluiceClient, output: Output, target?: PlanTarget | vscode.Uri): Promise<void> {
    const project = await pickProject(client, target);
    if (!project) return;
    if (!PlanPanel.current) PlanPanel.current = new PlanPanel(context, client, output);
    else PlanPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
    const environment = !(target instanceof vscode.Uri) && target?.environment ? target.environment : project.environment || PROD;
    await PlanPanel.current.load(project, environment);
    if (!(target instanceof vscode.Uri) && target?.apply) await PlanPanel.current.apply();
  }

  private constructor(
    context: vscode.ExtensionContext,
    private readonly client: SluiceClient,
    private readonly output: Output,
  ) {
    const media = vscode.Uri.joinPath(context.extensionUri, 'media');
    this.panel = vscode.window.createWebviewPanel('sluice.plan', 'Sluice Plan', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [media],
    });
    const webview = this.panel.webview;
    webview.html = planHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'plan.js')).toString(),
      nonce: nonce(),
    });
    this.follower = new PlanFollower({
      debounceMs: FOLLOW_DEBOUNCE_MS,
      warehouseQuietMs: WAREHOUSE_QUIET_MS,
      stale: () => this.post({ type: 'busy', message: 'Recomputing…', stale: true }),
      recompute: () => (this.project ? this.load(this.project, this.environment, { following: true }) : Promise.resolve()),
      warehouseDiffers: async () => (this.project ? (await mtimeOf(this.project.warehouse)) !== this.planWarehouseMtime : false),
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((message: FromPlanPage) => void this.received(message)),
      this.panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeTextDocument((event) => {
        // Changes of the dirty flag alone come without content changes.
        if (event.contentChanges.length > 0) this.fileChanged(event.document.uri, 'text');
      }),
    );
  }

  /**
   * Plans the environment and shows it. `following`: asked for by the follower after a change, so the plan
   * on view stays (dimmed) and pending changes are not dropped.
   */
  private async load(project: ProjectInfo, environment: string, options: { following?: boolean } = {}): Promise<void> {
    if (this.project?.dir !== project.dir || this.environment !== environment) this.showApplied(null);
    this.project = project;
    this.environment = environment;
    this.follow(project);
    this.panel.title = `Sluice Plan: ${environment}`;
    const mine = ++this.requestNumber;
    if (!options.following) {
      this.follower.planned();
      this.post({ type: 'busy', message: `Planning ${environment}…` });
    }
    try {
      const mtime = await mtimeOf(project.warehouse);
      const plan = await this.client.request(PlanRequest.type, { projectDir: project.dir, environment });
      if (mine !== this.requestNumber) return;
      this.planWarehouseMtime = mtime;
      this.post({ type: 'plan', plan, trusted: isTrusted() });
    } catch (err) {
      if (mine === this.requestNumber) this.post({ type: 'error', message: messageOf(err) });
    }
  }

  /** Watches the files of the project shown and its warehouse (once per project). */
  private follow(project: ProjectInfo): void {
    if (this.watchedDir === project.dir) return;
    for (const w of this.watchers) w.dispose();
    this.watchedDir = project.dir;
    const warehouse = vscode.Uri.file(project.warehouse);
    const watchers = [
      vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(project.dir), '**/*')),
      vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(warehouse, '..'), path.basename(warehouse.fsPath))),
    ];
    this.watchers = watchers.flatMap((watcher) => {
      const changed = (uri: vscode.Uri) => this.fileChanged(uri, 'disk');
      return [watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed)];
    });
  }

  private fileChanged(uri: vscode.Uri, kind: ChangeKind): void {
    const project = this.project;
    if (!project || uri.scheme !== 'file') return;
    const open = kind === 'disk' && vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
    this.follower.changed(planInputOf(project, uri.fsPath, kind, open));
  }

  private showApplied(result: ApplyRequest.Result | null): void {
    this.lastApplied = { type: 'applied', result, at: result ? new Date().toLocaleTimeString() : undefined };
    void this.panel.webview.postMessage(this.lastApplied);
  }

  private async apply(): Promise<void> {
    const project = this.project;
    if (!project || this.applying) return;
    const environment = this.environment;
    if (environment === PROD) {
      const choice = await vscode.window.showWarningMessage(
        `Apply the plan to prod in ${project.name}? The production views will switch to the new versions.`,
        { modal: true },
        'Apply',
      );
      if (choice !== 'Apply') return;
    }
    this.applying = true;
    this.follower.pause();
    try {
      await saveModelEditors(project.dir);
      this.post({ type: 'busy', message: `Applying to ${environment}…` });
      const result = await this.client.request(ApplyRequest.type, { projectDir: project.dir, environment });
      this.output.info(result.error ?? `applied ${environment}: built ${result.built.join(', ') || 'nothing'}, reused ${result.reused.length}`);
      this.showApplied(result);
      if (!result.error) void vscode.commands.executeCommand('sluice.refreshEnvironments').then(undefined, () => undefined);
      await this.load(project, environment);
    } catch (err) {
      const code = (err as { code?: number }).code;
      const message = messageOf(err);
      this.output.error(`apply: ${message}`);
      if (code === SluiceErrorCodes.Untrusted) void explainUntrusted(message);
      this.post({ type: 'error', message });
    } finally {
      this.applying = false;
      this.follower.resume();
    }
  }

  private async pickEnvironment(): Promise<void> {
    const project = this.project;
    if (!project) return;
    const known = await this.client.request(Environments.type, { projectDir: project.dir }).catch(() => ({ environments: [{ name: PROD }] }));
    const names = [...new Set([PROD, project.environment, ...known.environments.map((e) => e.name)].filter(Boolean))];
    const other = 'Another environment…';
    const choice = await vscode.window.showQuickPick([...names, other], { placeHolder: `Environment to plan (now ${this.environment})` });
    if (!choice) return;
    const name = choice === other ? await vscode.window.showInputBox({ prompt: 'Environment name', placeHolder: 'e.g. feature_x' }) : choice;
    if (name) await this.load(project, name.trim());
  }

  private post(message: ToPlanPage): void {
    this.last = message;
    void this.panel.webview.postMessage(message);
  }

  private async received(message: FromPlanPage): Promise<void> {
    if (message.type === 'ready') {
      // The page is new (or was reloaded after being hidden): what the last apply did, then the plan.
      void this.panel.webview.postMessage(this.lastApplied);
      this.post(this.last);
    }
    else if (message.type === 'apply') await this.apply();
    else if (message.type === 'refresh' && this.project) await this.load(this.project, this.environment);
    else if (message.type === 'pickEnvironment') await this.pickEnvironment();
    else if (message.type === 'open' && typeof message.file === 'string') {
      await vscode.window.showTextDocument(vscode.Uri.file(message.file), { viewColumn: vscode.ViewColumn.One });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    PlanPanel.current = undefined;
    this.follower.dispose();
    for (const w of this.watchers) w.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
  }
}

/** The project of the target, of the active editor's file, the only one, or the one the user picks. */
async function pickProject(client: SluiceClient, target: PlanTarget | vscode.Uri | undefined): Promise<ProjectInfo | undefined> {
  const projects = await workspaceProjects(client);
  if (projects.length === 0) {
    void vscode.window.showInformationMessage('Sluice: no sluice.yaml in this workspace, so there is nothing to plan.');
    return undefined;
  }
  if (target && !(target instanceof vscode.Uri) && target.projectDir) {
    const found = projects.find((p) => p.dir === target.projectDir);
    if (found) return found;
  }
  const file = target instanceof vscode.Uri ? target.fsPath : vscode.window.activeTextEditor?.document.uri.fsPath;
  return projectContaining(projects, file) ?? (await onlyOrPickedProject(projects, 'Project to plan'));
}

/** Saves the unsaved model editors of the project: apply builds what the files say. */
async function saveModelEditors(projectDir: string): Promise<void> {
  const models = vscode.Uri.file(projectDir).fsPath;
  for (const document of vscode.workspace.textDocuments) {
    const file = document.uri.fsPath;
    if (document.isDirty && document.uri.scheme === 'file' && /\.sql$/i.test(file) && /[\\/]models[\\/]/.test(file.slice(models.length)) && file.startsWith(models)) {
      await document.save();
    }
  }
}

/** The warehouse file's modification time, -1 when there is none. */
async function mtimeOf(file: string): Promise<number> {
  return vscode.workspace.fs.stat(vscode.Uri.file(file)).then((s) => s.mtime, () => -1);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
