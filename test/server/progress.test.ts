import { strict as assert } from 'node:assert';
import { ProgressTracker } from '../../server/ingest/progress';

describe('language server: ingest progress tracker', () => {
  it('reports the first update at once, then at most one per interval', () => {
    const tracker = new ProgressTracker(1_000, 250);
    assert.ok(tracker.update({ a: 10 }, 1_100));
    assert.equal(tracker.update({ a: 20 }, 1_200), undefined);
    assert.equal(tracker.update({ a: 30 }, 1_349), undefined);
    const due = tracker.update({ a: 40 }, 1_350);
    assert.deepEqual(due?.resources, [{ name: 'a', rows: 40, rowsPerSecond: 114 }]);
  });

  it('computes rows/s per resource as the average since the run started, and the total', () => {
    const tracker = new ProgressTracker(0, 250);
    tracker.update({ orders: 5_000, customers: 25 }, 100);
    const snapshot = tracker.snapshot(2_000);
    assert.deepEqual(snapshot, {
      elapsedMs: 2_000,
      totalRows: 5_025,
      resources: [
        { name: 'orders', rows: 5_000, rowsPerSecond: 2_500 },
        { name: 'customers', rows: 25, rowsPerSecond: 13 },
      ],
    });
  });

  it('gives no rate before any time has passed', () => {
    const tracker = new ProgressTracker(500);
    tracker.update({ a: 7 }, 500);
    assert.deepEqual(tracker.snapshot(500).resources, [{ name: 'a', rows: 7, rowsPerSecond: 0 }]);
  });
});
