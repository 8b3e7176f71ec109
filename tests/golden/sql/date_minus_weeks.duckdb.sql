SELECT
  c.customer_id AS customer_id
FROM customers AS c
WHERE
  CAST(c.birth_date - INTERVAL '14' DAY AS DATE) < CAST('1960-01-01' AS DATE)
