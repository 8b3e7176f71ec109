SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CASE
    WHEN DATE(
      MIN(
        DATE(
          DATE(
            SUBSTRING(DATE(c.birth_date), 1, 19),
            'start of month',
            PRINTF(
              '%+d months',
              (
                CAST(STRFTIME('%Y', SUBSTRING(DATE('2025-12-31 12:00:00'), 1, 19)) AS INTEGER) - CAST(STRFTIME('%Y', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER)
              ) * 12
            )
          ),
          PRINTF(
            '%+d days',
            CAST(STRFTIME('%d', SUBSTRING(DATE(c.birth_date), 1, 19)) AS INTEGER) - 1
          )
        ),
        DATE(
          DATE(
            SUBSTRING(DATE(c.birth_date), 1, 19),
            'start of month',
            PRINTF(
              '%+d months',
              (
                CAST(STRFTIME('%Y', SUBSTRING(DATE('2025-12-31 12:00:00'), 1, 19)) AS INTEGER) - CAST(STRFTIME('%Y', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER)
              ) * 12
            )
          ),
          '+1 month',
          '-1 day'
        )
      ) || SUBSTRING(DATE(c.birth_date), 11)
    ) >= DATE('2025-12-31 12:00:00')
    THEN DATE(
      MIN(
        DATE(
          DATE(
            SUBSTRING(DATE(c.birth_date), 1, 19),
            'start of month',
            PRINTF(
              '%+d months',
              (
                CAST(STRFTIME('%Y', SUBSTRING(DATE('2025-12-31 12:00:00'), 1, 19)) AS INTEGER) - CAST(STRFTIME('%Y', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER)
              ) * 12
            )
          ),
          PRINTF(
            '%+d days',
            CAST(STRFTIME('%d', SUBSTRING(DATE(c.birth_date), 1, 19)) AS INTEGER) - 1
          )
        ),
        DATE(
          DATE(
            SUBSTRING(DATE(c.birth_date), 1, 19),
            'start of month',
            PRINTF(
              '%+d months',
              (
                CAST(STRFTIME('%Y', SUBSTRING(DATE('2025-12-31 12:00:00'), 1, 19)) AS INTEGER) - CAST(STRFTIME('%Y', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER)
              ) * 12
            )
          ),
          '+1 month',
          '-1 day'
        )
      ) || SUBSTRING(DATE(c.birth_date), 11)
    )
    ELSE DATE(
      MIN(
        DATE(
          DATE(
            SUBSTRING(DATE(c.birth_date), 1, 19),
            'start of month',
            PRINTF(
              '%+d months',
              (
                CAST(STRFTIME('%Y', SUBSTRING(DATE('2025-12-31 12:00:00'), 1, 19)) AS INTEGER) - CAST(STRFTIME('%Y', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER) + 1
              ) * 12
            )
          ),
          PRINTF(
            '%+d days',
            CAST(STRFTIME('%d', SUBSTRING(DATE(c.birth_date), 1, 19)) AS INTEGER) - 1
          )
        ),
        DATE(
          DATE(
            SUBSTRING(DATE(c.birth_date), 1, 19),
            'start of month',
            PRINTF(
              '%+d months',
              (
                CAST(STRFTIME('%Y', SUBSTRING(DATE('2025-12-31 12:00:00'), 1, 19)) AS INTEGER) - CAST(STRFTIME('%Y', SUBSTRING(c.birth_date, 1, 19)) AS INTEGER) + 1
              ) * 12
            )
          ),
          '+1 month',
          '-1 day'
        )
      ) || SUBSTRING(DATE(c.birth_date), 11)
    )
  END = DATE('2026-02-28')
