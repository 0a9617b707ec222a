// The SQL that builds a model version: its stored model text rendered for one interval (macros such as
// @start_ds get the interval's dates, @this_model the physical table), then pointed at the physical tables
// of the environment being built (see rewrite.ts). Built from the snapshot record, not the files, so
// `sluice run` processes exactly the versions an environment shows.

import { SluiceError } from '../errors';
import { inferModelName } from '../models/discover';
import { tableKey } from '../dag/names';
import { parseModelBlueprints } from '../models/parse';
import type { ProjectMacros } from '../models/macroApi';
import { renderQuery } from '../models/render';
import { translateRendered } from '../models/translate';
import { parseSql } from '../sql/duckdbParser';
import { physicalSchema, physicalSql, physicalTable } from './names';
import { isStored } from './plan';
import { tableNameUses, rewriteTableNames } from './rewrite';
import type { Interval, SnapshotRecord } from './types';

export interface ExecutionContext {
  /** The environment's models by name: where each reference must read from. */
  models: ReadonlyMap<string, SnapshotRecord>;
  environment: string;
  executionTimeMs: number;
  /** The project's macros, for models calling a macros/*.ts function. */
  macros?: ProjectMacros;
}

const MAX_EMBEDDING = 32;

/** The model's query for the interval, reading the environment's physical tables. */
export async function executionQuery(record: SnapshotRecord, context: ExecutionContext, interval: Interval, depth = 0): Promise<string> {
  if (depth > MAX_EMBEDDING) throw new SluiceError(`model ${record.name}: EMBEDDED models nest more than ${MAX_EMBEDDING} levels deep (a cycle?)`);
  // As planned: the project's model_defaults then, and the name infer_names gave a file without a MODEL block.
  // The file is relative to the project folder (`../repo_2/models/...` for another folder of a multi-repo project).
  const underModels = /(?:^|\/)models\/(.+)$/.exec(record.file)?.[1];
  const inferredName = underModels !== undefined ? inferModelName(underModels) : undefined;
  const parsed = modelOfRecord(record, inferredName, context.macros);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !parsed.definition) throw modelError(record, errors[0]);
  const rendered = renderQuery(parsed, {
    start: new Date(interval.startMs),
    end: new Date(interval.endMs),
    executionTime: new Date(context.executionTimeMs),
    thisModel: [physicalSchema(record.name), physicalTable(record.name, record.version)],
    environment: context.environment,
    variables: record.variables,
    macros: context.macros,
  });
  const renderError = rendered.diagnostics.find((d) => d.severity === 'error');
  if (renderError) throw modelError(record, renderError);
  // A model written in another dialect runs as its DuckDB translation (the same one lineage analysed).
  const translated = translateRendered(rendered, parsed.definition.dialect, record.file);
  const translationError = translated.diagnostics.find((d) => d.severity === 'error');
  if (translationError) throw modelError(record, translationError);
  const sql = await parseSql(translated.rendered.sql);
  const syntax = sql.diagnostics.find((d) => d.severity === 'error');
  if (syntax || !sql.query) {
    const at = syntax ? translated.rendered.sourceMap.toFilePosition(syntax.offset) : undefined;
    throw new SluiceError(`model ${record.name} (${at ? `${record.file}:${at.line}:${at.column}` : record.file}): ${syntax?.message ?? 'the query does not parse'}`);
  }

  const embedded = new Map<string, string>();
  for (const use of tableNameUses(sql)) {
    const target = context.models.get(use.key);
    if (use.key !== record.name && target?.kind.name === 'EMBEDDED' && !embedded.has(use.key)) {
      embedded.set(use.key, `(${await executionQuery(target, context, interval, depth + 1)})`);
    }
  }
  return rewriteTableNames(sql, (key) => {
    if (key === record.name) return physicalSql(record.name, record.version);
    const inline = embedded.get(key);
    if (inline) return inline;
    const target = context.models.get(key);
    return target && isStored(target.kind) ? physicalSql(target.name, target.version) : undefined;
  });
}

/** The model the record is: the file's, or for a file with blueprints the one its blueprint names. */
function modelOfRecord(record: SnapshotRecord, inferredName: string[] | undefined, macros: ProjectMacros | undefined) {
  const models = parseModelBlueprints(record.modelText, record.file, { defaults: record.defaults, inferredName, macros });
  if (models.length === 1) return models[0];
  return models.find((m) => m.definition && tableKey(m.definition.nameParts) === record.name) ?? models[0];
}

function modelError(record: SnapshotRecord, d: { message: string; start: { line: number; column: number } } | undefined): SluiceError {
  const where = d ? `${record.file}:${d.start.line}:${d.start.column}` : record.file;
  return new SluiceError(`model ${record.name} (${where}): ${d?.message ?? 'the model file has no usable MODEL block'}`);
}
