// ModelProject: the models of a project as one analysed whole. Dependencies come from the SQL; models
// are analysed upstream first, so each sees the output columns of the models it reads (that is how a
// `*` over another model expands). After an edit only the changed model and what is downstream of it are
// analysed again, which is what an editor needs on every keystroke. The changed model is analysed at once;
// its downstream models a few at a time, giving the event loop back in between, and a change that arrives
// meanwhile takes over the rest (so typing never waits for a long chain of models built on older text).

import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { ProjectLineage, columnText, type ColumnOrigin, type DownstreamColumn, type LineageGraph } from '../lineage/project';
import type { ColumnLineage } from '../lineage/types';
import type { ModelDefaults } from '../models/defaults';
import { listModelFiles, listPythonModelFiles, inferModelName } from '../models/discover';
import { duplicateModels } from '../models/duplicates';
import { loadProjectMacros, type LoadMacrosOptions } from '../models/loadMacros';
import type { MacroDefinition, ProjectMacros } from '../models/macroApi';
import type { MacroValue } from '../models/render';
import { loadProject, type Project } from '../project/config';
import { analyzeModel, type ModelAnalysis, type TableLookup } from './analyzeModel';
import { closure, orderGraph } from './graph';
import { NO_INPUTS, readProjectInputs, type ProjectInputs } from './inputs';
import { tableKeyOfName } from './names';
import { hashText, prepareModels, type PrepareOptions, type PreparedModel } from './prepare';
import { explainUnknownTable } from './unknownTable';
import type { ColumnInfo, ProjectDiagnostic, ProjectModel, SourceTableInfo, TableInfo } from './types';

/** Longest stretch of analysis before the event loop gets a turn (requests, typing). */
const SLICE_MS = 10;

export interface ModelProjectOptions extends Omit<PrepareOptions, 'inferredName' | 'projectDir'> {
  /** SQLMesh's infer_names: a model without a name is named after its folders under models/ and its file. */
  inferNames?: boolean;
  /**
   * Further project folders read as part of this one (SQLMesh's multi-repo projects, `--paths a b`): their
   * models/, external models and source schemas, each folder's models read with its own settings. Macros
   * are the options' (every folder's, merged).
   */
  repos?: RepoModelOptions[];
}

/** One further folder of a multi-repo project and the settings its models are read with. */
export interface RepoModelOptions {
  dir: string;
  defaults?: ModelDefaults;
  variables?: Record<string, MacroValue>;
  inferNames?: boolean;
}

/** A project folder and the options its models are read with. */
interface Root {
  dir: string;
  options: ModelProjectOptions;
}

export interface ColumnLineageResult {
  /** `schema.table` of the model. */
  model: string;
  column: string;
  /** `schema.table.column` of each source (one hop, or the ultimate ones with deep). */
  sources: string[];
  filters: string[];
  /** With deep: where each source column that a source loaded came from. */
  origins?: ColumnOrigin[];
}

export interface UpdateOptions {
  /** Whether a newer text of the file has arrived since (this one is then skipped). */
  superseded?: () => boolean;
  /** Called once the file itself is analysed (or skipped), before its downstream models are. */
  fileAnalysed?: () => void;
}

export interface UpdateResult {
  /** Models analysed again because of the change, in the order they were analysed. */
  analysed: string[];
}

// Models are kept by id (see unitId in prepare.ts): a file's path, or the path and a blueprint number for
// each further model a file with blueprints makes. PreparedModel.file is always the file itself.

interface Derived {
  /** Model key → the id of the model that defines it (the first one, by id, when several do). */
  primary: Map<string, string>;
  order: string[];
  cycles: Map<string, string[]>;
  /** Model key → models that read it. */
  downstream: Map<string, string[]>;
  /** Model key → models it reads. */
  upstream: Map<string, string[]>;
  /** Duplicate names and cycles. */
  diagnostics: ProjectDiagnostic[];
}

export class ModelProject {
  private readonly prepared = new Map<string, PreparedModel>();
  private readonly analyses = new Map<string, ModelAnalysis>();
  /** Columns of an analysis with the types DuckDB's binder added (modelTypes.ts); gone with the analysis. */
  private readonly typedColumns = new WeakMap<ModelAnalysis, ColumnInfo[]>();
  private inputs: ProjectInputs = NO_INPUTS;
  private externals = new Map<string, TableInfo>();
  private sources = new Map<string, SourceTableInfo>();
  private derived: Derived = { primary: new Map(), order: [], cycles: new Map(), downstream: new Map(), upstream: new Map(), diagnostics: [] };
  private lineageView?: ProjectLineage;
  private queue: Promise<unknown> = Promise.resolve();
  /** Changes queued behind the one running: a running settle() stops early for them. */
  private waiting = 0;
  /** Models (ids) whose analysis is older than their inputs (an upstream model changed): settle() brings them up to date. */
  private readonly stale = new Set<string>();
  /** How many model analyses have run since the project was created (for tests and benchmarks). */
  analysisCount = 0;

  private constructor(
    readonly dir: string,
    private readonly options: ModelProjectOptions,
  ) {}

  /**
   * Reads models/**\/*.sql (and the @model decorators of models/**\/*.py), the external model files and
   * schemas/*.schema.yaml of a project and analyses everything. Without options, the project's own settings
   * apply (model_defaults, variables, its macros: macros/*.ts are run, so an editor that may not run project
   * code passes its own options); unreadable settings count as none, since whoever reads the project's
   * configuration reports them.
   */
  static async load(dir: string, options?: ModelProjectOptions): Promise<ModelProject> {
    const project = new ModelProject(path.resolve(dir), options ?? (await projectModelOptions(dir)));
    const files: string[] = [];
    for (const root of project.roots()) files.push(...(await listModelFiles(root.dir)), ...(await listPythonModelFiles(root.dir)));
    const texts = await Promise.all(files.map(async (file) => ({ file, text: await fs.readFile(file, 'utf8') })));
    await project.reset(texts, await project.readInputs());
    return project;
  }

  /** The project folder, then the further folders of a multi-repo project, each with its options. */
  private roots(): Root[] {
    const repos = (this.options.repos ?? []).map((repo): Root => {
      const { repos: _repos, ...shared } = this.options;
      const options: ModelProjectOptions = { ...shared, defaults: repo.defaults, variables: repo.variables };
      if (repo.inferNames !== undefined) options.inferNames = repo.inferNames;
      else delete options.inferNames;
      return { dir: path.resolve(repo.dir), options };
    });
    return [{ dir: this.dir, options: this.options }, ...repos];
  }

  /** The folder a model file belongs to (the deepest one holding it; the project folder for any other). */
  private rootOf(file: string): Root {
    let best: Root | undefined;
    for (const root of this.roots()) {
      const relative = path.relative(root.dir, file);
      const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
      if (inside && (!best || root.dir.length > best.dir.length)) best = root;
    }
    return best ?? this.roots()[0];
  }

  /** External models and source schemas of every folder. */
  private async readInputs(): Promise<ProjectInputs> {
    const all = await Promise.all(this.roots().map((root) => readProjectInputs(root.dir)));
    if (all.length === 1) return all[0];
    return {
      externals: all.flatMap((i) => i.externals),
      sources: all.flatMap((i) => i.sources),
      sourceModules: [...new Set(all.flatMap((i) => i.sourceModules))],
      diagnostics: all.flatMap((i) => i.diagnostics),
    };
  }

  /** A project from texts already in memory (no file system reads except seed headers). */
  static async fromTexts(
    dir: string,
    files: readonly { file: string; text: string }[],
    inputs: ProjectInputs = NO_INPUTS,
    options: ModelProjectOptions = {},
  ): Promise<ModelProject> {
    const project = new ModelProject(path.resolve(dir), options);
    await project.reset(files.map((f) => ({ file: path.resolve(project.dir, f.file), text: f.text })), inputs);
    return project;
  }

  private prepareOptions(root: Root): PrepareOptions {
    const models = path.join(root.dir, 'models');
    const { repos: _repos, ...options } = root.options;
    return {
      ...options,
      projectDir: root.dir,
      inferredName: root.options.inferNames ? (file) => inferModelName(path.relative(models, file)) : undefined,
    };
  }

  /** The model defaults, variables and macros the models were read with (snapshots keep them, to build later as planned). */
  settings(): { defaults?: ModelDefaults; variables?: Record<string, MacroValue>; macros?: ProjectMacros } {
    return { defaults: this.options.defaults, variables: this.options.variables, macros: this.options.macros };
  }

  /** settings() of the folder a model file is in (in a multi-repo project each folder has its own). */
  settingsOf(file: string): { defaults?: ModelDefaults; variables?: Record<string, MacroValue>; macros?: ProjectMacros } {
    const { options } = this.rootOf(path.resolve(this.dir, file));
    return { defaults: options.defaults, variables: options.variables, macros: options.macros };
  }

  private async reset(files: readonly { file: string; text: string }[], inputs: ProjectInputs): Promise<void> {
    this.setInputs(inputs);
    this.prepared.clear();
    // Each folder's files are prepared with its own settings.
    const byRoot = new Map<Root, { file: string; text: string }[]>();
    const roots = this.roots();
    for (const f of files) {
      const root = roots.find((r) => r.dir === this.rootOf(f.file).dir)!;
      const list = byRoot.get(root);
      if (list) list.push(f);
      else byRoot.set(root, [f]);
    }
    for (const [root, group] of byRoot) {
      for (const p of await prepareModels(group, this.prepareOptions(root))) this.prepared.set(p.id, p);
    }
    this.derived = this.derive();
    this.lineageView = undefined;
    this.analyses.clear();
    for (const file of this.prepared.keys()) this.stale.add(file);
    await this.settle();
  }

  private setInputs(inputs: ProjectInputs): void {
    this.inputs = inputs;
    this.externals = new Map(inputs.externals.map((t) => [t.key, t]));
    this.sources = new Map();
    for (const t of inputs.sources) {
      const key = `${t.source}.${t.table}`;
      if (!this.sources.has(key)) this.sources.set(key, t);
    }
  }

  /** New macros (a macro file changed, the editor's workspace became trusted): renders and analyses every model again. */
  setMacros(macros: ProjectMacros): Promise<void> {
    return this.serialized(async () => {
      this.options.macros = macros;
      // One text per file (a file with blueprints has several models).
      const files = [...this.prepared.values()].filter((p) => p.id === p.file);
      await this.reset(files.map((p) => ({ file: p.file, text: p.text })), this.inputs);
    });
  }

  /** Re-reads external models and source schemas (after an ingest) and analyses every model again. */
  reloadInputs(): Promise<void> {
    return this.serialized(async () => {
      this.setInputs(await this.readInputs());
      this.derived = this.derive();
      this.lineageView = undefined;
      for (const file of this.prepared.keys()) this.stale.add(file);
      await this.settle();
    });
  }

  /**
   * The text of a model file changed (or a new file appeared). Prepares that file again and analyses it and
   * every model downstream of it, old name and new; nothing else. Unchanged text does nothing.
   */
  update(file: string, text: string, options: UpdateOptions = {}): Promise<UpdateResult> {
    return this.serialized(async () => {
      const abs = path.resolve(this.dir, file);
      const old = this.unitsOf(abs);
      const unchanged = old.length > 0 && old[0].hash === hashText(text);
      // A newer text of the file is on its way: preparing this one would be wasted work.
      if (unchanged || options.superseded?.()) {
        options.fileAnalysed?.();
        return { analysed: await this.settle() };
      }
      const next = await prepareModels([{ file: abs, text }], this.prepareOptions(this.rootOf(abs)));
      if (options.superseded?.()) {
        options.fileAnalysed?.();
        return { analysed: await this.settle() };
      }
      return this.replace(old, next, options.fileAnalysed);
    });
  }

  /** A model file was deleted. */
  remove(file: string): Promise<UpdateResult> {
    return this.serialized(async () => {
      const old = this.unitsOf(path.resolve(this.dir, file));
      if (old.length === 0) return { analysed: [] };
      return this.replace(old, []);
    });
  }

  /** The models a file defines (one, or one per blueprint), in blueprint order. */
  private unitsOf(file: string): PreparedModel[] {
    return [...this.prepared.values()].filter((p) => p.file === file);
  }

  /** The models of one file change from `old` to `next` (both that file's, either may be empty). */
  private async replace(old: readonly PreparedModel[], next: readonly PreparedModel[], fileAnalysed?: () => void): Promise<UpdateResult> {
    const keys = new Set<string>();
    for (const p of [...old, ...next]) if (p.key) keys.add(p.key);
    const before = this.downstreamOf(keys);
    for (const p of old) {
      this.prepared.delete(p.id);
      this.analyses.delete(p.id);
      this.stale.delete(p.id);
    }
    for (const p of next) this.prepared.set(p.id, p);
    this.derived = this.derive();
    this.lineageView = undefined;
    const after = this.downstreamOf(keys);
    // The file itself (and other files defining the same name, which may have become or stopped being the
    // primary one) are analysed now, so a file's analysis always matches its text; downstream models follow.
    const now = new Set<string>(next.map((p) => p.id));
    for (const p of this.prepared.values()) if (p.key && keys.has(p.key)) now.add(p.id);
    for (const key of [...before, ...after]) {
      const f = this.derived.primary.get(key);
      if (f && !now.has(f)) this.stale.add(f);
    }
    const analysed = this.analyse([...now]);
    // Read through a model an earlier, interrupted change left stale: analysed once more when that one is.
    const staleKeys = new Set([...this.stale].map((f) => this.prepared.get(f)?.key));
    for (const f of staleKeys.size > 0 ? now : []) {
      const key = this.prepared.get(f)?.key;
      if (key && [...closure([key], (k) => this.derived.upstream.get(k) ?? [])].some((k) => k !== key && staleKeys.has(k))) this.stale.add(f);
    }
    fileAnalysed?.();
    return { analysed: [...analysed, ...(await this.settle())] };
  }

  private downstreamOf(keys: Set<string>): Set<string> {
    return closure(keys, (k) => this.derived.downstream.get(k) ?? []);
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    this.waiting++;
    const run = () => {
      this.waiting--;
      return task();
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Analyses the stale files in graph order, giving the event loop back every SLICE_MS. Stops early when
   * another change is queued: that change settles what is left, against its newer texts.
   */
  private async settle(): Promise<string[]> {
    const analysed: string[] = [];
    if (this.stale.size === 0) return analysed;
    const lookup = this.lookup();
    let sliceStart = performance.now();
    for (const file of this.inGraphOrder([...this.stale])) {
      if (this.waiting > 0) break;
      const key = this.analyseOne(file, lookup);
      if (key) analysed.push(key);
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    return analysed;
  }

  /** Resolves once every change so far is analysed, downstream models included. */
  async settled(): Promise<void> {
    do await this.serialized(() => this.settle());
    while (!this.isSettled());
  }

  /** Whether some model's analysis is older than what it reads (settle() has not caught up yet). */
  isSettled(): boolean {
    return this.stale.size === 0;
  }

  /** Names, graph order, cycles and duplicates: cheap, recomputed from the prepared files on every change. */
  private derive(): Derived {
    const files = [...this.prepared.keys()].sort();
    const primary = new Map<string, string>();
    for (const file of files) {
      const key = this.prepared.get(file)!.key;
      if (key && !primary.has(key)) primary.set(key, file);
    }
    const upstreamModels = (key: string): string[] => {
      const p = this.prepared.get(primary.get(key)!)!;
      return p.references.map((r) => r.key).filter((k) => primary.has(k));
    };
    const { order, cycles } = orderGraph(primary.keys(), upstreamModels);
    const downstream = new Map<string, string[]>();
    const upstream = new Map<string, string[]>();
    for (const key of primary.keys()) {
      upstream.set(key, upstreamModels(key));
      for (const up of new Set(upstreamModels(key))) {
        if (up === key) continue;
        const list = downstream.get(up);
        if (list) list.push(key);
        else downstream.set(up, [key]);
      }
    }
    const diagnostics: ProjectDiagnostic[] = [];
    const named = [...this.prepared.values()].filter((p) => p.key);
    const byParsed = new Map(named.map((p) => [p.parsed, p]));
    for (const { model, diagnostic } of duplicateModels(named.map((p) => p.parsed))) {
      diagnostics.push({ ...diagnostic, model: byParsed.get(model)?.key });
    }
    for (const [key, cycle] of cycles) {
      const p = this.prepared.get(primary.get(key)!)!;
      const ref = p.references.find((r) => r.key === cycle[1]);
      const where = ref ?? { start: p.parsed.queryStart, end: p.parsed.queryStart };
      diagnostics.push({
        file: p.file,
        message: `model ${key} is part of a cycle: ${cycle.join(' → ')} (each model reads the next)`,
        start: where.start,
        end: where.end,
        severity: 'error',
        model: key,
      });
    }
    return { primary, order, cycles, downstream, upstream, diagnostics };
  }

  /** Analyses the given files in graph order (primary models first, duplicates after). Returns their model keys. */
  private analyse(files: string[]): string[] {
    const lookup = this.lookup();
    const analysed: string[] = [];
    for (const file of this.inGraphOrder(files)) {
      const key = this.analyseOne(file, lookup);
      if (key) analysed.push(key);
    }
    return analysed;
  }

  /** Primary models in build order, then the other files (duplicates, files without a model) by path. */
  private inGraphOrder(files: string[]): string[] {
    const wanted = new Set(files);
    const ordered: string[] = [];
    for (const key of this.derived.order) {
      const file = this.derived.primary.get(key)!;
      if (wanted.delete(file)) ordered.push(file);
    }
    ordered.push(...[...wanted].sort());
    return ordered;
  }

  private analyseOne(id: string, lookup: TableLookup): string | undefined {
    this.stale.delete(id);
    const p = this.prepared.get(id);
    if (!p) return undefined;
    this.analyses.set(id, analyzeModel(p, lookup));
    this.analysisCount++;
    this.lineageView = undefined;
    return p.key ?? id;
  }

  private lookup(): TableLookup {
    return {
      table: (key) => this.table(key),
      explainUnknown: (key) => explainUnknownTable(key, this.knownTableKeys(), this.inputs),
    };
  }

  /** Every table models may read: models, tables sources loaded, external models. */
  tableKeys(): string[] {
    return this.knownTableKeys();
  }

  private knownTableKeys(): string[] {
    return [...new Set([...this.derived.primary.keys(), ...this.sources.keys(), ...this.externals.keys()])];
  }

  // ---- reading the result ----

  /**
   * A table models may read, by name (`schema.table`, case-insensitive; no schema means main). Models come
   * first, then tables sources loaded, then external models.
   */
  table(name: string): TableInfo | undefined {
    const key = tableKeyOfName(name);
    if (!key) return undefined;
    const id = this.derived.primary.get(key);
    if (id) {
      const analysis = this.analyses.get(id);
      return { key, kind: 'model', file: this.prepared.get(id)!.file, columns: analysis && this.columnsOf(analysis) };
    }
    const source = this.sources.get(key);
    if (source) return { key, kind: 'source', file: source.file, columns: source.columns.map((c) => ({ name: c.name, type: c.type })) };
    return this.externals.get(key);
  }

  /** Every model, sorted by key. */
  models(): ProjectModel[] {
    return [...this.derived.primary.keys()].sort().map((key) => this.model(key)!);
  }

  /** A model by name (case-insensitive). */
  model(name: string): ProjectModel | undefined {
    const key = tableKeyOfName(name);
    const file = key ? this.derived.primary.get(key) : undefined;
    if (!key || !file) return undefined;
    const p = this.prepared.get(file)!;
    const analysis = this.analyses.get(file);
    const definition = p.parsed.definition!;
    const model: ProjectModel = {
      key,
      name: definition.name,
      file: p.file,
      kind: definition.kind.name,
      upstream: analysis?.upstream ?? [],
      downstream: [...new Set(this.derived.downstream.get(key) ?? [])].sort(),
      columns: ((analysis && this.columnsOf(analysis)) ?? []).map((c): ColumnInfo => ({ ...c })),
      lineage: analysis?.lineage ?? [],
    };
    if (definition.description !== undefined) model.description = definition.description;
    return model;
  }

  private columnsOf(analysis: ModelAnalysis): ColumnInfo[] | undefined {
    return this.typedColumns.get(analysis) ?? analysis.columns;
  }

  /** The model's current analysis as an opaque stamp, for addColumnTypes. */
  analysisStamp(name: string): object | undefined {
    const key = tableKeyOfName(name);
    const file = key ? this.derived.primary.get(key) : undefined;
    return file ? this.analyses.get(file) : undefined;
  }

  /**
   * Column types DuckDB's binder found for the analysis `stamp` (see modelTypes.ts), in column order: they
   * fill in types the analysis left unknown. Ignored (false) when the model was analysed again since.
   */
  addColumnTypes(name: string, stamp: object, types: readonly (string | undefined)[]): boolean {
    const analysis = stamp as ModelAnalysis;
    if (this.analysisStamp(name) !== analysis || !analysis.columns) return false;
    this.typedColumns.set(
      analysis,
      analysis.columns.map((c, i) => (c.type === undefined && types[i] !== undefined ? { ...c, type: types[i] } : c)),
    );
    return true;
  }

  /** Whether addColumnTypes was given for the model's current analysis (or it has no columns to type). */
  hasBoundTypes(name: string): boolean {
    const analysis = this.analysisStamp(name) as ModelAnalysis | undefined;
    return !analysis?.columns || this.typedColumns.has(analysis);
  }

  /** Models in the order they can be built: every model after those it reads. */
  buildOrder(): string[] {
    return [...this.derived.order];
  }

  /** Every model file of the project (whether or not it defines a usable model). */
  modelFiles(): string[] {
    return [...new Set([...this.prepared.values()].map((p) => p.file))].sort();
  }

  /**
   * A model file as last prepared and analysed (its text included), whether or not it defines a usable model.
   * For a file with blueprints, the model of its first blueprint.
   */
  preparedFile(file: string): PreparedModel | undefined {
    return this.prepared.get(path.resolve(this.dir, file));
  }

  /** The prepared file (parsed model, rendered query) behind a model, for tools such as `sluice render`. */
  preparedModel(name: string): PreparedModel | undefined {
    const key = tableKeyOfName(name);
    const file = key ? this.derived.primary.get(key) : undefined;
    return file ? this.prepared.get(file) : undefined;
  }

  /** Every problem in the project: model files, external models, source schemas, names, cycles, lineage. */
  diagnostics(): ProjectDiagnostic[] {
    const out: ProjectDiagnostic[] = [...this.inputs.diagnostics, ...this.derived.diagnostics];
    for (const p of this.prepared.values()) out.push(...this.unitDiagnostics(p));
    return withoutRepeats(out).sort(compareDiagnostics);
  }

  private unitDiagnostics(p: PreparedModel): ProjectDiagnostic[] {
    const out = [...p.diagnostics, ...(this.analyses.get(p.id)?.diagnostics ?? [])];
    if (p.key && this.derived.primary.get(p.key) === p.id) out.push(...this.shadowWarnings(p));
    return out;
  }

  /** The problems in one model file (what diagnostics() has for it, without going through every file). */
  fileDiagnostics(file: string): ProjectDiagnostic[] {
    const abs = path.resolve(this.dir, file);
    const out = this.derived.diagnostics.filter((d) => d.file === abs);
    for (const p of this.unitsOf(abs)) out.push(...this.unitDiagnostics(p));
    return withoutRepeats(out).sort(compareDiagnostics);
  }

  hasErrors(): boolean {
    return this.diagnostics().some((d) => d.severity === 'error');
  }

  private shadowWarnings(p: PreparedModel): ProjectDiagnostic[] {
    const key = p.key!;
    const where = p.parsed.definition?.properties.name ?? { start: p.parsed.queryStart, end: p.parsed.queryStart };
    const warn = (message: string): ProjectDiagnostic => ({ file: p.file, message, start: where.start, end: where.end, severity: 'warning', model: key });
    const out: ProjectDiagnostic[] = [];
    const source = this.sources.get(key);
    if (source) out.push(warn(`model ${key} has the name of a table source ${source.source} loads; models reading ${key} read the model`));
    else if (this.externals.has(key)) out.push(warn(`model ${key} is also declared as an external model; the model is used`));
    return out;
  }

  // ---- lineage ----

  /** Cross-model lineage over the current analysis (rebuilt lazily after each change). */
  get lineage(): ProjectLineage {
    if (!this.lineageView) this.lineageView = new ProjectLineage(this.lineageGraph());
    return this.lineageView;
  }

  private lineageGraph(): LineageGraph {
    return {
      modelKeys: () => this.derived.primary.keys(),
      modelColumns: (table): readonly ColumnLineage[] | undefined => {
        const file = this.derived.primary.get(table);
        return file ? this.analyses.get(file)?.lineage ?? [] : undefined;
      },
      isRootModel: (table) => {
        const file = this.derived.primary.get(table);
        const kind = file ? this.prepared.get(file)?.parsed.definition?.kind.name : undefined;
        return kind === 'SEED' || kind === 'EXTERNAL';
      },
      tableKind: (table) => this.table(table)?.kind,
      origin: (table, column) => (this.derived.primary.has(table) ? undefined : this.origin(table, column)),
    };
  }

  /** Where a column of a table a source loaded comes from. */
  origin(table: string, column: string): ColumnOrigin | undefined {
    const source = this.sources.get(table.toLowerCase());
    const col = source?.columns.find((c) => c.name === column.toLowerCase());
    if (!source || !col) return undefined;
    const origin: ColumnOrigin = { column: `${source.source}.${source.table}.${col.name}`, source: source.source, resource: source.resource, table: source.table };
    if (col.field !== undefined) origin.field = col.field;
    return origin;
  }

  /** Lineage of one model column: one hop, or with deep the ultimate source columns and their origins. */
  columnLineage(model: string, column: string, options: { deep?: boolean } = {}): ColumnLineageResult | undefined {
    const key = tableKeyOfName(model);
    if (!key || !this.derived.primary.has(key)) return undefined;
    const col = column.toLowerCase();
    const trace = options.deep ? this.lineage.deep(key, col) : this.lineage.direct(key, col);
    if (!trace) return undefined;
    const result: ColumnLineageResult = { model: key, column: col, sources: trace.sources.map(columnText), filters: trace.filters.map(columnText) };
    if (options.deep) result.origins = this.lineage.origins(trace.sources);
    return result;
  }

  /** Every model column depending on a column of a model or of any table (impact analysis). */
  downstream(table: string, column: string): DownstreamColumn[] {
    const key = tableKeyOfName(table);
    return key ? this.lineage.downstream(key, column) : [];
  }
}

/**
 * The options a project's own settings give: model_defaults, variables, infer_names and its macros (the
 * macros/*.ts functions loaded, unless macroOptions.run is false, and its Python macros' names).
 */
export async function projectModelOptions(dir: string, macroOptions: LoadMacrosOptions = {}): Promise<ModelProjectOptions> {
  let project: Project | undefined;
  try {
    project = loadProject(path.resolve(dir));
  } catch {
    project = undefined;
  }
  return project ? modelOptionsOf(project, macroOptions) : { macros: await loadProjectMacros(dir, macroOptions) };
}

/** The options a loaded project's settings give. */
export async function modelOptionsOf(project: Pick<Project, 'dir' | 'models' | 'repos'>, macroOptions: LoadMacrosOptions = {}): Promise<ModelProjectOptions> {
  const { defaults, variables, inferNames } = project.models;
  const repos = project.repos ?? [];
  const macros = await Promise.all([project.dir, ...repos.map((r) => r.dir)].map((dir) => loadProjectMacros(dir, macroOptions)));
  const options: ModelProjectOptions = { defaults, variables, macros: mergeMacros(macros) };
  if (inferNames !== undefined) options.inferNames = inferNames;
  if (repos.length > 0) {
    options.repos = repos.map((repo) => {
      const out: RepoModelOptions = { dir: repo.dir, defaults: repo.models.defaults, variables: repo.models.variables };
      if (repo.models.inferNames !== undefined) out.inferNames = repo.models.inferNames;
      return out;
    });
  }
  return options;
}

/** The macros of several folders as one set: a name the first folder defines wins. */
function mergeMacros(all: ProjectMacros[]): ProjectMacros {
  if (all.length === 1) return all[0];
  const functions = new Map<string, MacroDefinition>();
  const python = new Map<string, string>();
  for (const macros of all) {
    for (const [name, fn] of macros.functions) if (!functions.has(name)) functions.set(name, fn);
    for (const [name, file] of macros.python) if (!python.has(name)) python.set(name, file);
  }
  const unavailable = all.find((m) => m.unavailable !== undefined)?.unavailable;
  return unavailable === undefined ? { functions, python } : { functions, python, unavailable };
}

/**
 * A problem of a file with blueprints (its blueprints list) is found by each of its models: kept once per
 * model (a problem each model has, such as a syntax error in the query, holds back each of them).
 */
function withoutRepeats(diagnostics: ProjectDiagnostic[]): ProjectDiagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.file}\0${d.start.offset}\0${d.end.offset}\0${d.severity}\0${d.message}\0${d.model ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function compareDiagnostics(a: ProjectDiagnostic, b: ProjectDiagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.start.offset - b.start.offset || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}
