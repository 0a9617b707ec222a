// Fingerprints: what identifies a model version. The data hash covers what decides the rows (the normalized
// query with macros rendered at fixed analysis dates, the kind, declared column types, a seed's content);
// the metadata hash covers what does not (description, owner, cron, tags, grain, audits, start/end). A data
// fingerprint adds the model's name and the parents' data fingerprints, so a change upstream gives every
// model below it a new one.

import crypto from 'node:crypto';
import fs from 'node:fs';
import * as path from 'node:path';
import type { ModelProject } from '../dag/project';
import type { ProjectDiagnostic } from '../dag/types';
import type { ModelDefinition, ModelKind, ModelStatement } from '../models/types';
import { parseCsv } from '../quality/fixtureValues';
import { resolveAudits } from '../quality/resolveAudits';
import type { ParsedAuditFile } from '../quality/types';
import { queryShape } from './categorize';
import { dataKind, forwardOnlyOptions } from './forwardOnly';
import { astText, normalizeAst } from './normalize';
import type { SeedShape, SnapshotRecord } from './types';

/**
 * A model version before it is matched with the warehouse: everything but the physical version, plus the
 * normalized query tree the categorizer compares with (not stored).
 */
export type ModelDraft = Omit<SnapshotRecord, 'version'> & { queryTree?: unknown };

export interface DescribeOptions {
  /** Audit files of the project (audits/*.sql); default none. */
  auditFiles?: readonly ParsedAuditFile[];
  /** Reads a seed file for its content hash; default: from disk. Undefined means unreadable. */
  readSeed?: (file: string) => Buffer | string | undefined;
}

export interface DescribedModels {
  /** Every model Sluice manages (not EXTERNAL), upstream first. */
  drafts: ModelDraft[];
  /** Problems found while describing (audit references that do not resolve). */
  diagnostics: ProjectDiagnostic[];
}

export function sha256(text: string | Buffer): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

const readSeedFromDisk = (file: string): Buffer | undefined => {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
};

/** Describes every managed model of a loaded project, in build order. Pure apart from reading seed files. */
export function describeModels(project: ModelProject, options: DescribeOptions = {}): DescribedModels {
  const readSeed = options.readSeed ?? readSeedFromDisk;
  const drafts: ModelDraft[] = [];
  const diagnostics: ProjectDiagnostic[] = [];
  const dataFingerprints = new Map<string, string>();
  for (const key of project.buildOrder()) {
    const prepared = project.preparedModel(key);
    const model = project.model(key);
    const definition = prepared?.parsed.definition;
    if (!prepared || !model || !definition || definition.kind.name === 'EXTERNAL') continue;

    const queryTree = prepared.sql?.query ? normalizeAst(prepared.sql.query) : undefined;
    const queryAst = queryTree === undefined ? undefined : astText(queryTree);
    const seedFile = prepared.seed?.file;
    const seedContent = seedFile ? readSeed(seedFile) : undefined;
    const dataHash = sha256(JSON.stringify({
      query: queryAst ?? prepared.parsed.query.trim(),
      // A seed counts by its content: moving the file does not change the data.
      kind: kindForData(dataKind(definition.kind)),
      columns: declaredColumns(definition),
      seed: seedFile ? (seedContent === undefined ? 'missing' : sha256(seedContent)) : null,
      // Pre/post statements run with the query, so they are part of the data (only when written: older hashes stay).
      ...statementTexts(prepared.parsed.statements, ['pre', 'post']),
    }));
    const parents = model.upstream.filter((up) => dataFingerprints.has(up)).sort();
    // The name is part of it: two models with the same query are still two tables.
    const dataFingerprint = sha256(JSON.stringify([key, dataHash, parents.map((p) => [p, dataFingerprints.get(p)])]));
    dataFingerprints.set(key, dataFingerprint);

    // In a multi-repo project, the settings of the folder the model is in.
    const { defaults, variables, macros } = project.settingsOf(prepared.file);
    const resolved = resolveAudits(prepared.parsed, options.auditFiles ?? [], { variables, macros });
    diagnostics.push(...resolved.diagnostics.map((d) => ({ ...d, model: key })));
    const metadataHash = sha256(JSON.stringify({
      description: definition.description ?? null,
      owner: definition.owner ?? null,
      cron: definition.cron ?? null,
      intervalUnit: intervalUnitOf(definition) ?? null,
      // Undefined (so no part of it) unless written: older fingerprints stay as they were.
      forwardOnly: forwardOnlyOptions(definition.kind),
      start: definition.start ?? null,
      end: definition.end ?? null,
      tags: definition.tags ?? [],
      grain: definition.grain ?? [],
      columnDescriptions: definition.columnDescriptions,
      // Where things are written (files, positions) is no part of what an audit checks.
      audits: resolved.audits.map(({ modelFile: _model, ...spec }) => (spec.source === 'sql' ? { ...spec, file: undefined, queryStart: undefined } : spec)),
      // Only when set, so versions planned before batch_size was metadata keep their hash.
      ...(batchSizeOf(definition.kind) !== undefined ? { batchSize: batchSizeOf(definition.kind) } : {}),
      // ON_VIRTUAL_UPDATE statements only touch the view: metadata, as in SQLMesh.
      ...statementTexts(prepared.parsed.statements, ['virtual_update']),
    }));

    const draft: ModelDraft = {
      name: key,
      fingerprint: sha256(dataFingerprint + metadataHash),
      dataFingerprint,
      dataHash,
      metadataHash,
      kind: definition.kind,
      file: path.relative(project.dir, prepared.file).split(path.sep).join('/'),
      modelText: prepared.text,
      columns: model.columns,
      lineage: model.lineage,
      parents,
      audits: resolved.audits,
    };
    if (seedFile) draft.seedFile = seedFile;
    if (seedContent !== undefined && definition.kind.name === 'SEED') draft.seedShape = seedShape(String(seedContent), definition.kind.csvSettings);
    if (prepared.readsItself) draft.readsItself = true;
    if (defaults && Object.keys(defaults).length > 0) draft.defaults = defaults;
    if (variables && Object.keys(variables).length > 0) draft.variables = variables;
    const declared = declaredColumns(definition);
    if (declared) draft.declaredColumns = declared;
    if (queryTree !== undefined) {
      draft.queryTree = queryTree;
      draft.queryShape = queryShape(queryTree);
    }
    for (const field of ['cron', 'start', 'end', 'grain', 'owner', 'description', 'tags'] as const) {
      const value = definition[field];
      if (value !== undefined) (draft as Record<string, unknown>)[field] = value;
    }
    const unit = intervalUnitOf(definition);
    if (unit) draft.intervalUnit = unit;
    drafts.push(draft);
  }
  return { drafts, diagnostics };
}

/**
 * The kind as far as it decides the rows: a seed's path is not (its content is), nor is batch_size (how
 * many intervals run at once; SQLMesh counts it as metadata too).
 */
function kindForData(kind: ModelKind): unknown {
  if (kind.name === 'SEED') return { ...kind, path: null };
  if (kind.name === 'INCREMENTAL_BY_TIME_RANGE' && kind.batchSize !== undefined) {
    const { batchSize: _metadata, ...rest } = kind;
    return rest;
  }
  return kind;
}

/** The statements of these roles, whitespace collapsed, keyed by role; nothing when there are none. */
function statementTexts(statements: readonly ModelStatement[], roles: readonly ModelStatement['role'][]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const role of roles) {
    const texts = statements.filter((st) => st.role === role).map((st) => st.text.replace(/\s+/g, ' ').trim());
    if (texts.length > 0) out[`${role}Statements`] = texts;
  }
  return out;
}

function batchSizeOf(kind: ModelKind): number | undefined {
  return kind.name === 'INCREMENTAL_BY_TIME_RANGE' ? kind.batchSize : undefined;
}

/** A seed's header and a hash of each column's values, to tell a column added to a seed from changed data. */
export function seedShape(text: string, csvSettings?: Record<string, unknown>): SeedShape {
  const delimiter = typeof csvSettings?.delimiter === 'string' && csvSettings.delimiter.length === 1 ? csvSettings.delimiter : ',';
  const [header = [], ...rows] = parseCsv(text, delimiter).filter((row) => row.some((field) => field !== ''));
  const columns = header.map((h) => h.trim().toLowerCase());
  return { columns, values: columns.map((_, i) => sha256(rows.map((row) => row[i] ?? '').join('\u0000')).slice(0, 16)) };
}

function declaredColumns(definition: ModelDefinition): [string, string][] | null {
  if (!definition.columns) return null;
  return Object.entries(definition.columns).map(([name, type]) => [name.toLowerCase(), type.replace(/\s+/g, ' ').trim().toUpperCase()]);
}

function intervalUnitOf(definition: ModelDefinition): string | undefined {
  const raw = definition.properties.interval_unit?.raw;
  return raw ? raw.replace(/^['"]|['"]$/g, '').trim().toLowerCase() : undefined;
}
