// The volume anomaly rule on its own: zero rows, under 10 % of the median, a z-score above 3, the 14-day
// window, at least 7 loads, and the direction setting.
import { strict as assert } from 'node:assert';
import { volumeAnomaly, type VolumeSample } from '../../core/health/anomaly';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-04T12:00:00Z');

/** Loads of the given sizes, one a day, the last one the day before NOW. */
function daily(rows: number[]): VolumeSample[] {
  return rows.map((r, i) => ({ startedMs: NOW - (rows.length - i) * DAY, rows: r }));
}
const latest = (rows: number): VolumeSample => ({ startedMs: NOW, rows });
const steady = daily([1000, 1040, 980, 1010, 995, 1020, 990]);

describe('volume anomaly', () => {
  it('flags zero rows at once, even without history, unless only highs are watched', () => {
    assert.equal(volumeAnomaly(latest(0), []), 'the last load brought 0 rows');
    assert.equal(volumeAnomaly(latest(0), [], 'low'), 'the last load brought 0 rows');
    assert.equal(volumeAnomaly(latest(0), [], 'high'), null);
    assert.equal(volumeAnomaly(latest(0), [], 'off'), null);
  });

  it('judges nothing else before 7 loads in the 14 days before the latest', () => {
    assert.equal(volumeAnomaly(latest(5), steady.slice(1)), null, 'six loads');
    assert.equal(volumeAnomaly(latest(50_000), steady.slice(1)), null);
    // Seven loads, but one of them 15 days before: outside the window.
    const old = [{ startedMs: NOW - 15 * DAY, rows: 1000 }, ...steady.slice(1)];
    assert.equal(volumeAnomaly(latest(5), old), null);
    // Loads after the latest one are not its history.
    const later = [...steady.slice(1), { startedMs: NOW + DAY, rows: 1000 }];
    assert.equal(volumeAnomaly(latest(5), later), null);
    assert.match(volumeAnomaly(latest(5), steady)!, /^the last load brought 5 rows, under 10 % of the median of 1,000 over the 14 days before it \(7 loads\)$/);
  });

  it('flags a z-score above 3 either way, counting the spread as at least one row', () => {
    assert.equal(volumeAnomaly(latest(1060), steady), null);
    const spike = volumeAnomaly(latest(1300), steady)!;
    assert.match(spike, /^the last load brought 1,300 rows, [\d.]+ standard deviations above the mean of 1,005 over the 14 days before it \(7 loads\)$/);
    assert.match(volumeAnomaly(latest(700), steady)!, /standard deviations below the mean of 1,005/);
    assert.equal(volumeAnomaly(latest(1300), steady, 'low'), null);
    assert.equal(volumeAnomaly(latest(700), steady, 'high'), null);
    assert.match(volumeAnomaly(latest(1300), steady, 'high')!, /above/);
    // 25 customers every day: no spread, so it counts as one row; 28 is 3 of them (not above 3), 29 is 4.
    const flat = daily([25, 25, 25, 25, 25, 25, 25]);
    assert.equal(volumeAnomaly(latest(28), flat), null);
    assert.match(volumeAnomaly(latest(29), flat)!, /4\.0 standard deviations above the mean of 25/);
    assert.match(volumeAnomaly(latest(21), flat)!, /4\.0 standard deviations below the mean of 25/);
    const zeros = daily([0, 0, 0, 0, 0, 0, 0]);
    assert.equal(volumeAnomaly(latest(3), zeros, 'high'), null);
    assert.match(volumeAnomaly(latest(4), zeros, 'high')!, /4\.0 standard deviations above the mean of 0/);
  });

  it('compares with a median of an even count, and with a noisy history', () => {
    const even = daily([10, 20, 30, 40, 50, 60, 70, 80]);
    assert.match(volumeAnomaly(latest(4), even)!, /under 10 % of the median of 45 /);
    assert.equal(volumeAnomaly(latest(5), even), null);
    const noisy = daily([100, 5000, 200, 4000, 50, 3000, 600, 2500]);
    assert.equal(volumeAnomaly(latest(7000), noisy), null, 'within 3 standard deviations of a wide spread');
    assert.match(volumeAnomaly(latest(9000), noisy)!, /3\.6 standard deviations above the mean of 1,931 .*\(8 loads\)/);
  });
});
