// sluice/lineage: picks the project, model and column the request is about (a model file and the cursor in
// it, or names) and builds the two graphs the lineage panel draws.

import * as path from 'node:path';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ModelProject } from '../../core/dag';
import { tableKeyOfName } from '../../core/dag/names';
import { SluiceError } from '../../core/errors';
import type { Lineage } from '../../core/protocol';
import { currentContext } from '../language/context';
import { targetAt } from '../language/cursor';
import { Locator } from '../language/locations';
import { modelKeyOfFile } from '../models/modelFile';
import type { ModelIndex } from '../models/modelIndex';
import type { ProjectEntry, ProjectIndex } from '../workspace/projects';
import { toFilePath, toFileUri } from '../workspace/uri';
import { columnGraph, DEFAULT_MAX_NODES, tableGraph } from './lineageGraph';

export interface LineageDeps {
  index: ProjectIndex;
  models: ModelIndex;
  document(uri: string): TextDocument | undefined;
}

export async function lineageRequest(deps: LineageDeps, params: Lineage.Params): Promise<Lineage.Result> {
  await deps.index.ready();
  const maxNodes = Number.isInteger(params.maxNodes) && params.maxNodes! > 0 ? params.maxNodes! : DEFAULT_MAX_NODES;
  let entry: ProjectEntry | undefined;
  let project: ModelProject | undefined;
  let model: string | undefined;
  let column: { table: string; column: string } | undefined;

  if (params.file) {
    const file = toFilePath(params.file);
    if (!file) throw new SluiceError(`not a file: ${params.file}`);
    const document = deps.document(toFileUri(file));
    const ctx = document ? await currentContext(deps.models, document) : undefined;
    if (ctx) {
      entry = ctx.entry;
      project = ctx.project;
      model = ctx.prepared?.key;
      if (params.position && ctx.prepared) {
        const target = targetAt(ctx.project, ctx.prepared, document!.offsetAt(params.position));
        if (target?.kind === 'output') column = { table: target.model, column: target.column };
        else if (target?.kind === 'column') column = target.base;
      }
    } else {
      const found = await deps.models.projectForFile(file);
      if (!found) throw new SluiceError(`${path.basename(file)} is not inside a Sluice project`);
      ({ entry, project } = found);
      model = modelKeyOfFile(found.project, file);
    }
  } else {
    entry = params.projectDir ? deps.index.projectAt(params.projectDir) : deps.index.projects().length === 1 ? deps.index.projects()[0] : undefined;
    if (!entry) throw new SluiceError(params.projectDir ? `no Sluice project at ${params.projectDir}` : 'say which project (projectDir): the workspace has several or none');
    project = await deps.models.project(entry.info.dir);
  }
  if (params.model) {
    model = tableKeyOfName(params.model);
    if (!model || !project.table(model)) throw new SluiceError(`no model or table ${params.model} in project ${entry.info.name}`);
    if (params.column) column = { table: model, column: params.column.toLowerCase() };
  }

  const locator = new Locator(project, entry.info.dir);
  const tables = await tableGraph(project, locator, model, maxNodes);
  const result: Lineage.Result = { project: entry.info.name, projectDir: entry.info.dir, models: tables.graph, truncated: tables.truncated };
  if (model) result.model = model;
  if (column) {
    const columns = await columnGraph(project, locator, column.table, column.column, maxNodes);
    result.column = `${column.table}.${column.column}`;
    result.columns = columns.graph;
    result.truncated ||= columns.truncated;
  } else if (model && project.model(model)) {
    const columns = await columnGraph(project, locator, model, undefined, maxNodes);
    result.columns = columns.graph;
    result.truncated ||= columns.truncated;
  }
  return result;
}
