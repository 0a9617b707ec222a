-- Orders with their customer, status flags and line totals, and each customer's running order number.
MODEL (
  name intermediate.orders_enriched,
  kind FULL,
  grain order_id
);

WITH items AS (
  SELECT
    order_id,
    count(*) AS item_count,
    sum(quantity) AS units,
    sum(line_total) AS items_total
  FROM staging.order_items
  GROUP BY order_id
)
SELECT
  o.* EXCLUDE (order_row_id, currency),
  c.customer_name,
  c.tier AS customer_tier,
  s.label AS status_label,
  coalesce(s.counts_as_revenue, FALSE) AS counts_as_revenue,
  coalesce(i.item_count, 0) AS item_count,
  coalesce(i.units, 0) AS units,
  i.items_total,
  row_number() OVER (PARTITION BY o.customer_id ORDER BY o.ordered_at) AS customer_order_number
FROM staging.orders AS o
LEFT JOIN staging.customers AS c
  ON c.source_system = 'shop' AND c.customer_key = CAST(o.customer_id AS VARCHAR)
LEFT JOIN seeds.order_statuses AS s
  ON s.status = o.status
LEFT JOIN items AS i
  ON i.order_id = o.order_id
