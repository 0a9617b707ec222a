// The query of a model as Sluice would build it, ready to read an environment: rendered with the project's
// variables and an interval (as `sluice render` does), translated to DuckDB when written in another dialect,
// optionally cut down to a selection or to the CTE around a cursor, then pointed at the environment's views.
// Every step keeps offsets, so a DuckDB error lands on the model file's line and column.

import { nowMs } from '../clock';
import { tableKey, tableKeyOfName } from '../dag/names';
import { SluiceError } from '../errors';
import { environmentSchema, splitKey } from '../plan/names';
import { renderQuery, type MacroValue } from '../models/render';
import type { SourceMap } from '../models/sourceMap';
import type { TimeInput } from '../models/temporal';
import type { ParsedModel } from '../models/types';
import { translateRendered } from '../models/translate';
import { cteQueryAt } from './cte';
import { pointAtEnvironment, type EnvironmentViews } from './environment';
import { OffsetMap, OffsetMapBuilder } from './offsetMap';
import { QueryError } from './queryError';
import type { QuerySourcePosition } from './types';

/** What of the model to run: all of it, the text between two file offsets, or the CTE around one. */
/** `orModel`: a cursor outside every CTE runs the whole model (the editor's Preview) instead of failing. */
export type ModelPart = { kind: 'model' } | { kind: 'selection'; start: number; end: number } | { kind: 'cte'; offset: number; orModel?: boolean };

export interface ModelQueryOptions {
  env: EnvironmentViews;
  part?: ModelPart;
  variables?: Record<string, MacroValue>;
  pythonMacros?: ReadonlyMap<string, string>;
  start?: TimeInput;
  end?: TimeInput;
  executionTime?: TimeInput;
}

export interface PreparedQuery {
  sql: string;
  /** What runs, in words: `analytics.orders`, `CTE paid in analytics.orders`. */
  label: string;
  /** The model file position of an offset in sql (model queries only). */
  locate?: (offset: number) => QuerySourcePosition | undefined;
}

/** An ad-hoc query: the environment's model names pointed at its views. */
export async function prepareSqlQuery(sql: string, env: EnvironmentViews): Promise<PreparedQuery> {
  if (sql.trim() === '') throw new SluiceError('the query is empty');
  return { sql: (await pointAtEnvironment(sql, env)).text, label: 'query' };
}

export async function prepareModelQuery(model: ParsedModel, options: ModelQueryOptions): Promise<PreparedQuery> {
  const definition = model.definition;
  if (!definition) throw new SluiceError(`${model.file} has no usable MODEL block${model.diagnostics[0] ? `: ${model.diagnostics[0].message}` : ''}`);
  if (model.query.trim() === '') throw new SluiceError(`model ${definition.name} is a ${definition.kind.name} model: it has no query to run`);
  const key = tableKey(definition.nameParts);
  const env = options.env;
  const rendered = renderQuery(model, {
    start: options.start,
    end: options.end ?? options.start,
    executionTime: options.executionTime,
    // @this_model reads the model's view in the environment.
    thisModel: [environmentSchema(key, env.name), splitKey(key).table],
    environment: env.name,
    variables: options.variables,
    pythonMacros: options.pythonMacros,
  });
  const renderError = rendered.diagnostics.find((d) => d.severity === 'error');
  if (renderError) {
    const at = { file: model.file, line: renderError.start.line, column: renderError.start.column };
    throw new QueryError(renderError.message, undefined, at, `${at.file}:${at.line}:${at.column}`);
  }
  // A model in another dialect runs as its DuckDB translation, whose map still points into the file.
  const translated = translateRendered(rendered, definition.dialect, model.file);
  const translationError = translated.diagnostics.find((d) => d.severity === 'error');
  if (translationError) {
    const at = { file: model.file, line: translationError.start.line, column: translationError.start.column };
    throw new QueryError(translationError.message, undefined, at, `${at.file}:${at.line}:${at.column}`);
  }
  const duckdb = translated.rendered;
  const part = options.part ?? { kind: 'model' };
  let label = definition.name;
  let cut = OffsetMap.identity(duckdb.sql);
  if (part.kind === 'selection') {
    const start = renderedOffsetOf(duckdb.sourceMap, part.start);
    const end = renderedOffsetOf(duckdb.sourceMap, part.end);
    if (duckdb.sql.slice(start, end).trim() === '') throw new SluiceError('the selection holds no query text');
    cut = new OffsetMapBuilder(duckdb.sql).copy(start, end).build();
    label = `selection in ${definition.name}`;
  } else if (part.kind === 'cte') {
    const cte = cteQueryAt(duckdb.sql, renderedOffsetOf(duckdb.sourceMap, part.offset));
    if (cte) {
      cut = cte.map;
      label = `CTE ${cte.name} in ${definition.name}`;
    } else if (!part.orModel) {
      throw new SluiceError(`the cursor is not inside a CTE of ${definition.name}`);
    }
  }
  const pointed = await pointAtEnvironment(cut.text, env);
  const locate = (offset: number): QuerySourcePosition => {
    const position = duckdb.sourceMap.toFilePosition(cut.toSource(pointed.toSource(offset)));
    return { file: model.file, line: position.line, column: position.column };
  };
  return { sql: pointed.text, label, locate };
}

/** The rendered-query offset of a model file offset (the inverse of the render's source map). */
export function renderedOffsetOf(map: SourceMap, fileOffset: number): number {
  let best = 0;
  for (const seg of map.segments) {
    if (fileOffset >= seg.fileStart && fileOffset < seg.fileEnd) return seg.kind === 'copy' ? seg.outStart + (fileOffset - seg.fileStart) : seg.outStart;
    if (seg.fileEnd <= fileOffset) best = seg.outEnd;
  }
  return best;
}

/** The model named `name` among parsed model files (enabled ones), or undefined. */
export function findModel(models: readonly ParsedModel[], name: string): ParsedModel | undefined {
  const wanted = tableKeyOfName(name.trim());
  return models.find((m) => m.definition && m.definition.enabled !== false && tableKey(m.definition.nameParts) === wanted);
}

/** The interval a model's @start_* / @end_* macros get when none is given: yesterday (UTC), as `sluice render`. */
export function yesterdayUtc(): string {
  return new Date(nowMs() - 86_400_000).toISOString().slice(0, 10);
}
