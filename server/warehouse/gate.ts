// Keeps the server's own uses of a warehouse file apart. Ingests run inside the server and open the file for
// writing; the editor's reads (load history, the Warehouse view, environments, audits) open it read-only for
// a moment. DuckDB must not have both open in one process, so a read waits for nothing: it is skipped while
// a run of that warehouse is in progress, and a run waits for the reads already under way (milliseconds).

import * as path from 'node:path';
import { SluiceError } from '../../core/errors';

export class WarehouseGate {
  private readonly runs = new Map<string, number>();
  /** Told when a run of a warehouse starts or ends. */
  onRunsChanged?: () => void;
  private readonly reads = new Map<string, Set<Promise<unknown>>>();

  /** Whether a run of this warehouse is in progress. */
  busy(warehouse: string): boolean {
    return (this.runs.get(path.resolve(warehouse)) ?? 0) > 0;
  }

  /** Runs a read unless a run holds the warehouse, in which case it throws a SluiceError saying so. */
  async read<T>(warehouse: string, fn: () => Promise<T>): Promise<T> {
    const key = path.resolve(warehouse);
    if (this.busy(key)) throw new SluiceError(`a source is being loaded into ${path.basename(key)}; try again when it is done`);
    let set = this.reads.get(key);
    if (!set) this.reads.set(key, (set = new Set()));
    const pending = fn();
    set.add(pending);
    try {
      return await pending;
    } finally {
      set.delete(pending);
    }
  }

  /** Marks a run of the warehouse for as long as fn runs, after the reads under way have finished. */
  async run<T>(warehouse: string, fn: () => Promise<T>): Promise<T> {
    const key = path.resolve(warehouse);
    this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
    this.onRunsChanged?.();
    try {
      await Promise.allSettled([...(this.reads.get(key) ?? [])]);
      return await fn();
    } finally {
      const left = (this.runs.get(key) ?? 1) - 1;
      if (left > 0) this.runs.set(key, left);
      else this.runs.delete(key);
      this.onRunsChanged?.();
    }
  }
}
