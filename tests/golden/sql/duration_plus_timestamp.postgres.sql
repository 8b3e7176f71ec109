SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at + INTERVAL '30 DAY' > CAST('2025-12-31 12:00:00' AS TIMESTAMP)
