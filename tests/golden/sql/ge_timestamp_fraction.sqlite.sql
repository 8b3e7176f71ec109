SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at >= '2025-11-30 23:59:59.999999'
