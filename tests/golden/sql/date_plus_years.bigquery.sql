SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(c.birth_date + INTERVAL '18' YEAR AS DATE) <= CAST(CAST('2025-12-31 12:00:00' AS DATETIME) AS DATE)
