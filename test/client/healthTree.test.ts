import { strict as assert } from 'node:assert';
import { countsDescription, countStatuses, resourceDescription, sparkline } from '../../client/health/healthTree';
import type { SourceHealth } from '../../core/health/types';

const NOW = Date.parse('2026-12-04T12:00:00Z');

function resource(over: Partial<SourceHealth>): SourceHealth {
  return {
    status: 'fresh',
    reason: 'fine.',
    breach: null,
    owner: null,
    tags: [],
    freshness: null,
    last_success: null,
    last_failure: null,
    volume: [],
    anomaly: null,
    schema_changes: [],
    ...over,
  };
}

describe('health view text', () => {
  it('draws rows per load as a sparkline, lowest to highest, a flat series in the middle', () => {
    assert.equal(sparkline([]), '');
    assert.equal(sparkline([0, 50, 100]), '▁▅█');
    assert.equal(sparkline([40, 40, 40]), '▄▄▄');
    assert.equal(sparkline([0, 0]), '▁▁');
    assert.equal(sparkline([1204, 1190, 0, 1210]).length, 4);
    assert.equal(sparkline([1204, 1190, 0, 1210])[2], '▁');
  });

  it('describes a resource by status, last success, its rows and the volume', () => {
    const at = new Date(NOW - 2 * 3_600_000).toISOString();
    const loaded = resource({
      last_success: { load_id: 'l2', at, started_at: at, duration_ms: 100, rows: 1204 },
      volume: [
        { load_id: 'l1', at, rows: 1000 },
        { load_id: 'l2', at, rows: 1204 },
      ],
    });
    assert.equal(resourceDescription(loaded, NOW), 'fresh · 2 h ago · 1,204 rows ▁█');
    assert.equal(resourceDescription(resource({ status: 'unknown' }), NOW), 'unknown · never loaded');
    assert.equal(resourceDescription({ ...loaded, status: 'stale', anomaly: 'the last load brought 0 rows' }, NOW), 'stale · 2 h ago · 1,204 rows · unusual volume ▁█');
  });

  it('counts statuses worst first, leaving out those with none', () => {
    assert.equal(countsDescription(countStatuses(['fresh', 'failing', 'fresh', 'stale'])), '1 failing · 1 stale · 2 fresh');
    assert.equal(countsDescription(countStatuses([])), 'nothing to judge');
  });
});
