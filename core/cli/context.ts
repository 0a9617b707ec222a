// Resolves the project a command works on: --project DIR, else the nearest project folder from the working
// directory up (sluice.yaml, or SQLMesh's config beside models/). With --paths A B ..., several project
// folders are read as one project (SQLMesh's multi-repo projects): the first one's warehouse, gateways and
// state, each folder's models with its own settings. Notes about the settings go to stderr once.
import path from 'node:path';
import { Option } from 'commander';
import { findProjectDir, isProjectDir, loadProject, type Project } from '../project/config';
import { CliFailure } from './output';

export function resolveProject(projectOption: string | undefined, paths?: readonly string[]): Project {
  const project = paths && paths.length > 0 ? loadRepos(projectOption, paths) : loadProject(findProjectDir(projectOption ?? process.cwd()));
  for (const note of [project, ...(project.repos ?? [])].flatMap((p) => p.notes)) process.stderr.write(`note: ${note}\n`);
  return project;
}

/** --paths A B ...: the project folders a command reads as one project. */
export function pathsOption(): Option {
  return new Option('--paths <dirs...>', 'project folders read as one project (SQLMesh multi-repo); the first one holds the warehouse and state');
}

function loadRepos(projectOption: string | undefined, paths: readonly string[]): Project {
  if (projectOption !== undefined) throw new CliFailure('--project and --paths cannot be used together: list every folder with --paths', 2);
  const dirs = [...new Set(paths.map((p) => path.resolve(p)))];
  for (const dir of dirs) {
    if (!isProjectDir(dir)) throw new CliFailure(`${dir} is not a project folder: it has no sluice.yaml, nor SQLMesh's config.yaml / config.py beside models/`, 2);
  }
  const [main, ...repos] = dirs.map((dir) => loadProject(dir));
  if (repos.length === 0) return main;
  // As SQLMesh does, every folder's before_all / after_all run, the first folder's first.
  return {
    ...main,
    repos,
    beforeAll: [main, ...repos].flatMap((p) => p.beforeAll),
    afterAll: [main, ...repos].flatMap((p) => p.afterAll),
  };
}
