// sluice/sourceOutline: what the Sources view shows. Resources come from the module itself in a trusted
// workspace (loading it runs it) and from reading its text otherwise; either way each resource gets its
// place in the file, its toggle from sluice.yaml, and what its last load brought in.

import { describeError } from '../../core/errors';
import { loadSource } from '../../core/ingest/extract';
import { selectResources } from '../../core/ingest/pipeline';
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
      let names: { name: string; enabled: boolean }[] = (text?.scanned.resources ?? []).map((r) => ({ name: r.name, enabled: toggles[r.name] ?? true }));
      if (trusted) {
        try {
          const source = await loadSource(module.file);
          const enabled = entry.project ? new Set(selectResources(source, entry.project)) : new Set<string>();
          names = source.resources.map((r) => ({ name: r.name, enabled: enabled.has(r.name) }));
          outline.resourcesFrom = 'module';
        } catch (err) {
          outline.error = describeError(err);
        }
      }
      const sourceLoads = loads.get(module.name);
      for (const { name, enabled } of names) {
        const resource: OutlineResource = { name, enabled };
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
