// Resolves the project a command works on: --project DIR, else sluice.yaml from the working directory up.
import { findProjectDir, loadProject, type Project } from '../project/config';

export function resolveProject(projectOption: string | undefined): Project {
  return loadProject(findProjectDir(projectOption ?? process.cwd()));
}
