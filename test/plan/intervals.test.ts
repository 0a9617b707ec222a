// Interval arithmetic of incremental models: units from cron, what is due, what is missing, batches.
import { strict as assert } from 'node:assert';
import {
  alignRange, batches, dueRange, formatRange, intervalUnit, lastCronTick, mergeIntervals, parseModelTime, removeRange, subtractIntervals,
} from '../../core/plan/intervals';
import type { SnapshotRecord } from '../../core/plan/types';

const t = (text: string) => Date.parse(text.includes('T') ? `${text}Z` : `${text}T00:00:00Z`);
const model = (fields: Partial<SnapshotRecord>) => ({ name: 'a.m', ...fields }) as SnapshotRecord;

describe('plan: intervals', () => {
  it('derives the unit from the cron or interval_unit', () => {
    assert.equal(intervalUnit(model({})), 'day');
    assert.equal(intervalUnit(model({ cron: '@hourly' })), 'hour');
    assert.equal(intervalUnit(model({ cron: '@monthly' })), 'month');
    assert.equal(intervalUnit(model({ cron: '0 6 * * *' })), 'day');
    assert.equal(intervalUnit(model({ cron: '*/15 * * * *' })), 'quarter_hour');
    assert.equal(intervalUnit(model({ cron: '@daily', intervalUnit: 'hour' })), 'hour');
    assert.throws(() => intervalUnit(model({ cron: 'every day' })), /cron 'every day' is not valid/);
  });

  it('makes intervals due per cron: with 0 6 * * * yesterday is due from 06:00', () => {
    const m = model({ cron: '0 6 * * *', start: '2024-01-01' });
    assert.equal(lastCronTick(m, t('2024-01-10T07:00:00')), t('2024-01-10T06:00:00'));
    assert.deepEqual(dueRange(m, t('2024-01-10T07:00:00')), { startMs: t('2024-01-01'), endMs: t('2024-01-10') });
    assert.deepEqual(dueRange(m, t('2024-01-10T05:00:00')), { startMs: t('2024-01-01'), endMs: t('2024-01-09') });
  });

  it('stops at the end property (a date includes its day) and defaults the start to the last interval', () => {
    assert.deepEqual(dueRange(model({ start: '2024-01-01', end: '2024-01-05' }), t('2024-03-01')), { startMs: t('2024-01-01'), endMs: t('2024-01-06') });
    assert.deepEqual(dueRange(model({}), t('2024-03-01T12:00:00')), { startMs: t('2024-02-29'), endMs: t('2024-03-01') });
    assert.deepEqual(dueRange(model({ cron: '@hourly', start: '2024-03-01' }), t('2024-03-01T03:30:00')), { startMs: t('2024-03-01'), endMs: t('2024-03-01T03:00:00') });
  });

  it('reads relative starts such as "2 days ago"', () => {
    assert.equal(parseModelTime('2 days ago', 'start', t('2024-03-10')).ms, t('2024-03-08'));
    assert.equal(parseModelTime('1 month ago', 'start', t('2024-03-10')).ms, t('2024-02-10'));
    assert.throws(() => parseModelTime('last week', 'start of a.m', 0), /start of a\.m 'last week' is not a date/);
  });

  it('finds the missing parts of a range and takes restated ranges out', () => {
    const done = [{ startMs: 10, endMs: 20 }, { startMs: 30, endMs: 40 }, { startMs: 20, endMs: 25 }];
    assert.deepEqual(mergeIntervals(done), [{ startMs: 10, endMs: 25 }, { startMs: 30, endMs: 40 }]);
    assert.deepEqual(subtractIntervals({ startMs: 0, endMs: 50 }, done), [{ startMs: 0, endMs: 10 }, { startMs: 25, endMs: 30 }, { startMs: 40, endMs: 50 }]);
    assert.deepEqual(subtractIntervals({ startMs: 12, endMs: 18 }, done), []);
    assert.deepEqual(removeRange(done, { startMs: 15, endMs: 35 }), [{ startMs: 10, endMs: 15 }, { startMs: 35, endMs: 40 }]);
  });

  it('splits ranges into batches of batch_size units and aligns ranges to units', () => {
    const range = { startMs: t('2024-01-01'), endMs: t('2024-01-06') };
    assert.deepEqual(batches([range], 'day').length, 1);
    assert.deepEqual(batches([range], 'day', 2).map(formatRange), [['2024-01-01', '2024-01-02'], ['2024-01-03', '2024-01-04'], ['2024-01-05', '2024-01-05']]);
    assert.deepEqual(batches([{ startMs: t('2024-01-01'), endMs: t('2024-04-01') }], 'month', 1).length, 3);
    assert.deepEqual(alignRange({ startMs: t('2024-01-01T05:00:00'), endMs: t('2024-01-02T01:00:00') }, 'day'), { startMs: t('2024-01-01'), endMs: t('2024-01-03') });
    assert.deepEqual(formatRange({ startMs: t('2024-01-01T05:00:00'), endMs: t('2024-01-01T07:00:00') }), ['2024-01-01 05:00:00', '2024-01-01 07:00:00']);
  });
});
