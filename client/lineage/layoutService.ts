// Lays out lineage graphs in a worker thread running dist/lineageLayout.js, off the extension host's
// thread. Loading ELK and its first layout take a few hundred milliseconds, so the worker is started ahead
// (with the panel, or when a model file is first opened) and kept for a while after its last layout; a
// worker that dies fails what it had and is started again by the next layout.

import { Worker } from 'node:worker_threads';
import type { Drawing, ViewGraph } from './drawing';
import type { DrawingCache } from './drawingCache';

export interface LayoutRequest {
  id: number;
  graph: ViewGraph;
}

export type LayoutReply = { id: number; drawing: Drawing } | { id: number; error: string };

/** An idle worker holds about 60 MB: it is stopped after this long without a layout. */
const IDLE_MS = 5 * 60_000;
const CLOSED = 'the lineage layouts were closed';

export class LayoutService {
  private worker?: Worker;
  private next = 0;
  private readonly pending = new Map<number, { resolve(drawing: Drawing): void; reject(err: Error): void }>();
  private idleTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly script: string,
    private readonly idleMs = IDLE_MS,
    private readonly cache?: DrawingCache,
  ) {}

  /** Starts the worker (ELK loads in it) ahead of the first layout. */
  warmUp(): void {
    if (this.closed) return;
    this.started();
    this.idle();
  }

  get running(): boolean {
    return this.worker !== undefined;
  }

  /** A graph drawn before comes from the cache, without waiting for the worker. */
  layout(graph: ViewGraph): Promise<Drawing> {
    const cache = this.cache;
    if (!cache) return this.laidOut(graph);
    return cache.get(graph).then(
      (cached) =>
        cached ??
        this.laidOut(graph).then((drawing) => {
          void cache.set(graph, drawing);
          return drawing;
        }),
    );
  }

  private laidOut(graph: ViewGraph): Promise<Drawing> {
    if (this.closed) return Promise.reject(new Error(CLOSED));
    const id = ++this.next;
    clearTimeout(this.idleTimer);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.started().postMessage({ id, graph } satisfies LayoutRequest);
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.unref();
    worker.on('message', (reply: LayoutReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) waiting?.reject(new Error(reply.error));
      else waiting?.resolve(reply.drawing);
      this.idle();
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the lineage layout worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  /** With nothing left to lay out, stops the worker after a while. */
  private idle(): void {
    clearTimeout(this.idleTimer);
    if (this.pending.size > 0) return;
    this.idleTimer = setTimeout(() => this.stop(), this.idleMs);
    this.idleTimer.unref();
  }

  private stop(reason = 'the lineage layout worker was stopped'): void {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    for (const waiting of this.pending.values()) waiting.reject(new Error(reason));
    this.pending.clear();
    void worker?.terminate();
  }

  dispose(): void {
    this.closed = true;
    this.stop(CLOSED);
  }
}
