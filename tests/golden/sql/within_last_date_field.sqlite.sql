SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE(c.last_seen_at) >= DATE(
    DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', -7)) || SUBSTRING('2025-12-31 12:00:00', 11)
  )
  AND DATE(c.last_seen_at) <= DATE('2025-12-31 12:00:00')
