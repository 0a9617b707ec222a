-- Revenue per day from orders that were placed or shipped. Built a day at a time.
MODEL (
  name analytics.daily_revenue,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column order_date
  ),
  start '2024-01-01',
  cron '@daily',
  grain order_date,
  audits (
    not_null(columns := (order_date, revenue)),
    unique_values(columns := (order_date))
  ),
  column_descriptions (
    revenue = 'Sum of order amounts, placed and shipped orders only'
  )
);

SELECT
  order_date,
  sum(amount) AS revenue,
  count(*) AS order_count,
  count(DISTINCT customer_id) AS customer_count
FROM intermediate.orders_enriched
WHERE status IN ('placed', 'shipped')
  AND order_date BETWEEN @start_ds AND @end_ds
GROUP BY order_date
