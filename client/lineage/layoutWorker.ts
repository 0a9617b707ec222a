// The lineage layout's worker thread (bundled to dist/lineageLayout.js): ELK loads and runs here, off the
// extension host's thread and out of the page, whose script stays small and starts at once.

import { parentPort } from 'node:worker_threads';
import type { ViewGraph } from './drawing';
import type { LayoutReply, LayoutRequest } from './layoutService';
import { layout } from './layout';

/**
 * Laid out once when the worker starts with nothing to do yet: ELK's first layout is several times slower
 * than the next ones (its code is compiled as it runs), and the worker starts before the panel needs it.
 * Tables and a table with columns, as the panel's graphs have.
 */
const WARM_UP: ViewGraph = {
  nodes: [
    { id: 'table:a.t', label: 'a.t', kind: 'source' },
    { id: 'a.t.x', label: 'x', kind: 'source', table: 'a.t', detail: 'bigint' },
    { id: 'a.t.y', label: 'y', kind: 'source', table: 'a.t' },
    { id: 'b.u', label: 'b.u', kind: 'model', detail: 'FULL' },
    { id: 'c.v', label: 'c.v', kind: 'model', focus: true },
  ],
  edges: [
    { from: 'a.t.x', to: 'b.u', role: 'source' },
    { from: 'a.t.y', to: 'b.u', role: 'filter' },
    { from: 'b.u', to: 'c.v', role: 'source' },
  ],
};

/** Requests that reach a new worker within this time are laid out first, without the warm-up before them. */
const WARM_UP_DELAY_MS = 15;

const port = parentPort;
if (!port) throw new Error('lineageLayout.js runs as a worker thread');
let ready: Promise<unknown> = Promise.resolve();
const warmUp = setTimeout(() => (ready = layout(WARM_UP).catch(() => undefined)), WARM_UP_DELAY_MS);
port.on('message', (request: LayoutRequest) => {
  // A panel already waiting gains nothing from a warm-up: its own first layout compiles the same code.
  clearTimeout(warmUp);
  ready
    .then(() => layout(request.graph))
    .then(
      (drawing) => port.postMessage({ id: request.id, drawing } satisfies LayoutReply),
      (err: unknown) => port.postMessage({ id: request.id, error: err instanceof Error ? err.message : String(err) } satisfies LayoutReply),
    );
});
