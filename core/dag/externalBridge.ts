// The ingest → transform bridge: after a load, the tables the source loaded are written to the project's
// external models file (SQLMesh's format), with their columns and DuckDB types, so models can read them
// and SQLMesh can load the project as it is. Entries a person wrote are left alone.

import * as path from 'node:path';
import { listExternalModelFiles, writeExternalModels, type ExternalModelInput, type MergeResult } from '../models/externalModels';
import { columnDuckdbType, type SourceSchema } from '../schema/types';
import { quoteIdent } from '../warehouse/quote';

/** One external model entry per table of the source: name `source.table`, columns in schema order. */
export function externalModelsFor(schema: SourceSchema): ExternalModelInput[] {
  return schema.tables.map((table) => ({
    name: `${sqlName(schema.name)}.${sqlName(table.name)}`,
    description: `Loaded by Sluice source ${schema.name} (resource ${table.resource})`,
    columns: Object.fromEntries(table.columns.map((c) => [c.name, columnDuckdbType(c)])),
  }));
}

/**
 * Writes or refreshes the source's entries in external_models.yaml (or the schema.yaml SQLMesh also
 * reads, when that is the file the project uses). Returns the file and the tables skipped because a
 * hand-written entry already describes them.
 */
export async function refreshExternalModels(projectDir: string, schema: SourceSchema): Promise<MergeResult & { file: string }> {
  const existing = (await listExternalModelFiles(projectDir)).find((f) => path.dirname(f) === path.resolve(projectDir));
  const file = existing ?? path.join(projectDir, 'external_models.yaml');
  const result = await writeExternalModels(file, externalModelsFor(schema));
  return { ...result, file };
}

/** Plain lower-case names stay bare; anything else is quoted so the name reads back as the same table. */
function sqlName(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteIdent(name);
}
