// The model layer of a project: models as a graph with cross-model column lineage.

export { ModelProject, type ColumnLineageResult, type ModelProjectOptions, type UpdateResult } from './project';
export { readProjectInputs, type ProjectInputs } from './inputs';
export { readSourceSchemas, parseSourceSchema } from './sourceSchemas';
export { refreshExternalModels, externalModelsFor } from './externalBridge';
export { tableKey, tableKeyOfName, splitName, DEFAULT_SCHEMA } from './names';
export type { ColumnInfo, ProjectDiagnostic, ProjectModel, SourceColumnInfo, SourceTableInfo, TableInfo, TableKind } from './types';
