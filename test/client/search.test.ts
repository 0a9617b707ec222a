import { strict as assert } from 'node:assert';
import { findMatches, stepMatch, type Searchable } from '../../client/webview/search';

const boxes: Searchable[] = [
  { id: 'shop.orders', label: 'shop.orders' },
  { id: 'staging.orders', label: 'staging.orders' },
  { id: 'intermediate.orders_enriched', label: 'intermediate.orders_enriched' },
  { id: 'table:staging.customers', label: 'staging.customers' },
  { id: 'staging.customers.customer_key', label: 'customer_key' },
  { id: 'analytics.daily_revenue.revenue', label: 'revenue' },
  { id: 'schema:shop', label: 'shop', members: ['shop.customers', 'shop.orders__items'] },
];
const ids = (query: string) => findMatches(boxes, query).map((b) => b.id);

describe('lineage panel: finding nodes', () => {
  it('ranks an exact name first, then names starting with the query, then containing it', () => {
    assert.deepEqual(ids('staging.orders'), ['staging.orders']);
    // Case does not matter; a column named customer_… comes before the table that contains the word.
    assert.deepEqual(ids('Customer'), ['staging.customers.customer_key', 'table:staging.customers', 'schema:shop']);
    assert.deepEqual(ids('orders'), ['shop.orders', 'staging.orders', 'intermediate.orders_enriched', 'schema:shop']);
  });

  it('finds a column by its full name, and a folded box by the tables in it', () => {
    assert.deepEqual(ids('daily_revenue.rev'), ['analytics.daily_revenue.revenue']);
    assert.deepEqual(ids('orders__items'), ['schema:shop']);
    // The table: prefix of table boxes is not part of any name.
    assert.deepEqual(ids('table:'), []);
  });

  it('finds nothing for an empty query', () => {
    assert.deepEqual(ids('   '), []);
  });

  it('steps through the matches and round, both ways', () => {
    assert.equal(stepMatch(-1, 3), 0);
    assert.equal(stepMatch(0, 3), 1);
    assert.equal(stepMatch(2, 3), 0);
    assert.equal(stepMatch(0, 3, true), 2);
    assert.equal(stepMatch(-1, 3, true), 2);
    assert.equal(stepMatch(0, 0), -1);
  });
});
