SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at >= CAST('2025-12-31 12:00:00' AS DATETIME) - INTERVAL '15' MINUTE
  AND c.signup_at <= CAST('2025-12-31 12:00:00' AS DATETIME)
