// The lineage layout's worker thread (bundled to dist/lineageLayout.js): ELK loads and runs here, off the
// extension host's thread and out of the page, whose script stays small and starts at once.

import { parentPort } from 'node:worker_threads';
import type { LayoutReply, LayoutRequest } from './layoutService';
import { layout } from './layout';

const port = parentPort;
if (!port) throw new Error('lineageLayout.js runs as a worker thread');
port.on('message', (request: LayoutRequest) => {
  layout(request.graph).then(
    (drawing) => port.postMessage({ id: request.id, drawing } satisfies LayoutReply),
    (err: unknown) => port.postMessage({ id: request.id, error: err instanceof Error ? err.message : String(err) } satisfies LayoutReply),
  );
});
