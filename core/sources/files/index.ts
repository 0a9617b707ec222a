// The file source: JSON Lines, JSON, CSV and Parquet files of the project as Sluice resources.

export { files } from './source';
export type { FileFormat, FileResourceConfig, FilesConfig } from './config';
