SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  STRFTIME('%Y-%m-%d %H:%M:%S', SUBSTRING(c.signup_at, 1, 19)) || '.' || SUBSTRING(SUBSTRING(c.signup_at, 21) || '000000', 1, 6) >= STRFTIME(
    '%Y-%m-%d %H:%M:%S',
    SUBSTRING(
      MIN(
        DATE(
          DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), 'start of month', PRINTF('%+d months', -3)),
          PRINTF(
            '%+d days',
            CAST(STRFTIME('%d', SUBSTRING('2025-12-31 12:00:00', 1, 19)) AS INTEGER) - 1
          )
        ),
        DATE(
          DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), 'start of month', PRINTF('%+d months', -3)),
          '+1 month',
          '-1 day'
        )
      ) || SUBSTRING('2025-12-31 12:00:00', 11),
      1,
      19
    )
  ) || '.' || SUBSTRING(
    SUBSTRING(
      MIN(
        DATE(
          DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), 'start of month', PRINTF('%+d months', -3)),
          PRINTF(
            '%+d days',
            CAST(STRFTIME('%d', SUBSTRING('2025-12-31 12:00:00', 1, 19)) AS INTEGER) - 1
          )
        ),
        DATE(
          DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), 'start of month', PRINTF('%+d months', -3)),
          '+1 month',
          '-1 day'
        )
      ) || SUBSTRING('2025-12-31 12:00:00', 11),
      21
    ) || '000000',
    1,
    6
  )
