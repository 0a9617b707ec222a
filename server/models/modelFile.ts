// Which model a file defines, in a loaded project. The file → model map is rebuilt only when the project
// analysed something since the last lookup.

import * as path from 'node:path';
import type { ModelProject } from '../../core/dag';
import type { PreparedModel } from '../../core/dag/prepare';

const cache = new WeakMap<ModelProject, { count: number; byFile: Map<string, string> }>();

/** The model key a file defines (the primary definition when several files use one name). */
export function modelKeyOfFile(project: ModelProject, file: string): string | undefined {
  let entry = cache.get(project);
  if (!entry || entry.count !== project.analysisCount) {
    const byFile = new Map<string, string>();
    for (const model of project.models()) byFile.set(model.file, model.key);
    entry = { count: project.analysisCount, byFile };
    cache.set(project, entry);
  }
  return entry.byFile.get(path.resolve(file));
}

/** The prepared model (parsed MODEL block, rendered and parsed query) of a file. */
export function preparedModelOfFile(project: ModelProject, file: string): PreparedModel | undefined {
  const key = modelKeyOfFile(project, file);
  return key ? project.preparedModel(key) : undefined;
}
