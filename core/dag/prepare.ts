// Everything about one model file that does not depend on other files: the parsed MODEL block, the
// query rendered with neutral macro values, DuckDB's parse of it, and the tables it names. Kept per file
// and keyed by a hash of its text, so an edit re-prepares one file only.

import crypto from 'node:crypto';
import type { ModelDefaults } from '../models/defaults';
import type { ProjectMacros } from '../models/macroApi';
import { parseModelBlueprints } from '../models/parse';
import { isPythonModelFile, parsePythonModelFile } from '../models/pythonModel';
import { renderForAnalysis, type MacroValue, type RenderedQuery } from '../models/render';
import type { ParsedModel, Position } from '../models/types';
import { forEachObject } from '../sql/ast';
import { parseMany, type ParsedSql } from '../sql/duckdbParser';
import { isSupportedDialect } from '../sql/dialect';
import { duckdbFunctionNames } from '../sql/functionNames';
import { translateRendered } from '../models/translate';
import { tableKey, tableKeyOfName } from './names';
import { tableReferences } from './references';
import { seedColumns, type HeaderReader, type SeedColumns } from './seed';
import type { ProjectDiagnostic } from './types';

export interface ModelReference {
  /** `schema.table` named in the query. */
  key: string;
  start: Position;
  end: Position;
}

export interface PreparedModel {
  /**
   * Which model of the project this is: the file's path, or for the second and later blueprints of a file
   * the path with `#` and the blueprint's number (see unitId).
   */
  id: string;
  file: string;
  text: string;
  hash: string;
  parsed: ParsedModel;
  /** `schema.table`; undefined when the file has no usable MODEL block or the model is disabled. */
  key?: string;
  rendered?: RenderedQuery;
  sql?: ParsedSql;
  /** Tables the query names (self-references left out), with file positions. */
  references: ModelReference[];
  /** The query reads the model's own table (an incremental model building on what it wrote before). */
  readsItself?: boolean;
  seed?: SeedColumns;
  /** Problems of this file alone: model syntax, macros, SQL syntax, seed file. */
  diagnostics: ProjectDiagnostic[];
}

export interface PrepareOptions {
  /** Project variables for @name / @VAR('name'). */
  variables?: Record<string, MacroValue>;
  /** The project's model_defaults (dialect, kind, start, cron, owner) for what a MODEL block leaves unset. */
  defaults?: ModelDefaults;
  /** The project's macros: macros/*.ts functions to call, Python macro names for a precise error. */
  macros?: ProjectMacros;
  /** The project folder, for seed paths starting with $root. */
  projectDir?: string;
  /** Names models after their folders when the MODEL block has no name (SQLMesh's infer_names). */
  inferredName?: (file: string) => readonly string[] | undefined;
  readHeader?: HeaderReader;
}

export function hashText(text: string): string {
  return crypto.createHash('sha1').update(text).digest('hex');
}

/** The id of a file's model made from blueprint `index` (the file's path for the first, or without blueprints). */
export function unitId(file: string, index = 0): string {
  return index === 0 ? file : `${file}#${index + 1}`;
}

/**
 * Prepares many files at once: one DuckDB round trip parses every query. A file gives one model, or one per
 * blueprint of its MODEL block (in blueprint order, all with the file's path as `file`).
 */
export async function prepareModels(files: readonly { file: string; text: string }[], options: PrepareOptions = {}): Promise<PreparedModel[]> {
  const staged = files.flatMap(({ file, text }) => parseFile(file, text, options).map((parsed, index) => stage(file, text, parsed, index, options)));
  const needParse = staged.filter((s) => s.rendered !== undefined);
  const parsed = await parseMany(needParse.map((s) => s.rendered!.sql));
  // Only translated queries are checked for functions DuckDB lacks (the catalog is read once per process).
  const functions = needParse.some((s) => translatedFrom.has(s)) ? (await duckdbFunctionNames()).all : undefined;
  needParse.forEach((s, i) => finish(s, parsed[i], functions));
  return staged;
}

function parseFile(file: string, rawText: string, options: PrepareOptions): ParsedModel[] {
  const text = rawText.startsWith('\ufeff') ? rawText.slice(1) : rawText;
  return isPythonModelFile(file)
    ? [parsePythonModelFile(text, file)]
    : parseModelBlueprints(text, file, { inferredName: options.inferredName?.(file), defaults: options.defaults, macros: options.macros });
}

function stage(file: string, rawText: string, parsed: ParsedModel, index: number, options: PrepareOptions): PreparedModel {
  const model: PreparedModel = {
    id: unitId(file, index),
    file,
    text: rawText,
    hash: hashText(rawText),
    parsed,
    references: [],
    diagnostics: parsed.diagnostics.map((d) => ({ ...d })),
  };
  const definition = parsed.definition;
  if (!definition || definition.enabled === false) return model;
  model.key = tableKey(definition.nameParts);
  for (const d of model.diagnostics) d.model = model.key;
  if (definition.kind.name === 'SEED') {
    model.seed = seedColumns(file, definition, options.readHeader, options.projectDir);
    if (model.seed?.problem) {
      const where = definition.properties['kind.path'] ?? definition.properties.kind;
      model.diagnostics.push({ file, message: model.seed.problem, start: where?.start ?? parsed.queryStart, end: where?.end ?? parsed.queryStart, severity: 'error', model: model.key });
    }
    return model;
  }
  // depends_on adds upstream models to those found in the query (SQLMesh keeps it for macros it cannot see through).
  const dependsOn = definition.properties.depends_on;
  for (const name of definition.dependsOn ?? []) {
    const key = tableKeyOfName(name);
    if (key && key !== model.key && dependsOn) model.references.push({ key, start: dependsOn.start, end: dependsOn.end });
  }
  if (parsed.query.trim() === '') return model;
  const rendered = renderForAnalysis(parsed, { variables: options.variables, macros: options.macros });
  model.diagnostics.push(...rendered.diagnostics.map((d) => ({ ...d, model: model.key })));
  // With a macro that could not be expanded the SQL is not what the model means: no lineage for it.
  if (rendered.diagnostics.some((d) => d.severity === 'error')) return model;
  model.rendered = rendered;
  // A query in another dialect is translated to DuckDB SQL first (an unknown dialect is read as written).
  if (definition.dialect && isSupportedDialect(definition.dialect)) {
    const translated = translateRendered(rendered, definition.dialect, file);
    model.diagnostics.push(...translated.diagnostics.map((d) => ({ ...d, model: model.key })));
    if (translated.diagnostics.some((d) => d.severity === 'error')) model.rendered = undefined;
    else if (translated.from) {
      model.rendered = translated.rendered;
      translatedFrom.set(model, translated.from);
    }
  }
  return model;
}

const translatedFrom = new WeakMap<PreparedModel, string>();

function finish(model: PreparedModel, sql: ParsedSql, functions: ReadonlySet<string> | undefined): void {
  const rendered = model.rendered!;
  model.sql = sql;
  const dialect = translatedFrom.get(model);
  for (const d of sql.diagnostics) {
    const at = rendered.sourceMap.toFilePosition(d.offset);
    const message = dialect ? `${d.message} (the ${dialect} query is read as DuckDB SQL after Sluice's translation)` : d.message;
    model.diagnostics.push({ file: model.file, message, start: at, end: at, severity: d.severity, model: model.key });
  }
  if (dialect && functions) {
    for (const call of unknownFunctions(sql, functions)) {
      const at = rendered.sourceMap.toFilePosition(call.offset);
      const message = `${call.name} is not a DuckDB function, and Sluice has no translation of it from ${dialect}; write it with DuckDB's functions`;
      model.diagnostics.push({ file: model.file, message, start: at, end: at, severity: 'error', model: model.key });
    }
  }
  for (const ref of tableReferences(sql)) {
    if (ref.key === model.key) {
      // An incremental model may read its own table; that is no dependency.
      model.readsItself = true;
      continue;
    }
    model.references.push({
      key: ref.key,
      start: rendered.sourceMap.toFilePosition(ref.offset),
      end: rendered.sourceMap.toFilePosition(ref.offset + ref.length),
    });
  }
}

/** Calls of functions DuckDB's catalog does not have (schema-qualified calls and operators aside). */
function unknownFunctions(sql: ParsedSql, known: ReadonlySet<string>): { name: string; offset: number }[] {
  const out: { name: string; offset: number }[] = [];
  forEachObject(sql.statements, (node) => {
    const name = node.function_name;
    if (node.class === 'FUNCTION' && typeof name === 'string' && node.is_operator !== true && !node.schema && !node.catalog && !known.has(name.toLowerCase())) {
      out.push({ name, offset: sql.source.indexOfByte(node.query_location) ?? 0 });
    }
  });
  return out;
}
