// sluice/startQuery, fetchQueryPage, exportQuery, cancelQuery, closeQuery and profileTable: the result grid's requests.
// Queries read a private copy of the warehouse (core/query/snapshot.ts), so an open result never holds the
// file: `sluice ingest` and `sluice apply` in a terminal, and this server's own runs, go ahead. Each query
// has its own connection and streams its rows; pages are read from DuckDB when asked for.

import fs from 'node:fs';
import path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { now } from '../../core/clock';
import { SluiceError } from '../../core/errors';
import { parseModelFile } from '../../core/models/parse';
import type { ProjectMacros } from '../../core/models/macroApi';
import type { MacroValue } from '../../core/models/render';
import type { ModelDefaults } from '../../core/models/defaults';
import type { ParsedModel } from '../../core/models/types';
import { CancelQuery, CloseQuery, ExportQuery, FetchQueryPage, ProfileTableRequest, StartQuery, type QueryPageResult } from '../../core/protocol';
import { openForQuery } from '../../core/query/access';
import { environmentViews, type EnvironmentViews } from '../../core/query/environment';
import { EXPORT_FORMATS, type ExportFormat } from '../../core/query/export';
import { prepareModelQuery, prepareSqlQuery, yesterdayUtc, type ModelPart, type PreparedQuery } from '../../core/query/modelQuery';
import { profileTable } from '../../core/query/profile';
import { QueryCancelled, QueryError } from '../../core/query/queryError';
import { QuerySession } from '../../core/query/session';
import { disposeSnapshots } from '../../core/query/snapshot';
import type { ModelIndex } from '../models/modelIndex';
import { onRequest } from '../rpc';
import type { WarehouseGate } from '../warehouse/gate';
import type { ProjectEntry } from '../workspace/projects';
import { toFilePath, toFileUri } from '../workspace/uri';

export interface QueryRequestDeps {
  models: ModelIndex;
  gate: WarehouseGate;
  projectOf(dir: unknown): Promise<ProjectEntry>;
  /** The open document of a uri, if any (its text may be ahead of the file). */
  document(uri: string): TextDocument | undefined;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 10_000;
/** Open results kept at most; the oldest is closed beyond. */
const MAX_OPEN = 16;

export function registerQueryRequests(connection: Connection, deps: QueryRequestDeps): { dispose(): Promise<void> } {
  const sessions = new Map<string, QuerySession>();

  const forget = async (queryId: string): Promise<boolean> => {
    const session = sessions.get(queryId);
    if (!session) return false;
    sessions.delete(queryId);
    await session.close();
    return true;
  };

  onRequest(connection, StartQuery.type, async (params, token): Promise<StartQuery.Result> => {
    const queryId = String(params.queryId ?? '');
    if (queryId === '') throw new SluiceError('startQuery needs a queryId');
    if (sessions.has(queryId)) throw new SluiceError(`a query with id ${queryId} is already open`);
    const started = performance.now();
    const { entry, prepare } = await queryTarget(deps, params);
    const warehouse = entry.info.warehouse;
    const session = new QuerySession({
      warehouse,
      prefer: 'snapshot',
      env: params.environment || undefined,
      writerInProcess: deps.gate.busy(warehouse),
      guard: (copy) => deps.gate.read(warehouse, copy),
      prepare,
    });
    sessions.set(queryId, session);
    while (sessions.size > MAX_OPEN) await forget(sessions.keys().next().value!);
    // A client may send no token (the request cannot be cancelled, CancelQuery still can).
    const onCancel = token?.onCancellationRequested(() => session.cancel());
    try {
      const begun = await session.start();
      const first = await session.page(0, pageSize(params.pageSize, DEFAULT_PAGE));
      return {
        status: 'ok',
        queryId,
        label: begun.label,
        environment: begun.env,
        access: begun.access,
        sql: begun.sql,
        columns: begun.columns,
        firstPage: { queryId, ...first },
        elapsedMs: Math.round(performance.now() - started),
      };
    } catch (err) {
      await forget(queryId);
      if (err instanceof QueryCancelled) return { status: 'cancelled', queryId };
      if (err instanceof QueryError) {
        const p = err.position;
        return { status: 'error', queryId, message: err.detail, location: p ? { uri: toFileUri(p.file), line: p.line - 1, character: p.column - 1 } : undefined };
      }
      if (err instanceof SluiceError) return { status: 'error', queryId, message: err.message };
      throw err;
    } finally {
      onCancel?.dispose();
    }
  });

  onRequest(connection, FetchQueryPage.type, async (params): Promise<QueryPageResult> => {
    const queryId = String(params.queryId ?? '');
    const session = sessions.get(queryId);
    if (!session) throw new SluiceError(`there is no open query ${queryId} (it was closed, or replaced by newer ones)`);
    const offset = Number(params.offset);
    if (!Number.isInteger(offset) || offset < 0) throw new SluiceError('offset must be a whole number of rows');
    return { queryId, ...(await session.page(offset, pageSize(params.count, DEFAULT_PAGE))) };
  });

  onRequest(connection, CancelQuery.type, async (params) => {
    const session = sessions.get(String(params.queryId ?? ''));
    if (!session) return { cancelled: false };
    session.cancel();
    return { cancelled: await forget(String(params.queryId)) };
  });

  onRequest(connection, ExportQuery.type, async (params): Promise<ExportQuery.Result> => {
    const queryId = String(params.queryId ?? '');
    const session = sessions.get(queryId);
    if (!session) throw new SluiceError(`there is no open query ${queryId} (it was closed, or replaced by newer ones)`);
    const format = params.format as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new SluiceError(`cannot export as '${String(params.format)}': the formats are ${EXPORT_FORMATS.join(', ')}`);
    const file = typeof params.path === 'string' ? params.path : '';
    if (!path.isAbsolute(file)) throw new SluiceError(`the export needs an absolute file path, got '${file}'`);
    return { path: file, rows: await session.export(format, file) };
  });

  onRequest(connection, CloseQuery.type, async (params) => ({ closed: await forget(String(params.queryId ?? '')) }));

  onRequest(connection, ProfileTableRequest.type, async (params) => {
    const warehouse = (await deps.projectOf(params.projectDir)).info.warehouse;
    return deps.gate.read(warehouse, async () => {
      const opened = await openForQuery(warehouse, { prefer: 'read-only' });
      try {
        return await profileTable(opened.warehouse, String(params.table ?? ''), await environmentViews(opened.warehouse, params.environment || undefined));
      } finally {
        opened.release();
      }
    });
  });

  return {
    dispose: async () => {
      await Promise.all([...sessions.keys()].map(forget));
      disposeSnapshots();
    },
  };
}

function pageSize(value: unknown, fallback: number): number {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < 0) throw new SluiceError('a page size must be a whole number of rows');
  return Math.min(n, MAX_PAGE);
}

/** The project and what to prepare, from the request's sql, model, or file with range or position. */
async function queryTarget(deps: QueryRequestDeps, params: StartQuery.Params): Promise<{ entry: ProjectEntry; prepare: (env: EnvironmentViews) => Promise<PreparedQuery> }> {
  if (typeof params.sql === 'string') {
    const sql = params.sql;
    return { entry: await deps.projectOf(params.projectDir), prepare: (env) => prepareSqlQuery(sql, env) };
  }
  if (typeof params.model === 'string') {
    const entry = await deps.projectOf(params.projectDir);
    const project = await deps.models.project(entry.info.dir);
    const model = project.preparedModel(params.model);
    if (!model?.parsed.definition) throw new SluiceError(`no model named ${params.model} in ${entry.info.name}`);
    return { entry, prepare: (env) => prepareModelQuery(model.parsed, { env, ...renderSettings(project.settings(), params.wholeRange ? model.parsed.definition?.start : undefined) }) };
  }
  const file = typeof params.uri === 'string' ? toFilePath(params.uri) : undefined;
  if (!file) throw new SluiceError('startQuery needs sql, model, or the uri of a model file');
  const found = await deps.models.projectForFile(file);
  if (!found || !deps.models.isModelFile(file)) throw new SluiceError(`${file} is not a model file of a Sluice project`);
  const document = deps.document(params.uri!) ?? TextDocument.create(params.uri!, 'sql', 0, await fs.promises.readFile(file, 'utf8'));
  const parsed = liveModel(found.project.preparedFile(file), document, file, found.project.settings());
  const part: ModelPart = params.range
    ? { kind: 'selection', start: document.offsetAt(params.range.start), end: document.offsetAt(params.range.end) }
    : params.position
      ? { kind: 'cte', offset: document.offsetAt(params.position), orModel: params.orModel === true }
      : { kind: 'model' };
  // An empty selection runs the whole model.
  const effective = part.kind === 'selection' && part.start === part.end ? ({ kind: 'model' } as const) : part;
  const from = params.wholeRange ? parsed.definition?.start : undefined;
  return { entry: found.entry, prepare: (env) => prepareModelQuery(parsed, { env, part: effective, ...renderSettings(found.project.settings(), from) }) };
}

/** The model as the editor shows it: the analysed version when it is current, else the document's text parsed now. */
function liveModel(prepared: { text: string; parsed: ParsedModel } | undefined, document: TextDocument, file: string, settings: { defaults?: ModelDefaults; macros?: ProjectMacros }): ParsedModel {
  const text = document.getText();
  if (prepared && prepared.text === text) return prepared.parsed;
  return parseModelFile(text, file, { defaults: settings.defaults, macros: settings.macros, inferredName: prepared?.parsed.definition?.nameParts });
}

/**
 * As `sluice query --model` renders: the project's variables, the interval of yesterday (UTC), now; or, from
 * `from` (the model's start, for wholeRange) until yesterday.
 */
function renderSettings(settings: { variables?: Record<string, MacroValue>; macros?: ProjectMacros }, from?: string): { variables?: Record<string, MacroValue>; macros?: ProjectMacros; start: string; end: string; executionTime: Date } {
  const yesterday = yesterdayUtc();
  return { variables: settings.variables, macros: settings.macros, start: from ?? yesterday, end: yesterday, executionTime: now() };
}
