// `sluice query "SQL"` and `sluice query --model NAME`: runs a query against an environment's views (default
// dev when it has been applied, else prod) and prints the first rows: a text table, CSV, or one JSON object
// {columns, rows, row_count, truncated, elapsed_ms}. The warehouse is opened read-only, or read from a copy
// while another process writes it (docs/query.md). Exit 1 on a query error, 2 on a usage error.

import type { Command } from 'commander';
import { now, nowMs } from '../../clock';
import { modelOptionsOf } from '../../dag/project';
import { SluiceError } from '../../errors';
import { discoverModels } from '../../models/discover';
import type { Project } from '../../project/config';
import { csvLine, isNumericType, typedCellText } from '../../query/format';
import { findModel, prepareModelQuery, prepareSqlQuery, yesterdayUtc, type PreparedQuery } from '../../query/modelQuery';
import type { EnvironmentViews } from '../../query/environment';
import { QueryError } from '../../query/queryError';
import { QuerySession } from '../../query/session';
import { disposeSnapshots } from '../../query/snapshot';
import type { QueryColumn, QueryResultJson, QueryValue } from '../../query/types';
import { closeSqlParser } from '../../sql/duckdbParser';
import { resolveProject } from '../context';
import { CliFailure, formatCount, formatTable, printJson } from '../output';
import { displayPath } from './models';

export const DEFAULT_LIMIT = 500;

interface QueryFlags {
  project?: string;
  model?: string;
  env?: string;
  limit?: string;
  json?: boolean;
  csv?: boolean;
  start?: string;
  end?: string;
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description("run a SQL query, or a model's query, against an environment's views and print the first rows")
    .argument('[sql]', 'the query; model names read the environment\'s views')
    .option('--model <name>', "run this model's query (macros rendered as apply renders them)")
    .option('--env <environment>', 'environment whose views are read (default: dev when applied, else prod)')
    .option('--limit <n>', `rows to print (default ${DEFAULT_LIMIT})`)
    .option('--json', 'print one JSON object: columns, rows, row_count, truncated, elapsed_ms')
    .option('--csv', 'print CSV (NULL is an empty field, empty text is "")')
    .option('--start <time>', "start of the interval a model's @start_* macros get (default: yesterday, UTC)")
    .option('--end <time>', 'end of that interval (default: the start)')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .action(async (sql: string | undefined, flags: QueryFlags) => {
      if ((sql === undefined) === (flags.model === undefined)) throw new CliFailure('give either a query or --model NAME', 2);
      if (flags.json && flags.csv) throw new CliFailure('--json and --csv cannot be used together', 2);
      const limit = parseLimit(flags.limit);
      const project = resolveProject(flags.project);
      const prepare = flags.model === undefined ? (env: EnvironmentViews) => prepareSqlQuery(sql!, env) : await modelPreparer(project, flags.model, flags);
      const session = new QuerySession({ warehouse: project.warehouse, prefer: 'read-only', env: flags.env, prepare });
      const t0 = nowMs();
      try {
        const started = await session.start();
        // One row more than the limit says whether there are more.
        const page = await session.page(0, limit + 1);
        const rows = page.rows.slice(0, limit);
        const result: QueryResultJson = {
          columns: started.columns,
          rows,
          row_count: rows.length,
          truncated: page.rows.length > limit,
          elapsed_ms: Math.round(nowMs() - t0),
        };
        if (flags.json) printJson(result);
        else if (flags.csv) process.stdout.write(csvLine(result.columns.map((c) => c.name)) + result.rows.map(csvLine).join(''));
        else process.stdout.write(textResult(result, started.env));
      } catch (err) {
        throw queryFailure(err);
      } finally {
        await session.close();
        disposeSnapshots();
        await closeSqlParser();
      }
    });
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new CliFailure(`--limit must be a whole number of rows, got '${text}'`, 2);
  return n;
}

async function modelPreparer(project: Project, name: string, flags: QueryFlags): Promise<(env: EnvironmentViews) => Promise<PreparedQuery>> {
  const options = await modelOptionsOf(project);
  const models = await discoverModels(project.dir, { defaults: project.models.defaults, inferNames: project.models.inferNames });
  const model = findModel(models, name);
  if (!model) throw new CliFailure(`no model named ${name} in ${displayPath(`${project.dir}/models`)}`, 2);
  const yesterday = yesterdayUtc();
  return (env) =>
    prepareModelQuery(model, {
      env,
      variables: options.variables,
      macros: options.macros,
      start: flags.start ?? yesterday,
      end: flags.end ?? flags.start ?? yesterday,
      executionTime: now(),
    });
}

/** Query errors exit 1 with one line naming the model file's line and column when there is one. */
function queryFailure(err: unknown): unknown {
  if (err instanceof QueryError) {
    const p = err.position;
    return new CliFailure(p ? `${displayPath(p.file)}:${p.line}:${p.column}: ${err.detail}` : err.message, 1);
  }
  if (err instanceof SluiceError) return new CliFailure(err.message, 1);
  return err;
}

/** Rows under their column names; numbers right-aligned, decimals with their scale, NULL as NULL. */
export function formatResultTable(columns: readonly QueryColumn[], rows: readonly QueryValue[][]): string {
  if (columns.length === 0) return '';
  const types = columns.map((c) => c.type);
  const cells = rows.map((row) => row.map((value, i) => typedCellText(value, types[i])));
  return formatTable(columns.map((c) => c.name), cells, types.map(isNumericType));
}

function textResult(result: QueryResultJson, env: string): string {
  const table = formatResultTable(result.columns, result.rows);
  const count = `${formatCount(result.row_count)} row${result.row_count === 1 ? '' : 's'}`;
  const more = result.truncated ? ` (more exist: --limit N shows more)` : '';
  return `${table}${count}${more} in ${formatCount(result.elapsed_ms)} ms, ${env}\n`;
}
