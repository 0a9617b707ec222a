export { analyzeQuery } from './analyze';
export { catalogFromSourceSchemas, catalogFromTables, combineCatalogs, emptyCatalog, qualifiedName } from './catalog';
export type { AnalyzeOptions, Catalog, ColumnLineage, ColumnRef, QualifiedName, QueryLineage } from './types';
