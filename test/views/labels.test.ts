// The short texts the views and CodeLens show in little room, and their long forms.

import { strict as assert } from 'node:assert';
import { columnsLabel, kindLabel, listWithMore, shortType } from '../../core/labels';
import type { RunSource } from '../../core/protocol';
import { describeResult, exactTime, relativeTime } from '../../client/format';

describe('short labels', function () {
  it('formats times relative to now, and the exact time for tooltips', () => {
    const now = Date.parse('2024-05-10T12:00:00Z');
    const ago = (ms: number) => new Date(now - ms).toISOString();
    assert.equal(relativeTime(ago(5_000), now), 'just now');
    assert.equal(relativeTime(ago(5 * 60_000), now), '5 min ago');
    assert.equal(relativeTime(ago(59 * 60_000), now), '59 min ago');
    assert.equal(relativeTime(ago(2 * 3_600_000 + 10 * 60_000), now), '2 h ago');
    assert.equal(relativeTime(ago(3 * 86_400_000), now), '3 d ago');
    assert.equal(relativeTime('2024-01-02T08:00:00Z', now), '2024-01-02');
    // A clock a little ahead of the warehouse's is not "in the future".
    assert.equal(relativeTime(new Date(now + 20_000).toISOString(), now), 'just now');
    assert.equal(relativeTime('not a time', now), undefined);
    assert.equal(exactTime('2024-05-01T10:00:00.000Z'), '2024-05-01 10:00 UTC');
  });

  it('shortens column types to DuckDB aliases and nested types to their shape', () => {
    assert.equal(shortType('TIMESTAMP WITH TIME ZONE'), 'timestamptz');
    assert.equal(shortType('TIME WITH TIME ZONE'), 'timetz');
    assert.equal(shortType('DECIMAL(38,9)'), 'decimal(38,9)');
    assert.equal(shortType('VARCHAR[]'), 'varchar[]');
    assert.equal(shortType('STRUCT("login" VARCHAR, id BIGINT, site_admin BOOLEAN)'), 'struct(…)');
    assert.equal(shortType('STRUCT(a VARCHAR, b STRUCT(c INTEGER, d DOUBLE))[]'), 'struct(…)[]');
    assert.equal(shortType('MAP(VARCHAR, STRUCT(a INTEGER, b INTEGER))'), 'map(…)');
  });

  it('names the first items and counts the rest', () => {
    assert.equal(listWithMore(['a', 'b', 'c'], 3), 'a, b, c');
    assert.equal(listWithMore(['a', 'b', 'c', 'd', 'e'], 3), 'a, b, c +2 more');
    assert.equal(listWithMore(['a', 'b'], 0), '+2 more');
    assert.equal(listWithMore([], 3), '');
  });

  it('keeps a CodeLens of many columns short, with every column and its full type in the tooltip', () => {
    const columns = [
      { name: 'id', type: 'BIGINT' },
      { name: 'user', type: 'STRUCT(login VARCHAR, id BIGINT, site_admin BOOLEAN)' },
      { name: 'created_at', type: 'TIMESTAMP WITH TIME ZONE' },
      { name: 'title' },
      { name: 'body', type: 'VARCHAR' },
      { name: 'labels', type: 'VARCHAR[]' },
    ];
    const label = columnsLabel(columns, 4);
    assert.equal(label.title, '6 columns: id bigint, user struct(…), created_at timestamptz, title +2 more');
    assert.deepEqual(label.tooltip.split('\n'), [
      'id bigint',
      'user struct(login varchar, id bigint, site_admin boolean)',
      'created_at timestamp with time zone',
      'title',
      'body varchar',
      'labels varchar[]',
    ]);
    assert.equal(columnsLabel([{ name: 'n', type: 'BIGINT' }], 4).title, '1 column: n bigint');
  });

  it('says model kinds in words', () => {
    assert.equal(kindLabel('INCREMENTAL_BY_TIME_RANGE'), 'incremental by time');
    assert.equal(kindLabel('INCREMENTAL_BY_UNIQUE_KEY'), 'incremental by key');
    assert.equal(kindLabel('SCD_TYPE_2_BY_COLUMN'), 'SCD type 2 by column');
    assert.equal(kindLabel('FULL'), 'full');
    assert.equal(kindLabel('VIEW'), 'view');
    assert.equal(kindLabel('SOME_NEW_KIND'), 'some new kind');
  });

  it('names a few tables in a run\'s result and counts the others', () => {
    const result: RunSource.Result = {
      runId: 'r',
      source: 'github',
      project: 'demo',
      warehouse: '/p/warehouse.duckdb',
      status: 'loaded',
      loadId: 'l',
      tables: [
        { table: 'comments', rows: 349 },
        { table: 'issues', rows: 240 },
        { table: 'issues__assignees', rows: 303 },
        { table: 'issues__labels', rows: 1365 },
      ],
      schemaChanges: 0,
      durationMs: 1234,
    };
    assert.equal(describeResult(result), 'Sluice: loaded github into warehouse.duckdb in 1.2 s; rows per table: comments 349, issues 240, issues__assignees 303 +1 more');
    assert.equal(describeResult({ ...result, tables: result.tables.slice(0, 3) }), 'Sluice: loaded github into warehouse.duckdb in 1.2 s; rows per table: comments 349, issues 240, issues__assignees 303');
  });
});
