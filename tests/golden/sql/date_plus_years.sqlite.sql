SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE(
    MIN(
      DATE(
        DATE(
          SUBSTRING(c.birth_date, 1, 19),
          'start of month',
          PRINTF('%+d months', (
            18
          ) * 12)
        ),
        PRINTF('%+d days', CAST(STRFTIME('%d', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER) - 1)
      ),
      DATE(
        DATE(
          SUBSTRING(c.birth_date, 1, 19),
          'start of month',
          PRINTF('%+d months', (
            18
          ) * 12)
        ),
        '+1 month',
        '-1 day'
      )
    ) || SUBSTRING(c.birth_date, 11)
  ) <= DATE('2025-12-31 12:00:00')
