// sluice/listModels: the models of each project for the Models view, from the analysed model files.

import type { ListModels, ModelSummary } from '../../core/protocol';
import type { ProjectIndex } from '../workspace/projects';
import type { ModelIndex } from './modelIndex';

export async function listModels(index: ProjectIndex, models: ModelIndex, params: ListModels.Params): Promise<ListModels.Result> {
  const entries = await index.select(params.projectDir);
  const projects: ListModels.Result['projects'] = [];
  for (const entry of entries) {
    const project = await models.project(entry.info.dir);
    const list: ModelSummary[] = project.models().map((m) => {
      const summary: ModelSummary = {
        key: m.key,
        name: m.name,
        schema: m.key.split('.')[0],
        kind: m.kind,
        file: m.file,
        columns: m.columns.map((c) => (c.type ? { name: c.name, type: c.type } : { name: c.name })),
        upstream: m.upstream,
        downstream: m.downstream,
      };
      if (m.description) summary.description = m.description;
      return summary;
    });
    projects.push({ project: entry.info, models: list });
  }
  return { projects };
}
