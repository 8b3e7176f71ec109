SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CASE
    WHEN DATE(
      DATE(
        DATE(c.birth_date),
        (
          YEAR(DATE(DATETIME('2025-12-31 12:00:00'))) - YEAR(c.birth_date)
        ) || ' YEAR'
      )
    ) >= DATE(DATETIME('2025-12-31 12:00:00'))
    THEN DATE(
      DATE(
        DATE(c.birth_date),
        (
          YEAR(DATE(DATETIME('2025-12-31 12:00:00'))) - YEAR(c.birth_date)
        ) || ' YEAR'
      )
    )
    ELSE DATE(
      DATE(
        DATE(c.birth_date),
        (
          YEAR(DATE(DATETIME('2025-12-31 12:00:00'))) - YEAR(c.birth_date) + 1
        ) || ' YEAR'
      )
    )
  END = DATE('2026-02-28')
