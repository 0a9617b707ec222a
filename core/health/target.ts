// Which columns and resources a `sluice health` target names: a model, one of its columns, a source or one
// of its resources. A model or column brings the resources it depends on; a source the columns it feeds.

import { tableKeyOfName } from '../dag/names';
import { SluiceError } from '../errors';
import type { HealthModel, HealthOrigin } from './types';

/** What `sluice health TARGET` reports: a model, one of its columns, a source or one of its resources. */
export interface HealthTarget {
  columns: Set<string>;
  resources: Set<string>;
}

export function resolveHealthTarget(target: string, models: readonly HealthModel[], knownResources: ReadonlySet<string>): HealthTarget {
  const columns = new Set<string>();
  const resources = new Set<string>();
  const dependsOn = (match: (o: HealthOrigin) => boolean) => {
    for (const m of models) for (const c of m.columns) if (c.origins.some(match)) columns.add(`${m.key}.${c.name}`);
  };
  const text = target.trim().toLowerCase();
  const modelKey = tableKeyOfName(text);
  const model = modelKey ? models.find((m) => m.key === modelKey) : undefined;
  if (model) {
    for (const c of model.columns) columns.add(`${model.key}.${c.name}`);
  } else {
    const dot = text.lastIndexOf('.');
    const owner = dot > 0 ? models.find((m) => m.key === tableKeyOfName(text.slice(0, dot))) : undefined;
    const column = owner?.columns.find((c) => c.name === text.slice(dot + 1).replace(/^"(.*)"$/, '$1'));
    if (owner && column) columns.add(`${owner.key}.${column.name}`);
    else if (owner) throw new SluiceError(`${owner.key} has no column ${text.slice(dot + 1)}; it has ${owner.columns.map((c) => c.name).join(', ')}`);
    else if (knownResources.has(text)) {
      resources.add(text);
      dependsOn((o) => `${o.source}.${o.resource}` === text);
    } else if ([...knownResources].some((r) => r === text || r.startsWith(`${text}.`))) {
      for (const r of knownResources) if (r === text || r.startsWith(`${text}.`)) resources.add(r);
      dependsOn((o) => o.source === text);
    } else {
      throw new SluiceError(`no model, model column, source or resource named ${target}`);
    }
  }
  // A model or column target also shows the resources it depends on.
  for (const key of columns) {
    const dot = key.lastIndexOf('.');
    const m = models.find((x) => x.key === key.slice(0, dot));
    for (const o of m?.columns.find((c) => c.name === key.slice(dot + 1))?.origins ?? []) resources.add(`${o.source}.${o.resource}`);
  }
  return { columns, resources };
}

/** The model a target names, itself or through one of its columns; undefined for anything else. */
export function targetModel(target: string, isModel: (key: string) => boolean): string | undefined {
  const text = target.trim().toLowerCase();
  const whole = tableKeyOfName(text);
  if (whole && isModel(whole)) return whole;
  const dot = text.lastIndexOf('.');
  const owner = dot > 0 ? tableKeyOfName(text.slice(0, dot)) : undefined;
  return owner && isModel(owner) ? owner : undefined;
}
