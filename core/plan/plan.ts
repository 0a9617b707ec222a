// The plan: what a project's model files change in an environment, computed from the state read before
// (no DuckDB access here), so the CLI, the editor and tests share it.
//
// Every model gets a version, the physical table holding its data:
// - unchanged and metadata-only changes keep the environment's version;
// - added models and direct changes get a new one (rebuilt), unless a table with the same data fingerprint
//   was built before (then it is reused: that is how promoting dev to prod computes nothing);
// - models below a breaking change get a new one (rebuilt);
// - models below only non-breaking changes keep their version (no rebuild): their columns and rows are
//   what they were, since a non-breaking parent kept every column it had with the same rows. Two
//   exceptions are rebuilt: VIEW models whose parent moved to a new table (recreating a view costs nothing
//   and keeps it reading the parent's current table), and models whose own output columns changed (a
//   `SELECT *` picking up the new column).
// - forward-only models (forwardOnly.ts) keep their version through a change in prod, their table changed
//   in place; other environments preview such a change on a version of their own.

import { createTwoFilesPatch } from 'diff';
import { nowMs as clockMs } from '../clock';
import type { ModelProject } from '../dag/project';
import { orderGraph } from '../dag/graph';
import { tableKeyOfName } from '../dag/names';
import type { ProjectDiagnostic } from '../dag/types';
import { SluiceError } from '../errors';
import { isScd2 } from '../models/scd2';
import { prePostTexts } from './modelStatements';
import { addedPositions, categorizeQueryChange, type CategorizeMode, type QueryShape } from './categorize';
import { declaredColumnsReason } from './changedColumns';
import { describeModels, type DescribeOptions, type ModelDraft } from './fingerprint';
import {
  dataKind, DestructiveChangeError, describeDestructive, destructiveError, destructivePolicy, isForwardOnly, isPreviewVersion, previewRecord, previewVersion, sameTableKind,
} from './forwardOnly';
import { heldBackModels } from './heldBack';
import { childrenMap, columnChanges, descendants, downstreamColumnsInRecords } from './impact';
import {
  alignRange, dueRange, formatRange, intervalUnit, mergeIntervals, parseModelTime, removeRange, subtractIntervals,
} from './intervals';
import { environmentName, PROD, tableId } from './names';
import { canonicalModelText } from './renderedModel';
import type {
  BackfillEntry, ChangeCategory, ColumnImpact, EnvironmentEntry, Interval, Plan, PlanChange, PlannedModel, PlanOptions, PlanState,
  SnapshotRecord,
} from './types';

export interface ComputePlanOptions extends PlanOptions, DescribeOptions {
  /** Models described already (describeModels); computed from the project otherwise. */
  drafts?: ModelDraft[];
  /** Errors in the project: the models they belong to, and everything downstream, are left out of the plan. */
  errors?: readonly ProjectDiagnostic[];
  /**
   * Compare with this environment instead of the target's current state (a pull request's environment is
   * judged against prod however often it was applied). Models unchanged from it get its versions.
   */
  base?: string;
  /**
   * All or nothing: a destructive forward-only change stops the plan. Otherwise (with `errors` given, as the
   * CLI does without --strict) that model and its downstream are left out with the reason, like models with errors.
   */
  strict?: boolean;
}

const DAY = 86_400_000;

/** Kinds whose table is filled batch by batch, per interval of their cron (SCD type 2 too: each batch adds versions). */
export function isIncremental(kind: SnapshotRecord['kind']): boolean {
  return kind.name === 'INCREMENTAL_BY_TIME_RANGE' || kind.name === 'INCREMENTAL_BY_UNIQUE_KEY' || isWholeQueryIncremental(kind) || isScd2(kind);
}

/**
 * Incremental kinds whose query is not limited to an interval: however many intervals are due, a run
 * evaluates the query once (by partition: replaces the partitions it returns; unmanaged: appends its rows).
 */
export function isWholeQueryIncremental(kind: SnapshotRecord['kind']): boolean {
  return kind.name === 'INCREMENTAL_BY_PARTITION' || kind.name === 'INCREMENTAL_UNMANAGED';
}

/** Whether a kind is stored in the warehouse (EMBEDDED models are inlined into their readers). */
export function isStored(kind: SnapshotRecord['kind']): boolean {
  return kind.name !== 'EMBEDDED' && kind.name !== 'EXTERNAL';
}

interface Decision {
  change?: PlanChange['change'];
  category?: ChangeCategory;
  reason: string;
  version: string;
  /** Data differs from the base version (the model's readers see a change). */
  dataChanged: boolean;
  /** The change may alter existing columns or rows of readers. */
  breaking: boolean;
  /** A forward-only change (forwardOnly.ts): the table kept and changed in place, or a preview of it. */
  forwardOnly?: 'in_place' | 'preview';
  /** --allow-destructive-model names the model: its forward-only change may drop or retype columns. */
  allowDestructive?: boolean;
}

/** What forward-only decisions depend on besides the model. */
interface ForwardOnlyContext {
  environment: string;
  /** plan --forward-only. */
  plan: boolean;
  /** --allow-destructive-model: whether the model's destructive changes are allowed whatever its kind says. */
  allowsDestructive: (model: string) => boolean;
}

export function computePlan(state: PlanState, project: ModelProject, environment: string, options: ComputePlanOptions = {}): Plan {
  const env = environmentName(environment);
  const nowMs = options.now === undefined ? clockMs() : new Date(options.now).getTime();
  const target = state.environments.get(env);
  const baseEnv = options.base !== undefined ? state.environments.get(environmentName(options.base)) : target ?? state.environments.get(PROD);
  const baseRecords = new Map<string, SnapshotRecord>();
  for (const entry of baseEnv?.snapshots ?? []) {
    const record = state.snapshots.get(entry.fingerprint);
    if (record) baseRecords.set(entry.name, record);
  }
  const heldBack = heldBackModels(project, options.errors ?? [], baseRecords);
  const held = new Set(heldBack.map((h) => h.model));
  let drafts = (options.drafts ?? describeModels(project, options).drafts).filter((d) => !held.has(d.name));
  const builtVersions = new Map<string, string>();
  const storedVersions = new Set<string>();
  for (const s of state.stored.values()) {
    // A preview holds a sample: no other plan takes it for the version's data.
    if (!isPreviewVersion(s.version)) builtVersions.set(`${s.name}@${s.dataFingerprint}`, s.version);
    storedVersions.add(tableId(s.name, s.version));
  }

  const decisions = new Map<string, Decision>();
  const forward: ForwardOnlyContext = { environment: env, plan: options.forwardOnly === true, allowsDestructive: modelMatcher(options.allowDestructive ?? []) };
  const perModel = options.errors !== undefined && options.strict !== true;
  for (const draft of drafts) {
    const heldParent = draft.parents.find((p) => held.has(p));
    if (heldParent !== undefined) {
      // Upstream of it, a destructive change was left out (drafts come upstream first).
      held.add(draft.name);
      heldBack.push({ model: draft.name, reason: `reads ${heldParent}, which is left out`, upstream: heldParent, kept: baseRecords.has(draft.name) });
      continue;
    }
    const decision = decide(draft, baseRecords, decisions, builtVersions, options.categorize ?? 'sqlmesh');
    try {
      decisions.set(draft.name, forwardOnlyDecision(decision, draft, baseRecords.get(draft.name), decisions, forward));
    } catch (err) {
      if (!perModel || !(err instanceof DestructiveChangeError)) throw err;
      held.add(draft.name);
      heldBack.push({ model: draft.name, reason: err.message, file: draft.file, kept: true });
    }
  }
  drafts = drafts.filter((d) => !held.has(d.name));

  const restated = restatedModels(options.restate, drafts, nowMs);
  const backfillRange = limitedBackfill(options.backfillRange, env, nowMs);
  const baseList = [...baseRecords.values()];
  const children = childrenMap(drafts);
  const models: PlannedModel[] = [];
  const changes: PlanChange[] = [];
  const backfill: BackfillEntry[] = [];
  for (const draft of drafts) {
    const decision = decisions.get(draft.name)!;
    const { queryTree: _tree, ...stored } = draft;
    const old = baseRecords.get(draft.name);
    let record: SnapshotRecord = { ...stored, version: decision.version };
    if (isPreviewVersion(decision.version)) {
      // A preview kept from an earlier plan keeps its start; a new one starts at the last interval.
      record = previewRecord(record, env, nowMs, old?.version === decision.version ? old.start : undefined);
    }
    const built = storedVersions.has(tableId(draft.name, decision.version));
    const planned: PlannedModel = {
      record,
      action: !isStored(record.kind) ? 'none' : built ? 'reuse' : 'build',
      isNewSnapshot: !state.stored.has(record.fingerprint),
      missing: [],
      auditReused: decision.change === 'metadata' && built && record.audits.length > 0,
      restate: false,
    };
    if (decision.forwardOnly === 'in_place') planned.migrate = true;
    if (decision.allowDestructive) planned.allowDestructive = true;
    // An SCD type 2 table's history, or an unmanaged table's earlier rows, cannot be computed again: they are never reprocessed.
    const restateRange = isScd2(record.kind) || record.kind.name === 'INCREMENTAL_UNMANAGED' ? undefined : restated.get(draft.name);
    if (isIncremental(record.kind)) {
      let processed = planned.action === 'build' ? [] : state.intervals.get(tableId(record.name, record.version)) ?? [];
      if (restateRange) processed = removeRange(processed, alignRange(restateRange, intervalUnit(record)));
      planned.missing = subtractIntervals(limitRange(dueRange(record, nowMs), backfillRange), processed);
      if (planned.missing.length > 0) backfill.push({ model: record.name, intervals: mergeIntervals(planned.missing).map(formatRange) });
    } else if (restateRange && planned.action === 'reuse' && (record.kind.name === 'FULL' || record.kind.name === 'SEED' || (record.kind.name === 'VIEW' && record.kind.materialized))) {
      planned.restate = true;
      backfill.push({ model: record.name, intervals: [formatRange(alignRange(restateRange, 'day'))] });
    }
    models.push(planned);
    if (decision.change) {
      const change = describeChange(project, draft, old, decision, planned, children, baseList);
      if (decision.forwardOnly) change.forward_only = decision.forwardOnly;
      // An SCD type 2 table rebuilt (its kind's options changed, or forward_only false): say what that costs.
      if (old && isScd2(old.kind) && planned.action === 'build' && !decision.forwardOnly) change.reason += `; the new table's history starts over from the query's rows as they are now (the current table keeps its history)`;
      changes.push(change);
    }
  }

  // A model left out keeps the version the environment shows; one the environment lacks stays out of it.
  const kept = [...baseRecords.values()].filter((record) => held.has(record.name));
  for (const record of kept) {
    models.push({ record, action: isStored(record.kind) ? 'reuse' : 'none', isNewSnapshot: false, missing: [], auditReused: false, restate: false });
  }
  if (kept.length > 0) sortUpstreamFirst(models);

  const present = new Set([...drafts.map((d) => d.name), ...held]);
  const removed = [...baseRecords.keys()].filter((name) => !present.has(name)).sort();
  const baseChildren = childrenMap(baseList);
  for (const name of removed) {
    const old = baseRecords.get(name)!;
    changes.push({
      model: name,
      change: 'removed',
      category: 'breaking',
      diff: unifiedDiff(old.file, old.file, old.modelText, ''),
      columns: { added: [], removed: old.columns.map((c) => c.name), retyped: [] },
      impacted: descendants(baseChildren, name),
      column_impact: old.columns.map((c) => ({ column: c.name, change: 'removed' as const, downstream: downstreamColumnsInRecords(baseList, name, c.name) })),
      reason: 'the model file is gone',
      rebuild: false,
      rendered_diff: unifiedDiff(old.file, old.file, canonicalModelText(old.modelText), ''),
    });
  }

  const expected: Record<string, string> = {};
  for (const entry of target?.snapshots ?? []) expected[entry.name] = entry.fingerprint;
  const empty = target !== undefined && changes.length === 0 && backfill.length === 0 && models.every((m) => m.action !== 'build');
  return { environment: env, base: baseEnv?.name ?? null, nowMs, changes, backfill, models, removed, expected, empty, heldBack };
}

/** Orders planned models so each comes after the models it reads (kept versions joined the planned ones). */
function sortUpstreamFirst(models: PlannedModel[]): void {
  const byName = new Map(models.map((m) => [m.record.name, m]));
  const { order } = orderGraph(byName.keys(), (name) => byName.get(name)!.record.parents);
  models.splice(0, models.length, ...order.map((name) => byName.get(name)!));
}

function decide(
  draft: ModelDraft, base: ReadonlyMap<string, SnapshotRecord>, decided: ReadonlyMap<string, Decision>, built: ReadonlyMap<string, string>, mode: CategorizeMode,
): Decision {
  const old = base.get(draft.name);
  const existing = built.get(`${draft.name}@${draft.dataFingerprint}`);
  const fresh = existing ?? draft.dataFingerprint;
  const changedParents = draft.parents.filter((p) => decided.get(p)?.dataChanged);
  const parentBreaking = changedParents.some((p) => decided.get(p)!.breaking);
  if (!old) return { change: 'added', category: 'breaking', reason: 'a new model', version: fresh, dataChanged: true, breaking: true };
  if ((old.previewOf ?? old.fingerprint) === draft.fingerprint) return { reason: 'unchanged', version: old.version, dataChanged: false, breaking: false };
  if (old.dataFingerprint === draft.dataFingerprint) {
    return { change: 'metadata', category: 'metadata', reason: 'only metadata changed (description, owner, cron, tags, grain, audits, start/end)', version: old.version, dataChanged: false, breaking: false };
  }
  if (old.dataHash !== draft.dataHash && sameDefinition(old, draft)) {
    // Hashed by an older Sluice (whose data hash still counted batch_size): nothing that decides the rows changed.
    return { change: 'metadata', category: 'metadata', reason: 'the definition is unchanged (its data hash was computed by an older Sluice)', version: old.version, dataChanged: false, breaking: false };
  }
  if (old.dataHash !== draft.dataHash) {
    const own = categorizeDirect(old, draft, mode);
    const breaking = own.category === 'breaking' || parentBreaking;
    const reason = own.category === 'non_breaking' && parentBreaking ? `${own.reason}; an upstream change is breaking` : own.reason;
    return { change: 'directly_modified', category: own.category, reason, version: fresh, dataChanged: true, breaking };
  }
  // Only parents changed.
  const names = (cols: readonly { name: string }[]) => cols.map((c) => c.name);
  const columnsChanged = names(old.columns).join('\u0000') !== names(draft.columns).join('\u0000');
  if (parentBreaking) {
    return { change: 'indirectly_modified', category: 'breaking', reason: `upstream breaking change (${changedParents.join(', ')})`, version: fresh, dataChanged: true, breaking: true };
  }
  // A materialized view is rebuilt below any change, as SQLMesh does: its data is computed from its parents'.
  if (draft.kind.name === 'VIEW' && draft.kind.materialized) {
    return { change: 'indirectly_modified', category: 'breaking', reason: `a materialized view over a changed parent (${changedParents.join(', ')}) is rebuilt`, version: fresh, dataChanged: true, breaking: true };
  }
  if (columnsChanged) {
    const additive = addedPositions(names(old.columns), names(draft.columns)) !== undefined;
    return {
      change: 'indirectly_modified',
      category: additive ? 'non_breaking' : 'breaking',
      reason: additive ? 'its output gained the columns added upstream' : 'its output columns changed with the upstream change',
      version: fresh,
      dataChanged: true,
      breaking: !additive,
    };
  }
  // A view reads its parents' tables by name: when one of them moved to a new table, it is recreated.
  const parentMoved = draft.parents.some((p) => {
    const before = base.get(p);
    const now = decided.get(p);
    return !before || !now || before.version !== now.version || (before.kind.name === 'EMBEDDED' && now.dataChanged);
  });
  const recreate = draft.kind.name === 'VIEW' && !draft.kind.materialized && parentMoved;
  return {
    change: 'indirectly_modified',
    category: 'non_breaking',
    reason: recreate ? 'upstream non-breaking change; the view is recreated over the new parent' : 'upstream non-breaking change; its table is reused',
    version: recreate ? fresh : existing ?? old.version,
    dataChanged: true,
    breaking: false,
  };
}

/**
 * Turns a decision to build a new table into a forward-only one when the model is forward-only: prod keeps
 * the table and changes it in place, another environment previews the change on a table of its own. A model
 * built over a preview is a preview too (its data comes from a sample).
 */
function forwardOnlyDecision(decision: Decision, draft: ModelDraft, old: SnapshotRecord | undefined, decided: ReadonlyMap<string, Decision>, ctx: ForwardOnlyContext): Decision {
  const newTable = decision.change !== undefined && decision.change !== 'added' && decision.version !== old?.version;
  if (!old || !newTable) return decision;
  const preview = { ...decision, version: previewVersion(draft.dataFingerprint, ctx.environment) };
  if (!isForwardOnly(draft.kind, ctx.plan) || !isStored(old.kind) || !sameTableKind(old.kind, draft.kind)) {
    return draft.parents.some((p) => decided.get(p)?.forwardOnly === 'preview') ? { ...preview, forwardOnly: 'preview', reason: `${decision.reason}; built over a forward-only preview upstream` } : decision;
  }
  const columns = columnChanges(old.columns, draft.columns);
  const destructive = describeDestructive({ dropped: columns.removed, retyped: columns.retyped });
  const allowed = destructive !== undefined && ctx.allowsDestructive(draft.name);
  const policy = allowed ? 'allow' : destructivePolicy(draft.kind);
  if (destructive && policy === 'error') throw destructiveError(draft, destructive, ctx.plan && !isForwardOnly(draft.kind, false));
  const schema = [
    columns.added.length > 0 ? `column${columns.added.length === 1 ? '' : 's'} ${columns.added.join(', ')} added (NULL in existing rows)` : '',
    destructive ? `${policy === 'ignore' ? 'kept as they are although it ' : ''}${destructive} (${allowed ? '--allow-destructive-model' : `on_destructive_change ${policy}`})` : '',
  ].filter((part) => part !== '').join('; ');
  const next = draft.kind.name === 'FULL' ? 'its next refresh uses the new query' : 'only intervals processed from now on use the new query';
  if (ctx.environment === PROD) {
    const reason = `forward-only, no rebuild: the table is kept${schema ? ` with ${schema}` : ''}; ${next}; ${decision.reason}`;
    return { ...decision, version: old.version, breaking: false, forwardOnly: 'in_place', reason, ...(allowed ? { allowDestructive: true } : {}) };
  }
  const reason = `forward-only: previewed in ${ctx.environment} on a table of its own over its last interval; prod's table is changed in place only when this is applied to prod${schema ? `, ${schema}` : ''}; ${decision.reason}`;
  return { ...preview, breaking: false, forwardOnly: 'preview', reason, ...(allowed ? { allowDestructive: true } : {}) };
}

/** Whether a model name matches one of the names or globs (`*`, `?`), case-insensitively, as SQLMesh's model selectors do. */
function modelMatcher(patterns: readonly string[]): (model: string) => boolean {
  const regexes = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i'));
  return (model) => regexes.some((r) => r.test(model));
}

/** Same query tree, kind and declared columns: every input of the data hash (a seed's content aside). */
function sameDefinition(old: SnapshotRecord, draft: ModelDraft): boolean {
  if (old.queryShape === undefined || draft.queryShape === undefined || draft.kind.name === 'SEED') return false;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return sameQuery(old.queryShape, draft.queryShape) && same(dataKind(old.kind), dataKind(draft.kind)) && same(old.declaredColumns ?? null, draft.declaredColumns ?? null)
    && same(prePostTexts(old), prePostTexts(draft));
}

/** The same query tree: its body and select list (shapes stored by older versions lack the CTE fields). */
function sameQuery(a: QueryShape | undefined, b: QueryShape | undefined): boolean {
  return a !== undefined && b !== undefined && a.select === b.select && a.body === b.body && a.items.join() === b.items.join();
}

const INCREMENTAL_KINDS = new Set(['INCREMENTAL_BY_TIME_RANGE', 'INCREMENTAL_BY_UNIQUE_KEY']);

function categorizeDirect(old: SnapshotRecord, draft: ModelDraft, mode: CategorizeMode): { category: 'breaking' | 'non_breaking'; reason: string } {
  if (old.kind.name === 'SEED' && draft.kind.name === 'SEED') {
    if (mode === 'sqlmesh' && seedColumnsAdded(old, draft)) return { category: 'non_breaking', reason: 'only new seed columns were added; the other values are unchanged' };
    return { category: 'breaking', reason: 'the seed data or its CSV settings changed' };
  }
  if (JSON.stringify(dataKind(old.kind)) !== JSON.stringify(dataKind(draft.kind))) {
    const unchangedQuery = sameQuery(old.queryShape, draft.queryShape) && JSON.stringify(old.declaredColumns ?? []) === JSON.stringify(draft.declaredColumns ?? []);
    // SQLMesh: switching between the incremental kinds over the same query changes how rows are written, not which.
    if (mode === 'sqlmesh' && unchangedQuery && old.kind.name !== draft.kind.name && INCREMENTAL_KINDS.has(old.kind.name) && INCREMENTAL_KINDS.has(draft.kind.name)) {
      return { category: 'non_breaking', reason: `the kind changed (${old.kind.name} → ${draft.kind.name}) over the same query` };
    }
    return { category: 'breaking', reason: old.kind.name === draft.kind.name ? `the ${draft.kind.name} options changed` : `the kind changed (${old.kind.name} → ${draft.kind.name})` };
  }
  const oldDeclared = (old.declaredColumns ?? []).map((c) => c.join(' '));
  const newDeclared = (draft.declaredColumns ?? []).map((c) => c.join(' '));
  if (addedPositions(oldDeclared, newDeclared) === undefined) {
    return { category: 'breaking', reason: declaredColumnsReason(old.declaredColumns ?? [], draft.declaredColumns ?? []) };
  }
  if (!old.queryShape || draft.queryTree === undefined) return { category: 'breaking', reason: 'the query changed' };
  if (sameQuery(old.queryShape, draft.queryShape)) {
    return oldDeclared.length === newDeclared.length ? { category: 'breaking', reason: 'a data-affecting property changed' } : { category: 'non_breaking', reason: 'only declared columns were added' };
  }
  return categorizeQueryChange(old.queryShape, draft.queryTree, { before: old.columns, after: draft.columns }, mode);
}

/** The new seed has the old one's columns, in order, with the same values, plus new columns; CSV settings unchanged. */
function seedColumnsAdded(old: SnapshotRecord, draft: ModelDraft): boolean {
  if (!old.seedShape || !draft.seedShape || old.kind.name !== 'SEED' || draft.kind.name !== 'SEED') return false;
  if (JSON.stringify(old.kind.csvSettings ?? {}) !== JSON.stringify(draft.kind.csvSettings ?? {})) return false;
  if (JSON.stringify(old.declaredColumns ?? []) !== JSON.stringify((draft.declaredColumns ?? []).slice(0, (old.declaredColumns ?? []).length))) return false;
  const before = old.seedShape.columns.map((c, i) => `${c}\u0000${old.seedShape!.values[i]}`);
  const after = draft.seedShape.columns.map((c, i) => `${c}\u0000${draft.seedShape!.values[i]}`);
  const added = addedPositions(before, after);
  return added !== undefined && added.length > 0;
}

function describeChange(
  project: ModelProject,
  draft: ModelDraft,
  old: SnapshotRecord | undefined,
  decision: Decision,
  planned: PlannedModel,
  children: ReadonlyMap<string, readonly string[]>,
  baseRecords: readonly SnapshotRecord[],
): PlanChange {
  const change = decision.change!;
  const metadataOnly = change === 'metadata';
  const cols = metadataOnly ? { added: [], removed: [], retyped: [], types: new Map<string, [string, string]>() } : columnChanges(old?.columns ?? [], draft.columns);
  const impact: ColumnImpact[] = [];
  const lineageDownstream = (column: string) => project.downstream(draft.name, column).map((d) => d.column).sort();
  for (const column of cols.added) impact.push({ column, change: 'added', downstream: lineageDownstream(column) });
  for (const column of cols.retyped) {
    const [from, to] = cols.types.get(column)!;
    impact.push({ column, change: 'retyped', from, to, downstream: lineageDownstream(column) });
  }
  for (const column of cols.removed) {
    // The project no longer traces a removed column; the environment's stored lineage still knows its readers.
    impact.push({ column, change: 'removed', downstream: downstreamFromProjectOrRecords(project, draft.name, column, baseRecords) });
  }
  const direct = change !== 'indirectly_modified';
  const diff = direct ? unifiedDiff(old?.file ?? draft.file, draft.file, old?.modelText ?? '', draft.modelText) : '';
  const renderedDiff = direct ? unifiedDiff(old?.file ?? draft.file, draft.file, old ? canonicalModelText(old.modelText) : '', canonicalModelText(draft.modelText)) : '';
  return {
    model: draft.name,
    change,
    category: decision.category!,
    diff,
    columns: { added: cols.added, removed: cols.removed, retyped: cols.retyped },
    impacted: metadataOnly ? [] : descendants(children, draft.name),
    column_impact: impact,
    reason: decision.reason,
    rebuild: planned.action === 'build',
    rendered_diff: renderedDiff,
  };
}

/** Readers of a removed column: models whose analysis still names it as a source (it shows as an error there). */
function downstreamFromProjectOrRecords(project: ModelProject, model: string, column: string, records: readonly SnapshotRecord[]): string[] {
  const fromProject = project.downstream(model, column).map((d) => d.column);
  const fromRecords = downstreamColumnsInRecords(records, model, column);
  return [...new Set([...fromProject, ...fromRecords])].sort();
}

export function unifiedDiff(oldFile: string, newFile: string, oldText: string, newText: string): string {
  if (oldText === newText) return '';
  const patch = createTwoFilesPatch(`a/${oldFile}`, `b/${newFile}`, oldText, newText, undefined, undefined, { context: 3 });
  // jsdiff starts with a line of "=" signs; a unified diff starts at the file names.
  return patch.replace(/^=+\n/, '');
}

/** --start/--end of a dev plan as a range (a date end includes its day); prod is always backfilled whole. */
function limitedBackfill(range: PlanOptions['backfillRange'], env: string, nowMs: number): Interval | undefined {
  if (!range || (range.start === undefined && range.end === undefined)) return undefined;
  if (env === PROD) throw new SluiceError('--start/--end limit the backfill of a dev environment; prod is always backfilled in full (use --restate MODEL to reprocess a range)');
  const start = range.start === undefined ? -Infinity : parseModelTime(range.start, '--start', nowMs).ms;
  const end = range.end === undefined ? Infinity : (() => {
    const t = parseModelTime(range.end!, '--end', nowMs);
    return t.dateOnly ? t.ms + DAY : t.ms;
  })();
  if (end <= start) throw new SluiceError(`--end ${range.end} is before --start ${range.start}`);
  return { startMs: start, endMs: end };
}

function limitRange(due: Interval, limit: Interval | undefined): Interval {
  if (!limit) return due;
  const startMs = Math.max(due.startMs, limit.startMs);
  return { startMs, endMs: Math.max(startMs, Math.min(due.endMs, limit.endMs)) };
}

/** The restated model and everything downstream of it, each with the range to reprocess. */
function restatedModels(restate: PlanOptions['restate'], drafts: readonly ModelDraft[], nowMs: number): Map<string, Interval> {
  const out = new Map<string, Interval>();
  if (!restate) return out;
  const start = parseModelTime(restate.start, 'restatement start', nowMs);
  const end = parseModelTime(restate.end, 'restatement end', nowMs);
  const range: Interval = { startMs: start.ms, endMs: end.dateOnly ? end.ms + DAY : end.ms };
  if (range.endMs <= range.startMs) throw new SluiceError(`restatement end ${restate.end} is before its start ${restate.start}`);
  const model = tableKeyOfName(restate.model);
  const draft = model ? drafts.find((d) => d.name === model) : undefined;
  if (!model || !draft) throw new SluiceError(`cannot restate ${restate.model}: there is no such model in the project`);
  if (isScd2(draft.kind)) throw new SluiceError(`cannot restate ${restate.model}: it is an SCD type 2 model, whose history its query cannot give back`);
  if (draft.kind.name === 'INCREMENTAL_UNMANAGED') throw new SluiceError(`cannot restate ${restate.model}: it is an INCREMENTAL_UNMANAGED model, whose earlier rows its query cannot give back (running it again would append them twice)`);
  const names = [model, ...descendants(childrenMap(drafts), model)];
  for (const name of names) out.set(name, range);
  return out;
}

/** Entries of the environment a plan produces. */
export function environmentEntries(plan: Plan): EnvironmentEntry[] {
  return plan.models.map((m) => ({ name: m.record.name, fingerprint: m.record.fingerprint, version: m.record.version, kind: m.record.kind.name }));
}
