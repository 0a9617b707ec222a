// A PostgreSQL database of a test run's own on the shared server (Sluice's state schema `_sluice` has a fixed
// name, so tests that plan on the server cannot share one database), source tables and models for it.

import crypto from 'node:crypto';
import { Client } from 'pg';

export const SERVER = 'postgres://postgres@127.0.0.1:5432';

/** A database of this run's own on the shared server; dropped by the returned function. */
export async function scratchDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: `${SERVER}/test` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `${SERVER}/${name}`,
    drop: async () => {
      const c = new Client({ connectionString: `${SERVER}/test` });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export const SOURCE_SQL = `
CREATE SCHEMA src;
CREATE TABLE src.customers (id INTEGER, name TEXT, region TEXT);
INSERT INTO src.customers VALUES (1, 'Ann', 'north'), (2, 'Bob', 'south'), (3, 'Cid', 'north'), (4, 'Dörte', NULL);
CREATE TABLE src.orders (id INTEGER, customer_id INTEGER, amount NUMERIC(10, 2), ordered_at TIMESTAMP);
INSERT INTO src.orders
  SELECT i, CASE WHEN i = 7 THEN NULL ELSE 1 + (i % 3) END, i * 10.0, TIMESTAMP '2024-01-01' + (i % 5) * INTERVAL '1 day' + i * INTERVAL '1 hour'
  FROM generate_series(1, 20) AS t(i);
`;

export const MODELS: Record<string, string> = {
  'external_models.yaml': `- name: src.customers
  columns: { id: INT, name: TEXT, region: TEXT }
- name: src.orders
  columns: { id: INT, customer_id: INT, amount: 'DECIMAL(10,2)', ordered_at: TIMESTAMP }
`,
  'models/orders.sql': `MODEL (name staging.orders, kind FULL, grain id);

SELECT id, customer_id, amount * 1 AS amount, CAST(ordered_at AS DATE) AS order_date, ordered_at
FROM src.orders
`,
  'models/enriched.sql': `MODEL (name staging.enriched, kind VIEW);

SELECT o.id, o.amount, o.order_date, o.ordered_at, o.customer_id, coalesce(c.region, 'unknown') AS region
FROM staging.orders AS o LEFT JOIN src.customers AS c ON c.id = o.customer_id
`,
  'models/revenue.sql': `MODEL (name analytics.revenue, kind FULL, grain region);

SELECT region, sum(amount) AS revenue, count(*) AS orders
FROM staging.enriched
GROUP BY region
`,
  'models/daily.sql': `MODEL (
  name analytics.daily,
  kind INCREMENTAL_BY_TIME_RANGE (time_column ordered_at),
  start '2024-01-01',
  cron '@daily'
);

SELECT date_trunc('day', ordered_at) AS ordered_at, count(*) AS orders, sum(amount) AS revenue
FROM staging.enriched
WHERE ordered_at >= @start_ts AND ordered_at < @end_ts
GROUP BY ALL
`,
  'models/latest.sql': `MODEL (
  name analytics.latest_order,
  kind INCREMENTAL_BY_UNIQUE_KEY (unique_key customer_id),
  start '2024-01-01',
  cron '@daily'
);

SELECT customer_id, arg_max(id, ordered_at) AS last_order_id, max(ordered_at) AS last_ordered_at
FROM staging.enriched
WHERE customer_id IS NOT NULL
GROUP BY customer_id
`,
};

