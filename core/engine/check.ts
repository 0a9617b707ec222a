// Before planning for another engine: every model must render in its dialect. A construct that cannot is an
// error at its place in the model file, so the model (and what reads it) is left out of the plan, or the
// plan is refused with --strict, instead of failing halfway through an apply.

import { tableKey } from '../dag/names';
import type { ModelProject } from '../dag/project';
import type { ProjectDiagnostic } from '../dag/types';
import { renderModelInDialect } from '../dialect/model';
import { isScd2 } from '../models/scd2';
import type { TargetDialect } from '../dialect/types';

export async function dialectDiagnostics(project: ModelProject, dialect: TargetDialect): Promise<ProjectDiagnostic[]> {
  if (dialect === 'duckdb') return [];
  const columnsOf = (parts: readonly string[]) => project.table(tableKey(parts))?.columns?.map((c) => c.name);
  const out: ProjectDiagnostic[] = [];
  for (const model of project.models()) {
    const prepared = project.preparedModel(model.key);
    const definition = prepared?.parsed.definition;
    // Seeds are read by DuckDB on this machine and copied over; external models are not built.
    if (!prepared || !definition || prepared.parsed.python || definition.kind.name === 'EXTERNAL' || definition.kind.name === 'SEED') continue;
    if (isScd2(definition.kind)) {
      const where = definition.properties.name ?? { start: prepared.parsed.queryStart, end: prepared.parsed.queryStart };
      out.push({ file: prepared.file, message: `${definition.kind.name} models run on DuckDB only so far`, start: where.start, end: where.end, severity: 'error', model: model.key });
      continue;
    }
    const kind = definition.kind;
    const expression = kind.name === 'INCREMENTAL_BY_PARTITION' ? kind.partitionedBy.find((p) => !/^[\p{L}_][\p{L}\p{N}_$]*$/u.test(p)) : undefined;
    if (expression !== undefined) {
      const where = definition.properties.partitioned_by ?? definition.properties.name ?? { start: prepared.parsed.queryStart, end: prepared.parsed.queryStart };
      out.push({ file: prepared.file, message: `partitioned_by ${expression} is an expression; on this gateway Sluice replaces partitions by columns only`, start: where.start, end: where.end, severity: 'error', model: model.key });
      continue;
    }
    if (!prepared.rendered || prepared.rendered.diagnostics.some((d) => d.severity === 'error')) continue;
    const result = await renderModelInDialect(prepared.parsed, prepared.rendered, dialect, { columnsOf });
    out.push(...result.diagnostics.map((d) => ({ ...d, model: model.key })));
  }
  return out;
}
