SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CASE
    WHEN CAST(ADD_MONTHS(
      CAST(c.birth_date AS DATE),
      (
        YEAR(CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)) - YEAR(c.birth_date)
      ) * 12
    ) AS DATE) >= CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)
    THEN CAST(ADD_MONTHS(
      CAST(c.birth_date AS DATE),
      (
        YEAR(CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)) - YEAR(c.birth_date)
      ) * 12
    ) AS DATE)
    ELSE CAST(ADD_MONTHS(
      CAST(c.birth_date AS DATE),
      (
        YEAR(CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)) - YEAR(c.birth_date) + 1
      ) * 12
    ) AS DATE)
  END >= CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)
  AND CASE
    WHEN CAST(ADD_MONTHS(
      CAST(c.birth_date AS DATE),
      (
        YEAR(CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)) - YEAR(c.birth_date)
      ) * 12
    ) AS DATE) >= CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)
    THEN CAST(ADD_MONTHS(
      CAST(c.birth_date AS DATE),
      (
        YEAR(CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)) - YEAR(c.birth_date)
      ) * 12
    ) AS DATE)
    ELSE CAST(ADD_MONTHS(
      CAST(c.birth_date AS DATE),
      (
        YEAR(CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)) - YEAR(c.birth_date) + 1
      ) * 12
    ) AS DATE)
  END <= CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) + INTERVAL '7' DAY AS DATE)
