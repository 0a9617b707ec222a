// Change management for SQL models: fingerprints, plans, virtual environments, apply, run, janitor, diff.

export * from './types';
export { computePlan, environmentEntries, isIncremental, isStored, unifiedDiff, type ComputePlanOptions } from './plan';
export { describeModels, sha256, type DescribeOptions, type DescribedModels, type ModelDraft } from './fingerprint';
export { categorizeQueryChange, queryShape, addedPositions, type Categorization, type QueryShape } from './categorize';
export { normalizeAst, astText } from './normalize';
export {
  PROD, PHYSICAL_PREFIX, environmentName, environmentSchema, physicalSchema, physicalTable, physicalSql, viewRelation, viewSql, splitKey,
} from './names';
export { readPlanState, ensurePlanTables, emptyState, readEnvironments, readSnapshots, PLAN_FORMAT_VERSION } from './state';
export { applyPlan, rollbackEnvironment, type ApplyOptions, type ApplyResult } from './apply';
export { runEnvironment, type RunOptions, type RunResult } from './run';
export { runJanitor, type JanitorResult } from './janitor';
export { diffEnvironments, type TableDiff, type TableDiffOptions, type ColumnMatch } from './tableDiff';
export { planForEditor, type EditorPlan, type EditorPlanOptions, type EditorModelChange } from './editor';
export { formatPlan, changeLabel } from './format';
export { loadModels, openWarehouse, readStateOf, type LoadedModels } from './session';
export { acquireLock, withLock, type ApplyLock } from './lock';
export { AuditFailure } from './build';
export { executionQuery, type ExecutionContext } from './executionSql';
export { tableNameUses, rewriteTableNames, type TableNameUse } from './rewrite';
export {
  intervalUnit, dueRange, mergeIntervals, subtractIntervals, removeRange, batches, formatRange, floorToUnit, nextUnit, lastCronTick,
  type IntervalUnit,
} from './intervals';
