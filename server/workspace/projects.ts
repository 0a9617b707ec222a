// The Sluice projects of the workspace: which folders hold a sluice.yaml, their settings applied, and which
// project a file belongs to. Reading sluice.yaml never executes project code, so this works untrusted.

import * as path from 'node:path';
import { describeError, SluiceError } from '../../core/errors';
import { findProjectDir, loadProject, projectConfigFile, type Project } from '../../core/project/config';
import { DEFAULT_SETTINGS, type ProjectInfo, type SluiceSettings } from '../../core/protocol';
import { findProjectDirs } from './scan';
import { isInside } from './uri';

export interface FolderRef {
  /** Absolute path of the workspace folder. */
  path: string;
  name: string;
}

export interface ProjectEntry {
  info: ProjectInfo;
  /** Absent when sluice.yaml could not be read (info.error says why). */
  project?: Project;
  /** sluice.yaml's path, for reporting errors on it. */
  configFile: string;
}

export class ProjectIndex {
  private folders: FolderRef[] = [];
  private readonly settings = new Map<string, SluiceSettings>();
  private entries: ProjectEntry[] = [];
  /** Projects found by walking up from a file outside every workspace folder (a file opened on its own). */
  private readonly adHoc = new Map<string, ProjectEntry>();
  private queue: Promise<unknown> = Promise.resolve();
  private scanned = false;
  private markConfigured!: () => void;
  /** Settles once folders and settings are known, so no one sees a scan made with default settings. */
  private readonly configured = new Promise<void>((resolve) => (this.markConfigured = resolve));

  /** Folders and settings are in place (after the client's initialized notification and the first settings read). */
  setConfigured(): void {
    this.markConfigured();
  }

  setFolders(folders: FolderRef[]): void {
    this.folders = folders.map((f) => ({ ...f, path: path.resolve(f.path) }));
  }

  getFolders(): readonly FolderRef[] {
    return this.folders;
  }

  setSettings(folderPath: string, settings: SluiceSettings): void {
    this.settings.set(path.resolve(folderPath), settings);
  }

  /** Scans the folders again (one scan at a time). Resolves to true when the list of projects changed. */
  refresh(): Promise<boolean> {
    const run = this.queue.then(async () => {
      const before = JSON.stringify(this.infos());
      this.entries = await this.scan();
      this.adHoc.clear();
      this.scanned = true;
      return JSON.stringify(this.infos()) !== before;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Waits for the configuration, the first scan and any scan in progress. */
  async ready(): Promise<void> {
    await this.configured;
    await this.queue;
    if (!this.scanned) await this.refresh();
  }

  projects(): readonly ProjectEntry[] {
    return this.entries;
  }

  infos(): ProjectInfo[] {
    return this.entries.map((e) => e.info);
  }

  projectAt(dir: string): ProjectEntry | undefined {
    const wanted = path.resolve(dir);
    return this.entries.find((e) => e.info.dir === wanted) ?? this.adHoc.get(wanted);
  }

  /** The project at dir, or a SluiceError saying there is none. */
  requireProjectAt(dir: string): ProjectEntry {
    const entry = this.projectAt(dir);
    if (!entry) throw new SluiceError(`no Sluice project at ${dir}`);
    return entry;
  }

  /** Once the first scan is done: the project at projectDir when one is asked for, else every project. */
  async select(projectDir: string | undefined): Promise<readonly ProjectEntry[]> {
    await this.ready();
    return projectDir ? [this.requireProjectAt(projectDir)] : this.entries;
  }

  /** The project whose folder contains file: the innermost one in the workspace, else the nearest sluice.yaml above it. */
  projectForFile(file: string): ProjectEntry | undefined {
    let best: ProjectEntry | undefined;
    for (const entry of this.entries) {
      if (isInside(file, entry.info.dir) && (!best || entry.info.dir.length > best.info.dir.length)) best = entry;
    }
    if (best) return best;
    if (this.folders.some((f) => isInside(file, f.path))) return undefined;
    let dir: string;
    try {
      dir = findProjectDir(path.dirname(file));
    } catch {
      return undefined;
    }
    let entry = this.adHoc.get(dir);
    if (!entry) {
      entry = readProject(dir, DEFAULT_SETTINGS);
      this.adHoc.set(dir, entry);
    }
    return entry;
  }

  private settingsFor(dir: string): SluiceSettings {
    const folder = this.folders.filter((f) => isInside(dir, f.path)).sort((a, b) => b.path.length - a.path.length)[0];
    return (folder && this.settings.get(folder.path)) ?? DEFAULT_SETTINGS;
  }

  private async scan(): Promise<ProjectEntry[]> {
    const dirs = new Set<string>();
    for (const folder of this.folders) {
      const settings = this.settings.get(folder.path) ?? DEFAULT_SETTINGS;
      if (settings.projectPath) dirs.add(path.resolve(folder.path, settings.projectPath));
      else for (const dir of await findProjectDirs(folder.path)) dirs.add(dir);
    }
    return [...dirs].sort().map((dir) => readProject(dir, this.settingsFor(dir)));
  }
}

/** Reads sluice.yaml (and SQLMesh's config) of dir and applies the settings; a broken file gives an entry with an error. */
export function readProject(dir: string, settings: SluiceSettings): ProjectEntry {
  const environment = settings.defaultEnvironment;
  try {
    const loaded = loadProject(dir);
    const project: Project = settings.warehousePath
      ? { ...loaded, warehouse: path.resolve(dir, settings.warehousePath) }
      : loaded;
    return { project, configFile: projectConfigFile(dir), info: { name: project.name, dir, warehouse: project.warehouse, environment } };
  } catch (err) {
    const warehouse = path.resolve(dir, settings.warehousePath || 'warehouse.duckdb');
    const error = describeError(err);
    return { configFile: projectConfigFile(dir, error), info: { name: path.basename(dir), dir, warehouse, environment, error } };
  }
}
