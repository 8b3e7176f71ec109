SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at >= DATETIME(DATE('2025-01-01'))
  AND c.signup_at < DATETIME(DATE('2026-01-01'))
