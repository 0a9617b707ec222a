// The last loads of each source, from _sluice.loads, for CodeLens and contract errors in source files. Read
// in the background and cached: requests use what is cached and never wait for DuckDB. The warehouse is
// opened read-only and closed again at once, and only when it has been quiet for a moment (a file written
// right now is most likely held by an ingest, which our read must not get in the way of).

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../../core/errors';
import { withWarehouse } from '../../core/warehouse/connection';
import { listLoads, type LoadRecord } from '../../core/warehouse/system';
import type { WarehouseGate } from '../warehouse/gate';

export interface SourceLoads {
  /** The latest attempt, loaded or failed. */
  last?: LoadRecord;
  /** The latest successful load. */
  lastLoaded?: LoadRecord;
}

interface Entry {
  warehouse: string;
  /** Modification time of the warehouse file when it was last read; -1: never read. */
  readMtime: number;
  bySource: Map<string, SourceLoads>;
  reading?: Promise<boolean>;
  timer?: NodeJS.Timeout;
  error?: string;
}

export interface LoadHistoryDeps {
  gate: WarehouseGate;
  /** Called after a read found something new for the project in dir. */
  changed(dir: string): void;
  log?(message: string): void;
  /** How long the file must have been unchanged before it is read, in ms. */
  quietMs?: number;
}

const DEFAULT_QUIET_MS = 1500;
const LOADS_READ = 1000;

export class LoadHistory {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: LoadHistoryDeps) {}

  /** What is known about the project's loads (possibly nothing yet); a stale cache schedules a read. */
  get(dir: string, warehouse: string): Map<string, SourceLoads> {
    const entry = this.entry(dir, warehouse);
    void this.checkStale(dir, entry);
    return entry.bySource;
  }

  /**
   * Records a load this server just ran, from its own result, without opening the warehouse (another
   * process may want it right away). Later changes by others are read once the file has been quiet.
   */
  async record(dir: string, warehouse: string, load: LoadRecord): Promise<void> {
    const entry = this.entry(dir, warehouse);
    await entry.reading?.catch(() => undefined);
    const next = new Map(entry.bySource);
    const s = { ...next.get(load.source) };
    s.last = load;
    if (load.status === 'loaded') s.lastLoaded = load;
    next.set(load.source, s);
    entry.bySource = next;
    entry.readMtime = await mtimeOf(warehouse);
    this.deps.changed(path.resolve(dir));
  }

  dispose(): void {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
  }

  private entry(dir: string, warehouse: string): Entry {
    const key = path.resolve(dir);
    let entry = this.entries.get(key);
    if (!entry || entry.warehouse !== warehouse) {
      if (entry) clearTimeout(entry.timer);
      entry = { warehouse, readMtime: -1, bySource: new Map() };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private async checkStale(dir: string, entry: Entry): Promise<void> {
    if (entry.reading || entry.timer) return;
    const mtime = await mtimeOf(entry.warehouse);
    if (mtime === entry.readMtime) return;
    const quiet = this.deps.quietMs ?? DEFAULT_QUIET_MS;
    const wait = mtime < 0 ? 0 : Math.max(0, mtime + quiet - Date.now());
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.read(dir, entry, false);
    }, wait);
    entry.timer.unref?.();
  }

  private read(dir: string, entry: Entry, force: boolean): Promise<boolean> {
    if (entry.reading) return entry.reading.then(() => (force ? this.read(dir, entry, true) : false));
    entry.reading = (async () => {
      const mtime = await mtimeOf(entry.warehouse);
      if (!force && mtime === entry.readMtime) return false;
      const quiet = this.deps.quietMs ?? DEFAULT_QUIET_MS;
      // Written a moment ago: come back once it has been quiet.
      if (!force && mtime >= 0 && Date.now() - mtime < quiet) {
        entry.reading = undefined;
        void this.checkStale(dir, entry);
        return false;
      }
      let loads: LoadRecord[] = [];
      if (mtime >= 0) {
        try {
          loads = await this.deps.gate.read(entry.warehouse, () =>
            withWarehouse(entry.warehouse, (wh) => listLoads(wh, { limit: LOADS_READ }), { readOnly: true }),
          );
          entry.error = undefined;
        } catch (err) {
          // Held by another process or by a run here: keep what we had and look again later.
          entry.error = describeError(err);
          this.deps.log?.(`could not read the loads of ${entry.warehouse}: ${entry.error}`);
          return false;
        }
      }
      entry.readMtime = mtime;
      const next = summarize(loads);
      const changed = JSON.stringify([...next]) !== JSON.stringify([...entry.bySource]);
      entry.bySource = next;
      if (changed) this.deps.changed(path.resolve(dir));
      return changed;
    })().finally(() => {
      entry.reading = undefined;
    });
    return entry.reading;
  }
}

/** What a run stopped by the user records as its error: it says nothing about the source. */
const CANCELLED = /^ingest cancelled\b/;

/** Per source: the newest attempt and the newest successful load (loads come newest first); cancelled runs do not count. */
export function summarize(loads: readonly LoadRecord[]): Map<string, SourceLoads> {
  const out = new Map<string, SourceLoads>();
  for (const load of loads) {
    if (load.status === 'failed' && CANCELLED.test(load.error ?? '')) continue;
    let s = out.get(load.source);
    if (!s) out.set(load.source, (s = {}));
    if (!s.last) s.last = load;
    if (!s.lastLoaded && load.status === 'loaded') s.lastLoaded = load;
  }
  return out;
}

async function mtimeOf(file: string): Promise<number> {
  return fs.stat(file).then((s) => s.mtimeMs, () => -1);
}
