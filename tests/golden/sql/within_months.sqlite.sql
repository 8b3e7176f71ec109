SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at >= DATETIME('2025-12-31 12:00:00') - INTERVAL '12' MONTH
  AND c.signup_at <= DATETIME('2025-12-31 12:00:00')
