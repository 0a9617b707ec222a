// `sluice format [PATHS...]`: rewrites the project's model files in the canonical layout (the editor's
// Format Document does the same). --check writes nothing, lists what would change and exits 1 if anything
// would, for CI. A file that does not read is left alone and reported as file:line:col: message.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { formatModelText, type FormatProblem } from '../../format/modelFormat';
import { listModelFiles } from '../../models/discover';
import { findProjectDir, loadProject } from '../../project/config';
import { CliFailure, printJson } from '../output';
import { displayPath } from './models';

interface FormatFlags {
  project?: string;
  check?: boolean;
  json?: boolean;
}

type FileStatus = 'formatted' | 'unchanged' | 'would_format' | 'error';

interface FileOutcome {
  file: string;
  status: FileStatus;
  problem?: FormatProblem;
}

export function registerFormat(program: Command): void {
  program
    .command('format')
    .description("lay out the project's model files: the MODEL block, then the query clause by clause")
    .argument('[paths...]', 'model files or folders (default: every file in models/)')
    .option('--check', 'write nothing; list the files that would change and exit 1 if there are any')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (paths: string[], flags: FormatFlags) => {
      // Without --project the project is the one holding the first path (or the working directory).
      const start = flags.project ?? (paths.length > 0 ? existingFolderOf(paths[0]) : process.cwd());
      const project = loadProject(findProjectDir(start));
      const files = await selectModelFiles(project.dir, paths);
      const outcomes: FileOutcome[] = [];
      for (const file of files) outcomes.push(await formatFile(file, flags.check === true));
      report(project.dir, outcomes, flags);
    });
}

/** The model files named by paths (files, or folders searched recursively); all of them when there are none. */
async function selectModelFiles(projectDir: string, paths: readonly string[]): Promise<string[]> {
  const all = await listModelFiles(projectDir);
  if (paths.length === 0) return all;
  const chosen = new Set<string>();
  for (const given of paths) {
    const target = path.resolve(given);
    const matches = all.filter((file) => file === target || file.startsWith(target + path.sep));
    if (matches.length === 0) {
      const modelsDir = displayPath(path.join(projectDir, 'models'));
      throw new CliFailure(`${given} is not a model file of the project, nor a folder holding one (model files are ${modelsDir}/**/*.sql)`, 2);
    }
    for (const file of matches) chosen.add(file);
  }
  return all.filter((file) => chosen.has(file));
}

function existingFolderOf(given: string): string {
  const target = path.resolve(given);
  return target.toLowerCase().endsWith('.sql') ? path.dirname(target) : target;
}

async function formatFile(file: string, check: boolean): Promise<FileOutcome> {
  const text = await fs.readFile(file, 'utf8');
  const result = formatModelText(text);
  if (!result.ok) return { file, status: 'error', problem: result.problem };
  if (!result.changed) return { file, status: 'unchanged' };
  if (check) return { file, status: 'would_format' };
  // Written beside the file and renamed over it, so an interrupted run never leaves half a model.
  const temporary = `${file}.sluice-format-${process.pid}`;
  await fs.writeFile(temporary, result.text);
  await fs.rename(temporary, file);
  return { file, status: 'formatted' };
}

function report(projectDir: string, outcomes: readonly FileOutcome[], flags: FormatFlags): void {
  const relative = (file: string) => path.relative(projectDir, file).split(path.sep).join('/');
  const count = (status: FileStatus) => outcomes.filter((o) => o.status === status).length;
  const changed = count(flags.check ? 'would_format' : 'formatted');
  const errors = count('error');
  for (const o of outcomes) {
    if (o.problem) process.stderr.write(`${displayPath(o.file)}:${o.problem.line}:${o.problem.column}: ${o.problem.message}\n`);
  }
  if (flags.json) {
    printJson({
      check: flags.check === true,
      files: outcomes.map((o) => ({
        file: relative(o.file),
        status: o.status,
        ...(o.problem ? { line: o.problem.line, column: o.problem.column, message: o.problem.message } : {}),
      })),
      changed,
      unchanged: count('unchanged'),
      errors,
    });
  } else {
    for (const o of outcomes) {
      if (o.status === 'formatted') process.stdout.write(`formatted ${relative(o.file)}\n`);
      else if (o.status === 'would_format') process.stdout.write(`would format ${relative(o.file)}\n`);
    }
    const total = outcomes.length;
    const files = `${total} model file${total === 1 ? '' : 's'}`;
    const done = flags.check ? `${changed} would be formatted` : `${changed} formatted`;
    const failed = errors > 0 ? `, ${errors} could not be read` : '';
    process.stdout.write(`${files}: ${done}, ${count('unchanged')} already formatted${failed}\n`);
  }
  if (errors > 0) throw new CliFailure(`${errors} model file${errors === 1 ? '' : 's'} could not be formatted`, 1);
  if (flags.check && changed > 0) throw new CliFailure(`${changed} model file${changed === 1 ? ' is' : 's are'} not formatted; run sluice format`, 1);
}
