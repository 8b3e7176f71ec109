SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CASE
    WHEN CAST(CAST(c.birth_date AS DATE) + (
      INTERVAL '1 YEAR' * (
        EXTRACT(YEAR FROM CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)) - EXTRACT(YEAR FROM c.birth_date)
      )
    ) AS DATE) >= CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)
    THEN CAST(CAST(c.birth_date AS DATE) + (
      INTERVAL '1 YEAR' * (
        EXTRACT(YEAR FROM CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)) - EXTRACT(YEAR FROM c.birth_date)
      )
    ) AS DATE)
    ELSE CAST(CAST(c.birth_date AS DATE) + (
      INTERVAL '1 YEAR' * (
        EXTRACT(YEAR FROM CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)) - EXTRACT(YEAR FROM c.birth_date) + 1
      )
    ) AS DATE)
  END = CAST('2026-02-28' AS DATE)
