SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  c.last_seen_at <= MIN(
    DATE(
      DATE(
        SUBSTRING('2025-12-31 12:00:00', 1, 19),
        'start of month',
        PRINTF('%+d months', (
          -1
        ) * 12)
      ),
      PRINTF(
        '%+d days',
        CAST(STRFTIME('%d', SUBSTRING('2025-12-31 12:00:00', 1, 19)) AS INTEGER) - 1
      )
    ),
    DATE(
      DATE(
        SUBSTRING('2025-12-31 12:00:00', 1, 19),
        'start of month',
        PRINTF('%+d months', (
          -1
        ) * 12)
      ),
      '+1 month',
      '-1 day'
    )
  ) || SUBSTRING('2025-12-31 12:00:00', 11)
