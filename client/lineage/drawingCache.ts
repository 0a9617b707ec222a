// Drawings already laid out, by the graph they draw. ELK is deterministic, so a graph seen before (the same
// model reopened, the cursor back on a column, the next session on the same project) is drawn without a
// layout: the panel paints as soon as the server answers, even while the layout worker is still starting.
// Kept in memory and, when a folder is given, on disk; the key includes the layout code's own identity, so
// a new build never serves an old drawing.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Drawing, ViewGraph } from './drawing';

const MEMORY_ENTRIES = 64;
const DISK_ENTRIES = 400;

export class DrawingCache {
  private readonly memory = new Map<string, Drawing>();
  private written = 0;

  /** `layoutIdentity` changes with the layout code (for example the worker script's size and time). */
  constructor(
    private readonly layoutIdentity: string,
    private readonly dir?: string,
  ) {}

  async get(graph: ViewGraph): Promise<Drawing | undefined> {
    const key = this.keyOf(graph);
    const held = this.memory.get(key);
    if (held) {
      this.remember(key, held);
      return held;
    }
    if (!this.dir) return undefined;
    try {
      const drawing = JSON.parse(await fs.promises.readFile(this.fileOf(key), 'utf8')) as Drawing;
      this.remember(key, drawing);
      return drawing;
    } catch {
      return undefined; // not drawn before, or unreadable: lay it out again
    }
  }

  async set(graph: ViewGraph, drawing: Drawing): Promise<void> {
    const key = this.keyOf(graph);
    this.remember(key, drawing);
    if (!this.dir) return;
    try {
      await fs.promises.mkdir(this.dir, { recursive: true });
      const file = this.fileOf(key);
      // Written whole under another name first, so that a reader never sees half a drawing.
      const partial = `${file}.${process.pid}.tmp`;
      await fs.promises.writeFile(partial, JSON.stringify(drawing));
      await fs.promises.rename(partial, file);
      if (++this.written % 50 === 1) await this.trim();
    } catch {
      // A cache that cannot be written only costs the next layout.
    }
  }

  private remember(key: string, drawing: Drawing): void {
    this.memory.delete(key);
    this.memory.set(key, drawing);
    if (this.memory.size > MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value as string);
  }

  /** Keeps the newest drawings on disk (and drops those of older layout code). */
  private async trim(): Promise<void> {
    if (!this.dir) return;
    const names = (await fs.promises.readdir(this.dir)).filter((name) => name.endsWith('.json'));
    if (names.length <= DISK_ENTRIES) return;
    const dated = await Promise.all(
      names.map(async (name) => ({ name, time: (await fs.promises.stat(path.join(this.dir!, name)).catch(() => undefined))?.mtimeMs ?? 0 })),
    );
    dated.sort((a, b) => b.time - a.time);
    await Promise.all(dated.slice(DISK_ENTRIES).map(({ name }) => fs.promises.rm(path.join(this.dir!, name), { force: true })));
  }

  private keyOf(graph: ViewGraph): string {
    return createHash('sha256').update(this.layoutIdentity).update('\0').update(JSON.stringify(graph)).digest('hex').slice(0, 40);
  }

  private fileOf(key: string): string {
    return path.join(this.dir!, `${key}.json`);
  }
}

/** The identity of a layout script: a rebuilt script has another size or time. */
export function scriptIdentity(script: string): string {
  try {
    const stat = fs.statSync(script);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'unknown';
  }
}
