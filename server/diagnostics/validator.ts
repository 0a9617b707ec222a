// Checks model files while the user types and keeps the project's problems in the editor. An open model
// file is checked once typing pauses: its own syntax (modelDiagnostics) and what the project finds once
// the new text is analysed (unknown tables and columns, cycles ...). Problems in other files that the edit
// caused or fixed (a downstream model losing a column it reads) are published too, from the same analysis.
// Results for a version of a document that is no longer current are dropped.

import type { Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ProjectDiagnostic } from '../../core/dag';
import type { ModelIndex, ProjectChange } from '../models/modelIndex';
import type { ProjectIndex } from '../workspace/projects';
import { toFilePath, toFileUri } from '../workspace/uri';
import { modelDiagnostics } from './modelDiagnostics';
import { diagnosticsByFile, fileLocalDiagnostics, mergeDiagnostics, toLspDiagnostic } from './projectDiagnostics';

export interface ValidatorDeps {
  index: ProjectIndex;
  models: ModelIndex;
  /** The open document for a URI, if it is still open. */
  document(uri: string): TextDocument | undefined;
  publish(uri: string, diagnostics: Diagnostic[], version?: number): void;
  /** Pause after the last change before checking, in ms. */
  delayMs?: number;
  log?(message: string): void;
}

export const DEFAULT_DELAY_MS = 200;

export class ModelValidator {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** What was last published per URI (JSON), so unchanged diagnostics are not sent again. */
  private readonly published = new Map<string, string>();
  /** An open model file's own diagnostics for the version last checked. */
  private readonly local = new Map<string, { version: number; diagnostics: Diagnostic[] }>();
  /** URIs whose check is running: they publish their own result. */
  private readonly checking = new Set<string>();
  /** Per project: files currently showing project diagnostics. */
  private readonly projectFiles = new Map<string, Set<string>>();
  private readonly delayMs: number;

  constructor(private readonly deps: ValidatorDeps) {
    this.delayMs = deps.delayMs ?? DEFAULT_DELAY_MS;
    deps.models.onChange((change) => this.projectChanged(change));
  }

  /** Checks the document after the pause (restarting the pause if called again before). */
  schedule(document: TextDocument): void {
    const uri = document.uri;
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.validate(uri, document.version);
      }, this.delayMs),
    );
  }

  /** The document was closed: stop any pending check, remove its diagnostics, go back to the file on disk. */
  clear(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.local.delete(uri);
    if (this.published.has(uri)) this.send(uri, [], undefined, true);
    const file = toFilePath(uri);
    if (file) void this.deps.models.closeText(file).catch((err) => this.deps.log?.(`reverting ${uri} failed: ${String(err)}`));
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Whether the file is a model of a project: <project>/models/**\/*.sql. */
  isModelFile(file: string): boolean {
    return this.deps.models.isModelFile(file);
  }

  private async validate(uri: string, version: number): Promise<void> {
    try {
      await this.deps.index.ready();
      const document = this.deps.document(uri);
      if (!document || document.version !== version) return;
      const file = toFilePath(uri);
      if (!file || !this.isModelFile(file)) {
        if (this.published.has(uri)) this.send(uri, [], undefined, true);
        return;
      }
      const text = document.getText();
      this.checking.add(uri);
      try {
        const settings = this.deps.models.entryFor(file)?.project?.models;
        const local = await modelDiagnostics(text, file, {
          defaultDialect: settings?.defaults.dialect,
          variables: settings?.variables,
          macros: await this.deps.models.macrosFor(file),
        });
        if (this.deps.document(uri)?.version !== version) return;
        this.local.set(uri, { version, diagnostics: local });
        await this.deps.models.setText(file, text, version);
        // Typing went on while DuckDB parsed: a newer check is already scheduled.
        if (this.deps.document(uri)?.version !== version) return;
        const found = await this.deps.models.projectForFile(file);
        const fromProject = found ? found.project.diagnostics().filter((d) => d.file === file) : [];
        const skip = found ? fileLocalDiagnostics(found.project, file) : new Set<ProjectDiagnostic>();
        this.send(uri, mergeDiagnostics(local, fromProject, skip, text), version, true);
      } finally {
        this.checking.delete(uri);
      }
    } catch (err) {
      this.deps.log?.(`checking ${uri} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** After any analysis: publish what changed in every file of the project except those being checked. */
  private projectChanged(change: ProjectChange): void {
    const byFile = diagnosticsByFile(change.project);
    const before = this.projectFiles.get(change.dir) ?? new Set<string>();
    const now = new Set<string>();
    const files = new Set([...before, ...byFile.keys()]);
    const skipCache = new Map<string, Set<ProjectDiagnostic>>();
    for (const file of files) {
      const uri = toFileUri(file);
      const list = byFile.get(file) ?? [];
      if (list.length > 0) now.add(file);
      const document = this.deps.document(uri);
      if (document && this.isModelFile(file)) {
        const local = this.local.get(uri);
        // Not checked yet, or being checked: validate() publishes it.
        if (!local || local.version !== document.version || this.timers.has(uri) || this.checking.has(uri)) continue;
        let skip = skipCache.get(file);
        if (!skip) skipCache.set(file, (skip = fileLocalDiagnostics(change.project, file)));
        this.send(uri, mergeDiagnostics(local.diagnostics, list, skip, document.getText()), document.version, false);
      } else {
        const prepared = change.project.preparedModel(list[0]?.model ?? '');
        const text = prepared?.file === file ? stripBom(prepared.text) : undefined;
        this.send(uri, list.map((d) => toLspDiagnostic(d, text)), undefined, false);
      }
    }
    this.projectFiles.set(change.dir, now);
  }

  private send(uri: string, diagnostics: Diagnostic[], version: number | undefined, always: boolean): void {
    const json = JSON.stringify(diagnostics);
    if (!always && (this.published.get(uri) ?? '[]') === json) return;
    if (diagnostics.length > 0) this.published.set(uri, json);
    else this.published.delete(uri);
    this.deps.publish(uri, diagnostics, version);
  }
}

function stripBom(text: string): string {
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}
