// analyzeQuery: parse result + catalog → column-level lineage. Three passes kept apart: DuckDB parses
// (core/sql), resolve binds names (resolve.ts), trace follows values and filters (trace.ts).

import { describeError } from '../errors';
import type { ParsedSql } from '../sql/duckdbParser';
import { resolveQuery } from './resolve';
import { splitColumnKey, traceLineage } from './trace';
import type { AnalyzeOptions, Catalog, ColumnRef, QueryLineage } from './types';

/** Column lineage of a parsed SELECT. Pure and synchronous; never throws on odd SQL. */
export function analyzeQuery(parsed: ParsedSql, catalog: Catalog, options: AnalyzeOptions = {}): QueryLineage {
  const diagnostics = [...parsed.diagnostics];
  if (!parsed.query) return { columns: [], tables: [], diagnostics };
  try {
    const resolved = resolveQuery(parsed.query, catalog, parsed.source, {
      defaultSchema: options.defaultSchema ?? 'main',
    });
    diagnostics.push(...resolved.diagnostics);
    const columns = traceLineage(resolved).map(({ name, flow }) => ({
      column: name,
      sources: toRefs(flow.sources),
      filters: toRefs(flow.filters),
    }));
    return { columns, tables: [...resolved.tables].sort(), diagnostics };
  } catch (err) {
    // A bug or an AST shape never seen before must not take the whole project's lineage down.
    diagnostics.push(parsed.source.diagnosticAtByte(0, `could not trace lineage: ${describeError(err)}`, 'error'));
    return { columns: [], tables: [], diagnostics };
  }
}

function toRefs(keys: Set<string>): ColumnRef[] {
  return [...keys].sort().map(splitColumnKey);
}
