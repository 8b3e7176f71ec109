SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at >= CAST(CAST('2025-01-01' AS DATE) AS TIMESTAMP)
  AND c.signup_at < CAST(CAST('2026-01-01' AS DATE) AS TIMESTAMP)
