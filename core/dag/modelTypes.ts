// Types of computed model columns (sum(amount) → DECIMAL(38,2), count(*) → BIGINT), from DuckDB's binder:
// each model's rendered query is bound against empty stand-ins of the tables it reads, with the column
// types known so far (upstream models first, so their new types count). The analysis itself stays
// synchronous; this runs afterwards and fills in what it left unknown. An output reading a column whose
// type is unknown stays unknown rather than guessed. Results are kept by query and upstream types.

import crypto from 'node:crypto';
import type { ColumnLineage, ColumnRef } from '../lineage/types';
import { describeQuery, displayType, type DescribedQuery, type ScratchTable } from '../sql/typeBinder';
import type { ModelProject } from './project';
import { tableReferences } from './references';

/** Results by fingerprint (query + the tables it reads, with types); the oldest go first. */
const MAX_CACHED = 2000;
const cache = new Map<string, (string | undefined)[] | null>();

export interface BindOptions {
  /** Checked before each model: true stops the run (the project changed; a later run takes over). */
  stop?: () => boolean;
}

/**
 * Binds every model whose current analysis has not been bound yet, in build order. Returns the models
 * that gained a column type.
 */
export async function bindModelTypes(project: ModelProject, options: BindOptions = {}): Promise<string[]> {
  const gained: string[] = [];
  for (const key of project.buildOrder()) {
    if (options.stop?.() || !project.isSettled()) break;
    const stamp = project.analysisStamp(key);
    if (!stamp || project.hasBoundTypes(key)) continue;
    const input = bindInput(project, key);
    let types: (string | undefined)[] = [];
    if (input) {
      const fingerprint = fingerprintOf(input);
      let found = cache.get(fingerprint);
      if (found === undefined) {
        const described = await describeQuery(input.sql, input.tables);
        found = described ? boundColumnTypes(described, input.lineage) : null;
        remember(fingerprint, found);
      }
      types = found ?? [];
    }
    const before = project.table(key)?.columns ?? [];
    const fills = types.some((t, i) => t !== undefined && before[i]?.type === undefined);
    if (project.addColumnTypes(key, stamp, types) && fills) gained.push(key);
  }
  return gained;
}

interface BindInput {
  sql: string;
  tables: ScratchTable[];
  lineage: readonly ColumnLineage[];
}

/** The rendered query and every table it names with its columns, or undefined when it cannot be bound. */
function bindInput(project: ModelProject, key: string): BindInput | undefined {
  const prepared = project.preparedModel(key);
  const model = project.model(key);
  const sql = prepared?.sql;
  if (!prepared || !model || !sql?.query || sql.statements.length !== 1 || sql.diagnostics.some((d) => d.severity === 'error')) return undefined;
  if (model.lineage.length === 0) return undefined;
  const declared = prepared.parsed.definition?.columns;
  const tables: ScratchTable[] = [];
  const seen = new Set<string>();
  for (const ref of tableReferences(sql)) {
    if (seen.has(ref.key)) continue;
    seen.add(ref.key);
    // An incremental model reading its own table sees the columns its MODEL block declares.
    const columns = ref.key === key
      ? declared && Object.entries(declared).map(([name, type]) => ({ name: name.toLowerCase(), type }))
      : project.table(ref.key)?.columns;
    if (!columns || columns.length === 0) return undefined;
    // The key is schema.table; the table part as written tells where the schema ends (either may hold a dot).
    const table = ref.table.toLowerCase();
    const schema = ref.key.slice(0, ref.key.length - table.length - 1);
    tables.push({ schema, table, columns: columns.map((c) => ({ name: c.name, type: c.type })) });
  }
  return { sql: sql.sql, tables, lineage: model.lineage };
}

/**
 * The type of each output column as DuckDB bound it, or undefined where the column reads a column that
 * stood in without a type (its type would be a guess). Nothing when DuckDB saw other columns than the
 * analysis did.
 */
export function boundColumnTypes(described: DescribedQuery, lineage: readonly ColumnLineage[]): (string | undefined)[] {
  if (described.columns.length !== lineage.length) return [];
  const untyped = (ref: ColumnRef) => described.untyped.has(`${ref.table}.${ref.column}`);
  return described.columns.map((c, i) => (lineage[i].sources.some(untyped) ? undefined : displayType(c.type)));
}

function fingerprintOf(input: BindInput): string {
  const hash = crypto.createHash('sha1').update(input.sql);
  for (const t of input.tables) hash.update(`\0${t.schema}.${t.table}\0${t.columns.map((c) => `${c.name} ${c.type ?? '?'}`).join('\0')}`);
  // The lineage decides which outputs count as guesses.
  hash.update(`\0${input.lineage.map((c) => c.sources.map((s) => `${s.table}.${s.column}`).join(',')).join(';')}`);
  return hash.digest('hex');
}

function remember(fingerprint: string, types: (string | undefined)[] | null): void {
  cache.set(fingerprint, types);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
}
