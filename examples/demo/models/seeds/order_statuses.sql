-- Which order statuses count as revenue; maintained by hand.
MODEL (
  name seeds.order_statuses,
  kind SEED (
    path 'order_statuses.csv'
  ),
  columns (
    status TEXT,
    counts_as_revenue BOOLEAN,
    label TEXT
  ),
  grain status
);
