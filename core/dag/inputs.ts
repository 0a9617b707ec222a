// What models read besides each other: tables declared in external model files and tables sources
// have loaded. Read once per load (and again when those files change), not on every keystroke.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { listExternalModelFiles, readExternalModels } from '../models/externalModels';
import { tableKeyOfName } from './names';
import { readSourceSchemas } from './sourceSchemas';
import type { ProjectDiagnostic, SourceTableInfo, TableInfo } from './types';

export interface ProjectInputs {
  /** Tables declared in external_models.yaml (and friends), keyed `schema.table`. The first declaration wins. */
  externals: TableInfo[];
  /** Tables sources loaded, from schemas/*.schema.yaml. */
  sources: SourceTableInfo[];
  /** Names of source modules in sources/ (to suggest an ingest when a schema is missing). */
  sourceModules: string[];
  diagnostics: ProjectDiagnostic[];
}

export async function readProjectInputs(projectDir: string): Promise<ProjectInputs> {
  const diagnostics: ProjectDiagnostic[] = [];
  const externals: TableInfo[] = [];
  const seen = new Set<string>();
  for (const file of await listExternalModelFiles(projectDir)) {
    const parsed = await readExternalModels(file);
    diagnostics.push(...parsed.diagnostics);
    for (const entry of parsed.entries) {
      const key = tableKeyOfName(entry.name);
      if (!key) {
        diagnostics.push({ file, message: `external model name ${entry.name} is not a table name (schema.table)`, start: entry.start, end: entry.end, severity: 'error' });
        continue;
      }
      // Entries for other gateways describe the same table elsewhere; the first one is enough for lineage.
      if (seen.has(key)) continue;
      seen.add(key);
      externals.push({
        key,
        kind: 'external',
        file,
        columns: Object.entries(entry.columns).map(([name, type]) => ({ name: name.toLowerCase(), type })),
      });
    }
  }
  const schemas = await readSourceSchemas(projectDir);
  diagnostics.push(...schemas.diagnostics);
  const moduleFiles = await fs.readdir(path.join(projectDir, 'sources')).catch(() => [] as string[]);
  const sourceModules = moduleFiles
    .filter((f) => /\.(ts|js|mjs|cjs|mts|cts)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.[^.]+$/, '').toLowerCase());
  return { externals, sources: schemas.tables, sourceModules, diagnostics };
}

export const NO_INPUTS: ProjectInputs = { externals: [], sources: [], sourceModules: [], diagnostics: [] };
