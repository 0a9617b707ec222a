// sluice/tryEndpoint: fetches the first pages of one endpoint of a declarative REST source, for the
// "Try endpoint" CodeLens. It runs the source module (so it needs a trusted workspace) but loads nothing.

import * as path from 'node:path';
import { SluiceError } from '../../core/errors';
import { discoverSources, loadSource } from '../../core/ingest/extract';
import { resolveSecrets } from '../../core/project/secrets';
import type { TryEndpoint } from '../../core/protocol';
import { describeTrial, tryEndpoint } from '../../core/sources/rest';
import type { WorkspaceTrust } from '../trust';
import type { ProjectIndex } from '../workspace/projects';
import { toFilePath } from '../workspace/uri';

export interface TryEndpointDeps {
  index: ProjectIndex;
  trust: WorkspaceTrust;
}

export async function tryEndpointRequest(deps: TryEndpointDeps, params: TryEndpoint.Params): Promise<TryEndpoint.Result> {
  deps.trust.require('Trying an endpoint');
  const file = toFilePath(String(params.file));
  if (!file) throw new SluiceError(`cannot try ${params.file}: only files on disk can be run`);
  await deps.index.ready();
  const entry = deps.index.projectForFile(file);
  if (!entry?.project) throw new SluiceError(entry?.info.error ?? `${file} is not inside a Sluice project (no sluice.yaml in its folder or above)`);
  const project = entry.project;
  const match = (await discoverSources(project.dir)).find((s) => path.resolve(s.file) === file);
  if (!match) throw new SluiceError(`${path.relative(project.dir, file)} is not a source module of project ${project.name}`);
  const pages = params.pages === undefined ? 2 : params.pages;
  if (!(Number.isInteger(pages) && pages >= 1 && pages <= 10)) throw new SluiceError(`pages must be a whole number from 1 to 10, got ${JSON.stringify(params.pages)}`);
  const source = await loadSource(match.file);
  const trial = await tryEndpoint(source, String(params.resource), { secrets: resolveSecrets(project, match.name), pages });
  return { ...trial, text: describeTrial(trial) };
}
