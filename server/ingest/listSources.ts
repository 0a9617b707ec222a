// sluice/listSources: the sources of each project. Finding source files only lists sources/; knowing their
// resources means loading (running) the module, so that part happens only in a trusted workspace.

import { describeError } from '../../core/errors';
import { discoverSources, loadSource } from '../../core/ingest/extract';
import { selectResources } from '../../core/ingest/pipeline';
import type { ListSources, SourceInfo } from '../../core/protocol';
import type { ProjectIndex } from '../workspace/projects';

export async function listSources(index: ProjectIndex, trusted: boolean, params: ListSources.Params): Promise<ListSources.Result> {
  const entries = await index.select(params.projectDir);
  const projects: ListSources.Result['projects'] = [];
  for (const entry of entries) {
    const sources: SourceInfo[] = [];
    let found;
    try {
      found = await discoverSources(entry.info.dir);
    } catch (err) {
      projects.push({ project: { ...entry.info, error: describeError(err) }, sources });
      continue;
    }
    // A project whose sluice.yaml is broken still lists its files: they are there whatever the config says.
    for (const { name, file } of found) {
      const info: SourceInfo = { name, file };
      if (trusted) {
        try {
          const source = await loadSource(file);
          const enabled = entry.project ? new Set(selectResources(source, entry.project)) : new Set<string>();
          info.resources = source.resources.map((r) => ({ name: r.name, enabled: enabled.has(r.name) }));
        } catch (err) {
          info.error = describeError(err);
        }
      }
      sources.push(info);
    }
    projects.push({ project: entry.info, sources });
  }
  return { trusted, projects };
}
