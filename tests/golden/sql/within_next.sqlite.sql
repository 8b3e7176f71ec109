SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  MIN(
    DATE(
      DATE(
        SUBSTRING(c.last_seen_at, 1, 19),
        'start of month',
        PRINTF('%+d months', (
          1
        ) * 12)
      ),
      PRINTF('%+d days', CAST(STRFTIME('%d', SUBSTRING(c.last_seen_at, 1, 19)) AS INTEGER) - 1)
    ),
    DATE(
      DATE(
        SUBSTRING(c.last_seen_at, 1, 19),
        'start of month',
        PRINTF('%+d months', (
          1
        ) * 12)
      ),
      '+1 month',
      '-1 day'
    )
  ) || SUBSTRING(c.last_seen_at, 11) >= '2025-12-31 12:00:00'
  AND MIN(
    DATE(
      DATE(
        SUBSTRING(c.last_seen_at, 1, 19),
        'start of month',
        PRINTF('%+d months', (
          1
        ) * 12)
      ),
      PRINTF('%+d days', CAST(STRFTIME('%d', SUBSTRING(c.last_seen_at, 1, 19)) AS INTEGER) - 1)
    ),
    DATE(
      DATE(
        SUBSTRING(c.last_seen_at, 1, 19),
        'start of month',
        PRINTF('%+d months', (
          1
        ) * 12)
      ),
      '+1 month',
      '-1 day'
    )
  ) || SUBSTRING(c.last_seen_at, 11) <= DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', 7)) || SUBSTRING('2025-12-31 12:00:00', 11)
