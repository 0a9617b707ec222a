// Checks open model files while the user types: waits until typing pauses, then computes and publishes
// diagnostics, dropping results for a version of the document that is no longer current.

import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ProjectIndex } from '../workspace/projects';
import { isInside, toFilePath } from '../workspace/uri';
import { modelDiagnostics } from './modelDiagnostics';

export interface ValidatorDeps {
  index: ProjectIndex;
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
  /** URIs that currently show diagnostics, so they can be cleared once no longer models. */
  private readonly published = new Set<string>();
  private readonly delayMs: number;

  constructor(private readonly deps: ValidatorDeps) {
    this.delayMs = deps.delayMs ?? DEFAULT_DELAY_MS;
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

  /** The document was closed: stop any pending check and remove its diagnostics. */
  clear(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    if (this.published.delete(uri)) this.deps.publish(uri, []);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Whether the file is a model of a project: <project>/models/**\/*.sql. */
  isModelFile(file: string): boolean {
    if (!file.toLowerCase().endsWith('.sql')) return false;
    const entry = this.deps.index.projectForFile(file);
    return entry !== undefined && isInside(file, path.join(entry.info.dir, 'models'));
  }

  private async validate(uri: string, version: number): Promise<void> {
    try {
      await this.deps.index.ready();
      const document = this.deps.document(uri);
      if (!document || document.version !== version) return;
      const file = toFilePath(uri);
      if (!file || !this.isModelFile(file)) {
        if (this.published.delete(uri)) this.deps.publish(uri, []);
        return;
      }
      const diagnostics = await modelDiagnostics(document.getText(), file);
      // Typing went on while DuckDB parsed: a newer check is already scheduled.
      if (this.deps.document(uri)?.version !== version) return;
      if (diagnostics.length > 0) this.published.add(uri);
      else this.published.delete(uri);
      this.deps.publish(uri, diagnostics, version);
    } catch (err) {
      this.deps.log?.(`checking ${uri} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
