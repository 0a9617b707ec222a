// A model's own statements, run as SQLMesh runs them: pre-statements before its query and post-statements
// after it, in the same transaction, each time the model is created or evaluated (@runtime_stage says which);
// ON_VIRTUAL_UPDATE statements once the environment's views point at the new versions, with @this_model the
// view. Rendered from the stored model text like the query; a failing statement names its line and column.

import { SluiceError } from '../errors';
import type { EngineConnection } from '../engine';
import { inferModelName } from '../models/discover';
import type { ProjectMacros } from '../models/macroApi';
import { parseModelFile } from '../models/parse';
import { renderQuery } from '../models/render';
import type { ModelStatement, ParsedModel } from '../models/types';
import type { Interval, SnapshotRecord } from './types';

export type StatementRole = 'pre' | 'post' | 'virtual_update';

export interface StatementRun {
  environment: string;
  executionTimeMs: number;
  macros?: ProjectMacros;
  /** Name parts of the relation @this_model stands for (the physical table, or the environment's view). */
  thisModel: readonly string[];
  /** @runtime_stage: 'creating' when the table is made, 'evaluating' when the query fills it. */
  runtimeStage: 'creating' | 'evaluating';
  interval: Interval;
}

const LABEL: Record<StatementRole, string> = { pre: 'pre-statement', post: 'post-statement', virtual_update: 'ON_VIRTUAL_UPDATE statement' };

type ModelSource = Pick<SnapshotRecord, 'file' | 'modelText' | 'defaults'>;

/** Parsed stored model files, so a model's many batches parse it once (records are not changed once planned). */
const parsedRecords = new WeakMap<ModelSource, ParsedModel>();

/** The stored model file parsed again, as the query is (executionSql.ts). */
function parsedOf(record: ModelSource): ParsedModel {
  let parsed = parsedRecords.get(record);
  if (!parsed) {
    const inferredName = record.file.startsWith('models/') ? inferModelName(record.file.slice('models/'.length)) : undefined;
    parsed = parseModelFile(record.modelText, record.file, { defaults: record.defaults, inferredName });
    parsedRecords.set(record, parsed);
  }
  return parsed;
}

/** The pre- and post-statements as written, whitespace collapsed: a change to them changes the model's data. */
export function prePostTexts(record: ModelSource): string[] {
  return [...statementsOf(record, 'pre'), ...statementsOf(record, 'post')].map((st) => `${st.role}: ${st.text.replace(/\s+/g, ' ').trim()}`);
}

function statementsOf(record: ModelSource, role: StatementRole, parsed?: ParsedModel): ModelStatement[] {
  if (!record.modelText || record.file.endsWith('.py')) return [];
  return (parsed ?? parsedOf(record)).statements.filter((s) => s.role === role);
}

/** Renders and runs the model's statements of one role, in file order; the first failure stops them. */
export async function runModelStatements(wh: EngineConnection, record: SnapshotRecord, role: StatementRole, run: StatementRun): Promise<void> {
  if (!record.modelText || record.file.endsWith('.py')) return;
  const parsed = parsedOf(record);
  const statements = statementsOf(record, role, parsed);
  for (const statement of statements) {
    const where = `${record.file}:${statement.start.line}:${statement.start.column}`;
    const rendered = renderQuery({ ...parsed, query: statement.text, queryStart: statement.start, statements: [], diagnostics: [] }, {
      start: new Date(run.interval.startMs),
      end: new Date(run.interval.endMs),
      executionTime: new Date(run.executionTimeMs),
      thisModel: run.thisModel,
      environment: run.environment,
      variables: record.variables,
      macros: run.macros,
      runtimeStage: run.runtimeStage,
    });
    const error = rendered.diagnostics.find((d) => d.severity === 'error');
    if (error) throw new SluiceError(`model ${record.name} (${record.file}:${error.start.line}:${error.start.column}): ${LABEL[role]}: ${error.message}`);
    if (rendered.sql.trim() === '') continue; // a macro that rendered to nothing (e.g. an @IF whose condition is false)
    try {
      await wh.run(rendered.sql);
    } catch (err) {
      throw new SluiceError(`model ${record.name} (${where}): ${LABEL[role]} failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
}
