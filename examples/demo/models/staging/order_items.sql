-- Order lines: the nested items list of each order, with the order id carried down from the parent row.
MODEL (
  name staging.order_items,
  kind VIEW,
  grain (order_id, line_number)
);

SELECT
  o.id AS order_id,
  i._sluice_list_idx + 1 AS line_number,
  i.sku,
  split_part(i.sku, '-', 1) AS product,
  i.quantity,
  i.unit_price,
  i.quantity * i.unit_price AS line_total
FROM shop.orders__items AS i
JOIN shop.orders AS o
  ON i._sluice_parent_id = o._sluice_id
