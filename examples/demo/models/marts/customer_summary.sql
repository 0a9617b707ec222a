-- Per customer: orders, revenue that counts, first and last order, and where they last had it shipped.
MODEL (
  name analytics.customer_summary,
  kind VIEW,
  grain customer_id
);

SELECT
  customer_id,
  any_value(customer_name) AS customer_name,
  any_value(customer_tier) AS tier,
  count(*) AS order_count,
  sum(amount) FILTER (WHERE counts_as_revenue) AS lifetime_revenue,
  min(order_date) AS first_order_date,
  max(order_date) AS last_order_date,
  arg_max(shipping_city, ordered_at) AS latest_shipping_city
FROM intermediate.orders_enriched
GROUP BY customer_id
