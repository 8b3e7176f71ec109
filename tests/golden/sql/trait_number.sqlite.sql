SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.last_seen_at < DATETIME(
    DATE(
      DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', -30)) || SUBSTRING('2025-12-31 12:00:00', 11)
    )
  )
