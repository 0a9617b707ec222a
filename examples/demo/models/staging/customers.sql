-- Customers from the shop and contacts from the old CRM, in one shape.
MODEL (
  name staging.customers,
  kind FULL,
  grain (source_system, customer_key)
);

SELECT
  'shop' AS source_system,
  CAST(id AS VARCHAR) AS customer_key,
  name AS customer_name,
  tier,
  signed_up_on AS signup_date
FROM shop.customers
UNION ALL
SELECT
  'crm',
  CAST(contact_id AS VARCHAR),
  full_name,
  CASE WHEN lifetime_value >= 1000 THEN 'gold' ELSE 'standard' END,
  signup_date
FROM legacy_crm.contacts
