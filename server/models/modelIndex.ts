// The analysed models of each project, kept up to date as the user types. A project's ModelProject is
// loaded from disk the first time something needs it; the text of open editors replaces the file on disk
// (re-analysing only that model and what is downstream of it), and closing an editor goes back to the disk.
// Project code runs only in a trusted workspace: the functions of macros/*.ts are loaded then (and again
// when a macro file changes or trust is granted); otherwise models, external model files and source
// schemas are only read, and a call of a macros/*.ts function is reported as needing trust.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ModelProject, readProjectInputs, type ProjectInputs } from '../../core/dag';
import { projectModelOptions } from '../../core/dag/project';
import { loadProjectMacros, type LoadMacrosOptions } from '../../core/models/loadMacros';
import type { ProjectMacros } from '../../core/models/macroApi';
import { describeError } from '../../core/errors';
import type { ProjectEntry, ProjectIndex } from '../workspace/projects';
import type { EditLog, TextEdit } from '../language/editLog';
import { isInside } from '../workspace/uri';

export interface ModelIndexDeps {
  index: ProjectIndex;
  /** The editors' edits, to map positions between an analysed version of a file and the editor's. */
  edits?: EditLog;
  log?(message: string): void;
  /** Whether the workspace is trusted, so macros/*.ts may run. Without it they never do. */
  trusted?(): boolean;
}

const UNTRUSTED_MACROS =
  'macros/*.ts run code from this workspace, which is not trusted; trust the workspace to evaluate this macro';

/** What changed in a project: which models were analysed again (empty after a full load). */
export interface ProjectChange {
  dir: string;
  project: ModelProject;
  analysed: string[];
}

type Listener = (change: ProjectChange) => void;

export class ModelIndex {
  private readonly loaded = new Map<string, Promise<ModelProject>>();
  /** Text of open model editors, by absolute path: it wins over the file on disk. */
  private readonly overlay = new Map<string, string>();
  private readonly listeners: Listener[] = [];
  private readonly inputs = new Map<string, Promise<ProjectInputs>>();
  /** Per file, the editor version whose text the project last analysed. */
  private readonly analysedVersions = new Map<string, { version: number; text: string }>();

  constructor(private readonly deps: ModelIndexDeps) {}

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Waits until the workspace's projects are known (before that no file belongs to a project). */
  ready(): Promise<void> {
    return this.deps.index.ready();
  }

  /** Whether a file is a model file of a project: <project>/models/**\/*.sql. */
  isModelFile(file: string): boolean {
    if (!file.toLowerCase().endsWith('.sql')) return false;
    const entry = this.deps.index.projectForFile(file);
    return entry !== undefined && isInside(file, path.join(entry.info.dir, 'models'));
  }

  /** The project entry of a file, if it is inside one. */
  entryFor(file: string): ProjectEntry | undefined {
    return this.deps.index.projectForFile(file);
  }

  /** The analysed models of the project in dir, loading them the first time. */
  project(dir: string): Promise<ModelProject> {
    const key = path.resolve(dir);
    let loading = this.loaded.get(key);
    if (!loading) {
      loading = this.load(key);
      this.loaded.set(key, loading);
      loading.catch(() => this.loaded.delete(key));
    }
    return loading;
  }

  /** The project a file belongs to, loaded, or undefined when the file is in no project. */
  async projectForFile(file: string): Promise<{ entry: ProjectEntry; project: ModelProject } | undefined> {
    const entry = this.entryFor(file);
    if (!entry) return undefined;
    return { entry, project: await this.project(entry.info.dir) };
  }

  /** Projects already loaded (for requests that look across everything the server knows). */
  loadedDirs(): string[] {
    return [...this.loaded.keys()];
  }

  /**
   * An editor's text for a model file: analyses that model and its downstream models again. Resolves once
   * the file itself is analysed; its downstream models follow (and listeners hear of them once they are).
   */
  async setText(file: string, text: string, version?: number): Promise<void> {
    const abs = path.resolve(file);
    this.overlay.set(abs, text);
    const entry = this.entryFor(abs);
    if (!entry) return;
    const project = await this.project(entry.info.dir);
    const fileAnalysed = (done: () => void) => () => {
      if (version !== undefined && project.preparedFile(abs)?.text === text) this.analysedVersions.set(abs, { version, text });
      done();
    };
    // The load may have read the overlay already; update() then finds the text unchanged. A newer text of the
    // file makes this one moot before or after parsing; the newer update does the work.
    await new Promise<void>((done, failed) => {
      project
        .update(abs, text, { superseded: () => this.overlay.get(abs) !== text, fileAnalysed: fileAnalysed(done) })
        .then((result) => this.emit(entry.info.dir, project, result.analysed), failed);
    });
  }

  /**
   * The edits that turned the file's analysed text into the editor's text at `upTo` (its version then), when
   * the editor's history reaches back that far.
   */
  editsSinceAnalysed(file: string, uri: string, analysedText: string, upTo: number): readonly TextEdit[] | undefined {
    const known = this.analysedVersions.get(path.resolve(file));
    if (!known || known.text !== analysedText || !this.deps.edits) return undefined;
    return this.deps.edits.since(uri, known.version)?.filter((e) => e.version <= upTo);
  }

  /** The editor was closed: the file on disk counts again (or the model is gone, if the file never existed). */
  async closeText(file: string): Promise<void> {
    const abs = path.resolve(file);
    this.analysedVersions.delete(abs);
    if (!this.overlay.delete(abs)) return;
    await this.diskChanged(abs);
  }

  /** A model file changed, appeared or disappeared on disk; open editors keep their own text. */
  async diskChanged(file: string): Promise<void> {
    const abs = path.resolve(file);
    if (this.overlay.has(abs)) return;
    const entry = this.entryFor(abs);
    if (!entry || !this.loaded.has(entry.info.dir)) return;
    const project = await this.project(entry.info.dir);
    const text = await fs.readFile(abs, 'utf8').catch(() => undefined);
    const result = text === undefined || !this.isModelFile(abs) ? await project.remove(abs) : await project.update(abs, text);
    if (result.analysed.length > 0 || text === undefined) this.emit(entry.info.dir, project, result.analysed);
  }

  /** The macros the models of a file's project are rendered with (loading the project if need be). */
  async macrosFor(file: string): Promise<ProjectMacros | undefined> {
    return (await this.projectForFile(file))?.project.settings().macros;
  }

  /** A file under macros/ changed, or trust changed: loads the project's macros again and re-renders its models. */
  async reloadMacros(dir: string): Promise<void> {
    const key = path.resolve(dir);
    if (!this.loaded.has(key)) return;
    const project = await this.project(key);
    await project.setMacros(await loadProjectMacros(key, this.macroOptions()));
    this.emit(key, project, project.models().map((m) => m.key));
  }

  private macroOptions(): LoadMacrosOptions {
    return { run: this.deps.trusted?.() === true, notRunReason: UNTRUSTED_MACROS };
  }

  /** The project's external models and source tables (schemas/*.schema.yaml), read once until they change. */
  projectInputs(dir: string): Promise<ProjectInputs> {
    const key = path.resolve(dir);
    let inputs = this.inputs.get(key);
    if (!inputs) {
      inputs = readProjectInputs(key);
      this.inputs.set(key, inputs);
      inputs.catch(() => this.inputs.delete(key));
    }
    return inputs;
  }

  /** External model files or source schemas changed (e.g. after a load): everything is analysed again. */
  async reloadInputs(dir: string): Promise<void> {
    const key = path.resolve(dir);
    this.inputs.delete(key);
    if (!this.loaded.has(key)) return;
    const project = await this.project(key);
    await project.reloadInputs();
    this.emit(key, project, project.models().map((m) => m.key));
  }

  /** The project's settings changed (sluice.yaml or SQLMesh's config): its models are read again on next use. */
  forget(dir: string): void {
    const key = path.resolve(dir);
    this.loaded.delete(key);
    this.inputs.delete(key);
  }

  /** Drops projects that are no longer in the workspace (their folders may be gone). */
  retain(dirs: readonly string[]): void {
    const keep = new Set(dirs.map((d) => path.resolve(d)));
    for (const dir of [...this.loaded.keys()]) if (!keep.has(dir)) this.loaded.delete(dir);
    for (const dir of [...this.inputs.keys()]) if (!keep.has(dir)) this.inputs.delete(dir);
  }

  private async load(dir: string): Promise<ModelProject> {
    const started = performance.now();
    const options = await projectModelOptions(dir, this.macroOptions());
    const project = await ModelProject.load(dir, options).catch((err: unknown) => {
      this.deps.log?.(`could not read the models of ${dir}: ${describeError(err)}`);
      throw err;
    });
    // Editors opened before (or while) the project loaded show their own text, not the disk's.
    for (const [file, text] of this.overlay) {
      if (isInside(file, path.join(dir, 'models')) && this.deps.index.projectForFile(file)?.info.dir === dir) {
        await project.update(file, text);
      }
    }
    this.deps.log?.(`analysed ${project.models().length} models of ${dir} in ${Math.round(performance.now() - started)} ms`);
    queueMicrotask(() => this.emit(dir, project, []));
    return project;
  }

  private emit(dir: string, project: ModelProject, analysed: string[]): void {
    for (const listener of this.listeners) {
      try {
        listener({ dir, project, analysed });
      } catch (err) {
        this.deps.log?.(`a model change listener failed: ${describeError(err)}`);
      }
    }
  }
}
