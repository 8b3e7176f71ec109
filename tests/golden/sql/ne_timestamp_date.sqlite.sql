SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  NOT COALESCE(
    STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.last_seen_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(c.last_seen_at, 21) || '000000', 1, 6) >= DATETIME(DATE('2025-12-24')) || '.000000'
    AND STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.last_seen_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(c.last_seen_at, 21) || '000000', 1, 6) < DATETIME(
      DATE(SUBSTRING(DATE('2025-12-24'), 1, 19), PRINTF('%+d days', 1)) || SUBSTRING(DATE('2025-12-24'), 11)
    ) || '.000000',
    FALSE
  )
