// What health needs of an analysed project: each model's kind and expectations, the models and source
// resources it reads, and for every output column the source fields it depends on (deep lineage, values and
// filters).

import type { ModelProject } from '../dag/project';
import type { ColumnRef } from '../lineage/types';
import type { HealthModel, HealthOrigin } from './types';

/**
 * Whole-project answers by the project's lineage view, which the project replaces on every change: the editor
 * asks again after every load and apply, while the models mostly stay as they were.
 */
const wholeProjects = new WeakMap<object, readonly HealthModel[]>();

/**
 * Every model of the project, each after those it reads. With `lineageOf`, only those models' columns get
 * their source fields (the rest keep their column names): a question about one model needs no more.
 * The answer is shared between callers: read it, do not change it.
 */
export function healthModels(project: ModelProject, lineageOf?: ReadonlySet<string>): readonly HealthModel[] {
  if (lineageOf) return modelsOf(project, lineageOf);
  const lineage = project.lineage;
  let models = wholeProjects.get(lineage);
  if (!models) wholeProjects.set(lineage, (models = modelsOf(project)));
  return models;
}

function modelsOf(project: ModelProject, lineageOf?: ReadonlySet<string>): HealthModel[] {
  const resourceOf = new Map<string, string | undefined>();
  /** `source.resource` of a table a source loaded; undefined for other tables. */
  const resourceOfTable = (table: string): string | undefined => {
    if (!resourceOf.has(table)) {
      const info = project.table(table);
      const column = info?.kind === 'source' ? info.columns?.[0]?.name : undefined;
      const origin = column === undefined ? undefined : project.origin(table, column);
      resourceOf.set(table, origin ? `${origin.source}.${origin.resource}` : undefined);
    }
    return resourceOf.get(table);
  };
  // Columns of a big project share most of their source fields: each origin is made once (per role).
  const known = { value: new Map<string, Map<string, HealthOrigin | null>>(), filter: new Map<string, Map<string, HealthOrigin | null>>() };
  const originsOf = (refs: readonly ColumnRef[], role: HealthOrigin['role']): HealthOrigin[] => {
    const out: HealthOrigin[] = [];
    for (const ref of refs) {
      let columns = known[role].get(ref.table);
      if (!columns) known[role].set(ref.table, (columns = new Map()));
      let origin = columns.get(ref.column);
      if (origin === undefined) {
        const o = project.lineage.origins([ref])[0];
        origin = o ? { column: o.column, source: o.source, resource: o.resource, resourceKey: `${o.source}.${o.resource}`, table: o.table, ...(o.field === undefined ? {} : { field: o.field }), role } : null;
        columns.set(ref.column, origin);
      }
      if (origin) out.push(origin);
    }
    return out;
  };
  const out: HealthModel[] = [];
  for (const key of project.buildOrder()) {
    const model = project.model(key);
    const definition = project.preparedModel(key)?.parsed.definition;
    if (!model || !definition) continue;
    const kind = definition.kind;
    const columns: HealthModel['columns'] = [];
    for (const name of new Set(model.columns.map((c) => c.name))) {
      const trace = !lineageOf || lineageOf.has(key) ? project.lineage.deep(key, name) : undefined;
      columns.push({ name, origins: trace ? [...originsOf(trace.sources, 'value'), ...originsOf(trace.filters, 'filter')] : [] });
    }
    out.push({
      key,
      kind: kind.name,
      materialized: !(kind.name === 'VIEW' && !kind.materialized) && kind.name !== 'EMBEDDED' && kind.name !== 'EXTERNAL',
      expectsBuild: kind.name !== 'EMBEDDED' && kind.name !== 'EXTERNAL',
      ...(definition.owner ? { owner: definition.owner } : {}),
      ...(definition.tags ? { tags: definition.tags } : {}),
      ...(definition.freshness ? { freshness: definition.freshness } : {}),
      parents: model.upstream.filter((t) => project.model(t) !== undefined),
      reads: [...new Set(model.upstream.map(resourceOfTable).filter((r): r is string => r !== undefined))],
      columns,
    });
  }
  return out;
}
