-- Shop orders: typed money, a date to group by, and the shipping fields flattened by the load.
MODEL (
  name staging.orders,
  kind VIEW,
  grain order_id,
  column_descriptions (
    amount = 'Order total in the order currency',
    order_date = 'Day the order was placed (UTC)'
  )
);

SELECT
  id AS order_id,
  customer_id,
  lower(status) AS status,
  CAST(total AS DECIMAL(12, 2)) AS amount,
  currency,
  created_at AS ordered_at,
  CAST(created_at AS DATE) AS order_date,
  shipping__method AS shipping_method,
  shipping__address__city AS shipping_city,
  _sluice_id AS order_row_id
FROM shop.orders
