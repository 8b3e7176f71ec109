SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST('2000-01-07 12:00:00' AS TIMESTAMP) >= CAST(CAST(c.birth_date AS DATE) + INTERVAL '1' DAY AS TIMESTAMP)
