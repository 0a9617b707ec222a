// Live progress on a terminal: one line per resource with rows and rows/s (cli-progress draws and
// redraws the lines). Off the terminal nothing is drawn.

import { MultiBar, type SingleBar } from 'cli-progress';
import { formatCount } from './output';

export class ResourceProgress {
  private readonly multibar: MultiBar;
  private readonly bars = new Map<string, { bar: SingleBar; started: number }>();

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.multibar = new MultiBar(
      {
        stream,
        format: '  {resource}  {rows} rows  {rate} rows/s',
        hideCursor: true,
        clearOnComplete: false,
        fps: 10,
        forceRedraw: true,
      },
      undefined,
    );
  }

  update(counts: Record<string, number>): void {
    const now = Date.now();
    for (const [resource, rows] of Object.entries(counts)) {
      let entry = this.bars.get(resource);
      if (!entry) {
        entry = { bar: this.multibar.create(0, 0, { resource, rows: '0', rate: '0' }), started: now };
        this.bars.set(resource, entry);
      }
      const seconds = Math.max((now - entry.started) / 1000, 0.001);
      entry.bar.update(0, { resource, rows: formatCount(rows), rate: formatCount(Math.round(rows / seconds)) });
    }
  }

  stop(): void {
    this.multibar.stop();
  }
}
