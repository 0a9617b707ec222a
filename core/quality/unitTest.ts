// Runs SQLMesh-style unit tests: each test gets a fresh in-memory database holding its input tables, the
// model's query is rendered with the test's vars and run there, and the query's (and CTEs') rows are compared
// with the expected ones. One DuckDB instance serves a whole run; every test attaches a new empty in-memory
// database and uses it, which costs about a millisecond instead of the ~20 ms of a new instance.

import * as path from 'node:path';
import { SluiceError, describeError } from '../errors';
import { modelKey } from '../models/duplicates';
import type { ModelDefaults } from '../models/defaults';
import { discoverModels } from '../models/discover';
import { listExternalModelFiles, readExternalModels } from '../models/externalModels';
import { loadProjectMacros } from '../models/loadMacros';
import type { ProjectMacros } from '../models/macroApi';
import { renderQuery, type MacroValue, type RenderContext } from '../models/render';
import type { ParsedModel } from '../models/types';
import { loadProject } from '../project/config';
import { analyzeQuery, emptyCatalog } from '../lineage';
import { parseSql } from '../sql';
import { Warehouse } from '../warehouse/connection';
import { quoteIdent } from '../warehouse/quote';
import { checkOutput, type OutputCheck } from './expectedOutput';
import { createInput, inputTable, loadFixture, tableNameParts } from './fixtures';
import { cteQuery, findCte, freezeClock, isOrdered, queryShape, utcTimestamp } from './queryShape';
import { discoverTests } from './testFile';
import type { InputFixture, OutputMismatch, TestResult, TestRunSummary, UnitTestDefinition } from './types';

/** One DuckDB instance shared by many tests; each test runs in its own freshly attached database. */
export class TestSandbox {
  private counter = 0;

  private constructor(private readonly wh: Warehouse) {}

  static async open(): Promise<TestSandbox> {
    const wh = await Warehouse.open(':memory:');
    // Timestamps with time zone print in UTC, whatever the machine's zone, so results are reproducible.
    await wh.run("SET TimeZone = 'UTC'");
    return new TestSandbox(wh);
  }

  /** Runs fn with an empty database as the current one; everything it creates is dropped afterwards. */
  async isolated<T>(fn: (wh: Warehouse, attach: (catalog: string) => Promise<void>) => Promise<T>): Promise<T> {
    const name = `sluice_test_${++this.counter}`;
    const extra: string[] = [];
    const attach = async (catalog: string): Promise<void> => {
      const rows = await this.wh.json<{ n: number }>('SELECT count(*) AS n FROM duckdb_databases() WHERE lower(database_name) = lower($1)', [catalog]);
      if (Number(rows[0].n) > 0) return;
      await this.wh.run(`ATTACH ':memory:' AS ${quoteIdent(catalog)}`);
      extra.push(catalog);
    };
    await this.wh.run(`ATTACH ':memory:' AS ${quoteIdent(name)}`);
    await this.wh.run(`USE ${quoteIdent(name)}`);
    try {
      return await fn(this.wh, attach);
    } finally {
      await this.wh.run('USE memory');
      for (const catalog of [name, ...extra]) await this.wh.run(`DETACH ${quoteIdent(catalog)}`).catch(() => undefined);
    }
  }

  close(): void {
    this.wh.close();
  }
}

export interface RunUnitTestOptions {
  /** Project variables (test vars win over them). */
  variables?: Record<string, MacroValue>;
  /** Column types of external tables (external_models.yaml), by lower-cased name. */
  externalColumns?: ReadonlyMap<string, Record<string, string>>;
  /** Reuse a sandbox across tests (runUnitTests does); otherwise one is opened and closed for this test. */
  sandbox?: TestSandbox;
  /** The project's macros, for models calling a macros/*.ts function. */
  macros?: ProjectMacros;
}

/** Parsed models by lower-cased name, as runUnitTest looks them up. */
export function indexModels(models: readonly ParsedModel[]): Map<string, ParsedModel> {
  const out = new Map<string, ParsedModel>();
  for (const model of models) if (model.definition && !out.has(modelKey(model.definition.nameParts))) out.set(modelKey(model.definition.nameParts), model);
  return out;
}

export async function runUnitTest(
  test: UnitTestDefinition,
  modelsByName: ReadonlyMap<string, ParsedModel>,
  options: RunUnitTestOptions = {},
): Promise<TestResult> {
  const started = performance.now();
  const result: TestResult = { name: test.name, file: test.file, start: test.start, model: test.model, status: 'passed', mismatches: [], durationMs: 0 };
  const context = `test ${test.name} (${test.file}:${test.start.line}:${test.start.column})`;
  let own: TestSandbox | undefined;
  try {
    const prepared = await prepare(test, modelsByName, options, context);
    const sandbox = options.sandbox ?? (own = await TestSandbox.open());
    result.mismatches = await sandbox.isolated(async (wh, attach) => {
      for (const input of test.inputs) {
        const table = inputTable(input, context);
        if (table.parts.length === 3) await attach(table.parts[0]);
        const written = tableNameParts(input.name) ?? table.parts;
        const declared = modelsByName.get(modelKey(written))?.definition?.columns ?? options.externalColumns?.get(modelKey(table.parts.slice(-2)));
        await createInput(wh, input, await loadFixture(input, test.baseDir, context), declared, context);
      }
      if (prepared.emptySelf) await createInput(wh, prepared.emptySelf, { rows: [] }, prepared.emptySelf.columns, context);
      const mismatches: OutputMismatch[] = [];
      for (const check of prepared.checks) {
        const mismatch = await checkOutput(wh, check, test.baseDir, context);
        if (mismatch) mismatches.push(mismatch);
      }
      return mismatches;
    });
    if (result.mismatches.length > 0) {
      result.status = 'failed';
      result.message = `${context}: ${result.mismatches.map((m) => m.output).join(' and ')} did not match`;
    }
  } catch (err) {
    result.status = 'error';
    result.message = describeError(err);
  } finally {
    own?.close();
  }
  result.durationMs = performance.now() - started;
  return result;
}

interface PreparedTest {
  checks: OutputCheck[];
  /** The model reads its own table and the test gives no input for it: an empty one, as on a first run. */
  emptySelf?: InputFixture;
}

/** Everything that can be checked before touching DuckDB: the model, its rendered query, inputs, CTE names. */
async function prepare(
  test: UnitTestDefinition,
  modelsByName: ReadonlyMap<string, ParsedModel>,
  options: RunUnitTestOptions,
  context: string,
): Promise<PreparedTest> {
  const parts = tableNameParts(test.model);
  const model = parts ? modelsByName.get(modelKey(parts)) : undefined;
  if (!model?.definition) throw new SluiceError(`${context}: model ${test.model} is not defined in models/`);
  const broken = model.diagnostics.find((d) => d.severity === 'error');
  if (broken) throw new SluiceError(`${context}: model ${test.model} has errors: ${model.file}:${broken.start.line}:${broken.start.column}: ${broken.message}`);
  if (model.query === '') throw new SluiceError(`${context}: model ${test.model} (kind ${model.definition.kind.name}) has no query to test`);

  const renderContext: RenderContext = { thisModel: model.definition.nameParts, runtimeStage: 'testing', variables: { ...options.variables }, macros: options.macros };
  let executionTime: string | number | Date | undefined;
  for (const [name, value] of Object.entries(test.vars)) {
    const time = TIME_VAR.exec(name.toLowerCase());
    const which = time ? time[1] ?? time[2] : undefined;
    if (!which) renderContext.variables![name] = macroValue(value, name, context);
    else if (which === 'start' || which === 'end') renderContext[which] = timeVar(value, name, context);
    else renderContext.executionTime = executionTime = timeVar(value, name, context);
  }
  let rendered: ReturnType<typeof renderQuery>;
  try {
    rendered = renderQuery(model, renderContext);
  } catch (err) {
    throw new SluiceError(`${context}: ${describeError(err)}`);
  }
  const renderError = rendered.diagnostics.find((d) => d.severity === 'error');
  if (renderError) throw new SluiceError(`${context}: ${model.file}:${renderError.start.line}:${renderError.start.column}: ${renderError.message}`);
  let sql = rendered.sql;
  if (executionTime !== undefined) sql = freezeClock(sql, utcTimestamp(executionTime)!);

  const readsItself = await checkInputsMatchReads(test, sql, rendered.sourceMap.toFilePosition.bind(rendered.sourceMap), model, context);

  const shape = queryShape(sql);
  const checks: OutputCheck[] = [];
  for (const expectation of test.outputs.ctes) {
    const cte = findCte(shape, expectation.cte);
    if (!cte) {
      const known = shape.ctes.map((c) => c.name).join(', ') || 'none';
      throw new SluiceError(`${context}: model ${test.model} has no CTE named ${expectation.cte} (its CTEs: ${known})`);
    }
    checks.push({ output: `cte ${expectation.cte}`, data: expectation, sql: cteQuery(shape, cte), ordered: isOrdered(shape, cte) });
  }
  if (test.outputs.query) checks.push({ output: 'query', data: test.outputs.query, sql, ordered: isOrdered(shape) });
  if (!readsItself) return { checks };
  const columns = model.definition.columns;
  if (!columns || Object.keys(columns).length === 0) {
    throw new SluiceError(`${context}: model ${test.model} reads its own table, and the test gives no input for it: add one under inputs: (rows: [] for an empty table, with columns:), or declare the model's columns`);
  }
  return { checks, emptySelf: { name: test.model, label: `inputs.${test.model} (the model's own table, empty)`, where: test.start, format: 'yaml', rows: [], columns } };
}

/** vars that set the run's times (SQLMesh also accepts the predefined names, e.g. start_ds). */
const TIME_VAR = /^(start|end|execution_time|latest)$|^(start|end|execution|latest)_(?:ds|ts|tstz|dt|dtntz|date)$/;

function timeVar(value: unknown, name: string, context: string): string | number | Date {
  if (typeof value === 'string' || typeof value === 'number' || value instanceof Date) {
    if (utcTimestamp(value) === undefined) throw new SluiceError(`${context}: vars.${name} '${String(value)}' is not a date or time (use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)`);
    return value;
  }
  throw new SluiceError(`${context}: vars.${name} must be a date or time`);
}

function macroValue(value: unknown, name: string, context: string): MacroValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v, i) => macroValue(v, `${name}[${i}]`, context));
  throw new SluiceError(`${context}: vars.${name} must be a value or a list of values`);
}

/**
 * Every table the query reads needs an input, and every input must be read: a typo in either place would
 * otherwise surface as a confusing "table does not exist" or a silently ignored fixture. The model's own
 * table is the exception: without an input it is empty, as on the model's first run. Returns whether the
 * model reads its own table without an input for it.
 */
async function checkInputsMatchReads(
  test: UnitTestDefinition,
  sql: string,
  toFilePosition: (offset: number) => { line: number; column: number },
  model: ParsedModel,
  context: string,
): Promise<boolean> {
  const parsed = await parseSql(sql);
  if (!parsed.query) {
    const d = parsed.diagnostics[0];
    const at = d ? toFilePosition(d.offset) : { line: model.queryStart.line, column: model.queryStart.column };
    throw new SluiceError(`${context}: ${model.file}:${at.line}:${at.column}: ${d?.message ?? 'the query does not parse'}`);
  }
  const reads = new Set(analyzeQuery(parsed, emptyCatalog).tables);
  const given = new Map<string, string>();
  for (const input of test.inputs) {
    const parts = tableNameParts(input.name);
    if (!parts) throw new SluiceError(`${context}: input '${input.name}' is not a table name like schema.table`);
    given.set(modelKey(parts.length === 1 ? ['main', parts[0]] : parts.slice(-2)), input.name);
  }
  const own = modelKey(model.definition!.nameParts.slice(-2));
  const readsItself = reads.has(own) && !given.has(own);
  const missing = [...reads].filter((t) => !given.has(t) && t !== own);
  if (missing.length > 0) {
    throw new SluiceError(`${context}: model ${test.model} reads ${missing.join(', ')}, but the test has no input for ${missing.length === 1 ? 'it' : 'them'}; add it under inputs:`);
  }
  const unread = [...given].filter(([key]) => !reads.has(key)).map(([, name]) => name);
  if (unread.length > 0) {
    const list = [...reads].join(', ') || 'no tables';
    throw new SluiceError(`${context}: input ${unread.join(', ')} is not read by model ${test.model} (it reads ${list})`);
  }
  return readsItself;
}

// ---------- a project's whole suite ----------

export interface RunUnitTestsOptions {
  /** Project variables. */
  variables?: Record<string, MacroValue>;
  /** SQLMesh's infer_names for model discovery. */
  inferNames?: boolean;
  /** The project's model_defaults. */
  defaults?: ModelDefaults;
  /** The project's macros; loaded from macros/ when not given (which runs the project's code). */
  macros?: ProjectMacros;
  /**
   * Further folders of a multi-repo project (`--paths`): their tests run too, their models can be tested and
   * read, each with its folder's settings.
   */
  repos?: ({ dir: string } & Omit<RunUnitTestsOptions, 'macros' | 'repos'>)[];
}

/**
 * Discovers models, external models and tests of a project and runs the tests, all in one DuckDB instance.
 * `filter` selects tests: a test name, `file::name` (file relative to the project), or a pattern with `*`.
 */
export async function runUnitTests(projectDir: string, filter?: string, given?: RunUnitTestsOptions): Promise<TestRunSummary> {
  const started = performance.now();
  const options = given ?? projectTestOptions(projectDir);
  const folders = [{ ...options, dir: path.resolve(projectDir) }, ...(options.repos ?? []).map((r) => ({ ...r, dir: path.resolve(r.dir) }))];
  // Macros first: a macro may make a model's blueprints.
  const macros = options.macros ?? (await loadProjectMacros(projectDir));
  const [tests, models, columns] = await Promise.all([
    Promise.all(folders.map((f) => discoverTests(f.dir))),
    Promise.all(folders.map((f) => discoverModels(f.dir, { inferNames: f.inferNames, defaults: f.defaults, macros }))),
    Promise.all(folders.map((f) => readExternalColumns(f.dir))),
  ]);
  const externalColumns = new Map<string, Record<string, string>>();
  for (const map of columns) for (const [key, value] of map) if (!externalColumns.has(key)) externalColumns.set(key, value);
  const byName = indexModels(models.flat());
  // A model's own folder gives the variables it is rendered with.
  const variablesOf = (model: string): Record<string, MacroValue> | undefined => {
    const file = byName.get(model.toLowerCase())?.file;
    const folder = file ? folders.find((f) => !path.relative(f.dir, file).startsWith('..')) : undefined;
    return (folder ?? folders[0]).variables;
  };
  const selected = tests.flatMap((d) => d.tests).filter((t) => matchesFilter(t, projectDir, filter));
  const summary: TestRunSummary = { results: [], diagnostics: tests.flatMap((d) => d.diagnostics), passed: 0, failed: 0, errors: 0, durationMs: 0 };
  if (selected.length > 0) {
    const sandbox = await TestSandbox.open();
    try {
      for (const test of selected) {
        const result = await runUnitTest(test, byName, { sandbox, externalColumns, variables: variablesOf(test.model), macros });
        summary.results.push(result);
        if (result.status === 'passed') summary.passed++;
        else if (result.status === 'failed') summary.failed++;
        else summary.errors++;
      }
    } finally {
      sandbox.close();
    }
  }
  summary.durationMs = performance.now() - started;
  return summary;
}

/** The project's own settings (model_defaults, variables, infer_names); none when they cannot be read. */
function projectTestOptions(projectDir: string): RunUnitTestsOptions {
  try {
    const { models } = loadProject(path.resolve(projectDir));
    return { variables: models.variables, defaults: models.defaults, inferNames: models.inferNames };
  } catch {
    return {};
  }
}

async function readExternalColumns(projectDir: string): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  for (const file of await listExternalModelFiles(projectDir)) {
    const read = await readExternalModels(file);
    for (const entry of read.entries) {
      const parts = tableNameParts(entry.name);
      if (parts && !out.has(modelKey(parts.slice(-2)))) out.set(modelKey(parts.slice(-2)), entry.columns);
    }
  }
  return out;
}

function matchesFilter(test: UnitTestDefinition, projectDir: string, filter: string | undefined): boolean {
  if (!filter) return true;
  const relative = relativePath(projectDir, test.file);
  const candidates = [test.name, `${relative}::${test.name}`, relative];
  if (!filter.includes('*')) return candidates.includes(filter);
  const pattern = new RegExp(`^${filter.split('*').map(escapeRegExp).join('.*')}$`);
  return candidates.some((c) => pattern.test(c));
}

function relativePath(projectDir: string, file: string): string {
  return path.relative(projectDir, file).split(path.sep).join('/');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
