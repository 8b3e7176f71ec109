SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CASE
    WHEN CAST(DATEADD(
      YEAR,
      YEAR(CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)) - YEAR(c.birth_date),
      CAST(c.birth_date AS DATE)
    ) AS DATE) >= CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)
    THEN CAST(DATEADD(
      YEAR,
      YEAR(CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)) - YEAR(c.birth_date),
      CAST(c.birth_date AS DATE)
    ) AS DATE)
    ELSE CAST(DATEADD(
      YEAR,
      YEAR(CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)) - YEAR(c.birth_date) + 1,
      CAST(c.birth_date AS DATE)
    ) AS DATE)
  END = CAST('2026-02-28' AS DATE)
