// The requests behind the Warehouse, Environments and Schemas views, registered in one place so the server
// wires them in a line. Reads open the warehouse read-only and close it at once; invalidating an
// environment writes, so it waits for nothing: a busy warehouse refuses it.

import type { Connection } from 'vscode-languageserver/node';
import { EnvironmentDiff, Environments, InvalidateEnvironment, PreviewTable, SourceSchemas, WarehouseCatalog } from '../../core/protocol';
import type { ModelIndex } from '../models/modelIndex';
import { onRequest } from '../rpc';
import { sourceSchemas } from '../sources/schemaView';
import { sourceModules } from '../sources/sourceFiles';
import type { ProjectEntry, ProjectIndex } from '../workspace/projects';
import { readCatalog } from './catalog';
import { environmentDiff, listEnvironments, removeEnvironment } from './environments';
import { DEFAULT_ENVIRONMENT_TTL_MS } from '../../core/plan/environments';
import type { WarehouseGate } from './gate';
import { OriginLookup } from './origins';
import { previewTable } from './preview';

export interface ViewRequestDeps {
  index: ProjectIndex;
  models: ModelIndex;
  gate: WarehouseGate;
  projectOf(dir: unknown): Promise<ProjectEntry>;
  /** The warehouse was written (plans read it again). */
  written(warehouse: string): void;
}

export function registerViewRequests(connection: Connection, deps: ViewRequestDeps): void {
  const { gate } = deps;
  onRequest(connection, WarehouseCatalog.type, async (params) => {
    const entry = await deps.projectOf(params.projectDir);
    return readCatalog(gate, entry.info.warehouse, { environments: [entry.info.environment], origins: await originsOf(deps, entry) });
  });
  onRequest(connection, Environments.type, async (params) => {
    const entry = await deps.projectOf(params.projectDir);
    const project = await deps.models.project(entry.info.dir).catch(() => undefined);
    return listEnvironments(gate, entry.info.warehouse, (key) => project?.model(key)?.file, entry.project?.environmentTtlMs ?? DEFAULT_ENVIRONMENT_TTL_MS);
  });
  onRequest(connection, EnvironmentDiff.type, async (params) => environmentDiff(gate, (await deps.projectOf(params.projectDir)).info.warehouse, params));
  onRequest(connection, InvalidateEnvironment.type, async (params) => {
    const warehouse = (await deps.projectOf(params.projectDir)).info.warehouse;
    try {
      return await removeEnvironment(gate, warehouse, params);
    } finally {
      deps.written(warehouse);
    }
  });
  onRequest(connection, PreviewTable.type, async (params) => previewTable(gate, (await deps.projectOf(params.projectDir)).info.warehouse, params));
  onRequest(connection, SourceSchemas.type, (params) => sourceSchemas({ index: deps.index, gate }, params));
}

/** What builds each table, from the analysed project and its sources (best effort: none when unknown). */
async function originsOf(deps: ViewRequestDeps, entry: ProjectEntry): Promise<OriginLookup> {
  const dir = entry.info.dir;
  const [project, inputs, modules] = await Promise.all([
    deps.models.project(dir).catch(() => undefined),
    deps.models.projectInputs(dir).catch(() => undefined),
    sourceModules(dir),
  ]);
  return new OriginLookup({
    project,
    sourceTables: inputs?.sources ?? [],
    sourceFiles: new Map(modules.map((m) => [m.name.toLowerCase(), m.file])),
  });
}
