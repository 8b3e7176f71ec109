SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.last_seen_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(c.last_seen_at, 21) || '000000', 1, 6) < DATETIME(
    DATE(
      DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', -30)) || SUBSTRING('2025-12-31 12:00:00', 11)
    )
  ) || '.000000'
