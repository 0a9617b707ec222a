// TextShift: answering from the previous analysis while the newest text is analysed is right only outside
// what the edit touched.

import { strict as assert } from 'node:assert';
import { EditLog } from '../../server/language/editLog';
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

describe('TextShift over the editor\'s edits', () => {
  const analysed = 'SELECT amount,\n  status,\n  region\nFROM orders\nWHERE status = 1\n';

  /** Applies changes like an editor (each range on the text the previous left) and returns the log's view. */
  function edited(changes: { start: number; end: number; text: string }[]): { current: string; shift: TextShift } {
    const log = new EditLog();
    const config = log.documents();
    const document = config.create('file:///m.sql', 'sql', 1, analysed);
    let version = 1;
    for (const change of changes) {
      config.update(document, [{ range: { start: document.positionAt(change.start), end: document.positionAt(change.end) }, text: change.text }], ++version);
    }
    const current = document.getText();
    return { current, shift: new TextShift(analysed, current, log.since('file:///m.sql', 1)) };
  }

  it('maps a name between two edits far apart, which one stretch from first to last change could not', () => {
    const { current, shift } = edited([
      { start: 0, end: 0, text: '-- top\n' },
      { start: analysed.length + 7, end: analysed.length + 7, text: 'LIMIT 5\n' },
    ]);
    const region = current.indexOf('region');
    assert.equal(shift.toAnalysed(region + 2), analysed.indexOf('region') + 2);
    assert.equal(new TextShift(analysed, current).toAnalysed(region + 2), undefined);
    const back = shift.toCurrent({ start: analysed.indexOf('orders'), end: analysed.indexOf('orders') + 6 })!;
    assert.equal(current.slice(back.start, back.end), 'orders');
  });

  it('refuses names any of the edits touched, and follows an edit that replaced an earlier one', () => {
    const at = analysed.indexOf('status');
    const { current, shift } = edited([
      { start: at, end: at + 6, text: 'state' },
      { start: at, end: at + 5, text: 'status_code' },
    ]);
    assert.equal(shift.toAnalysed(current.indexOf('status_code') + 1), undefined);
    assert.equal(shift.toAnalysed(current.indexOf('region')), analysed.indexOf('region'));
    assert.equal(shift.toAnalysed(current.indexOf('amount')), analysed.indexOf('amount'));
  });

  it('cannot tell edits it did not see', () => {
    const log = new EditLog();
    const config = log.documents();
    const document = config.create('file:///m.sql', 'sql', 1, analysed);
    config.update(document, [{ text: 'SELECT 1' }], 5);
    assert.equal(log.since('file:///m.sql', 3), undefined);
    assert.deepEqual(log.since('file:///m.sql', 4), [{ version: 5, start: 0, end: analysed.length, length: 8 }]);
    assert.deepEqual(log.since('file:///m.sql', 5), []);
  });
});
