// Resolves the project a command works on: --project DIR, else the nearest project folder from the working
// directory up (sluice.yaml, or SQLMesh's config beside models/). Notes about its settings go to stderr once.
import { findProjectDir, loadProject, type Project } from '../project/config';

export function resolveProject(projectOption: string | undefined): Project {
  const project = loadProject(findProjectDir(projectOption ?? process.cwd()));
  for (const note of project.notes) process.stderr.write(`note: ${note}\n`);
  return project;
}
