// TextShift: answering from the previous analysis while the newest text is analysed is right only outside
// what the edit touched.

import { strict as assert } from 'node:assert';
import { TextShift } from '../../server/language/textShift';

describe('TextShift', () => {
  const analysed = 'SELECT amount, status\nFROM orders\nWHERE status = 1';

  it('maps every offset of identical texts to itself', () => {
    const shift = new TextShift(analysed, analysed);
    assert.ok(shift.identical);
    assert.equal(shift.toAnalysed(10), 10);
    assert.deepEqual(shift.toCurrent({ start: 3, end: 9 }), { start: 3, end: 9 });
  });

  it('moves offsets after an insertion by its length, and leaves those before it alone', () => {
    const current = analysed.replace('FROM', '-- a comment\nFROM');
    const shift = new TextShift(analysed, current);
    const where = current.indexOf('status = 1');
    assert.equal(shift.toAnalysed(where), analysed.indexOf('status = 1'));
    assert.equal(shift.toAnalysed(current.indexOf('amount') + 2), analysed.indexOf('amount') + 2);
    const span = { start: analysed.indexOf('orders'), end: analysed.indexOf('orders') + 6 };
    const moved = shift.toCurrent(span)!;
    assert.equal(current.slice(moved.start, moved.end), 'orders');
  });

  it('refuses a name the edit extended or changed, and spans that overlap the edit', () => {
    const current = analysed.replace('amount', 'amount_total');
    const shift = new TextShift(analysed, current);
    assert.equal(shift.toAnalysed(current.indexOf('amount_total') + 1), undefined);
    assert.equal(shift.toCurrent({ start: analysed.indexOf('amount'), end: analysed.indexOf('amount') + 6 }), undefined);
    // The rest of the text still maps.
    assert.equal(shift.toAnalysed(current.indexOf('orders')), analysed.indexOf('orders'));
  });

  it('handles a deletion and an edit at either end', () => {
    const deleted = new TextShift(analysed, analysed.replace('amount, ', ''));
    assert.equal(deleted.toAnalysed(analysed.replace('amount, ', '').indexOf('orders')), analysed.indexOf('orders'));
    const atStart = new TextShift(analysed, `x${analysed}`);
    assert.equal(atStart.toAnalysed(0), undefined);
    assert.equal(atStart.toAnalysed(analysed.indexOf('orders') + 1), analysed.indexOf('orders'));
    const atEnd = new TextShift(analysed, `${analysed}0`);
    assert.equal(atEnd.toAnalysed(analysed.length), undefined);
    assert.equal(atEnd.toAnalysed(3), 3);
  });
});
