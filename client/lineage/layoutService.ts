// Lays out lineage graphs in a worker thread running dist/lineageLayout.js. The worker starts with the
// panel, so ELK is loaded (about 200 ms) while the page loads; a worker that dies fails what it had and is
// started again by the next layout.

import { Worker } from 'node:worker_threads';
import type { Drawing, ViewGraph } from './drawing';

export interface LayoutRequest {
  id: number;
  graph: ViewGraph;
}

export type LayoutReply = { id: number; drawing: Drawing } | { id: number; error: string };

export class LayoutService {
  private worker?: Worker;
  private next = 0;
  private readonly pending = new Map<number, { resolve(drawing: Drawing): void; reject(err: Error): void }>();

  constructor(private readonly script: string) {}

  /** Starts the worker ahead of the first layout. */
  warmUp(): void {
    this.started();
  }

  layout(graph: ViewGraph): Promise<Drawing> {
    const id = ++this.next;
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

  dispose(): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const waiting of this.pending.values()) waiting.reject(new Error('the lineage panel was closed'));
    this.pending.clear();
    void worker?.terminate();
  }
}
