// The state of each project's warehouse for the status bar: running (this server loads or applies into it),
// locked (another process, a `sluice ingest` in a terminal say, holds it for writing) or idle. Other
// processes are seen by reading the system's lock table every few seconds (core/warehouse/lockHolder), which
// never touches the file; the client is told only when something changed.

import * as path from 'node:path';
import type { ProjectInfo, WarehouseState } from '../../core/protocol';
import { lockHolder } from '../../core/warehouse/lockHolder';
import type { WarehouseGate } from './gate';

const POLL_MS = 3_000;

export interface WarehouseWatchDeps {
  gate: WarehouseGate;
  projects(): ProjectInfo[];
  send(states: WarehouseState[]): void;
  pollMs?: number;
}

export class WarehouseWatch {
  private last = '';
  private readonly timer: NodeJS.Timeout;
  private checking = false;

  constructor(private readonly deps: WarehouseWatchDeps) {
    this.timer = setInterval(() => void this.check(), deps.pollMs ?? POLL_MS);
    this.timer.unref();
  }

  /** Looks again now (a run started or ended, the projects changed). */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const states = await Promise.all(this.deps.projects().map((project) => this.stateOf(project)));
      const text = JSON.stringify(states);
      if (text !== this.last) {
        this.last = text;
        this.deps.send(states);
      }
    } finally {
      this.checking = false;
    }
  }

  private async stateOf(project: ProjectInfo): Promise<WarehouseState> {
    const base = { projectDir: project.dir, warehouse: project.warehouse };
    if (this.deps.gate.busy(path.resolve(project.warehouse))) return { ...base, state: 'running' };
    const holder = await lockHolder(project.warehouse);
    if (typeof holder === 'object') return { ...base, state: 'locked', pid: holder.pid, ...(holder.command ? { command: holder.command } : {}) };
    return { ...base, state: 'idle' };
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
