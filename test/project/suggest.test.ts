// "Did you mean ...?" suggestions for unknown columns and tables, and reading column_descriptions entries
// with their positions (what the editor's fixes edit).

import { strict as assert } from 'node:assert';
import { columnDescriptionList } from '../../core/dag/columnDescriptions';
import { closeNames, editDistance } from '../../core/dag/suggest';
import { closeTableNames, closestName } from '../../core/dag/unknownTable';
import { parseModelFile } from '../../core/models/parse';

describe('suggestions for unknown names', () => {
  it('measures edits, stopping at the limit', () => {
    assert.equal(editDistance('amout', 'amount', 3), 1);
    assert.equal(editDistance('kitten', 'sitting', 5), 3);
    assert.equal(editDistance('abcdef', 'uvwxyz', 2), 2);
  });

  it('suggests close column names, closest first, case-insensitively, never the name itself', () => {
    const columns = ['order_id', 'amount', 'amounts', 'customer_id', 'status', 'AMOUNT'];
    assert.deepEqual(closeNames('amout', columns), ['amount']);
    assert.deepEqual(closeNames('ammount', columns), ['amount', 'amounts']);
    assert.deepEqual(closeNames('Status', columns), []);
    assert.deepEqual(closeNames('statu', columns), ['status']);
    // Short names allow one edit only: `id` is not `nm`.
    assert.deepEqual(closeNames('id', ['nm', 'ids']), ['ids']);
    assert.deepEqual(closeNames('customerid', columns), ['customer_id']);
    assert.deepEqual(closeNames('xyz', columns), []);
  });

  it('suggests the same table in another schema first, then tables within two edits', () => {
    const known = ['staging.orders', 'shop.orders', 'staging.customers', 'analytics.daily_revenue'];
    assert.deepEqual(closeTableNames('main.orders', known), ['shop.orders', 'staging.orders']);
    assert.deepEqual(closeTableNames('staging.ordrs', known), ['staging.orders']);
    assert.deepEqual(closeTableNames('staging.nothing', known), []);
    assert.equal(closestName('staging.customer', known), 'staging.customers');
  });
});

describe('column_descriptions entries', () => {
  it('lists each entry with the place of its name and of the whole entry', () => {
    const text = "MODEL (\n  name a.b,\n  column_descriptions (\n    x = 'one, two',\n    \"My Col\" = 'three' ,\n  )\n);\nSELECT 1 AS x";
    const list = columnDescriptionList(parseModelFile(text, 'm.sql'), text)!;
    const slice = (a: { offset: number }, b: { offset: number }) => text.slice(a.offset, b.offset);
    assert.deepEqual(list.entries.map((e) => [e.name, slice(e.start, e.end), slice(e.nameStart, e.nameEnd)]), [
      ['x', "x = 'one, two'", 'x'],
      ['My Col', "\"My Col\" = 'three'", '"My Col"'],
    ]);
    assert.equal(text[list.open.offset - 1], '(');
    assert.equal(text[list.close.offset], ')');
    assert.equal(list.entries[1].nameStart.line, 5);
    assert.equal(columnDescriptionList(parseModelFile('MODEL (name a.b);\nSELECT 1', 'm.sql'), 'MODEL (name a.b);\nSELECT 1'), undefined);
  });
});
