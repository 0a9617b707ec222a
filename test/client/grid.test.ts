// The result grid's pure parts: which rows are in the DOM for a scroll position and which pages they need,
// how far the scroll area reaches before the result's size is known, which pages are forgotten; sorting and
// filtering the loaded rows with NULLs kept apart from text; rows as clipboard text; histogram bars.

import { strict as assert } from 'node:assert';
import type { QueryValue } from '../../core/query/types';
import { cellText, compareValues, filteredIndexes, rowsAsText, sortedIndexes } from '../../client/webview/gridRows';
import { pagesOf, pagesToEvict, scrollRowCount, visibleRows } from '../../client/webview/gridWindow';
import { sparkBars } from '../../client/webview/sparkline';

describe('result grid: virtual window', () => {
  it('builds only the rows in view, with a margin, and never past the ends', () => {
    // 22 px rows, a 440 px viewport: 20 rows in view.
    assert.deepEqual(visibleRows(0, 440, 22, 10_000_000, 5), { first: 0, end: 25 });
    assert.deepEqual(visibleRows(22 * 1_000_000 + 11, 440, 22, 10_000_000, 5), { first: 999_995, end: 1_000_026 });
    assert.deepEqual(visibleRows(22 * 9_999_990, 440, 22, 10_000_000, 5), { first: 9_999_985, end: 10_000_000 });
    assert.deepEqual(visibleRows(0, 440, 22, 3, 5), { first: 0, end: 3 });
    assert.deepEqual(visibleRows(500, 440, 22, 0), { first: 0, end: 0 });
    // A scroll position beyond the rows (the result shrank): the last row stays built.
    assert.deepEqual(visibleRows(22 * 1000, 440, 22, 10, 2), { first: 9, end: 10 });
  });

  it('asks for the pages holding the window', () => {
    assert.deepEqual(pagesOf({ first: 0, end: 25 }, 200), [0]);
    assert.deepEqual(pagesOf({ first: 190, end: 215 }, 200), [0, 1]);
    assert.deepEqual(pagesOf({ first: 999_995, end: 1_000_026 }, 200), [4999, 5000]);
    assert.deepEqual(pagesOf({ first: 0, end: 0 }, 200), []);
  });

  it('lets the scroll area reach one page past the rows read until the size is known, within the limit', () => {
    assert.equal(scrollRowCount(200, false, 200, 0), 400);
    assert.equal(scrollRowCount(2048, true, 200, 0), 2048);
    assert.equal(scrollRowCount(200, false, 200, 500), 400);
    assert.equal(scrollRowCount(2048, false, 200, 500), 500);
    assert.equal(scrollRowCount(42, true, 200, 500), 42);
  });

  it('forgets the pages farthest from the window beyond the number kept', () => {
    assert.deepEqual(pagesToEvict([0, 1, 2], { first: 0, end: 20 }, 200, 5), []);
    assert.deepEqual(pagesToEvict([0, 1, 2, 50, 51, 99], { first: 10_200, end: 10_230 }, 200, 3).sort((a, b) => a - b), [0, 1, 2]);
  });
});

describe('result grid: sort, filter, copy', () => {
  // Orders with a customer that is sometimes missing, notes empty or missing, amounts beyond doubles as text.
  const rows: QueryValue[][] = [
    [1, 103, 'gift', '12.50'],
    [2, null, '', '9007199254740993'],
    [3, 101, null, '9007199254740992'],
    [4, 102, 'null', '-3'],
    [5, null, 'Gift wrap', null],
  ];
  const all = rows.map((_, i) => i);

  it('sorts NULLs last in both directions, stable among equals', () => {
    assert.deepEqual(sortedIndexes(rows, all, 1, 'asc'), [2, 3, 0, 1, 4]);
    assert.deepEqual(sortedIndexes(rows, all, 1, 'desc'), [0, 3, 2, 1, 4]);
    // Text: the empty text is a value (first), NULL is not.
    assert.deepEqual(sortedIndexes(rows, all, 2, 'asc'), [1, 4, 0, 3, 2]);
  });

  it('sorts numbers sent as text by value in a numeric column, exactly beyond doubles', () => {
    assert.deepEqual(sortedIndexes(rows, all, 3, 'asc', true), [3, 0, 2, 1, 4]);
    // In a text column numbers sent as text sort by their characters.
    assert.deepEqual(sortedIndexes([['10'], ['9'], [null], ['-3']], [0, 1, 2, 3], 0, 'asc', true), [3, 1, 0, 2]);
    assert.deepEqual(sortedIndexes([['10'], ['9'], [null], ['-3']], [0, 1, 2, 3], 0, 'asc', false), [3, 0, 1, 2]);
    assert.ok(compareValues('9007199254740993', '9007199254740992', true) > 0);
    assert.ok(compareValues('10', '9', true) > 0);
    assert.ok(compareValues('10', '9', false) < 0);
    assert.ok(compareValues(false, true) < 0);
  });

  it('filters on cell text, case-insensitively; a NULL holds no text, the word null finds text only', () => {
    assert.deepEqual(filteredIndexes(rows, 'gift'), [0, 4]);
    assert.deepEqual(filteredIndexes(rows, 'NULL'), [3]);
    assert.deepEqual(filteredIndexes(rows, '  '), all);
    assert.deepEqual(filteredIndexes(rows, '101'), [2]);
  });

  it('copies rows as tab-separated text: NULL an empty field, tabs and newlines flattened, nested values as JSON', () => {
    assert.equal(
      rowsAsText(['id', 'note', 'items'], [[1, 'a\tb\nc', [1, { k: null }]], [2, null, null]]),
      'id\tnote\titems\n1\ta b c\t[1,{"k":null}]\n2\t\t\n',
    );
    assert.equal(cellText(null), undefined);
    assert.equal(cellText(''), '');
    assert.equal(cellText({ a: [1] }), '{"a":[1]}');
  });
});

describe('profile sparkline', () => {
  it('scales bars to the fullest bin and keeps small non-zero bins visible', () => {
    const bars = sparkBars([10, 0, 5, 1000], 80, 20);
    assert.equal(bars.length, 4);
    assert.deepEqual(bars.map((b) => b.x), [0, 20, 40, 60]);
    assert.deepEqual(bars.map((b) => b.width), [19, 19, 19, 19]);
    assert.deepEqual(bars.map((b) => b.height), [1, 0, 1, 20]);
    assert.ok(bars.every((b) => Math.abs(b.y + b.height - 20) < 1e-9));
    assert.deepEqual(sparkBars([], 80, 20), []);
    assert.deepEqual(sparkBars([0, 0], 80, 20).map((b) => b.height), [0, 0]);
  });
});
