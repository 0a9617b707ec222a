// before_all / after_all (SQLMesh's config keys): SQL the project runs at the start and at the end of every
// apply and run. Macro variables are expanded (@this_env, the project's variables); a statement calling a
// macro function Sluice cannot evaluate is refused before anything runs, naming the statement.

import { SluiceError } from '../errors';
import type { ProjectMacros } from '../models/macroApi';
import { renderQuery, type MacroValue } from '../models/render';
import type { EngineConnection } from '../engine';

export interface ProjectStatements {
  beforeAll: string[];
  afterAll: string[];
}

export interface StatementContext {
  environment: string;
  variables?: Record<string, MacroValue>;
  macros?: ProjectMacros;
  /** The file the statements are written in, for messages. */
  configFile: string;
}

/** Expands the macro variables of before_all and after_all; throws naming the first statement that cannot be expanded. */
export function renderProjectStatements(statements: { beforeAll: readonly string[]; afterAll: readonly string[] }, context: StatementContext): ProjectStatements {
  const render = (list: readonly string[], key: string): string[] =>
    list.map((sql, i) => {
      const parsed = { file: context.configFile, defs: {}, defLocations: {}, query: sql, queryStart: { offset: 0, line: 1, column: 1 }, statements: [], diagnostics: [] };
      const rendered = renderQuery(parsed, { environment: context.environment, variables: context.variables, macros: context.macros, runtimeStage: 'evaluating' });
      const error = rendered.diagnostics.find((d) => d.severity === 'error');
      if (error) throw new SluiceError(`${context.configFile}: ${key}[${i}] (${abbreviate(sql)}): ${error.message}`);
      return rendered.sql;
    });
  return { beforeAll: render(statements.beforeAll, 'before_all'), afterAll: render(statements.afterAll, 'after_all') };
}

/** Runs statements in order; the first that fails stops them, with which one it was. */
export async function runProjectStatements(wh: EngineConnection, statements: readonly string[], key: 'before_all' | 'after_all', log?: (message: string) => void): Promise<void> {
  for (const [i, sql] of statements.entries()) {
    log?.(`${key}[${i}]: ${abbreviate(sql)}`);
    try {
      await wh.run(sql);
    } catch (err) {
      throw new SluiceError(`${key}[${i}] (${abbreviate(sql)}) failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
}

/** Runs after_all once the work is done: a failure is reported with the result, not thrown (the work stands). */
export async function runAfterAll(wh: EngineConnection, statements: readonly string[], log?: (message: string) => void): Promise<string | undefined> {
  try {
    await runProjectStatements(wh, statements, 'after_all', log);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function abbreviate(sql: string): string {
  const line = sql.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
