// The extract stage: load source modules and run their resources into batches of items.

export { discoverSources, loadSource, loadSourceByName, type DiscoveredSource } from './load';
export { Extraction, DEFAULT_BATCH_SIZE, type ExtractBatch, type ExtractOptions } from './extraction';
export { compareCursors } from './cursor';
export { maskSecrets } from './logger';
export { prepareSource, setPreparer, type PrepareContext, type SourcePreparer } from './prepare';
