SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at < '2025-12-31 12:00:00'
