// files(): resources read from files in the project (JSON Lines, JSON, CSV, Parquet). A rerun reads only
// files that are new or changed since the last load (by name and modification time); each row carries
// the name and modification time of its file.

import fs from 'node:fs';
import path from 'node:path';
import { DuckDBConnection } from '@duckdb/node-api';
import { SluiceError } from '../../errors';
import { describeThrown } from '../../ingest/extract/describe';
import { setPreparer } from '../../ingest/extract/prepare';
import type { ColumnHint, ResourceDef, SourceDef } from '../../ingest/types';
import { validateFilesConfig, type FileResourceConfig, type FilesConfig } from './config';
import { fileHints, readFile } from './readers';

export const FILE_NAME = '_file_name';
export const FILE_MODIFIED_AT = '_file_modified_at';

interface MatchedFile {
  /** Relative to the project, with forward slashes: what rows and state record. */
  name: string;
  absolute: string;
  modifiedAt: string;
}

export function files(input: FilesConfig): SourceDef {
  const config = validateFilesConfig(input);
  let projectDir: string | undefined;
  const source: SourceDef = {
    name: config.name,
    resources: config.resources.map((resource) => fileResource(config, resource, () => projectDir)),
  };
  // The project directory is known once an ingest starts; CSV and Parquet files give column types then too.
  setPreparer(source, async (target, ctx) => {
    projectDir = ctx.projectDir;
    for (const [index, resource] of config.resources.entries()) {
      if (resource.format !== 'csv' && resource.format !== 'parquet') continue;
      const [first] = await matchFiles(config.name, ctx.projectDir, resource);
      if (!first) continue;
      const hints = await fileHints(first.absolute, first.name, resource.format);
      target.resources[index].columns = { ...hints, ...target.resources[index].columns };
    }
  });
  return source;
}

function fileResource(config: FilesConfig, resource: FileResourceConfig, projectDir: () => string | undefined): ResourceDef {
  const columns: Record<string, ColumnHint> = { [FILE_NAME]: { dataType: 'text' }, [FILE_MODIFIED_AT]: { dataType: 'timestamp' } };
  const disposition = resource.write_disposition ?? (resource.primary_key ? 'merge' : 'append');
  const def: ResourceDef = {
    name: resource.name,
    columns,
    writeDisposition: disposition,
    async *rows(ctx) {
      const dir = projectDir();
      if (!dir) throw new SluiceError(`source "${config.name}": resource "${resource.name}" is read only by sluice ingest`);
      // Replacing a table needs every file each time; otherwise files already loaded unchanged are skipped.
      const loaded = disposition === 'replace' ? {} : ((ctx.state.files ?? {}) as Record<string, string>);
      const seen: Record<string, string> = {};
      for (const file of await matchFiles(config.name, dir, resource)) {
        seen[file.name] = file.modifiedAt;
        if (loaded[file.name] === file.modifiedAt) continue;
        ctx.log.debug(`reading ${file.name}`);
        for await (const page of readFile(file.absolute, file.name, resource.format)) {
          for (const item of page) {
            item[FILE_NAME] = file.name;
            item[FILE_MODIFIED_AT] = file.modifiedAt;
          }
          yield page;
        }
      }
      // Files that disappeared are forgotten: one that comes back is read again.
      ctx.state.files = seen;
    },
  };
  if (resource.primary_key) def.primaryKey = resource.primary_key;
  return def;
}

/** Files matching the resource's glob, sorted by name; DuckDB's glob() expands the pattern (** included). */
async function matchFiles(source: string, projectDir: string, resource: FileResourceConfig): Promise<MatchedFile[]> {
  const pattern = path.resolve(projectDir, resource.glob);
  const connection = await DuckDBConnection.create();
  let found: string[];
  try {
    const reader = await connection.runAndReadAll('SELECT file FROM glob($1) ORDER BY file', [pattern]);
    found = reader.getRowObjectsJS().map((r) => String(r.file));
  } catch (err) {
    throw new SluiceError(`source "${source}": resource "${resource.name}": cannot list ${resource.glob} (${describeThrown(err)})`);
  } finally {
    connection.closeSync();
  }
  return found.map((absolute) => ({
    absolute,
    name: path.relative(projectDir, absolute).split(path.sep).join('/'),
    modifiedAt: fs.statSync(absolute).mtime.toISOString(),
  }));
}
