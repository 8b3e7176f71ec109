SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  DATE_DIFF(
    'DAY',
    CAST(c.birth_date AS DATE),
    CAST(CAST('2025-12-31 12:00:00' AS TIMESTAMP) AS DATE)
  ) >= 9125
