// sluice/tryEndpoint: fetches the first pages of one endpoint of a declarative REST source, for the
// "Try endpoint" CodeLens. It runs the source module (so it needs a trusted workspace) but loads nothing.

import { SluiceError } from '../../core/errors';
import { loadSource } from '../../core/ingest/extract';
import { resolveSecrets } from '../../core/project/secrets';
import type { TryEndpoint } from '../../core/protocol';
import { describeTrial, tryEndpoint } from '../../core/sources/rest';
import type { WorkspaceTrust } from '../trust';
import type { ProjectIndex } from '../workspace/projects';
import { sourceOfFile } from './sourceFile';

export interface TryEndpointDeps {
  index: ProjectIndex;
  trust: WorkspaceTrust;
}

export async function tryEndpointRequest(deps: TryEndpointDeps, params: TryEndpoint.Params): Promise<TryEndpoint.Result> {
  deps.trust.require('Trying an endpoint');
  await deps.index.ready();
  const match = await sourceOfFile(deps.index, String(params.file), 'try');
  const pages = params.pages === undefined ? 2 : params.pages;
  if (!(Number.isInteger(pages) && pages >= 1 && pages <= 10)) throw new SluiceError(`pages must be a whole number from 1 to 10, got ${JSON.stringify(params.pages)}`);
  const source = await loadSource(match.file);
  const trial = await tryEndpoint(source, String(params.resource), { secrets: resolveSecrets(match.project, match.name), pages });
  return { ...trial, text: describeTrial(trial) };
}
