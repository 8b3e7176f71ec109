SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  STRFTIME(
    '%Y-%m-%d %H:%M:%S',
    SUBSTRING(
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
      ) || SUBSTRING(c.last_seen_at, 11),
      1,
      19
    )
  ) || '.' || SUBSTRING(
    SUBSTRING(
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
      ) || SUBSTRING(c.last_seen_at, 11),
      21
    ) || '000000',
    1,
    6
  ) >= '2025-12-31 12:00:00.000000'
  AND STRFTIME(
    '%Y-%m-%d %H:%M:%S',
    SUBSTRING(
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
      ) || SUBSTRING(c.last_seen_at, 11),
      1,
      19
    )
  ) || '.' || SUBSTRING(
    SUBSTRING(
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
      ) || SUBSTRING(c.last_seen_at, 11),
      21
    ) || '000000',
    1,
    6
  ) <= STRFTIME(
    '%Y-%m-%d %H:%M:%S',
    SUBSTRING(
      DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', 7)) || SUBSTRING('2025-12-31 12:00:00', 11),
      1,
      19
    )
  ) || '.' || SUBSTRING(
    SUBSTRING(
      DATE(SUBSTRING('2025-12-31 12:00:00', 1, 19), PRINTF('%+d days', 7)) || SUBSTRING('2025-12-31 12:00:00', 11),
      21
    ) || '000000',
    1,
    6
  )
