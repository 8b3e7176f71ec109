SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE_DIFF(
    CAST(CAST('2025-12-31 12:00:00' AS DATETIME) AS DATE),
    CAST(c.birth_date AS DATE),
    DAY
  ) >= 9125
