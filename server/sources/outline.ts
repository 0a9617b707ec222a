// sluice/sourceOutline: what the Sources view shows. Resources come from the module itself in a trusted
// workspace (loading it runs it) and from reading its text otherwise; either way each resource gets its
// place in the file, its toggle from sluice.yaml, and what its last load brought in.

import { describeError } from '../../core/errors';
import { loadSource } from '../../core/ingest/extract';
import type { OutlineResource, OutlineSource, SourceOutline } from '../../core/protocol';
import type { ModelIndex } from '../models/modelIndex';
import type { ProjectIndex } from '../workspace/projects';
import type { LoadHistory } from './loadHistory';
import { readSourceText, resourceLocation, sourceModules } from './sourceFiles';
import { resourceRun } from './sourceLenses';

export interface OutlineDeps {
  index: ProjectIndex;
  models: ModelIndex;
  history: LoadHistory;
  trusted(): boolean;
}

export async function sourceOutline(deps: OutlineDeps, params: SourceOutline.Params): Promise<SourceOutline.Result> {
  const entries = await deps.index.select(params.projectDir);
  const trusted = deps.trusted();
  const projects: SourceOutline.Result['projects'] = [];
  for (const entry of entries) {
    const inputs = await deps.models.projectInputs(entry.info.dir).catch(() => undefined);
    const loads = deps.history.get(entry.info.dir, entry.info.warehouse);
    const sources: OutlineSource[] = [];
    for (const module of await sourceModules(entry.info.dir)) {
      const text = await readSourceText(module.file);
      const toggles = entry.project?.sources[module.name]?.resources ?? {};
      const outline: OutlineSource = { name: module.name, file: module.file, resources: [], resourcesFrom: 'text' };
      // Read from the text, a resource sluice.yaml does not mention is assumed on (its `selected` is unknown).
      let names: { name: string; selected?: boolean }[] = text?.scanned.resources.map((r) => ({ name: r.name })) ?? [];
      if (trusted) {
        try {
          const source = await loadSource(module.file);
          names = source.resources.map((r) => ({ name: r.name, selected: r.selected }));
          outline.resourcesFrom = 'module';
        } catch (err) {
          outline.error = describeError(err);
        }
      }
      // Only the module itself says for sure which resources exist (the text scan may miss some).
      const unknown = outline.resourcesFrom === 'module' ? unknownToggles(toggles, names) : [];
      if (unknown.length > 0) outline.unknownInConfig = unknown;
      const sourceLoads = loads.get(module.name);
      for (const { name, selected } of names) {
        const resource: OutlineResource = { name, ...resourceState(toggles[name], selected) };
        if (text?.scanned.resources.some((r) => r.name === name)) resource.location = resourceLocation(text, name);
        const run = resourceRun(name, inputs?.sources.filter((t) => t.source === module.name.toLowerCase()) ?? [], sourceLoads);
        if (run.rows !== undefined) resource.lastRows = run.rows;
        if (run.columns.length > 0) resource.columns = run.columns;
        outline.resources.push(resource);
      }
      const last = sourceLoads?.last;
      if (last) {
        outline.lastLoad = { status: last.status, finishedAt: last.finishedAt };
        if (last.error) outline.lastLoad.error = last.error;
      }
      sources.push(outline);
    }
    projects.push({ project: entry.info, sources });
  }
  return { trusted, projects };
}

/** What a plain run does with a resource: what sluice.yaml says, else the resource's own default (on unless `selected: false`). */
export function resourceState(toggle: boolean | undefined, selected: boolean | undefined): Pick<OutlineResource, 'enabled' | 'setting'> {
  if (toggle === undefined) return { enabled: selected ?? true, setting: 'unset' };
  return { enabled: toggle, setting: toggle ? 'on' : 'off' };
}

/** Resources sluice.yaml switches that the module does not have. */
export function unknownToggles(toggles: Record<string, boolean>, resources: readonly { name: string }[]): string[] {
  const names = new Set(resources.map((r) => r.name));
  return Object.keys(toggles).filter((name) => !names.has(name)).sort();
}
