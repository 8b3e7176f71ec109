SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at < '2025-12-01 00:00:00'
