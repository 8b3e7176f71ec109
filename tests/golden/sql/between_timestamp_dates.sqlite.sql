SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.signup_at >= DATETIME(DATE('2025-12-01'))
  AND c.signup_at < DATETIME(
    DATE(SUBSTRING(DATE('2025-12-24'), 1, 19), PRINTF('%+d days', 1)) || SUBSTRING(DATE('2025-12-24'), 11)
  )
