// The SQL model file format: parsing, macro rendering, discovery and external models.

export * from './types';
export { parseModelBlueprints, parseModelFile, type ParseOptions } from './parse';
export { renderQuery, renderForAnalysis, type RenderContext, type RenderedQuery, type MacroValue } from './render';
export { SourceMap, type SourceSegment } from './sourceMap';
export type { TimeInput } from './temporal';
export { discoverModels, listModelFiles, inferModelName, type DiscoverOptions } from './discover';
export { findDuplicateModels, modelKey } from './duplicates';
export {
  readExternalModels, parseExternalModels, writeExternalModels, mergeExternalModels, listExternalModelFiles,
  MANAGED_MARKER, type ExternalModelEntry, type ExternalModelInput, type ExternalModelsFile, type MergeOptions,
  type MergeResult,
} from './externalModels';
export { LineMap } from './position';
