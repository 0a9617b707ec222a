// `sluice models` lists the project's models with kind, upstream and downstream; `sluice render MODEL`
// prints a model's query with its macros expanded. Problems go to stderr as file:line:col: message.

import * as path from 'node:path';
import type { Command } from 'commander';
import { now } from '../../clock';
import { bindModelTypes } from '../../dag/modelTypes';
import { modelOptionsOf, ModelProject } from '../../dag/project';
import { SluiceError } from '../../errors';
import type { ProjectDiagnostic } from '../../dag/types';
import { discoverModels } from '../../models/discover';
import type { ParsedModel } from '../../models/types';
import { renderQuery } from '../../models/render';
import { findModel, yesterdayUtc } from '../../query/modelQuery';
import { closeSqlParser } from '../../sql/duckdbParser';
import { pathsOption, resolveProject } from '../context';
import { printRendered, renderDialect } from './renderDialect';
import { CliFailure, formatTable, printJson } from '../output';

interface ModelsFlags { project?: string; paths?: string[]; json?: boolean }
interface RenderFlags { project?: string; paths?: string[]; start?: string; end?: string; executionTime?: string; dialect?: string; json?: boolean }

/** Loads and analyses the project's models; the SQL parser is closed again by the caller via withModelProject. */
export async function withModelProject<T>(projectOption: string | undefined, paths: readonly string[] | undefined, task: (project: ModelProject) => Promise<T> | T): Promise<T> {
  const project = resolveProject(projectOption, paths);
  try {
    return await task(await ModelProject.load(project.dir, await modelOptionsOf(project)));
  } finally {
    await closeSqlParser();
  }
}

/** A path as the user should see it: relative to the working directory when it is below it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** Prints diagnostics on stderr, errors as `file:line:col: message`; returns how many errors there were. */
export function reportDiagnostics(diagnostics: readonly ProjectDiagnostic[]): number {
  let errors = 0;
  const printed = new Set<string>();
  for (const d of diagnostics) {
    const where = `${displayPath(d.file)}:${d.start.line}:${d.start.column}`;
    // The models a file's blueprints make share its problems (a syntax error): one line for them all.
    const line = `${where}\0${d.severity}\0${d.message}`;
    if (printed.has(line)) continue;
    printed.add(line);
    if (d.severity === 'error') errors++;
    process.stderr.write(d.severity === 'error' ? `${where}: ${d.message}\n` : `${where}: ${d.severity}: ${d.message}\n`);
  }
  return errors;
}

/** Exit 1 after the output when the project has errors (the output still covers everything else). */
export function failOnErrors(errors: number): void {
  if (errors > 0) throw new CliFailure(`${errors} error${errors === 1 ? '' : 's'} in the project's models`, 1);
}

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list models with their kind, the tables they read and the models reading them')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .addOption(pathsOption())
    .option('--json', 'print one JSON object')
    .action(async (flags: ModelsFlags) => {
      await withModelProject(flags.project, flags.paths, async (project) => {
        // Computed columns get their types from DuckDB's binder (only the JSON shows types).
        if (flags.json) await bindModelTypes(project);
        const models = project.models();
        const diagnostics = project.diagnostics();
        if (flags.json) {
          printJson({
            models: models.map((m) => ({
              name: m.key,
              kind: m.kind,
              file: path.relative(project.dir, m.file).split(path.sep).join('/'),
              upstream: m.upstream,
              downstream: m.downstream,
              columns: m.columns.map((c) => ({ name: c.name, type: c.type ?? null })),
              ...(m.description ? { description: m.description } : {}),
            })),
            diagnostics: diagnostics.map((d) => ({
              file: path.relative(project.dir, d.file).split(path.sep).join('/'),
              line: d.start.line,
              column: d.start.column,
              severity: d.severity,
              message: d.message,
            })),
          });
        } else if (models.length === 0) {
          process.stdout.write('No models in models/.\n');
        } else {
          const list = (xs: string[]) => (xs.length > 0 ? xs.join(', ') : '-');
          process.stdout.write(formatTable(['model', 'kind', 'upstream', 'downstream'], models.map((m) => [m.key, m.kind, list(m.upstream), list(m.downstream)])));
        }
        failOnErrors(reportDiagnostics(diagnostics));
      });
    });

  program
    .command('render')
    .description("print a model's query with macros expanded")
    .argument('<model>', 'model name, e.g. analytics.daily_revenue')
    .option('--start <time>', 'start of the interval (@start_*), default: yesterday (UTC)')
    .option('--end <time>', 'end of the interval (@end_*), default: the start')
    .option('--execution-time <time>', '@execution_* values, default: now')
    .option('--dialect <name>', 'SQL dialect to print: duckdb (default), postgres, bigquery or snowflake')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .addOption(pathsOption())
    .option('--json', 'print one JSON object')
    .action(async (name: string, flags: RenderFlags) => {
      const dialect = renderDialect(flags.dialect);
      const project = resolveProject(flags.project, flags.paths);
      const dir = project.dir;
      // With --paths, the folder defining the model gives its settings.
      let model: ParsedModel | undefined;
      let folder = project;
      const { macros } = await modelOptionsOf(project);
      for (const repo of [project, ...(project.repos ?? [])]) {
        model = findModel(await discoverModels(repo.dir, { defaults: repo.models.defaults, inferNames: repo.models.inferNames, macros }), name);
        folder = repo;
        if (model?.definition) break;
      }
      if (!model?.definition) throw new CliFailure(`no model named ${name} in ${displayPath(path.join(dir, 'models'))}`, 2);
      if (model.query.trim() === '') throw new CliFailure(`model ${model.definition.name} is a ${model.definition.kind.name} model: it has no query to render`, 2);
      const start = flags.start ?? yesterdayUtc();
      let rendered: ReturnType<typeof renderQuery>;
      try {
        rendered = renderQuery(model, { start, end: flags.end ?? start, executionTime: flags.executionTime ?? now(), thisModel: model.definition.nameParts, variables: folder.models.variables, macros });
      } catch (err) {
        // A --start/--end/--execution-time that is not a time.
        if (err instanceof SluiceError) throw new CliFailure(err.message, 2);
        throw err;
      }
      await printRendered(project, model, rendered, dialect, flags.json === true);
    });
}
