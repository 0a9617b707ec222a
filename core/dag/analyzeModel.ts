// Analyses one prepared model against the tables known so far: which tables it reads (and which of
// those nobody declares), its output columns with types where known, and the one-hop lineage of each
// column. Every position is mapped back to the model file.

import { analyzeQuery } from '../lineage/analyze';
import type { Catalog, ColumnLineage } from '../lineage/types';
import { staleDescriptions } from './columnDescriptions';
import { nameLength } from './references';
import { outputColumnTypes } from './outputTypes';
import type { PreparedModel } from './prepare';
import type { ColumnInfo, ProjectDiagnostic, TableInfo } from './types';
import { isScd2, requiredColumns, validityColumns, type Scd2Kind } from '../models/scd2';

export interface ModelAnalysis {
  /** Output columns; undefined when they cannot be known (the query does not parse). */
  columns?: ColumnInfo[];
  lineage: ColumnLineage[];
  /** Known tables the model reads, sorted. */
  upstream: string[];
  diagnostics: ProjectDiagnostic[];
}

export interface TableLookup {
  /** A table the model may read: another model, an external model or a source table. */
  table(key: string): TableInfo | undefined;
  /** Why a table is unknown, for the error message (e.g. "run `sluice ingest github`"). */
  explainUnknown(key: string): string;
}

// The resolver's own warning for tables missing from the catalog; the model layer reports unknown tables
// itself, as errors and with a hint, and knows models whose columns are unknown are no unknown tables.
const RESOLVER_UNKNOWN_TABLE = /^unknown table "/;
// The resolver's notes for a * it could not list completely.
const INCOMPLETE_STAR = /so \* does not list them|^cannot expand /;

export function analyzeModel(model: PreparedModel, lookup: TableLookup): ModelAnalysis {
  const definition = model.parsed.definition;
  const diagnostics: ProjectDiagnostic[] = [];
  const report = (message: string, start: ProjectDiagnostic['start'], end: ProjectDiagnostic['end'], severity: ProjectDiagnostic['severity'] = 'error') =>
    diagnostics.push({ file: model.file, message, start, end, severity, model: model.key });

  const upstream = new Set<string>();
  for (const ref of model.references) {
    if (lookup.table(ref.key)) upstream.add(ref.key);
    else report(`unknown table ${ref.key}: ${lookup.explainUnknown(ref.key)}`, ref.start, ref.end);
  }
  const declared = definition?.columns;
  if (!definition || !model.key) return { lineage: [], upstream: [...upstream].sort(), diagnostics };

  // Models without a query (SEED, EXTERNAL): their columns are where lineage starts.
  if (definition.kind.name === 'SEED' || definition.kind.name === 'EXTERNAL' || (!model.sql && !model.rendered && model.parsed.query.trim() === '')) {
    const names = model.seed?.columns ?? Object.keys(declared ?? {}).map((c) => c.toLowerCase());
    const types = new Map(Object.entries(declared ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const columns = names.map((name) => withType({ name }, types.get(name)));
    if (columns.length > 0 && !model.seed?.problem) diagnostics.push(...staleDescriptions(model.parsed, model.text, columns, model.key));
    return { columns, lineage: names.map((column) => ({ column, sources: [], filters: [] })), upstream: [...upstream].sort(), diagnostics };
  }
  if (!model.sql?.query || !model.rendered) {
    const columns = declared ? Object.entries(declared).map(([name, type]) => ({ name: name.toLowerCase(), type })) : undefined;
    return { columns, lineage: [], upstream: [...upstream].sort(), diagnostics };
  }

  const ownKey = model.key;
  const catalog: Catalog = {
    columns(table) {
      // A self-reference (incremental models read their own table) sees the declared columns, if any.
      if (table === ownKey) return declared ? Object.keys(declared).map((c) => c.toLowerCase()) : undefined;
      return lookup.table(table)?.columns?.map((c) => c.name);
    },
  };
  const result = analyzeQuery(model.sql, catalog, { defaultSchema: 'main' });
  const map = model.rendered.sourceMap;
  for (const d of result.diagnostics) {
    if (RESOLVER_UNKNOWN_TABLE.test(d.message)) continue;
    // Parse diagnostics were reported when the file was prepared.
    if (model.sql.diagnostics.some((p) => p.offset === d.offset && p.message === d.message)) continue;
    const start = map.toFilePosition(d.offset);
    const end = map.toFilePosition(d.offset + nameLength(model.sql.sql, d.offset));
    report(d.message, start, end, d.severity);
  }
  const types = outputColumnTypes(model.sql.query, result.columns, declared, (ref) => lookup.table(ref.table)?.columns?.find((c) => c.name === ref.column)?.type);
  const columns = result.columns.map((c, i) => withType({ name: c.column }, types[i]));
  const lineage = result.columns;
  // Only a complete column list tells that a described column is gone (a * over unknown columns is not one).
  const complete = model.references.every((r) => lookup.table(r.key)?.columns) && !result.diagnostics.some((d) => INCOMPLETE_STAR.test(d.message));
  if (isScd2(definition.kind)) {
    const scd2 = scd2Columns(definition.kind, columns, lineage, complete);
    const at = definition.properties.kind ?? { start: model.parsed.queryStart, end: model.parsed.queryStart };
    for (const problem of scd2.problems) report(problem, at.start, at.end);
    columns.push(...scd2.columns);
    lineage.push(...scd2.lineage);
  }
  if (complete) diagnostics.push(...staleDescriptions(model.parsed, model.text, columns, model.key));
  return { columns, lineage, upstream: [...upstream].sort(), diagnostics };
}

/**
 * An SCD type 2 table is the query's columns (updated_at in the kind's time type) plus valid_from and
 * valid_to, which take their values from updated_at (or from the execution time when there is none).
 */
function scd2Columns(kind: Scd2Kind, columns: ColumnInfo[], lineage: readonly ColumnLineage[], complete: boolean): { columns: ColumnInfo[]; lineage: ColumnLineage[]; problems: string[] } {
  const problems: string[] = [];
  const names = new Set(columns.map((c) => c.name));
  const validity = validityColumns(kind).map((c) => ({ name: c.name.toLowerCase(), type: c.type }));
  for (const c of validity) {
    if (names.has(c.name)) problems.push(`the query outputs a column ${c.name}, which ${kind.name} adds itself; rename it, or name the validity columns with valid_from_name / valid_to_name`);
  }
  if (complete) {
    for (const required of requiredColumns(kind)) {
      if (!names.has(required.column.toLowerCase())) problems.push(`${required.option} names ${required.column}, which the query does not output (its columns: ${[...names].join(', ')})`);
    }
  }
  const updatedAt = kind.updatedAtName?.toLowerCase();
  const updated = columns.find((c) => c.name === updatedAt);
  if (updated && kind.name === 'SCD_TYPE_2_BY_TIME') updated.type = kind.timeDataType;
  const from = lineage.find((l) => l.column === updatedAt);
  return {
    columns: problems.length > 0 ? [] : validity,
    lineage: problems.length > 0 ? [] : validity.map((c) => ({ column: c.name, sources: from ? [...from.sources] : [], filters: [] })),
    problems,
  };
}

function withType(column: ColumnInfo, type: string | undefined): ColumnInfo {
  if (type !== undefined) column.type = type;
  return column;
}
