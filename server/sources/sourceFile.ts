// The source module a file on disk is: its project and its name, for requests that act on a source file.

import * as path from 'node:path';
import { SluiceError } from '../../core/errors';
import { discoverSources } from '../../core/ingest/extract';
import type { Project } from '../../core/project/config';
import type { ProjectEntry, ProjectIndex } from '../workspace/projects';
import { toFilePath } from '../workspace/uri';

export interface SourceFile {
  project: Project;
  name: string;
  file: string;
}

/** `action` words the refusal for a URI that is not a file, e.g. "run". */
export async function sourceOfFile(index: ProjectIndex, uri: string, action: string): Promise<SourceFile> {
  const file = toFilePath(uri);
  if (!file) throw new SluiceError(`cannot ${action} ${uri}: only files on disk can be run`);
  const entry = index.projectForFile(file);
  if (!entry) throw new SluiceError(`${file} is not inside a Sluice project (no sluice.yaml in its folder or above)`);
  const project = usableProject(entry);
  const match = (await discoverSources(project.dir)).find((s) => path.resolve(s.file) === file);
  if (!match) {
    throw new SluiceError(`${path.relative(project.dir, file)} is not a source module of project ${project.name}: sources are the .ts/.js files directly in sources/`);
  }
  return { project, name: match.name, file: match.file };
}

/** The entry's project, or the error that made its sluice.yaml unreadable. */
export function usableProject(entry: ProjectEntry): Project {
  if (!entry.project) throw new SluiceError(entry.info.error ?? `cannot read ${entry.configFile}`);
  return entry.project;
}
