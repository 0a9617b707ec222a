// Errors are per model: a model with an error, and every model downstream of it, is left out of the plan
// with the reason; the rest plans and applies. A model left out keeps the version its environment shows
// (or stays absent from it): a plan never drops or rebuilds a model because of a problem in its file.

import * as path from 'node:path';
import { closure } from '../dag/graph';
import type { ModelProject } from '../dag/project';
import type { ProjectDiagnostic } from '../dag/types';
import { childrenMap } from './impact';
import type { HeldBack, SnapshotRecord } from './types';

/**
 * The models the errors hold back, upstream first. An error belongs to the model it names, or else to the
 * environment's model defined in its file (a MODEL block too broken to name the model must not make the
 * model look removed). Errors belonging to no model hold nothing back.
 */
export function heldBackModels(
  project: ModelProject,
  errors: readonly ProjectDiagnostic[],
  baseRecords: ReadonlyMap<string, SnapshotRecord>,
): HeldBack[] {
  const relative = (file: string) => path.relative(project.dir, file).split(path.sep).join('/');
  // A file may define several models (blueprints): an error naming none holds back those of them the file
  // no longer makes (the ones the error hides), never the others.
  const byFile = new Map<string, string[]>();
  for (const record of baseRecords.values()) {
    if (project.model(record.name)?.file !== undefined && relative(project.model(record.name)!.file) === record.file) continue;
    byFile.set(record.file, [...(byFile.get(record.file) ?? []), record.name]);
  }

  const direct = new Map<string, HeldBack>();
  for (const d of errors) {
    if (d.severity !== 'error') continue;
    for (const model of d.model !== undefined ? [d.model] : byFile.get(relative(d.file)) ?? []) {
      if (direct.has(model)) continue;
      direct.set(model, {
        model, reason: `${relative(d.file)}:${d.start.line}:${d.start.column}: ${d.message}`, file: relative(d.file), line: d.start.line, column: d.start.column, kept: baseRecords.has(model),
      });
    }
  }
  if (direct.size === 0) return [];

  // Downstream in the project's graph and in the environment's (for models whose file no longer names them).
  const baseChildren = childrenMap([...baseRecords.values()]);
  const readers = (key: string): string[] => [...(project.model(key)?.downstream ?? []), ...(baseChildren.get(key) ?? [])];
  const all = closure(direct.keys(), readers);
  const held = new Map(direct);
  for (const model of all) {
    if (held.has(model)) continue;
    const parents = project.model(model)?.upstream ?? baseRecords.get(model)?.parents ?? [];
    const upstream = parents.find((p) => direct.has(p)) ?? parents.find((p) => all.has(p))!;
    held.set(model, { model, reason: `reads ${upstream}, which is left out`, upstream, kept: baseRecords.has(model) });
  }
  const order = project.buildOrder();
  const rank = (name: string) => {
    const i = order.indexOf(name);
    return i < 0 ? order.length : i;
  };
  return [...held.values()].sort((a, b) => rank(a.model) - rank(b.model) || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}
