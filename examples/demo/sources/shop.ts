// A shop API that changes between runs: each run sees new orders and updates to a few old ones.
// Orders merge on their id, incrementally on updated_at; nested line items land in orders__items.
import { defineSource } from 'sluice';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const products = ['widget', 'gadget', 'gizmo', 'doohickey', 'sprocket'];

/** The orders the API knows about after `day` days: deterministic, so every run of the demo agrees. */
function ordersAsOf(day: number) {
  const orders = [];
  for (let id = 1; id <= day * 40; id++) {
    const createdDay = Math.ceil(id / 40);
    // Every 7th order is amended on a later day: its status and updated_at change.
    const amendedDay = id % 7 === 0 && day > createdDay ? createdDay + 1 : createdDay;
    const status = amendedDay > createdDay ? 'shipped' : 'placed';
    orders.push({
      id,
      customerId: 100 + (id % 25),
      status,
      total: Number(((id % 13) * 7.5 + 10).toFixed(2)),
      createdAt: new Date(START + (createdDay - 1) * DAY + id * 1000).toISOString(),
      updatedAt: new Date(START + (amendedDay - 1) * DAY + id * 1000).toISOString(),
      shipping: { method: id % 3 === 0 ? 'express' : 'standard', address: { city: ['Berlin', 'Lisbon', 'Oslo'][id % 3], zip: String(10000 + id) } },
      items: Array.from({ length: (id % 3) + 1 }, (_, i) => ({
        sku: `${products[(id + i) % products.length]}-${i}`,
        quantity: (i % 2) + 1,
        unitPrice: 5 + i,
      })),
    });
  }
  return orders;
}

export default defineSource({
  name: 'shop',
  resources: [
    {
      name: 'customers',
      primaryKey: 'id',
      writeDisposition: 'replace',
      rows: () =>
        Array.from({ length: 25 }, (_, i) => ({
          id: 100 + i,
          name: `Customer ${100 + i}`,
          tier: i % 5 === 0 ? 'gold' : 'standard',
          signedUpOn: `2023-${String((i % 12) + 1).padStart(2, '0')}-15`,
        })),
    },
    {
      name: 'orders',
      primaryKey: 'id',
      writeDisposition: 'merge',
      incremental: { cursor: 'updatedAt', initialValue: '2024-01-01T00:00:00.000Z' },
      async *rows(ctx) {
        // The "API" advances one day per run; the run counter lives in the resource state.
        const day = Number(ctx.state.day ?? 0) + 1;
        ctx.state.day = day;
        ctx.log.info(`fetching orders as of day ${day} in ${String(ctx.config.currency ?? 'EUR')}`);
        const since = String(ctx.incremental?.start ?? '');
        for (const order of ordersAsOf(day)) {
          if (order.updatedAt >= since) yield { ...order, currency: ctx.config.currency ?? 'EUR' };
        }
      },
    },
  ],
});
